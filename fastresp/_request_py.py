"""The request side of the header and cookie path in pure Python: the reads of
``starlette.datastructures.Headers``, ``HTTPConnection.headers``,
``HTTPConnection.cookies`` and ``starlette.requests.cookie_parser``. The
reference the compiled ``_request`` follows, and what PyPy runs.

Same calls on user objects as starlette's code, same results (types, dict
order), same exceptions, for the installed release; nothing here refuses input
that starlette accepts. ``Headers.__init__``, ``[]``, ``in`` and ``get`` are
the MutableHeaders operations of ``_asgi_py``/``_asgi`` (starlette's
MutableHeaders inherits them from Headers unchanged); the rest is here.

Where starlette releases differ, what the installed one does is decided once,
at import (``_common.COOKIES_READ_ALL``).
"""

from __future__ import annotations

from http.cookies import _unquote  # type: ignore[attr-defined]
from typing import Any, Iterator

import starlette.datastructures
import starlette.requests

from ._asgi_py import _name, contains, get, getitem, init
from ._common import COOKIES_READ_ALL, PARSED_COOKIE_MAX, PARSED_COOKIES_SIZE

#: starlette's own class and function, taken before install() can replace them.
STARLETTE_HEADERS = starlette.datastructures.Headers
#: starlette.requests' globals: ``Headers`` and ``cookie_parser`` are read there
#: at call time, as starlette's own code does.
REQUESTS_GLOBALS: dict[str, Any] = vars(starlette.requests)
STARLETTE_COOKIE_PARSER = starlette.requests.cookie_parser
_DATASTRUCTURES_GLOBALS: dict[str, Any] = vars(starlette.datastructures)

_MISSING = object()


# -------------------------------------------------------------------- Headers

def getlist(self: Any, key: str) -> list[str]:
    get_key = _name(key)
    return [value.decode("latin-1") for item_key, value in self._list if item_key == get_key]


def keys(self: Any) -> list[str]:
    return [key.decode("latin-1") for key, value in self._list]


def values(self: Any) -> list[str]:
    return [value.decode("latin-1") for key, value in self._list]


def items(self: Any) -> list[tuple[str, str]]:
    return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in self._list]


def iter_(self: Any) -> Iterator[Any]:
    return iter(self.keys())


iter_.__name__ = iter_.__qualname__ = "__iter__"


def len_(self: Any) -> int:
    return len(self._list)


len_.__name__ = len_.__qualname__ = "__len__"


def eq(self: Any, other: Any) -> bool:
    if not isinstance(other, STARLETTE_HEADERS):
        return False
    return sorted(self._list) == sorted(other._list)


eq.__name__ = eq.__qualname__ = "__eq__"


def mutablecopy(self: Any) -> Any:
    return _DATASTRUCTURES_GLOBALS["MutableHeaders"](raw=self._list[:])


def repr_(self: Any) -> str:
    class_name = self.__class__.__name__
    as_dict = dict(self.items())
    if len(as_dict) == len(self):
        return f"{class_name}({as_dict!r})"
    return f"{class_name}(raw={self.raw!r})"


repr_.__name__ = repr_.__qualname__ = "__repr__"


def _raw(self: Any) -> list[Any]:
    return list(self._list)


#: ``Headers.raw``: a copy of the list.
raw = property(_raw)


def headers_methods() -> dict[str, object]:
    """What this implementation puts on a Headers class."""
    return {
        "__init__": init, "__getitem__": getitem, "__contains__": contains, "get": get,
        "getlist": getlist, "keys": keys, "values": values, "items": items, "__iter__": iter_,
        "__len__": len_, "__eq__": eq, "raw": raw, "mutablecopy": mutablecopy,
        "__repr__": repr_,
    }


# -------------------------------------------------------------------- cookies

def cookie_parser(cookie_string: str) -> dict[str, str]:
    """``starlette.requests.cookie_parser``: split on ";", then on the first "=",
    both sides stripped, a part with neither a name nor a value left out, the
    value unquoted by ``http.cookies._unquote``; a part without "=" is a value
    under the empty name, and a repeated name keeps its first place and its
    last value. Anything but a plain str goes through starlette's own function
    (its own split(), partition() and strip() calls)."""
    if type(cookie_string) is not str:
        return STARLETTE_COOKIE_PARSER(cookie_string)
    found = _parsed.get(cookie_string)
    if found is not None:
        return found.copy()
    cookie_dict = _parse(cookie_string)
    if len(cookie_string) <= PARSED_COOKIE_MAX:
        if len(_parsed) >= PARSED_COOKIES_SIZE:
            _parsed.clear()
        _parsed[cookie_string] = cookie_dict.copy()
    return cookie_dict


#: Cookie header text -> its cookies (see _common.PARSED_COOKIE_MAX); the
#: callers hand out copies.
_parsed: dict[str, dict[str, str]] = {}


def _parse(cookie_string: str) -> dict[str, str]:
    cookie_dict: dict[str, str] = {}
    for chunk in cookie_string.split(";"):
        key, found, val = chunk.partition("=")
        if not found:
            key, val = "", chunk
        key, val = key.strip(), val.strip()
        if key or val:
            # _unquote gives back anything not both started and ended by a quote.
            if len(val) > 1 and val[0] == '"' and val[-1] == '"':
                val = _unquote(val)
            cookie_dict[key] = val
    return cookie_dict


def _cookies_all(self: Any) -> dict[str, str]:
    found = getattr(self, "_cookies", _MISSING)
    if found is not _MISSING:
        return found
    cookies: dict[str, str] = {}
    cookie_headers = self.headers.getlist("cookie")
    for header in cookie_headers:
        cookies.update(REQUESTS_GLOBALS["cookie_parser"](header))
    self._cookies = cookies
    return self._cookies


def _cookies_first(self: Any) -> dict[str, str]:
    found = getattr(self, "_cookies", _MISSING)
    if found is not _MISSING:
        return found
    cookies: dict[str, str] = {}
    cookie_header = self.headers.get("cookie")
    if cookie_header:
        cookies = REQUESTS_GLOBALS["cookie_parser"](cookie_header)
    self._cookies = cookies
    return self._cookies


#: ``HTTPConnection.cookies``' getter for the installed release.
cookies = _cookies_all if COOKIES_READ_ALL else _cookies_first
cookies.__name__ = cookies.__qualname__ = "cookies"


def headers(self: Any) -> Any:
    """``HTTPConnection.headers``' getter: ``Headers(scope=self.scope)``, made once."""
    found = getattr(self, "_headers", _MISSING)
    if found is not _MISSING:
        return found
    self._headers = REQUESTS_GLOBALS["Headers"](scope=self.scope)
    return self._headers


def connection_properties() -> dict[str, property]:
    """What this implementation puts on ``starlette.requests.HTTPConnection``."""
    return {"headers": property(headers), "cookies": property(cookies)}
