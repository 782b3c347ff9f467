"""What an implementation puts on starlette's classes, and the classes it makes.

``hot_methods(impl)`` is the index of what an implementation replaces, by
starlette class: ``make_classes(impl)`` builds fastresp's classes from it and
``install()`` swaps it into starlette's own. Only ``__init__``, ``render``
(JSONResponse's too), ``init_headers``, ``set_cookie``, ``delete_cookie``,
``headers``, ``__call__`` and the MutableHeaders operations come from fastresp;
with the compiled implementation, the CPython type slots of ``_slots`` too.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import starlette.responses as _starlette

if TYPE_CHECKING:
    from ._impl import Implementation

#: The classes the compiled implementation calls without type.__call__ (their
#: __init__ is response_init or json_init), by starlette name.
CALLED_WITHOUT_TYPE_CALL = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse")


def hot_methods(impl: Implementation) -> dict[str, dict[str, object]]:
    """What impl replaces, by the name of the starlette class that defines it (as
    ``starlette.responses`` names it)."""
    headers, cookie, json, asgi = impl.headers, impl.cookie, impl.json, impl.asgi
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


def make_classes(impl: Implementation, module: str = "fastresp") -> SimpleNamespace:
    """The five response classes built on impl's modules, the MutableHeaders
    subclass their ``headers`` makes, and the request side's Headers subclass;
    *module* is their ``__module__``."""
    methods = hot_methods(impl)
    mutable_headers = type("MutableHeaders", (_starlette.MutableHeaders,), {
        **methods["MutableHeaders"], "__module__": module,
        "__doc__": _starlette.MutableHeaders.__doc__})
    response = type("Response", (_starlette.Response,), {
        **methods["Response"], "headers": impl.asgi.headers_property(mutable_headers),
        "__module__": module, "__doc__": _starlette.Response.__doc__})

    def subclass(name: str) -> type:
        base = getattr(_starlette, name)
        return type(name, (base, response), {
            **methods.get(name, {}), "__module__": module, "__doc__": base.__doc__})

    headers = type("Headers", (_starlette.Headers,), {
        **impl.request.headers_methods(), "__module__": module,
        "__doc__": _starlette.Headers.__doc__})
    classes = SimpleNamespace(Response=response, MutableHeaders=mutable_headers, Headers=headers, **{
        name: subclass(name)
        for name in ("HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")})
    set_slots(impl, classes, True)
    return classes


def set_slots(impl: Implementation, classes: Any, enable: bool) -> None:
    """Switch the compiled implementation's type slots on classes (an object
    with the classes as attributes: ``starlette.responses`` itself, or what
    make_classes returns) on or off: the construction of the classes in
    CALLED_WITHOUT_TYPE_CALL, MutableHeaders' item operations and the
    ``__init__`` of both header classes. Nothing to switch in pure Python."""
    if not impl.compiled or impl.slots is None:
        return
    for name in CALLED_WITHOUT_TYPE_CALL:
        impl.slots.call_without_type_call(getattr(classes, name), enable)
    impl.slots.dispatch_items_directly(classes.MutableHeaders, enable)
    for cls in (classes.Headers, classes.MutableHeaders):
        impl.slots.init_directly(cls, enable)
