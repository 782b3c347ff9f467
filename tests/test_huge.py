"""Huge and odd inputs: the same result as starlette, never a crash.

Every call runs on the implementation under test (``impl``), on starlette and,
on the compiled run, on the pure-Python reference (``oracle.check_cookie`` /
``oracle.check_response``, which layer fastresp's hardening on top of
starlette's answer): the same bytes and headers for valid input, the same
exception type when starlette raises (with the hardening rules), and the very
same outcome -- bytes, or exception type and message -- on both implementations.
A refused cookie call must leave raw_headers untouched.

Sizes: an 8 MiB body, a 1 MiB header value (and name), 20,000 headers, a 1 MiB
cookie value (and every other cookie field), 100,000-character paths and URLs.
Odd values: latin-1 and other text, lone surrogates, str subclasses with their
own __str__, bytes where str is expected, ints past 64 bits, negative ints, bool
and float where ints are expected.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from starlette.datastructures import Headers, MutableHeaders

from oracle import HEADER_FORBIDDEN as FORBIDDEN
from oracle import Obj, OwnStr, Text, check_cookie, check_response

MiB = 1024 * 1024


# --------------------------------------------------------------- huge bodies

BODIES = {
    "bytes": lambda: bytes(range(256)) * (8 * MiB // 256),
    "ascii-str": lambda: "abcdefgh" * MiB,
    "latin1-str": lambda: "".join(map(chr, range(256))) * (8 * MiB // 256),
    "non-latin1-str": lambda: "\u20ac\u0100a" * (8 * MiB // 3),
    "surrogate-str": lambda: "a" * (8 * MiB) + "\ud800",
    "memoryview": lambda: memoryview(b"m" * (8 * MiB)),
    "strided-memoryview": lambda: memoryview(b"ab" * (8 * MiB))[::2],
    "bytearray": lambda: bytearray(8 * MiB),
    "str-subclass": lambda: OwnStr("q" * (8 * MiB), "Sqqqqqqqq"),
}


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("cls", ["Response", "PlainTextResponse", "HTMLResponse"])
@pytest.mark.parametrize("charset", ["utf-8", "latin-1"])
def test_8_mib_body(impl, references, body, cls, charset):
    content = BODIES[body]()

    def make(classes):
        response_class = type(cls, (getattr(classes, cls),), {"charset": charset})
        return response_class(content, headers={"x-a": "1"})

    got = check_response(impl, references, make)
    if got[0] == "ok":
        assert got[1][2][-2 if cls != "Response" else -1][0] == b"content-length"
    if type(content) is bytes:
        response = getattr(impl.classes, cls)(content)
        assert response.body is content  # never copied
        assert response.raw_headers[0] == (b"content-length", str(8 * MiB).encode())


def test_8_mib_json(impl, references):
    content = {"k": ["\u20ac" * MiB, "x" * (4 * MiB)], "n": 10 ** 30}
    check_response(impl, references, lambda classes: classes.JSONResponse(content))


# --------------------------------------------------------------- huge headers

LATIN1_NO_FORBIDDEN = "".join(chr(code) for code in range(256) if chr(code) not in FORBIDDEN)


@pytest.mark.parametrize("headers", [
    pytest.param(lambda: {"x-big": LATIN1_NO_FORBIDDEN * (MiB // 253)}, id="1MiB-latin1-value"),
    pytest.param(lambda: {"X-" + "N" * MiB: "v"}, id="1MiB-name"),
    pytest.param(lambda: {"x-big": "v" * MiB + "\r"}, id="1MiB-value-CR-at-end"),
    pytest.param(lambda: {"x-big": "\n" + "v" * MiB}, id="1MiB-value-LF-at-start"),
    pytest.param(lambda: {"x-big": "v" * MiB + "\0"}, id="1MiB-value-NUL"),
    pytest.param(lambda: {"x-big": "v" * MiB + "\u0100"}, id="1MiB-value-non-latin1"),
    pytest.param(lambda: {"x-big": "v" * MiB + "\udc80"}, id="1MiB-value-surrogate"),
    pytest.param(lambda: {"N" * MiB + "\u20ac": "v"}, id="1MiB-name-non-latin1"),
    pytest.param(lambda: {"content-length": "9" * MiB}, id="1MiB-content-length"),
    pytest.param(lambda: {"Content-Type": "text/plain; " + "p" * MiB}, id="1MiB-content-type"),
])
@pytest.mark.parametrize("cls", ["Response", "PlainTextResponse"])
def test_1_mib_header(impl, references, run, headers, cls):
    given = headers()

    def make(classes):
        return getattr(classes, cls)(b"body", headers=given)

    got = check_response(impl, references, make, given)
    if got[0] == "err":
        assert len(got[2]) < 400, "the message quotes a huge value in full"


def _many(count, forbidden_at=None):
    headers = {f"X-Header-{index}": f"value {index} \xe9" for index in range(count)}
    headers["Content-Length"] = "12"  # given: no content-length added
    headers[f"x-after-{count}"] = "z"
    if forbidden_at is not None:
        key = list(headers)[forbidden_at]
        headers[key] = headers[key] + "\r\nx-injected: 1"
    return headers


# starlette's Headers are built from raw bytes, so they only run without a
# forbidden byte; the dict runs cover that.
@pytest.mark.parametrize("mapping,forbidden_at", [
    (mapping, forbidden_at)
    for mapping in ("dict", "Headers", "MutableHeaders", "items-order")
    for forbidden_at in (None, 0, 10_000, -1)
    if forbidden_at is None or mapping not in ("Headers", "MutableHeaders")
])
def test_20000_headers(impl, references, mapping, forbidden_at):
    given = _many(20_000, forbidden_at)
    if mapping in ("Headers", "MutableHeaders"):
        raw = [(key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in given.items()]
        given = (Headers if mapping == "Headers" else MutableHeaders)(raw=raw)
    elif mapping == "items-order":
        given = dict(reversed(list(given.items())))

    for cls in ("Response", "HTMLResponse"):
        got = check_response(impl, references,
                             lambda classes: getattr(classes, cls)("body", headers=given), given)
        if forbidden_at is None:
            assert got[0] == "ok" and len(got[1][2]) == 20_002 + (cls == "HTMLResponse")
        else:
            assert got[0] == "err" and got[1] is ValueError


def test_20000_headers_redirect(impl, references):
    given = _many(20_000)
    given["LOCATION"] = "/given"
    check_response(impl, references,
                   lambda classes: classes.RedirectResponse("/x" * 1000, headers=given), given)


# ---------------------------------------------------------------- huge cookies

LEGAL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~:"
NEEDS_QUOTES = ' "\\,;()/<=>?@[]{}\xe9\xff\xa0'


@pytest.mark.parametrize("value", [
    pytest.param(lambda: LEGAL * (MiB // len(LEGAL)), id="legal"),
    pytest.param(lambda: (LEGAL + NEEDS_QUOTES) * (MiB // 100), id="quoted"),
    pytest.param(lambda: "\xff" * MiB, id="all-octal-escapes"),
    pytest.param(lambda: "v" * MiB + "\n", id="control-at-end"),
    pytest.param(lambda: "\x7f" + "v" * MiB, id="DEL-at-start"),
    pytest.param(lambda: "v" * MiB + "\u0100", id="non-latin1-at-end"),
    pytest.param(lambda: "v" * MiB + "\ud800", id="lone-surrogate"),
    pytest.param(lambda: OwnStr("v" * MiB, "w" * MiB + " "), id="str-subclass"),
    pytest.param(lambda: Obj("o" * MiB), id="object"),
    pytest.param(lambda: b"b" * MiB, id="bytes"),
])
def test_1_mib_cookie_value(impl, references, frozen_time, value):
    got = check_cookie(impl, references, {"key": "k", "value": value()})
    if got[0] == "err":
        assert len(got[2]) < 400


@pytest.mark.parametrize("field", ["path", "domain", "expires", "max_age", "key"])
@pytest.mark.parametrize("text", [
    pytest.param(lambda: "/" + "p" * MiB, id="ascii"),
    pytest.param(lambda: "/" + "\xe9 " * (MiB // 2) + "x", id="latin1"),
    pytest.param(lambda: "/" + "p" * MiB + " ", id="trailing-space"),
    pytest.param(lambda: "/" + "p" * MiB + "\t", id="trailing-tab"),
    pytest.param(lambda: "/" + "p" * MiB + "\u20ac", id="non-latin1"),
])
def test_1_mib_cookie_field(impl, references, frozen_time, field, text):
    kwargs = {"key": "k", field: text()}
    if field == "key":
        kwargs["key"] = kwargs["key"].strip("/")
    for extra in ({}, {"samesite": None, "secure": False}):  # the field written last, or not
        check_cookie(impl, references, {**kwargs, **extra})


# ------------------------------------------------------------ 100,000-char paths

PATHS = {
    "ascii": "/" + "segment/" * 12_500,
    "needs-quoting": "/a b/\xe9/\u20ac/%zz/?q=1&r=2#f" * 3_500,
    "latin1": "/" + "\xe9" * 100_000,
    "non-latin1": "/" + "\u4e2d" * 100_000,
    "surrogate": "/" + "a" * 100_000 + "\udcff",
    "controls": "/" + "\r\n\0\t" * 25_000,
}


@pytest.mark.parametrize("path", list(PATHS))
def test_100k_char_cookie_path(impl, references, frozen_time, path):
    for method in ("set_cookie", "delete_cookie"):
        check_cookie(impl, references, {"key": "k", "path": PATHS[path]}, method)


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("wrap", ["str", "subclass", "own-str", "object"])
def test_100k_char_redirect(impl, references, path, wrap):
    url = PATHS[path]
    url = {"str": url, "subclass": Text(url), "own-str": OwnStr("/ignored", url),
           "object": Obj(url)}[wrap]
    check_response(impl, references,
                   lambda classes: classes.RedirectResponse(url, status_code=302))


@pytest.mark.parametrize("path", list(PATHS))
def test_100k_char_header_value(impl, references, path):
    headers = {"x-path": PATHS[path]}
    check_response(impl, references,
                   lambda classes: classes.Response(b"", headers=headers), headers)


# ---------------------------------------------------------------- odd text

ODD_TEXT = [
    "", " ", "a", "\xe9", "\xff", "\xa0", "\x85", "caf\xe9 ", "\u0100", "\u20ac", "\U0001f600",
    "\ud800", "\udfff", "a\ud800b", "\x00", "\t", "\x1f", "\x7f", "\x80", "\u2028", "\u3000",
    "\u212a", "\u0130", "\u017f",
]
ODD_WRAPS = {
    "str": lambda text: text,
    "subclass": Text,
    "own-str": lambda text: OwnStr("k", text),
    "own-str-data": lambda text: OwnStr(text, "v"),
    "object": Obj,
    "bytes": lambda text: text.encode("utf-8", "surrogatepass"),
}


@pytest.mark.parametrize("wrap", list(ODD_WRAPS))
@pytest.mark.parametrize("field", ["key", "value", "path", "domain", "expires", "max_age",
                                   "samesite"])
def test_odd_text_in_cookie_fields(impl, references, frozen_time, wrap, field):
    for text in ODD_TEXT:
        for around in (text, "a" + text + "b", "Lax" + text):
            value = ODD_WRAPS[wrap](around)
            for last in ({}, {"samesite": None, "path": None}):
                kwargs = {"key": "k", **last, field: value}
                check_cookie(impl, references, kwargs)


@pytest.mark.parametrize("wrap", ["str", "subclass", "own-str", "own-str-data", "bytes"])
@pytest.mark.parametrize("where", ["name", "value", "media_type", "charset", "content"])
def test_odd_text_in_responses(impl, references, wrap, where):
    for text in ODD_TEXT:
        value = ODD_WRAPS[wrap]("x" + text)
        headers = {"x-a": "1"}
        media_type = "text/plain"
        charset = "utf-8"
        content = b"body"
        if where == "name":
            headers = {value: "v"}
        elif where == "value":
            headers = {"x-v": value}
        elif where == "media_type":
            media_type = value
        elif where == "charset":
            charset = value
        else:
            content = value

        def make(classes, headers=headers, media_type=media_type, charset=charset,
                 content=content):
            cls = type("R", (classes.Response,), {"charset": charset})
            return cls(content, headers=headers, media_type=media_type)

        check_response(impl, references, make, headers, (media_type, charset))


# ------------------------------------------------------- numbers where ints go

NUMBERS = [
    0, 1, -1, -10 ** 10, 10 ** 10, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, -(2 ** 63),
    -(2 ** 63) - 1, 2 ** 64, -(2 ** 64), 10 ** 30, -(10 ** 30), 10 ** 400, -(10 ** 400),
    True, False, 1.5, -1.5, 0.0, -0.0, 1e300, math.inf, -math.inf, math.nan, 10 ** 10 + 0.5,
]


@pytest.mark.parametrize("field", ["max_age", "expires"])
def test_numbers_in_cookie_fields(impl, references, frozen_time, field):
    for number in NUMBERS:
        for last in ({}, {"samesite": None, "path": None}):
            check_cookie(impl, references, {"key": "k", field: number, **last})
        check_cookie(impl, references, {"key": "k", "value": number})


@pytest.mark.parametrize("now", [0.0, 0.5, 1_700_000_000.999, 253402300799.0, -1.5, 1e12, 2.0 ** 53])
def test_int_expires_against_odd_clocks(impl, references, monkeypatch, now):
    import time

    monkeypatch.setattr(time, "time", lambda: now)
    for offset in (0, 1, -1, 59, 86_399, 10 ** 9, -(10 ** 9), 2 ** 53, -(2 ** 53), 2 ** 63,
                   10 ** 20, True):
        check_cookie(impl, references, {"key": "k", "expires": offset})


def test_datetimes_in_other_zones(impl, references):
    moments = [datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc),
               datetime(2024, 5, 6, 7, 8, 9),
               datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(0))),
               datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(0), "UTC")),
               datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2))),
               datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(-timedelta(minutes=1))),
               datetime(1, 1, 1, tzinfo=timezone.utc), datetime(999, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
               datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc),
               datetime.max.replace(tzinfo=timezone.utc), datetime.min]
    for when in moments:
        check_cookie(impl, references, {"key": "k", "expires": when})


@pytest.mark.parametrize("content", [b"", b"body", None])
def test_numbers_as_status_codes(impl, references, content):
    for status in NUMBERS + [None, "200", b"200", 204.0, 304.0, 199.99]:
        for cls in ("Response", "RedirectResponse"):
            def make(classes, status=status, cls=cls):
                if cls == "RedirectResponse":
                    return classes.RedirectResponse("/", status_code=status)
                return classes.Response(content, status_code=status)

            check_response(impl, references, make)


def test_numbers_and_bytes_in_header_values(impl, references):
    for value in [1, 2 ** 64, -1, True, 1.5, None, b"bytes", bytearray(b"x"), ["x"]]:
        for headers in ({"x-a": value}, {value if not isinstance(value, (list, bytearray))
                                         else "k": "v"}):
            check_response(impl, references,
                           lambda classes, headers=headers: classes.Response(b"", headers=headers))
