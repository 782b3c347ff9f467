"""``JSONResponse.render`` in pure Python: the reference the compiled ``_json``
follows, and what PyPy runs.

``dumps(content)`` is starlette's ``json.dumps(content, ensure_ascii=False,
allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")``: the same
bytes and the same exceptions, messages included. ``json.dumps`` with any
argument other than the defaults builds a new ``JSONEncoder`` on every call;
here one encoder with those settings is built once and reused (it holds no
state between calls: each ``encode`` makes its own cycle markers).
"""

from __future__ import annotations

import json
from typing import Any

from ._common import JSON_OPTIONS

_encode = json.JSONEncoder(**JSON_OPTIONS).encode


def dumps(content: Any) -> bytes:
    """The JSON text of content as UTF-8 bytes, exactly as starlette renders it."""
    return _encode(content).encode("utf-8")


def render(self: Any, content: Any) -> bytes:
    """``JSONResponse.render``."""
    return _encode(content).encode("utf-8")
