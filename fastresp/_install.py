"""install() and uninstall(): fastresp's hot path behind starlette's own classes."""

from __future__ import annotations

import threading

import starlette.responses as _starlette

from . import _impl
from .responses import FAST_CONSTRUCTION, hot_methods

_lock = threading.Lock()
_MISSING = object()
#: (class, attribute) -> what the class's own __dict__ held before install()
#: (_MISSING when it inherited the attribute); empty when nothing is installed.
_saved: dict[tuple[type, str], object] = {}


def _patches() -> dict[type, dict[str, object]]:
    return {getattr(_starlette, name): methods
            for name, methods in hot_methods(_impl.headers, _impl.cookie, _impl.asgi).items()}


def install() -> None:
    """Accelerate every starlette (and so FastAPI) response in this process.

    Idempotent, and safe before or after the app is built: the methods are
    swapped on ``starlette.responses.Response`` (and the ``__init__`` of
    ``JSONResponse`` and ``RedirectResponse``, and the operations of
    ``starlette.datastructures.MutableHeaders``),
    so every subclass that does not override them picks them up, and those that
    do keep their overrides. With the compiled implementation, starlette's
    classes named in FAST_CONSTRUCTION are also called without type.__call__.
    """
    with _lock:
        if _saved:
            return
        for cls, methods in _patches().items():
            for name, function in methods.items():
                _saved[(cls, name)] = cls.__dict__.get(name, _MISSING)
                setattr(cls, name, function)
        _fast_construction(True)


def uninstall() -> None:
    """Put back exactly the functions install() replaced. A no-op when not installed."""
    with _lock:
        if _saved:
            _fast_construction(False)
        for (cls, name), original in _saved.items():
            if original is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        _saved.clear()


def _fast_construction(enable: bool) -> None:
    for name in FAST_CONSTRUCTION:
        _impl.headers.fast_construction(getattr(_starlette, name), enable)


def installed() -> bool:
    return bool(_saved)
