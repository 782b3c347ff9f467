"""Chooses the implementation once, at import: compiled where allowed and
importable, the pure-Python fallback otherwise.

The one place that loads the compiled modules: ``load_compiled()`` (the five
compiled modules, or the ImportError saying why not) and ``load_python()`` (their
pure-Python references). The tests, ``python -m fastresp bench``, the fuzz run
and the memcheck workload call these two instead of importing the modules
themselves.
"""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

from . import _asgi_py, _cookie_py, _encoders_py, _headers_py, _json_py, _request_py
from ._env import why_python


class Modules(NamedTuple):
    """One implementation's modules (a ``responses.HotModules``, plus encoders)."""

    headers: ModuleType
    cookie: ModuleType
    json: ModuleType
    encoders: ModuleType
    asgi: ModuleType
    request: ModuleType


def load_python() -> Modules:
    """The pure-Python implementation (the reference)."""
    return Modules(_headers_py, _cookie_py, _json_py, _encoders_py, _asgi_py, _request_py)


def load_compiled() -> Modules:
    """The compiled implementation, whatever FASTRESP_NO_EXTENSIONS says; raises
    ImportError (its message says which module and why) when it does not import."""
    from . import _asgi, _cookie, _encoders, _headers, _json, _request  # type: ignore[attr-defined]
    return Modules(_headers, _cookie, _json, _encoders, _asgi, _request)


#: Why this implementation is the one loaded, in words for ``python -m fastresp``.
REASON = why_python()
_loaded = load_python()
if REASON is None:
    try:
        _loaded = load_compiled()
    except ImportError as error:
        REASON = f"the compiled modules failed to import ({error})"
    else:
        REASON = "the compiled modules are built and allowed"

headers: ModuleType = _loaded.headers
cookie: ModuleType = _loaded.cookie
json: ModuleType = _loaded.json
encoders: ModuleType = _loaded.encoders
asgi: ModuleType = _loaded.asgi
request: ModuleType = _loaded.request

#: "cython" or "python": what actually loaded.
IMPLEMENTATION = "python" if headers is _headers_py else "cython"
