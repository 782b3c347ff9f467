"""fastresp's response classes: starlette's, with the hot path swapped in.

Each class subclasses the starlette class of the same name, so FastAPI and every
``isinstance`` check treat it as starlette's own; only ``__init__``, ``render``
(JSONResponse's too), ``init_headers``, ``set_cookie``, ``delete_cookie``,
``headers`` and ``__call__`` come from fastresp, ``headers`` making fastresp's
MutableHeaders subclass (and, compiled, the way the classes in FAST_CONSTRUCTION
are called and the MutableHeaders subclass's protocol slots: see
``_headers.fast_construction`` and ``_asgi.fast_operations``).
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Protocol

import starlette.responses as _starlette

from . import _impl


class HotModules(Protocol):
    """One implementation's modules, by role: what hot_methods() and
    make_classes() take. ``fastresp._impl`` is one (the modules loaded), and so
    is what its loaders return (``_impl.Modules``, which adds ``encoders``); any
    object with these attributes will do (the tests' ``impl`` fixture)."""

    headers: ModuleType   # _headers or _headers_py
    cookie: ModuleType    # _cookie or _cookie_py
    json: ModuleType      # _json or _json_py
    asgi: ModuleType      # _asgi or _asgi_py


def hot_methods(modules: HotModules) -> dict[str, dict[str, object]]:
    """What an implementation replaces, by the name of the starlette class that
    defines it (as ``starlette.responses`` names it): make_classes() builds
    fastresp's classes from it, install() swaps it into starlette's own."""
    headers, cookie, json, asgi = modules.headers, modules.cookie, modules.json, modules.asgi
    return {
        "MutableHeaders": asgi.mutable_headers_methods(),
        "Response": {
            "headers": asgi.headers,
            "__call__": asgi.response_call,
            "__init__": headers.response_init,
            "render": headers.render,
            "init_headers": headers.init_headers,
            "set_cookie": cookie.set_cookie,
            "delete_cookie": cookie.delete_cookie,
        },
        "JSONResponse": {"__init__": headers.json_init, "render": json.render},
        "RedirectResponse": {"__init__": headers.redirect_init},
    }


def headers_methods(modules: HotModules) -> dict[str, object]:
    """What an implementation puts on ``starlette.datastructures.Headers``
    (*modules* must have a ``request`` module: ``_impl``'s modules do)."""
    return modules.request.headers_methods()  # type: ignore[attr-defined, no-any-return]


def make_headers_class(modules: HotModules, module: str = __name__) -> type:
    """fastresp's ``Headers``: starlette's, with one implementation's methods."""
    return type("Headers", (_starlette.Headers,), {
        **headers_methods(modules), "__module__": module,
        "__doc__": _starlette.Headers.__doc__})


#: The classes whose construction the compiled module can take over (their
#: __init__ is response_init or json_init), by starlette name.
FAST_CONSTRUCTION = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse")


def make_classes(modules: HotModules, module: str = __name__) -> SimpleNamespace:
    """The five response classes built on one implementation's modules (the tests
    build one set for each implementation), and the MutableHeaders subclass
    their ``headers`` makes; *module* is their ``__module__``."""
    methods = hot_methods(modules)
    mutable_headers = type("MutableHeaders", (_starlette.MutableHeaders,), {
        **methods["MutableHeaders"], "__module__": module,
        "__doc__": _starlette.MutableHeaders.__doc__})
    response = type("Response", (_starlette.Response,), {
        **methods["Response"], "headers": modules.asgi.headers_property(mutable_headers),
        "__module__": module, "__doc__": _starlette.Response.__doc__})

    def subclass(name: str) -> type:
        base = getattr(_starlette, name)
        return type(name, (base, response), {
            **methods.get(name, {}), "__module__": module, "__doc__": base.__doc__})

    classes = SimpleNamespace(Response=response, MutableHeaders=mutable_headers, **{
        name: subclass(name)
        for name in ("HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")})
    for name in FAST_CONSTRUCTION:
        modules.headers.fast_construction(getattr(classes, name), True)
    modules.asgi.fast_operations(mutable_headers, True)
    return classes


if TYPE_CHECKING:
    class MutableHeaders(_starlette.MutableHeaders): ...
    class Headers(_starlette.Headers): ...
    class Response(_starlette.Response): ...
    class HTMLResponse(_starlette.HTMLResponse, Response): ...
    class PlainTextResponse(_starlette.PlainTextResponse, Response): ...
    class JSONResponse(_starlette.JSONResponse, Response): ...
    class RedirectResponse(_starlette.RedirectResponse, Response): ...
else:
    _active = make_classes(_impl, "fastresp")
    Response = _active.Response
    HTMLResponse = _active.HTMLResponse
    PlainTextResponse = _active.PlainTextResponse
    JSONResponse = _active.JSONResponse
    RedirectResponse = _active.RedirectResponse
    MutableHeaders = _active.MutableHeaders
    Headers = make_headers_class(_impl, "fastresp")

__all__ = ["Headers", "MutableHeaders", "Response", "HTMLResponse", "PlainTextResponse", "JSONResponse",
           "RedirectResponse"]
