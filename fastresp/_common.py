"""Constants, tables and error messages shared by both implementations.

Everything here is the single source of truth: the compiled modules and the
pure-Python fallback import these names instead of keeping copies, so the two
cannot drift apart in what they accept, what they write or what they say.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import re
import string
import sys
import time as _time
from datetime import datetime, timezone
from http.cookies import CookieError, Morsel
from typing import Any

import starlette.datastructures
import starlette.responses

# ------------------------------------------------------------- starlette release
#
# What fastresp does where starlette's behaviour changed between the releases it
# supports (>= 0.40), decided once, here, from the installed starlette; both
# implementations read these flags when they are imported. (Everything else
# fastresp replaces - __init__, render, init_headers, JSONResponse and
# RedirectResponse - is the same in every release from 0.40 on, apart from how
# a memoryview body renders, which fastresp leaves to the installed release's
# own render.)


def _takes(method: str, parameter: str) -> bool:
    function = getattr(starlette.responses.Response, method)
    return parameter in inspect.signature(function).parameters


#: ``set_cookie`` has a ``partitioned`` parameter (starlette >= 0.47). Without
#: it, passing ``partitioned`` is a TypeError, as with starlette.
SET_COOKIE_TAKES_PARTITIONED = _takes("set_cookie", "partitioned")
#: ``delete_cookie`` has a ``partitioned`` parameter and passes it on to
#: ``self.set_cookie`` (starlette >= 1.7). Before, it has none, and calls
#: ``self.set_cookie`` without it: a subclass's ``set_cookie`` without the
#: parameter keeps working.
DELETE_COOKIE_PASSES_PARTITIONED = _takes("delete_cookie", "partitioned")


def _vary_joins_all() -> bool:
    """starlette 1.x (after 1.0.0) joins every vary header into the one it keeps;
    earlier releases join only the first (``self.get("vary")``)."""
    mutable_headers = starlette.datastructures.MutableHeaders
    probe = mutable_headers(raw=[(b"vary", b"a"), (b"vary", b"b")])
    # The class's own function, taken before install() can replace it.
    mutable_headers.__dict__["add_vary_header"](probe, "c")
    return probe.raw == [(b"vary", b"a, b, c")]


#: ``MutableHeaders.add_vary_header`` keeps every earlier vary value (True) or
#: the first only.
VARY_JOINS_ALL = _vary_joins_all()
#: ``Response.__call__`` on a websocket scope wraps send with
#: ``self._wrap_websocket_denial_send`` (starlette >= 1.0) instead of prefixing
#: the message types with "websocket.".
WEBSOCKET_WRAPS_SEND = "_wrap_websocket_denial_send" in vars(starlette.responses.Response)



def _cookies_read_all() -> bool:
    """starlette >= 0.49 parses every Cookie header (``headers.getlist("cookie")``,
    each one's cookies updating the dict in turn); earlier releases parse the
    first only (``headers.get("cookie")``). Read from the installed property's
    own code, taken before install() can replace it."""
    import starlette.requests
    getter = vars(starlette.requests.HTTPConnection)["cookies"].fget
    return "getlist" in getter.__code__.co_names


#: ``HTTPConnection.cookies`` reads every Cookie header (True) or the first only.
COOKIES_READ_ALL = _cookies_read_all()


def source_hash(function: object) -> str | None:
    """sha256 of a function's source text, None when there is none to read."""
    try:
        text = inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


#: sha256 of the sources of ``HTTPConnection.__init__`` and ``Request.__init__``
#: that the compiled construction of a Request reproduces (the same in starlette
#: 0.40.0 through 1.10.0).
CHECKED_REQUEST_INITS = {
    "HTTPConnection": "48f031509a7b8bce76276b181b804e0c861238f7f0d98101e3b87239b157213a",
    "Request": "24eda86b17e544d08224c563594956d23b75f42e8440d6075e19b7f23eb3e1f6",
}


def request_inits_checked() -> bool:
    """The installed starlette's ``HTTPConnection.__init__`` and
    ``Request.__init__`` are the checked ones: only then may a Request be made
    without calling them. Asked once, by the compiled ``_slots`` at its import
    (reading the sources is work the pure-Python implementation never needs)."""
    import starlette.requests
    return all(source_hash(vars(getattr(starlette.requests, name)).get("__init__")) == digest
               for name, digest in CHECKED_REQUEST_INITS.items())

#: A Cookie header's parsed cookies are remembered when it is at most this long,
#: for at most PARSED_COOKIES_SIZE headers (cleared and refilled when full): a
#: browser sends the same header request after request, and parsing is a pure
#: function of its text (each hit hands out a copy of the dict).
PARSED_COOKIE_MAX = 4096
PARSED_COOKIES_SIZE = 256

# --------------------------------------------------------------------------- cookies

#: Characters a cookie name may hold, and that a value may hold without quotes
#: (``http.cookies._LegalChars``).
LEGAL_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:"
#: Characters that stand as themselves inside a quoted value.
UNESCAPED_CHARS = LEGAL_CHARS + " ()/<=>?@[]{}"

is_legal_key = re.compile("[%s]+" % re.escape(LEGAL_CHARS)).fullmatch


def _escape(code: int) -> str:
    char = chr(code)
    if char in '"\\':
        return "\\" + char
    if char in UNESCAPED_CHARS:
        return char
    return "\\%03o" % code


#: The characters written otherwise inside a quoted value, and how; other
#: characters stand as themselves (above 255 too: refused later, as not latin-1).
ESCAPES = {chr(code): _escape(code) for code in range(256) if _escape(code) != chr(code)}
#: The same table as bytes, one entry per latin-1 byte, for the compiled module.
QUOTE_BYTES = tuple(_escape(code).encode("latin-1") for code in range(256))
#: 1 where a byte may appear in a cookie name or an unquoted value.
LEGAL_BYTES = bytes(chr(code) in LEGAL_CHARS for code in range(256))

#: Names a cookie may not have: the attribute names this interpreter's
#: ``http.cookies`` reserves (``partitioned`` joined them in Python 3.14).
RESERVED_KEYS = frozenset(Morsel._reserved)

#: Each attribute as it is written after the value, spelled as ``SimpleCookie``
#: spells it. SimpleCookie writes attributes sorted by their lower-case names,
#: which is the order both implementations write them in: Domain, expires,
#: HttpOnly, Max-Age, Partitioned, Path, SameSite, Secure.
DOMAIN = "; Domain="
EXPIRES = "; expires="
HTTPONLY = "; HttpOnly"
MAX_AGE = "; Max-Age="
PARTITIONED = "; Partitioned"
PATH = "; Path="
SAMESITE = "; SameSite="
SECURE = "; Secure"

SAMESITE_VALUES = ("strict", "lax", "none")

#: Control characters refused anywhere in a cookie (RFC 6265 CTLs).
COOKIE_CONTROL = frozenset(chr(code) for code in (*range(0x20), 0x7F))
#: Characters refused in a header name or value: they would split or end the header.
CR, LF, NUL = 0x0D, 0x0A, 0x00
HEADER_FORBIDDEN = frozenset(map(chr, (CR, LF, NUL)))
_CR_TEXT, _LF_TEXT, _NUL_TEXT = map(chr, (CR, LF, NUL))

#: PyPy: the pure-Python modules pick the checks its JIT compiles best.
PYPY = sys.implementation.name == "pypy"


def text_is_clean(text: str) -> bool:
    """A plain str holds no CR, LF or NUL, by three substring tests: what PyPy's
    JIT turns into a few instructions (on CPython one ``isprintable()`` scan is
    cheaper, where a printable text is enough)."""
    return not (_CR_TEXT in text or _LF_TEXT in text or _NUL_TEXT in text)


#: True for a plain str that cannot hold CR, LF or NUL; False means "look at the
#: bytes". The cheapest test on each interpreter: one isprintable() scan on
#: CPython (no CR, LF or NUL is printable), text_is_clean() on PyPy.
clean_text = text_is_clean if PYPY else str.isprintable

#: The same two sets as 256-entry tables (1: refused), for the compiled modules.
COOKIE_CONTROL_BYTES = bytes(chr(code) in COOKIE_CONTROL for code in range(256))
HEADER_FORBIDDEN_BYTES = bytes(chr(code) in HEADER_FORBIDDEN for code in range(256))

# ------------------------------------------------------------------------- dates

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The same names as one byte string (three bytes a name) for the compiled module.
WEEKDAY_BYTES = "".join(WEEKDAYS).encode("ascii")
MONTH_BYTES = "".join(MONTHS).encode("ascii")

_date_cache: dict[int, str] = {}
_LAST_CACHED = 253402300800  # 10000-01-01T00:00:00


def offset_date(future: object) -> str:
    """``http.cookies._getdate(future)``: now plus *future* seconds, as SimpleCookie
    writes an integer ``expires``.

    The text changes once a second, so it is cached by the whole second; the
    arithmetic (float addition, then ``gmtime``) is the same as the stdlib's, so
    overflows raise what they raise there.
    """
    when = _time.time() + future  # type: ignore[operator]
    if not 0 <= when < _LAST_CACHED:
        # Before 1970, past 9999, inf and nan: uncached, so gmtime() raises what it
        # raises, and since it rounds negative times toward zero on some
        # interpreters (PyPy), not down.
        return _format_gmtime(when)
    second = math.floor(when)
    text = _date_cache.get(second)
    if text is None:
        text = _format_gmtime(when)
        if len(_date_cache) >= 64:
            _date_cache.clear()
        _date_cache[second] = text
    return text


def _format_gmtime(when: float) -> str:
    year, month, day, hh, mm, ss, wd, _, _ = _time.gmtime(when)
    return "%s, %02d %3s %4d %02d:%02d:%02d GMT" % (
        WEEKDAYS[wd], day, MONTHS[month - 1], year, hh, mm, ss)


def utc_date(when: datetime) -> str:
    """``email.utils.format_datetime(when, usegmt=True)`` for a plain ``datetime``
    whose tzinfo is ``timezone.utc`` (callers check that)."""
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        WEEKDAYS[when.weekday()], when.day, MONTHS[when.month - 1], when.year,
        when.hour, when.minute, when.second)


