"""``JSONResponse.render`` in pure Python: the reference the compiled ``_json``
follows, and what PyPy runs.

``dumps(content)`` is starlette's ``json.dumps(content, ensure_ascii=False,
allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")``: the same
bytes and the same exceptions, messages included. ``json.dumps`` with any
argument other than the defaults builds a new ``JSONEncoder`` on every call;
here one encoder with those settings is built once and reused (it holds no
state between calls: each ``encode`` makes its own cycle markers).

The interface the compiled module uses (``COMPILED_USES``): ``dumps`` (every
document it does not write itself is handed to it whole).
"""

from __future__ import annotations

import json
from typing import Any

from ._common import JSON_OPTIONS

#: What the compiled module takes from this one (see the module docstring).
COMPILED_USES = ("dumps",)

_encode = json.JSONEncoder(**JSON_OPTIONS).encode


def dumps(content: Any) -> bytes:
    """The JSON text of content as UTF-8 bytes, exactly as starlette renders it."""
    return _encode(content).encode("utf-8")


def render(self: Any, content: Any) -> bytes:
    """``JSONResponse.render``."""
    return _encode(content).encode("utf-8")
