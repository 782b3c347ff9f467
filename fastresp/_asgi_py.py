"""The rest of a response's work in pure Python: ``Response.headers``, the
``MutableHeaders`` operations and ``Response.__call__``. The reference the
compiled ``_asgi`` follows, and what PyPy runs.

Same calls on user objects as starlette's ``starlette.datastructures.MutableHeaders``
(``key.lower().encode("latin-1")``, ``value.encode("latin-1")``, in that order),
same list afterwards, same return values and exceptions, for the installed
release; plus one rule starlette does not have: a name or value holding CR, LF or
NUL is refused (ValueError naming the field) before the list is touched.

Where starlette releases differ, what the installed one does is decided once, at
import (``_common.VARY_JOINS_ALL`` and ``_common.WEBSOCKET_WRAPS_SEND``).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, Mapping

import starlette.datastructures

from ._common import (
    CR, LF, NUL, PYPY, VARY_JOINS_ALL, WEBSOCKET_WRAPS_SEND, clean_text,
    header_control_error, header_name_error, header_value_field, text_is_clean,
)

#: starlette's own class, and its methods, taken before install() can replace them.
STARLETTE_MUTABLE_HEADERS = starlette.datastructures.MutableHeaders
STARLETTE_GETLIST = starlette.datastructures.Headers.__dict__["getlist"]
_starlette_init = starlette.datastructures.Headers.__dict__["__init__"]

_MISSING = object()


def _refused(data: object) -> bool:
    """True when encoded bytes hold CR, LF or NUL (anything but bytes: False,
    it is left to fail or pass as it does in starlette)."""
    if not isinstance(data, bytes):
        return False
    if type(data) is not bytes:
        data = bytes(data)  # a subclass's own __contains__ is not asked
    return CR in data or LF in data or NUL in data


#: Header name (a plain str without CR, LF or NUL) -> its lowered latin-1 bytes:
#: an app uses the same few names again and again.
_names: dict[str, bytes] = {}
_NAMES_SIZE = 512


def _remember(key: str, name: bytes) -> None:
    if len(_names) >= _NAMES_SIZE:
        _names.clear()
    _names[key] = name


def _name(key: Any) -> Any:
    """``key.lower().encode("latin-1")``, as starlette computes a name to look up."""
    if type(key) is str and not PYPY:   # PyPy's JIT lowers a name faster than a lookup
        name = _names.get(key)
        if name is None:
            name = key.lower().encode("latin-1")
            if not _refused(name):
                _remember(key, name)
        return name
    return key.lower().encode("latin-1")


def _encoded_pypy(key: Any, value: Any) -> tuple[Any, Any]:
    """_encoded on PyPy: starlette's two encodings, then the check made on the
    text where it is a plain str (lower() neither makes nor drops CR, LF or NUL;
    a str subclass's own lower() may, so its bytes are looked at)."""
    name = key.lower().encode("latin-1")
    data = value.encode("latin-1")
    if (type(key) is not str or not text_is_clean(key)) and _refused(name):
        raise header_name_error(key)
    if (type(value) is not str or not text_is_clean(value)) and _refused(data):
        raise header_control_error(header_value_field(key), value)
    return name, data


def _encoded(key: Any, value: Any) -> tuple[Any, Any]:
    """The (name, value) pair starlette would store, after fastresp's check
    (made once both are encoded, so starlette's encoding errors come first)."""
    name = _names.get(key) if type(key) is str and not PYPY else None
    if name is None:
        name = key.lower().encode("latin-1")
        data = value.encode("latin-1")
        if _refused(name):
            raise header_name_error(key)
        if type(key) is str and not PYPY:
            _remember(key, name)
    else:
        data = value.encode("latin-1")
    if (type(value) is not str or not clean_text(value)) and _refused(data):
        raise header_control_error(header_value_field(key), value)
    return name, data


if PYPY:
    _encoded = _encoded_pypy  # noqa: F811 - the cheaper one on PyPy's JIT


# ------------------------------------------------------------ MutableHeaders

def init(self, headers: Mapping[str, str] | None = None, raw: list | None = None,
         scope: Any = None) -> None:
    """``Headers.__init__``: the raw list or the scope's (message's) headers."""
    if headers is not None:
        _starlette_init(self, headers, raw, scope)
        return
    self._list = []
    if raw is not None:
        assert scope is None, 'Cannot set both "raw" and "scope".'
        self._list = raw
    elif scope is not None:
        self._list = scope["headers"] = list(scope["headers"])


def setitem(self, key: str, value: str) -> None:
    set_key, set_value = _encoded(key, value)
    _replace(self._list, set_key, set_value)


def _replace(raw: Any, set_key: bytes, set_value: bytes) -> None:
    """setitem's work on the list: the first header named set_key replaced, the
    later ones removed; appended when there is none."""
    found = []
    for index, (item_key, _) in enumerate(raw):
        if item_key == set_key:
            found.append(index)
    if not found:
        raw.append((set_key, set_value))
        return
    for index in reversed(found[1:]):
        del raw[index]
    raw[found[0]] = (set_key, set_value)


def delitem(self, key: str) -> None:
    del_key = _name(key)
    raw = self._list
    found = []
    for index, (item_key, _) in enumerate(raw):
        if item_key == del_key:
            found.append(index)
    for index in reversed(found):
        del raw[index]


def append(self, key: str, value: str) -> None:
    self._list.append(_encoded(key, value))


def setdefault(self, key: str, value: str) -> str:
    set_key, set_value = _encoded(key, value)
    raw = self._list
    for item_key, item_value in raw:
        if item_key == set_key:
            return item_value.decode("latin-1")
    raw.append((set_key, set_value))
    return value


def update(self, other: Mapping[str, str]) -> None:
    """``MutableHeaders.update``, all or nothing: see checked_update. A subclass
    that overrides ``__setitem__`` gets each item through it, as starlette
    calls it (what that method stores is its own business)."""
    if type(self).__setitem__ is not setitem:
        for key, value in other.items():
            self[key] = value
        return
    checked_update(self, other)


def checked_update(self, other: Mapping[str, str]) -> None:
    """update() for a class whose ``__setitem__`` is fastresp's: every item is
    encoded and checked (starlette's calls, in its order) before the first is
    stored, so an item that is refused or fails to encode leaves the list as
    it was; then each is stored as ``self[key] = value`` would store it."""
    pairs = [_encoded(key, value) for key, value in other.items()]
    raw = self._list
    for set_key, set_value in pairs:
        _replace(raw, set_key, set_value)


def add_vary_header(self, vary: str) -> None:
    if VARY_JOINS_ALL:
        self["vary"] = ", ".join([*self.getlist("vary"), vary])
        return
    existing = self.get("vary")
    if existing is not None:
        vary = ", ".join([existing, vary])
    self["vary"] = vary


def contains(self, key: Any) -> bool:
    get_key = _name(key)
    for item_key, _ in self._list:
        if item_key == get_key:
            return True
    return False


def getitem(self, key: str) -> str:
    get_key = _name(key)
    for item_key, item_value in self._list:
        if item_key == get_key:
            return item_value.decode("latin-1")
    raise KeyError(key)


def get(self, key: str, default: Any = None) -> Any:
    """``Mapping.get``, as MutableHeaders inherits it: ``self[key]``, or default
    for a KeyError. Where ``[]`` is this module's, the scan is made here, so a
    miss raises no KeyError."""
    if type(self).__getitem__ is not getitem:
        try:
            return self[key]
        except KeyError:
            return default
    get_key = _name(key)
    for item_key, item_value in self._list:
        if item_key == get_key:
            return item_value.decode("latin-1")
    return default


#: ``MutableHeaders.raw``: the list itself (a getter with no Python frame).
raw = property(attrgetter("_list"), doc="The raw header list itself.")


def mutable_headers_methods() -> dict[str, object]:
    """What this implementation puts on a MutableHeaders class."""
    return {
        "__init__": init, "__setitem__": setitem, "__delitem__": delitem, "append": append,
        "setdefault": setdefault, "update": update, "add_vary_header": add_vary_header,
        "__contains__": contains, "__getitem__": getitem, "get": get, "raw": raw,
    }


# ------------------------------------------------------------------ Response

_object_new = object.__new__


def make_headers(cls: type, raw_headers: Any) -> Any:
    """``cls(raw=raw_headers)``, without the call when cls's __init__ is ours
    (which would only store raw_headers)."""
    if raw_headers is not None and cls.__init__ is init and cls.__new__ is _object_new:
        headers = _object_new(cls)
        headers._list = raw_headers
        return headers
    return cls(raw=raw_headers)


class HeadersProperty(property):
    """A ``Response.headers`` made by headers_property(): it gives what
    starlette's gives (a MutableHeaders over raw_headers, made once), so code
    that writes raw_headers directly in its place may (see redirect_init)."""


def headers_property(cls: type) -> property:
    """``Response.headers`` making instances of cls (a MutableHeaders class)."""

    def headers(self: Any) -> Any:
        found = getattr(self, "_headers", _MISSING)
        if found is not _MISSING:
            return found
        raw_headers = self.raw_headers
        # make_headers(), inlined: this runs for nearly every response.
        if raw_headers is not None and cls.__init__ is init and cls.__new__ is _object_new:
            made = _object_new(cls)
            made._list = raw_headers
        else:
            made = cls(raw=raw_headers)
        self._headers = made
        return self._headers

    def headers_pypy(self: Any) -> Any:
        # PyPy's JIT makes the plain call cheapest; object.__new__ is not.
        if not hasattr(self, "_headers"):
            self._headers = cls(raw=self.raw_headers)
        return self._headers

    headers_pypy.__name__ = headers_pypy.__qualname__ = "headers"
    return HeadersProperty(headers_pypy if PYPY else headers)


#: starlette.responses.Response.headers under install().
headers = headers_property(STARLETTE_MUTABLE_HEADERS)


if WEBSOCKET_WRAPS_SEND:
    async def response_call(self: Any, scope: Any, receive: Callable, send: Callable) -> None:
        """``Response.__call__`` (starlette >= 1.0): the start and body messages,
        then the background task."""
        if scope["type"] == "websocket":
            send = self._wrap_websocket_denial_send(send)
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body})
        if self.background is not None:
            await self.background()
else:
    async def response_call(self: Any, scope: Any, receive: Callable, send: Callable) -> None:
        """``Response.__call__`` (starlette < 1.0): the start and body messages,
        "websocket."-prefixed on a websocket scope, then the background task."""
        if scope["type"] == "websocket":
            start, body = "websocket.http.response.start", "websocket.http.response.body"
        else:
            start, body = "http.response.start", "http.response.body"
        await send({"type": start, "status": self.status_code, "headers": self.raw_headers})
        await send({"type": body, "body": self.body})
        if self.background is not None:
            await self.background()