UTC = timezone.utc

# ---------------------------------------------------------------------- headers


def _lower_latin1(code: int) -> int:
    lowered = chr(code).lower()
    assert len(lowered) == 1 and ord(lowered) < 256, code
    return ord(lowered)


#: ``str.lower`` for every latin-1 character, as one table of bytes.
LOWER_LATIN1 = bytes(_lower_latin1(code) for code in range(256))

#: 1 for each latin-1 character ``str.strip()`` removes (``str.isspace``: the
#: ASCII whitespace, \x1c-\x1f, \x85 and \xa0), as one table of bytes.
SPACE_LATIN1 = bytes(chr(code).isspace() for code in range(256))

#: Characters ``urllib.parse.quote`` leaves alone in a redirect URL: its
#: always-safe set plus the ``safe`` argument starlette passes.
REDIRECT_SAFE = ":/%#?=@[]!$&'()*+,;"
URL_SAFE_BYTES = bytes(
    chr(code) in string.ascii_letters + string.digits + "_.-~" + REDIRECT_SAFE for code in range(256))

# -------------------------------------------------------------------------- JSON

#: starlette's ``JSONResponse.render`` is ``json.dumps(content, **JSON_OPTIONS)
#: .encode("utf-8")``, word for word the same in every release from 0.40 to 1.10
#: (checked against each release's source), so there is nothing to choose at import.
JSON_OPTIONS: dict[str, Any] = {"ensure_ascii": False, "allow_nan": False, "indent": None,
                                 "separators": (",", ":")}

