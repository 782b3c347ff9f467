"""Chooses the implementation once, at import: compiled where allowed and
importable, the pure-Python fallback otherwise."""

from __future__ import annotations

import importlib
from types import ModuleType

from . import _asgi_py, _cookie_py, _encoders_py, _headers_py, _json_py
from ._env import why_python

headers: ModuleType = _headers_py
cookie: ModuleType = _cookie_py
json: ModuleType = _json_py
encoders: ModuleType = _encoders_py
asgi: ModuleType = _asgi_py

#: Why this implementation is the one loaded, in words for ``python -m fastresp``.
REASON = why_python()
if REASON is None:
    try:
        compiled = [importlib.import_module(f"{__package__}.{name}")
                    for name in ("_headers", "_cookie", "_json", "_encoders", "_asgi")]
    except ImportError as error:
        REASON = f"the compiled modules failed to import ({error})"
    else:
        headers, cookie, json, encoders, asgi = compiled
        REASON = "the compiled modules are built and allowed"

#: "cython" or "python": what actually loaded.
IMPLEMENTATION = "python" if headers is _headers_py else "cython"

