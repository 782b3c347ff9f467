"""Set-Cookie values in pure Python: the reference the compiled ``_cookie`` follows.

It writes what ``http.cookies.SimpleCookie`` writes for starlette's ``set_cookie``,
calling ``str()`` and ``==`` on the arguments in the order SimpleCookie does, so
user types behave the same; on top of that it refuses control characters in
every field. The compiled module handles the common argument types itself and
hands everything else (and every error) to this module.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from email.utils import format_datetime
from http.cookies import CookieError

from ._common import (
    DELETE_COOKIE_PASSES_PARTITIONED, SET_COOKIE_TAKES_PARTITIONED, COOKIE_CONTROL, DOMAIN, ESCAPES, EXPIRES, HTTPONLY, MAX_AGE, PARTITIONED, PATH,
    RESERVED_KEYS, RESERVED_KEY_MESSAGE, ILLEGAL_KEY_MESSAGE, SAMESITE, SAMESITE_MESSAGE,
    SAMESITE_VALUES, SECURE, UTC, SameSiteError, cookie_control_error, cookie_field, is_legal_key,
    latin1_error, offset_date, utc_date,
)

_SET_COOKIE = b"set-cookie"
#: Cookie names (plain str) that passed _check_key and are printable: an app
#: sets the same few again and again, and these need neither check again.
_known_keys: set[str] = set()
_KNOWN_KEYS_SIZE = 512
_find_control = re.compile("[%s]" % re.escape("".join(sorted(COOKIE_CONTROL)))).search


def _text(field: str, value: object, key: object, written: dict[str, str] | None = None) -> str:
    """``"%s" % value``, refused if it holds a control character (the error names
    the cookie, key); kept in written, when given, to name the field if the
    header turns out not latin-1 (the callers take a plain printable str as it
    is, without coming here)."""
    text = value if type(value) is str else str(value)
    # isprintable() is a fast C scan; only text it rejects needs the exact look.
    if not text.isprintable() and _find_control(text):
        raise cookie_control_error(field, text, key)
    if written is not None:
        written[field] = text
    return text


def _check_key(key: object) -> None:
    hash(key)  # SimpleCookie looks the name up in a dict first: unhashable is a TypeError
    if key.lower() in RESERVED_KEYS:  # type: ignore[attr-defined]
        raise CookieError(RESERVED_KEY_MESSAGE.format(key=key))
    if not is_legal_key(key):  # type: ignore[arg-type]
        raise CookieError(ILLEGAL_KEY_MESSAGE.format(key=key))
    if type(key) is str and key.isprintable():
        if len(_known_keys) >= _KNOWN_KEYS_SIZE:
            _known_keys.clear()
        _known_keys.add(key)


def _quote(raw: str) -> str:
    """SimpleCookie's ``_quote`` (legal text comes back as the very object)."""
    if (raw.isascii() and raw.isalnum()) or is_legal_key(raw):
        return raw
    # A loop over the table: str.translate takes a slow path for a table of
    # multi-character strings, on CPython and more so on PyPy.
    quoted = ['"']
    for char in raw:
        quoted.append(ESCAPES.get(char, char))
    quoted.append('"')
    return "".join(quoted)


def _expires_text(expires: datetime) -> str:
    """A datetime ``expires`` as text, as starlette turns it when the cookie is set."""
    if type(expires) is datetime and expires.tzinfo is UTC:
        return utc_date(expires)
    return format_datetime(expires, usegmt=True)