#: How json writes each ASCII character inside a string with ensure_ascii=False,
#: taken from json itself: the character as it is, or its escape (lower-case hex).
JSON_ASCII = tuple(json.dumps(chr(code), ensure_ascii=False)[1:-1].encode("ascii")
                   for code in range(128))

#: Nesting the compiled encoder writes itself; a deeper document (or a cycle) is
#: handed to json, so the C stack never grows with the document.
JSON_MAX_DEPTH = 200

# ------------------------------------------------------------------------ errors
#
# Message templates, and the functions that raise with them. Both implementations
# raise only through these, so the text is the same whichever is loaded.


def _shown(text: object) -> str:
    """repr() of the offending text, cut short so a megabyte value stays readable."""
    return _cut(repr(text))


def _cut(shown: str) -> str:
    return shown if len(shown) <= 80 else shown[:77] + "..."


HEADER_CONTROL_MESSAGE = "{field} must not contain CR, LF or NUL: {value}"
COOKIE_CONTROL_MESSAGE = "{field} must not contain control characters: {value}"
ILLEGAL_KEY_MESSAGE = "Illegal key {key!r}"
RESERVED_KEY_MESSAGE = "Attempt to set a reserved key {key!r}"
SAMESITE_MESSAGE = "samesite must be either 'strict', 'lax' or 'none'"
LATIN1_REASON = "ordinal not in range(256) in {field}"
NEEDS_A_CLASS_MESSAGE = "{function}() needs a class"


