"""install() and uninstall(): fastresp's hot path behind starlette's own classes."""

from __future__ import annotations

import importlib
import threading

import starlette.datastructures
import starlette.requests
import starlette.responses as _starlette

from . import _impl
from ._classes import hot_methods, set_slots
from ._common import jsonable_signature_known

_lock = threading.Lock()
_MISSING = object()
#: (class or module, attribute) -> what its own __dict__ held before install()
#: (_MISSING when a class inherited the attribute); empty when nothing is installed.
_saved: dict[tuple[object, str], object] = {}

#: The FastAPI modules that bind ``jsonable_encoder`` by name and call it: the
#: same four in every FastAPI release from 0.115 to 0.165. fastapi.encoders
#: itself keeps FastAPI's function (see _fastapi_patches).
FASTAPI_MODULES = ("fastapi.routing", "fastapi.exception_handlers", "fastapi.openapi.utils",
                   "fastapi.openapi.docs")


def _patches() -> dict[object, dict[str, object]]:
    patches: dict[object, dict[str, object]] = {
        getattr(_starlette, name): methods
        for name, methods in hot_methods(_impl.ACTIVE).items()}
    patches.update(_request_patches())
    patches.update(_fastapi_patches())
    patches.update(_uvicorn_patches())
    return patches


def _request_patches() -> dict[object, dict[str, object]]:
    """The request side: the reads of ``Headers`` (which ``MutableHeaders``
    inherits where it does not have its own), ``HTTPConnection.headers`` and
    ``.cookies``, and ``starlette.requests.cookie_parser``: the one module that
    binds that function (FastAPI and starlette's other modules reach it only
    through ``HTTPConnection.cookies``, and ``Headers`` is patched on the class,
    whatever name it is imported under)."""
    return {
        starlette.datastructures.Headers: _impl.ACTIVE.request.headers_methods(),
        starlette.requests.HTTPConnection: _impl.ACTIVE.request.connection_properties(),
        starlette.requests: {"cookie_parser": _impl.ACTIVE.request.cookie_parser},
    }


def _uvicorn_patches() -> dict[object, dict[str, object]]:
    """fastresp.uvicorn's compiled methods for uvicorn's own httptools classes:
    nothing when uvicorn or httptools is missing, the pure-Python implementation
    runs, or the installed uvicorn's methods are not ones fastresp checked."""
    try:
        from . import uvicorn as fast
        from ._uvicorn_release import httptools_module
    except ImportError:
        return {}
    own = httptools_module()
    if own is None:
        return {}
    return {getattr(own, owner): methods
            for owner, methods in fast.uvicorn_patches(own.RequestResponseCycle).items()}


def _fastapi_patches() -> dict[object, dict[str, object]]:
    """The fast jsonable_encoder for each module of FASTAPI_MODULES, wrapping the
    function that module holds now; nothing when FastAPI is not importable.

    FastAPI's modules are imported here, so install() works before the app
    imports FastAPI (as in the README) as well as after. A module whose
    ``jsonable_encoder`` does not have FastAPI's known signature is left alone.

    ``fastapi.encoders.jsonable_encoder`` is not replaced: FastAPI's function
    calls itself through that module global for every nested value, so
    replacing it would send each nested call of the slow path through the
    wrapper (slower, and deep documents would hit the recursion limit elsewhere
    than without fastresp); and code that imported it by name before install()
    would keep FastAPI's anyway.
    """
    try:
        modules = [importlib.import_module(name) for name in FASTAPI_MODULES]
    except ImportError:
        return {}
    fast: dict[int, object] = {}     # id(original) -> its wrapper: one per original
    patches: dict[object, dict[str, object]] = {}
    for module in modules:
        original = vars(module).get("jsonable_encoder")
        if original is None or not jsonable_signature_known(original):
            continue
        if id(original) not in fast:
            fast[id(original)] = _impl.ACTIVE.encoders.wrap(original)
        patches[module] = {"jsonable_encoder": fast[id(original)]}
    return patches


def _set_slots(enable: bool) -> None:
    """The compiled implementation's type slots on starlette's classes, on or
    off: the response and header classes' (``set_slots``) and Request's."""
    set_slots(_impl.ACTIVE, _starlette, enable)
    if _impl.ACTIVE.slots is not None:
        _impl.ACTIVE.slots.init_request_directly(starlette.requests.Request, enable)


def install() -> None:
    """Accelerate every starlette (and so FastAPI) response in this process.

    Idempotent, and safe before or after the app is built: the methods are
    swapped on ``starlette.responses.Response`` (and the ``__init__`` of
    ``JSONResponse`` and ``RedirectResponse``, ``JSONResponse.render``, and the
    operations of ``starlette.datastructures.MutableHeaders``),
    so every subclass that does not override them picks them up, and those that
    do keep their overrides. With the compiled implementation, starlette's
    classes named in ``_classes.CALLED_WITHOUT_TYPE_CALL`` are also called
    without type.__call__, and MutableHeaders' item operations skip CPython's
    method dispatch (``_slots``).

    Where FastAPI is importable, its modules that call ``jsonable_encoder``
    (FASTAPI_MODULES) get fastresp's, which wraps the function they held.

    Where uvicorn's httptools protocol is importable and its methods are the
    sources fastresp checked, the compiled response-head writer and header
    callbacks replace them (fastresp.uvicorn: compiled implementation only).
    Connections opened before install() keep the callbacks they bound.
    """
    with _lock:
        if _saved:
            return
        for owner, methods in _patches().items():
            for name, function in methods.items():
                _saved[(owner, name)] = vars(owner).get(name, _MISSING)
                setattr(owner, name, function)
        _set_slots(True)    # after the methods: setting them resets the slots


def uninstall() -> None:
    """Put back exactly the functions install() replaced. A no-op when not installed."""
    with _lock:
        if _saved:
            _set_slots(False)
        for (owner, name), original in _saved.items():
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _saved.clear()


def installed() -> bool:
    return bool(_saved)