def cookie_value(
    key: str,
    value: object = "",
    max_age: object = None,
    expires: object = None,
    path: object = "/",
    domain: object = None,
    secure: object = False,
    httponly: object = False,
    samesite: object = "lax",
    partitioned: object = False,
) -> bytes:
    """The bytes of one Set-Cookie header value."""
    # What SimpleCookie and starlette do when the cookie is set, in their order:
    # str() the value, check the name, format a datetime, test the flags, check
    # samesite. User code (__str__, __bool__, __eq__) runs in that same order.
    # (A plain printable str is taken as it is wherever text is needed: that is
    # what _text would give back, without the call.)
    raw = value if type(value) is str and value.isprintable() else _text("value", value, key)
    known = type(key) is str and key in _known_keys
    if not known:
        _check_key(key)
    coded = raw if raw.isascii() and raw.isalnum() else _quote(raw)
    if isinstance(expires, datetime):
        expires = _expires_text(expires)
    secure = True if secure else False
    httponly = True if httponly else False
    if samesite is not None and samesite.lower() not in SAMESITE_VALUES:  # type: ignore[attr-defined]
        raise SameSiteError(SAMESITE_MESSAGE)
    partitioned = True if partitioned else False

    # What it does on output: "name=value", then the attributes sorted by name,
    # "" left out. (written: the text of each field that went through _text, for
    # naming a non-latin-1 one.)
    written: dict[str, str] = {}
    header = (key if known else _text("name", key, key, written)) + "=" + (
        coded if type(coded) is str else str(coded))
    if domain is not None and not domain == "":
        header += DOMAIN + (domain if type(domain) is str and domain.isprintable()
                            else _text("domain", domain, key, written))
    if expires is not None and not expires == "":
        header += EXPIRES + (offset_date(expires) if isinstance(expires, int)
                              else expires if type(expires) is str and expires.isprintable()
                              else _text("expires", expires, key, written))
    if httponly:
        header += HTTPONLY
    if max_age is not None and not max_age == "":
        header += MAX_AGE + ("%d" % max_age if isinstance(max_age, int)
                              else _text("max_age", max_age, key, written))
    if partitioned:
        header += PARTITIONED
    if path is not None and not path == "":
        header += PATH + (path if type(path) is str and path.isprintable()
                          else _text("path", path, key, written))
    if samesite is not None:
        header += SAMESITE + (samesite if type(samesite) is str and samesite.isprintable()
                              else _text("samesite", samesite, key, written))
    if secure:
        header += SECURE
    try:
        return header.strip().encode("latin-1")
    except UnicodeEncodeError:
        written["value"] = raw      # always the text written, whichever way it came
        fields = (("name", key), ("value", raw), ("domain", domain), ("expires", expires),
                  ("max_age", max_age), ("path", path), ("samesite", samesite))
        raise _latin1_cookie_error(fields, written, key) from None


def _latin1_cookie_error(fields: tuple[tuple[str, object], ...], written: dict[str, str],
                         key: object) -> UnicodeEncodeError:
    """The error naming the first field, in the order written, whose text is not
    latin-1: the text _text gave, or the field itself when it was taken as a
    plain str (a field left out is None, "" or not text; numbers and dates are
    ASCII)."""
    for field, value in fields:
        if field in written:
            text = written[field]
        elif type(value) is str:
            text = value
        else:
            continue
        try:
            text.encode("latin-1")
        except UnicodeEncodeError as error:
            return latin1_error(error, cookie_field(field, key))
    raise AssertionError("unreachable: no cookie field failed to encode")  # pragma: no cover


# set_cookie and delete_cookie take exactly the arguments the installed
# starlette's take (see _common): the variant without partitioned raises
# starlette's TypeError for it, from Python's own argument parsing.
if SET_COOKIE_TAKES_PARTITIONED:
    def set_cookie(
        self: Any,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = "lax",
        partitioned: bool = False,
    ) -> None:
        header = cookie_value(key, value, max_age, expires, path, domain, secure, httponly,
                              samesite, partitioned)
        self.raw_headers.append((_SET_COOKIE, header))
else:
    def set_cookie(  # type: ignore[misc]  # starlette < 0.47: no partitioned
        self: Any,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = "lax",
    ) -> None:
        header = cookie_value(key, value, max_age, expires, path, domain, secure, httponly,
                              samesite)
        self.raw_headers.append((_SET_COOKIE, header))


#: delete_cookie's partitioned when the installed starlette's has none to pass on.
NOT_PASSED: Any = object()


def delete_through_set_cookie(self: Any, key: str, path: str | None, domain: str | None,
                              secure: bool, httponly: bool, samesite: str | None,
                              partitioned: object) -> None:
    """starlette's delete_cookie, which goes through ``self.set_cookie``: for a
    class that overrides set_cookie, called with exactly the arguments starlette
    passes."""
    if partitioned is NOT_PASSED:
        self.set_cookie(key, max_age=0, expires=0, path=path, domain=domain,
                        secure=secure, httponly=httponly, samesite=samesite)
    else:
        self.set_cookie(key, max_age=0, expires=0, path=path, domain=domain,
                        secure=secure, httponly=httponly, samesite=samesite,
                        partitioned=partitioned)


def _delete(self: Any, key: str, path: str | None, domain: str | None, secure: bool,
            httponly: bool, samesite: str | None, partitioned: object) -> None:
    if type(self).set_cookie is not set_cookie:
        delete_through_set_cookie(self, key, path, domain, secure, httponly, samesite,
                                  partitioned)
        return
    header = cookie_value(key, "", 0, 0, path, domain, secure, httponly, samesite,
                          False if partitioned is NOT_PASSED else partitioned)
    self.raw_headers.append((_SET_COOKIE, header))


if DELETE_COOKIE_PASSES_PARTITIONED:
    def delete_cookie(
        self: Any,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = "lax",
        partitioned: bool = False,
    ) -> None:
        _delete(self, key, path, domain, secure, httponly, samesite, partitioned)
else:
    def delete_cookie(  # type: ignore[misc]  # starlette < 1.7: no partitioned
        self: Any,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = "lax",
    ) -> None:
        _delete(self, key, path, domain, secure, httponly, samesite, NOT_PASSED)
