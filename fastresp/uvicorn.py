"""uvicorn's httptools protocol with fastresp's compiled head path, by name::

    uvicorn main:app --http fastresp.uvicorn:HttpToolsProtocol

``HttpToolsProtocol`` and ``RequestResponseCycle`` here subclass uvicorn's own
classes and override only the methods fastresp/_wire.pyx compiles (the response
head and body writer, the request-header callbacks); everything else is
uvicorn's. They are uvicorn's own classes, unchanged, when the compiled path
does not apply: the pure-Python implementation is running, the compiled module
is not built, or the installed uvicorn's sources are not ones fastresp checked
(fastresp/_uvicorn_release.py). ``ACCELERATED`` lists what is replaced, ``REASON``
says why in words. ``fastresp.install()`` puts the same functions into uvicorn's
own classes (``uvicorn_patches()``).

Importing this module imports uvicorn and raises ImportError when uvicorn or
httptools is missing.
"""

from __future__ import annotations

from types import ModuleType

from . import _impl
from ._uvicorn_release import checked_cycle_init, checked_methods, httptools_module


def _load() -> tuple[ModuleType, ModuleType | None, str]:
    uv = httptools_module()
    if uv is None:
        raise ImportError("fastresp.uvicorn needs uvicorn and httptools")
    if _impl.IMPLEMENTATION != "cython":
        return uv, None, f"the pure-Python implementation runs ({_impl.REASON}): uvicorn is left as it is"
    try:
        from . import _wire  # type: ignore[attr-defined]
    except ImportError as error:
        return uv, None, f"the compiled uvicorn path failed to import ({error})"
    return uv, _wire, "the compiled uvicorn path is built and the installed uvicorn's sources are checked"


_uv, _wire, REASON = _load()
#: "Class.method" of uvicorn's that the compiled path replaces (empty: none).
ACCELERATED: frozenset[str] = checked_methods(_uv) if _wire is not None else frozenset()
if _wire is not None and not ACCELERATED:
    REASON = "the installed uvicorn's sources are not ones fastresp checked: uvicorn is left as it is"


def uvicorn_patches(cycle_class: type) -> dict[str, dict[str, object]]:
    """The compiled methods, by uvicorn class name, for the checked methods of the
    installed uvicorn; on_headers_complete builds cycles of *cycle_class*."""
    if _wire is None:
        return {}
    compiled = {
        "RequestResponseCycle.send": _wire.send,
        "HttpToolsProtocol.on_message_begin": _wire.on_message_begin,
        "HttpToolsProtocol.on_url": _wire.on_url,
        "HttpToolsProtocol.on_header": _wire.on_header,
        "HttpToolsProtocol.on_headers_complete": _wire.headers_complete(
            cycle_class, checked_cycle_init(_uv)),
    }
    patches: dict[str, dict[str, object]] = {}
    for qualified in sorted(ACCELERATED):
        owner, name = qualified.split(".")
        patches.setdefault(owner, {})[name] = compiled[qualified]
    return patches


def _classes() -> tuple[type, type]:
    if not ACCELERATED:
        return _uv.HttpToolsProtocol, _uv.RequestResponseCycle
    cycle: type = _uv.RequestResponseCycle
    cycle_methods = uvicorn_patches(cycle).get("RequestResponseCycle")
    if cycle_methods:
        cycle = type("RequestResponseCycle", (_uv.RequestResponseCycle,),
                     {"__module__": __name__, "__doc__": "uvicorn's cycle, its send() compiled.",
                      **cycle_methods})
    protocol_methods = uvicorn_patches(cycle).get("HttpToolsProtocol", {})
    protocol = type("HttpToolsProtocol", (_uv.HttpToolsProtocol,),
                    {"__module__": __name__,
                     "__doc__": "uvicorn's httptools protocol, its request-head callbacks compiled.",
                     **protocol_methods})
    return protocol, cycle


HttpToolsProtocol, RequestResponseCycle = _classes()