class SameSiteError(AssertionError, ValueError):
    """A bad ``samesite``: an AssertionError, as starlette raises, and a ValueError,
    as it ought to be. Raised explicitly, so ``python -O`` does not skip it."""


def header_control_error(field: str, value: object) -> ValueError:
    return ValueError(HEADER_CONTROL_MESSAGE.format(field=field, value=_shown(value)))


def cookie_field(field: str, key: object) -> str:
    """How an error names one field of the cookie called key: the name itself is
    the subject ("cookie name"); any other field names the cookie by its name
    ("value of cookie 'session'"). A name that is not a str is shown by its
    type only: its own repr() could run user code, or raise."""
    if field == "name":
        return "cookie name"
    name = _cut(str.__repr__(key)) if isinstance(key, str) else f"<{type(key).__name__}>"
    return f"{field} of cookie {name}"


def cookie_control_error(field: str, value: object, key: object) -> CookieError:
    """A control character in the text of one field of the cookie called key."""
    return CookieError(COOKIE_CONTROL_MESSAGE.format(field=cookie_field(field, key),
                                                     value=_shown(value)))


def latin1_error(error: UnicodeEncodeError, field: str) -> UnicodeEncodeError:
    """The same UnicodeEncodeError, its reason naming the field."""
    return UnicodeEncodeError(error.encoding, error.object, error.start, error.end,
                              LATIN1_REASON.format(field=field))


def needs_a_class_error(function: str) -> TypeError:
    return TypeError(NEEDS_A_CLASS_MESSAGE.format(function=function))


def check_class(cls: object, function: str) -> None:
    """The check every slot switch of ``_slots`` and its queries make first."""
    if not isinstance(cls, type):
        raise needs_a_class_error(function)


def header_name_field(key: object) -> str:
    """The header name as a UnicodeEncodeError's reason names it (its message
    shows one character of the text, not the text)."""
    return f"header name {_shown(key)}"


def header_name_error(key: object) -> ValueError:
    """CR, LF or NUL in a header name: the name is the subject, shown once."""
    return header_control_error("header name", key)


def header_value_field(key: object) -> str:
    return f"value of header {_shown(key)}"


# ------------------------------------------------------------- jsonable_encoder

#: FastAPI's ``jsonable_encoder(obj, ...)`` parameters after ``obj``, with their
#: defaults: the same in every release fastresp supports (0.115 to 0.165). The
#: fast path runs only when every argument is its default, compared by identity.
JSONABLE_DEFAULTS = (
    ("include", None), ("exclude", None), ("by_alias", True), ("exclude_unset", False),
    ("exclude_defaults", False), ("exclude_none", False), ("custom_encoder", None),
    ("sqlalchemy_safe", True),
)
#: With ``sqlalchemy_safe=True`` (the default) FastAPI leaves out every str key
#: that starts with this.
SQLALCHEMY_PREFIX = "_sa"
#: Containers nested deeper than this are handed to FastAPI's function whole, so
#: deep and cyclic documents never grow the C stack and fail as FastAPI fails.
JSONABLE_MAX_DEPTH = 128


def jsonable_signature_known(function: object) -> bool:
    """True when *function* takes exactly the arguments, kinds and defaults of
    JSONABLE_DEFAULTS after ``obj``: the fast jsonable_encoder may stand in for it.
    Anything else (a future FastAPI, someone else's wrapper) is left alone."""
    import inspect
    try:
        parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    expected = [("obj", inspect.Parameter.empty), *JSONABLE_DEFAULTS]
    return (len(parameters) == len(expected)
            and all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
            and all(p.name == name and p.default is default
                    for p, (name, default) in zip(parameters, expected)))
