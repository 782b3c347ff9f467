"""fastresp's response classes: starlette's, with the hot path swapped in.

Each class subclasses the starlette class of the same name, so FastAPI and every
``isinstance`` check treat it as starlette's own; only ``__init__``, ``render``,
``init_headers``, ``set_cookie`` and ``delete_cookie`` come from fastresp.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING

import starlette.responses as _starlette

from . import _impl


def hot_methods(headers: ModuleType, cookie: ModuleType) -> dict[str, object]:
    """The methods of ``starlette.responses.Response`` an implementation replaces."""
    return {
        "__init__": headers.response_init,
        "render": headers.render,
        "init_headers": headers.init_headers,
        "set_cookie": cookie.set_cookie,
        "delete_cookie": cookie.delete_cookie,
    }


def make_classes(headers: ModuleType, cookie: ModuleType, module: str = __name__) -> SimpleNamespace:
    """The five response classes built on one implementation's modules (the tests
    build one set for each implementation)."""
    response = type("Response", (_starlette.Response,), {
        **hot_methods(headers, cookie), "__module__": module, "__doc__": _starlette.Response.__doc__})

    def subclass(name: str, **methods: object) -> type:
        base = getattr(_starlette, name)
        return type(name, (base, response), {**methods, "__module__": module, "__doc__": base.__doc__})

    return SimpleNamespace(
        Response=response,
        HTMLResponse=subclass("HTMLResponse"),
        PlainTextResponse=subclass("PlainTextResponse"),
        JSONResponse=subclass("JSONResponse", __init__=headers.json_init),
        RedirectResponse=subclass("RedirectResponse", __init__=headers.redirect_init),
    )


if TYPE_CHECKING:
    class Response(_starlette.Response): ...
    class HTMLResponse(_starlette.HTMLResponse, Response): ...
    class PlainTextResponse(_starlette.PlainTextResponse, Response): ...
    class JSONResponse(_starlette.JSONResponse, Response): ...
    class RedirectResponse(_starlette.RedirectResponse, Response): ...
else:
    _active = make_classes(_impl.headers, _impl.cookie, "fastresp")
    Response = _active.Response
    HTMLResponse = _active.HTMLResponse
    PlainTextResponse = _active.PlainTextResponse
    JSONResponse = _active.JSONResponse
    RedirectResponse = _active.RedirectResponse

__all__ = ["Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse"]
