"""Chooses the implementation once, at import: compiled where allowed and
importable, the pure-Python fallback otherwise."""

from __future__ import annotations

import importlib
from types import ModuleType

from . import _asgi_py, _cookie_py, _headers_py
from ._env import why_python

headers: ModuleType = _headers_py
cookie: ModuleType = _cookie_py
asgi: ModuleType = _asgi_py

#: Why this implementation is the one loaded, in words for ``python -m fastresp``.
REASON = why_python()
if REASON is None:
    try:
        compiled = [importlib.import_module(f"{__package__}.{name}")
                    for name in ("_headers", "_cookie", "_asgi")]
    except ImportError as error:
        REASON = f"the compiled modules failed to import ({error})"
    else:
        headers, cookie, asgi = compiled
        REASON = "the compiled modules are built and allowed"

#: "cython" or "python": what actually loaded.
IMPLEMENTATION = "python" if headers is _headers_py else "cython"


def asgi_for(headers_module: ModuleType) -> ModuleType:
    """The asgi module of the implementation headers_module belongs to."""
    if headers_module is _headers_py:
        return _asgi_py
    return importlib.import_module(f"{__package__}._asgi")
