"""Set-Cookie values in pure Python: the reference the compiled ``_cookie`` follows.

It writes what ``http.cookies.SimpleCookie`` writes for starlette's ``set_cookie``,
calling ``str()`` and ``==`` on the arguments in the order SimpleCookie does, so
user types behave the same; on top of that it refuses control characters in
every field. The compiled module handles the common argument types itself and
hands everything else (and every error) to this module.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from http.cookies import CookieError

from ._common import (
    COOKIE_CONTROL, DOMAIN, EXPIRES, HTTPONLY, MAX_AGE, PARTITIONED, PATH, QUOTE_TABLE,
    RESERVED_KEYS, RESERVED_KEY_MESSAGE, ILLEGAL_KEY_MESSAGE, SAMESITE, SAMESITE_MESSAGE,
    SAMESITE_VALUES, SECURE, UTC, SameSiteError, cookie_control_error, is_legal_key,
    latin1_error, offset_date, utc_date,
)

_SET_COOKIE = b"set-cookie"


def _text(value: object) -> str:
    """What ``"%s" % value`` gives, without the call for a plain str."""
    return value if type(value) is str else str(value)


def _checked(field: str, text: str) -> str:
    if not COOKIE_CONTROL.isdisjoint(text):
        raise cookie_control_error(field, text)
    return text


def _quote(text: str) -> str:
    if is_legal_key(text):
        return _text(text)
    return '"' + text.translate(QUOTE_TABLE) + '"'


def _check_key(key: object) -> str:
    if key.lower() in RESERVED_KEYS:  # type: ignore[attr-defined]
        raise CookieError(RESERVED_KEY_MESSAGE.format(key=key))
    if not is_legal_key(key):  # type: ignore[arg-type]
        raise CookieError(ILLEGAL_KEY_MESSAGE.format(key=key))
    return _checked("name", _text(key))


def _expires_text(expires: object) -> object:
    """The set-time form of ``expires``: datetimes become text now, as starlette does."""
    if type(expires) is datetime and expires.tzinfo is UTC:  # type: ignore[attr-defined]
        return utc_date(expires)  # type: ignore[arg-type]
    if isinstance(expires, datetime):
        return format_datetime(expires, usegmt=True)
    return expires


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
    # What SimpleCookie does when the cookie is set: str() the value, check the
    # name, format a datetime, check samesite.
    raw = _checked("value", _text(value))
    name = _check_key(key)
    if expires is not None:
        expires = _expires_text(expires)
    if samesite is not None and samesite.lower() not in SAMESITE_VALUES:  # type: ignore[attr-defined]
        raise SameSiteError(SAMESITE_MESSAGE)

    # What it does on output: the attributes sorted by name, "" skipped.
    fields = [("value", name + "=" + _quote(raw))]
    if domain is not None and not domain == "":
        fields.append(("domain", DOMAIN + "=" + _checked("domain", _text(domain))))
    if expires is not None and not expires == "":
        when = offset_date(expires) if isinstance(expires, int) else _checked("expires", _text(expires))
        fields.append(("expires", EXPIRES + "=" + when))
    if httponly:
        fields.append(("httponly", HTTPONLY))
    if max_age is not None and not max_age == "":
        age = "%d" % max_age if isinstance(max_age, int) else _checked("max_age", _text(max_age))
        fields.append(("max_age", MAX_AGE + "=" + age))
    if partitioned:
        fields.append(("partitioned", PARTITIONED))
    if path is not None and not path == "":
        fields.append(("path", PATH + "=" + _checked("path", _text(path))))
    if samesite is not None:
        fields.append(("samesite", SAMESITE + "=" + _checked("samesite", _text(samesite))))
    if secure:
        fields.append(("secure", SECURE))

    header = "; ".join([text for _, text in fields]).strip()
    try:
        return header.encode("latin-1")
    except UnicodeEncodeError:
        for field, text in fields:
            try:
                text.encode("latin-1")
            except UnicodeEncodeError as error:
                raise latin1_error(error, "cookie " + field) from None
        raise  # pragma: no cover - some field above must have failed


def set_cookie(
    self,
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


def delete_cookie(
    self,
    key: str,
    path: str = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: str | None = "lax",
    partitioned: bool = False,
) -> None:
    if type(self).set_cookie is not set_cookie:
        # starlette's delete_cookie goes through self.set_cookie: keep overrides working.
        self.set_cookie(key, max_age=0, expires=0, path=path, domain=domain, secure=secure,
                        httponly=httponly, samesite=samesite, partitioned=partitioned)
        return
    header = cookie_value(key, "", 0, 0, path, domain, secure, httponly, samesite, partitioned)
    self.raw_headers.append((_SET_COOKIE, header))
