"""Body rendering and the raw header list in pure Python: the reference the
compiled ``_headers`` follows, and what PyPy runs.

Same bytes as ``starlette.responses.Response``, same calls on user objects
(``headers.items()``, ``k.lower()``, ``v.encode()``), plus one rule starlette does
not have: CR, LF or NUL in a header name, value or content type is refused.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote

import starlette.responses

from ._asgi_py import HeadersProperty
from ._common import (
    CR, HEADER_FORBIDDEN, LF, NUL, PYPY, REDIRECT_SAFE, clean_text,
    header_control_error, header_name_error, header_name_field, header_value_field, latin1_error,
    text_is_clean,
)

#: starlette's own functions, taken before install() can replace them:
#: ``Response.render`` renders every content type other than None, bytes and str.
STARLETTE_RENDER = starlette.responses.Response.__dict__["render"]
STARLETTE_HEADERS = starlette.responses.Response.__dict__["headers"]
STARLETTE_JSON_RENDER = starlette.responses.JSONResponse.__dict__["render"]

_CONTENT_LENGTH = b"content-length"
_CONTENT_TYPE = b"content-type"
_LOCATION = b"location"

_length_headers: dict[int, tuple[bytes, bytes]] = {}
#: media_type -> (the charset in the header or None, the header): this
#: implementation's; the compiled module hands content_type_header its own.
_type_headers: dict[str, tuple[Any, tuple[bytes, bytes]]] = {}
#: header name (a plain str) -> its lowered latin-1 bytes, free of CR, LF and NUL.
_names: dict[str, bytes] = {}
_NAMES_SIZE = 512


def _length_header(length: int) -> tuple[bytes, bytes]:
    header = _length_headers.get(length)
    if header is None:
        header = (_CONTENT_LENGTH, str(length).encode("latin-1"))
        if len(_length_headers) >= 4096:
            _length_headers.clear()
        _length_headers[length] = header
    return header


#: Whether content_type_header keeps its headers in a cache. Not on PyPy:
#: its JIT folds starlette's few string operations on a media type it has seen
#: (a class attribute, a literal) to almost nothing, but not a dict lookup.
_CACHE_TYPES = not PYPY


def _forbidden_in(text: str) -> bool:
    """text holds CR, LF or NUL. A plain str on PyPy: substring tests, which its
    JIT compiles well (a set's isdisjoint() over the characters it does not)."""
    if PYPY and type(text) is str:
        return not text_is_clean(text)
    return not HEADER_FORBIDDEN.isdisjoint(text)


def content_type_header(self: Any, media_type: Any,
                        type_headers: dict[str, Any] = _type_headers) -> tuple[bytes, bytes]:
    """The ``content-type`` header for a media type, as starlette writes it: it
    reads ``self.charset`` only for a ``text/`` type without a charset. Kept in
    type_headers (the caller's cache, by media type)."""
    entry = type_headers.get(media_type) if _CACHE_TYPES and type(media_type) is str else None
    if entry is not None:
        charset, header = entry
        if charset is None:
            return header
        current = self.charset
        if current is charset or (type(current) is str and current == charset):
            return header
    charset = None
    content_type = media_type
    if content_type.startswith("text/") and "charset=" not in content_type.lower():
        charset = self.charset
        content_type += "; charset=" + charset
    if _forbidden_in(content_type):
        if _forbidden_in(media_type):
            raise header_control_error("media_type", media_type)
        raise header_control_error("charset", charset)
    try:
        header = (_CONTENT_TYPE, content_type.encode("latin-1"))
    except UnicodeEncodeError as error:
        raise latin1_error(error, "media_type") from None
    if _CACHE_TYPES and type(media_type) is str and (charset is None or type(charset) is str):
        if len(type_headers) >= 256:
            type_headers.clear()
        type_headers[media_type] = (charset, header)
    return header


def render(self, content: Any) -> bytes | memoryview:
    if content is None:
        return b""
    if type(content) is bytes:
        return content
    if type(content) is str:
        return content.encode(self.charset)
    return STARLETTE_RENDER(self, content)


def given_headers(headers: Mapping[str, str]) -> tuple[list[tuple[bytes, bytes]], bool, bool]:
    """The caller's headers as raw pairs, and whether they hold content-length and
    content-type."""
    raw_headers = []
    has_length = has_type = False
    try:
        for key, value in headers.items():
            # An app sends the same few names again and again: a plain str name's
            # lowered, checked bytes come from _names (a str subclass may lower
            # itself its own way, so it is asked every time, as starlette does).
            name = _names.get(key) if type(key) is str else None
            if name is None:
                name = _header_name(key)
            data = value.encode("latin-1")
            # A plain str value is checked as text, the cheapest way on each
            # interpreter (_common.clean_text); anything else, or a miss: the
            # exact look at the bytes.
            clean = type(value) is str and clean_text(value)
            if name is None or not clean and (CR in data or LF in data or NUL in data):
                _raise_header_error(headers)
                raise header_control_error(header_value_field(key), value)  # pragma: no cover
            raw_headers.append((name, data))
            if name is _CONTENT_LENGTH:
                has_length = True
            elif name is _CONTENT_TYPE:
                has_type = True
    except UnicodeEncodeError:
        _raise_header_error(headers)
        raise
    return raw_headers, has_length, has_type


def _header_name(key: str) -> bytes | None:
    """``key.lower()`` in latin-1, or None when it holds CR, LF or NUL; remembered
    in _names when key is a plain str. content-length and content-type come back
    as this module's own objects, so given_headers compares by identity."""
    name = key.lower().encode("latin-1")
    if CR in name or LF in name or NUL in name:
        return None
    if name == _CONTENT_LENGTH:
        name = _CONTENT_LENGTH
    elif name == _CONTENT_TYPE:
        name = _CONTENT_TYPE
    if type(key) is str:
        if len(_names) >= _NAMES_SIZE:
            _names.clear()
        _names[key] = name
    return name


def _raise_header_error(headers: Mapping[str, str]) -> None:
    """Find the header that is not latin-1 or holds CR, LF or NUL, and raise the
    error that names it (the caller raises its own when none is found)."""
    for key, value in headers.items():
        for field, text in ((header_name_field(key), key.lower()), (header_value_field(key), value)):
            try:
                data = text.encode("latin-1")
            except UnicodeEncodeError as error:
                raise latin1_error(error, field) from None
            if CR in data or LF in data or NUL in data:
                if text is value:
                    raise header_control_error(field, value)
                raise header_name_error(key)


def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
    if headers is None:
        raw_headers: list[tuple[bytes, bytes]] = []
        has_length = has_type = False
    else:
        raw_headers, has_length, has_type = given_headers(headers)

    body = getattr(self, "body", None)
    if body is not None and not has_length:
        status_code = self.status_code
        if not (status_code < 200 or status_code in (204, 304)):
            length = len(body)
            if PYPY:   # the JIT builds the pair in place faster than it looks one up
                raw_headers.append((_CONTENT_LENGTH, str(length).encode("latin-1")))
            else:
                raw_headers.append(_length_headers.get(length) or _length_header(length))

    media_type = self.media_type
    if media_type is not None and not has_type:
        raw_headers.append(content_type_header(self, media_type))

    self.raw_headers = raw_headers


def response_init(
    self,
    content: Any = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    media_type: str | None = None,
    background: Any = None,
) -> None:
    self.status_code = status_code
    if media_type is not None:
        self.media_type = media_type
    self.background = background
    self.body = self.render(content)
    self.init_headers(headers)


def json_init(
    self,
    content: Any,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    media_type: str | None = None,
    background: Any = None,
) -> None:
    """starlette's JSONResponse.__init__: the same as Response's, content required."""
    response_init(self, content, status_code, headers, media_type, background)


def redirect_init(
    self,
    url: Any,
    status_code: int = 307,
    headers: Mapping[str, str] | None = None,
    background: Any = None,
) -> None:
    response_init(self, b"", status_code, headers, None, background)
    location = quote(str(url), safe=REDIRECT_SAFE)
    headers = type(self).headers
    if headers is not STARLETTE_HEADERS and type(headers) is not HeadersProperty:
        self.headers["location"] = location
        return
    set_location(self.raw_headers, location.encode("latin-1"))


def set_location(raw_headers: list, value: bytes) -> None:
    """``MutableHeaders.__setitem__("location", ...)``: the first location header is
    replaced, later ones removed; appended when there is none."""
    found = [index for index, (name, _) in enumerate(raw_headers) if name == _LOCATION]
    for index in reversed(found[1:]):
        del raw_headers[index]
    if found:
        raw_headers[found[0]] = (_LOCATION, value)
    else:
        raw_headers.append((_LOCATION, value))
