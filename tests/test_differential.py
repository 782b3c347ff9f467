"""Differential tests: hypothesis-generated input, starlette itself as the oracle.

For each generated call:

1. the outcome of fastresp (``impl``) matches starlette's: the same bytes, or an
   exception of starlette's type; with fastresp's hardening layered on top (a
   control character in a cookie field -> CookieError, CR/LF/NUL in a header ->
   ValueError) and ``partitioned=True`` expected as starlette writes it on 3.14
   (see conftest.starlette_cookie);
2. the outcome is identical to the pure-Python reference's: the same bytes, or
   the same exception type *and* message.

The clock is frozen (``frozen_time``) so int ``expires`` are deterministic; the
fixture is function-scoped but constant, so hypothesis' health check about it is
suppressed on purpose. Example counts are bounded to keep the suite fast.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from starlette.datastructures import URL, Headers, MutableHeaders

from helpers import Obj, OwnStr, Text, delete_cookie_header, set_cookie_header

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SMALL = settings(SETTINGS, max_examples=150)

LEGAL = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:"
SPECIAL = "\r\n\0\t\x0b\x1f\x7f \xa0\x85\u3000\u2028\u212a\u1e9e\u0130é\xff\u0100\u20ac\U0001f600"


# ----------------------------------------------------------------- values


surrogates = st.characters(categories=["Cs"])
chars = st.one_of(
    st.sampled_from(LEGAL),
    st.characters(max_codepoint=0xFF),
    st.characters(),
    surrogates,
    st.sampled_from(SPECIAL),
)
any_text = st.text(chars, max_size=24)
legal_text = st.text(st.sampled_from(LEGAL), min_size=1, max_size=16)
latin1_text = st.text(st.characters(max_codepoint=0xFF), max_size=24)


def stringish(text):
    """text, and the same text as a str subclass, an object, or bytes."""
    return st.one_of(
        text, text,
        text.map(Text), text.map(OwnStr), text.map(Obj),
        st.binary(max_size=8),
    )


def case_variants(word):
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flags: "".join(c.upper() if up else c.lower() for c, up in zip(word, flags)))


# ---------------------------------------------------------------- cookies

RESERVED = ["expires", "path", "comment", "domain", "max-age", "secure", "httponly",
            "version", "samesite", "partitioned"]

cookie_keys = st.one_of(
    legal_text, legal_text, legal_text,
    st.sampled_from(RESERVED).flatmap(case_variants),
    any_text,
    legal_text.map(Text), legal_text.map(OwnStr),
    st.binary(min_size=1, max_size=6),
    st.just(""),
)
cookie_values = st.one_of(
    stringish(any_text), legal_text, latin1_text,
    st.integers(), st.floats(), st.none(), st.just(""),
)
max_ages = st.one_of(
    st.none(), st.integers(-(10 ** 6), 10 ** 6), st.integers(), st.integers(-(2 ** 80), 2 ** 80),
    st.booleans(), st.floats(allow_nan=True), stringish(any_text), st.just(""),
)
utc_datetimes = st.datetimes(timezones=st.just(timezone.utc))
expires_values = st.one_of(
    st.none(),
    st.integers(-(10 ** 10), 10 ** 10),
    st.integers(-(2 ** 70), 2 ** 70),
    st.integers(),
    st.booleans(),
    st.just(0),
    utc_datetimes, utc_datetimes,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1200, 1, 1),
                 timezones=st.just(timezone.utc)),
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(1970, 1, 2),
                 timezones=st.just(timezone.utc)),
    st.datetimes(),  # naive: starlette's ValueError
    st.datetimes(timezones=st.builds(timezone, st.timedeltas(
        min_value=timedelta(hours=-23), max_value=timedelta(hours=23)))),
    stringish(any_text),
    st.just(""),
    st.floats(allow_nan=False, allow_infinity=False),
)
paths = st.one_of(st.none(), st.just(""), st.just("/"), stringish(any_text), st.integers())
domains = st.one_of(st.none(), st.just(""), stringish(any_text), st.just("example.org"))
flags = st.one_of(st.booleans(), st.booleans(), st.sampled_from([0, 1, "", "x", None, []]))
samesites = st.one_of(
    st.none(),
    st.sampled_from(["strict", "lax", "none"]).flatmap(case_variants),
    st.sampled_from(["strict", "lax", "none"]).flatmap(case_variants).map(Text),
    st.sampled_from(["strict", "lax", "none"]).map(OwnStr),
    any_text,
)

cookie_kwargs = st.fixed_dictionaries(
    {"key": cookie_keys},
    optional={
        "value": cookie_values, "max_age": max_ages, "expires": expires_values,
        "path": paths, "domain": domains, "secure": flags, "httponly": flags,
        "samesite": samesites, "partitioned": flags,
    },
)
delete_kwargs = st.fixed_dictionaries(
    {"key": cookie_keys},
    optional={"path": paths, "domain": domains, "secure": flags, "httponly": flags,
              "samesite": samesites, "partitioned": flags},
)


def _checked_call(run, impl, call, kwargs):
    """run call on a fresh response; a refused call leaves raw_headers untouched."""
    response = impl.Response(b"x")
    before = list(response.raw_headers)
    result = run(call, response, kwargs)
    if result[0] == "err":
        assert response.raw_headers == before, "a refused call changed raw_headers"
    return result


@SETTINGS
@given(kwargs=cookie_kwargs)
@example(kwargs={"key": "a", "value": "b", "partitioned": True, "max_age": "5 ", "path": None,
                 "samesite": None})
@example(kwargs={"key": "a", "expires": 10 ** 400})
@example(kwargs={"key": "a", "expires": datetime(2000, 1, 1)})
@example(kwargs={"key": "a", "expires": datetime(1969, 12, 30, tzinfo=timezone.utc)})
@example(kwargs={"key": "a", "value": "\ud800"})
@example(kwargs={"key": OwnStr("k"), "value": Obj("\n")})
@example(kwargs={"key": "a", "path": "/\u3000", "samesite": None})
def test_set_cookie(impl, python_impl, cookie_oracle, run, frozen_time, kwargs):
    got = _checked_call(run, impl, set_cookie_header, kwargs)
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs))
    cookie_oracle.same(got, _checked_call(run, python_impl, set_cookie_header, kwargs))
    if set(kwargs) <= set(cookie_oracle.parameters("set_cookie")):
        # cookie_value, the writer, takes partitioned whatever the release.
        cookie_oracle.same(got, run(lambda: impl.cookie.cookie_value(**kwargs)))


@SMALL
@given(kwargs=delete_kwargs)
def test_delete_cookie(impl, python_impl, cookie_oracle, run, frozen_time, kwargs):
    got = _checked_call(run, impl, delete_cookie_header, kwargs)
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs, "delete_cookie"))
    cookie_oracle.same(got, _checked_call(run, python_impl, delete_cookie_header, kwargs))


@SMALL
@given(kwargs=st.fixed_dictionaries(
    {"key": legal_text, "value": latin1_text},
    optional={"max_age": st.integers(), "expires": st.one_of(
        st.integers(-(10 ** 9), 10 ** 9), utc_datetimes,
        st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(1970, 1, 2),
                     timezones=st.just(timezone.utc))),
              "path": latin1_text, "domain": latin1_text, "secure": st.booleans(),
              "httponly": st.booleans(), "partitioned": st.booleans(),
              "samesite": st.sampled_from(["strict", "lax", "none", "Lax", "NONE", None])}))
def test_set_cookie_common_types(impl, python_impl, cookie_oracle, run, frozen_time, kwargs):
    """The argument types real apps pass (the compiled fast path): mostly valid."""
    got = _checked_call(run, impl, set_cookie_header, kwargs)
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs))
    cookie_oracle.same(got, _checked_call(run, python_impl, set_cookie_header, kwargs))


@SMALL
@given(offset=st.one_of(st.integers(-(10 ** 11), 10 ** 11), st.integers()),
       now=st.one_of(st.floats(0, 4e9), st.integers(0, 4 * 10 ** 9).map(float)))
def test_int_expires_any_clock(impl, python_impl, cookie_oracle, run, monkeypatch, offset, now):
    """Int offsets against any clock value (http.cookies._getdate as the oracle)."""
    import time

    monkeypatch.setattr(time, "time", lambda: now)
    kwargs = {"key": "k", "expires": offset, "path": None, "samesite": None}
    got = _checked_call(run, impl, set_cookie_header, kwargs)
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs))
    cookie_oracle.same(got, _checked_call(run, python_impl, set_cookie_header, kwargs))


# -------------------------------------------------------------- responses

FORBIDDEN = frozenset("\r\n\0")

header_names = st.one_of(
    st.sampled_from(["content-length", "content-type", "location", "x-a", "set-cookie"])
    .flatmap(case_variants),
    st.text(st.sampled_from(LEGAL), min_size=1, max_size=12),
    any_text,
    latin1_text,
    st.text(st.sampled_from(LEGAL), min_size=1, max_size=8).map(Text),
)
header_values = st.one_of(
    latin1_text, latin1_text, any_text, st.integers(0, 10 ** 6).map(str),
    latin1_text.map(Text), st.binary(max_size=6), st.integers(),
)
latin1_pairs = st.lists(st.tuples(latin1_text, latin1_text), max_size=8)


class PairsMapping(Mapping):
    """A non-dict Mapping (duplicates impossible, order its own)."""

    def __init__(self, pairs):
        self._data = dict(pairs)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(list(self._data)[::-1])

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"PairsMapping({self._data!r})"


def _raw(pairs):
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs]


header_maps = st.one_of(
    st.none(),
    st.dictionaries(header_names, header_values, max_size=8),
    st.dictionaries(header_names, header_values, max_size=8),
    st.dictionaries(st.text(st.sampled_from(LEGAL), min_size=1, max_size=10), latin1_text,
                    min_size=20, max_size=60),
    latin1_pairs.map(lambda pairs: Headers(raw=_raw(pairs))),
    latin1_pairs.map(lambda pairs: MutableHeaders(raw=_raw(pairs))),
    st.dictionaries(header_names, header_values, max_size=6).map(PairsMapping),
)
contents = st.one_of(
    st.none(), st.binary(max_size=64), any_text, latin1_text,
    st.binary(max_size=64).map(memoryview),
    st.binary(min_size=4, max_size=64).map(lambda data: memoryview(data)[::2]),
    st.sampled_from([1, 100_000, 1_000_003]).map(lambda n: b"z" * n),
    st.integers(), st.just(bytearray(b"ba")), any_text.map(Text),
)
status_codes = st.one_of(
    st.integers(100, 599), st.sampled_from([100, 101, 199, 200, 204, 205, 304, 0, -1]),
    st.integers(), st.integers(-(2 ** 80), 2 ** 80), st.booleans(),
    st.floats(allow_nan=False, min_value=-1e30, max_value=1e30),
    st.sampled_from([None, "200"]),
)
media_types = st.one_of(
    st.none(),
    st.sampled_from(["text/plain", "TEXT/HTML", "text/html; Charset=x", "text/html;charset=y",
                     "application/json", "image/png", "text/", "", "text/\r\n", "a/b\0",
                     "text/é", "text/\u0100"]),
    any_text,
    latin1_text.map(lambda text: "text/" + text),
    st.text(st.sampled_from(LEGAL), max_size=10).map(Text),
)
#: The class's own charset: the class itself is called, no subclass made (the
#: compiled module constructs only its own classes without type.__call__).
OWN_CHARSET = "(own)"
charsets = st.sampled_from([OWN_CHARSET, "utf-8", "UTF-8", "latin-1", "ascii", "utf-16", "cp1252",
                            "no-such-codec", "utf-8\r\nx", None, Text("utf-8")])
class_names = st.sampled_from(["Response", "HTMLResponse", "PlainTextResponse"])


def _has_forbidden(*texts):
    return any(isinstance(text, str) and not FORBIDDEN.isdisjoint(text) for text in texts)


def _headers_forbidden(headers):
    if headers is None:
        return False
    pairs = headers.items() if hasattr(headers, "items") else []
    return any(_has_forbidden(key, value) for key, value in pairs)


_subclasses: dict = {}


def _with_charset(cls, charset):
    """A subclass of cls with that charset, made once (class creation is not free),
    or cls itself for OWN_CHARSET."""
    if charset == OWN_CHARSET:
        return cls
    key = (cls, charset)
    if key not in _subclasses:
        _subclasses[key] = type(cls.__name__, (cls,), {"charset": charset})
    return _subclasses[key]


def _compare(impl, python_impl, response_oracle, make, forbidden_headers, forbidden_other=False):
    got = response_oracle.build(make, impl.classes)
    response_oracle.matches(got, response_oracle.expected(make, forbidden_headers, forbidden_other))
    response_oracle.same(got, response_oracle.build(make, python_impl.classes))
    return got


@SETTINGS
@given(cls=class_names, content=contents, status_code=status_codes, headers=header_maps,
       media_type=media_types, charset=charsets)
@example(cls="Response", content=b"abc", status_code=2 ** 70, headers={"Content-Length": "9"},
         media_type="text/plain", charset="utf-8")
@example(cls="PlainTextResponse", content="é", status_code=200, headers={"x": "a\r\nb"},
         media_type=None, charset="latin-1")
@example(cls="Response", content=None, status_code=304, headers={"X-\u212a": "v"},
         media_type="TEXT/plain", charset="utf-8")
def test_response(impl, python_impl, response_oracle, cls, content, status_code, headers,
                  media_type, charset):
    def make(classes):
        return _with_charset(getattr(classes, cls), charset)(
            content, status_code=status_code, headers=headers, media_type=media_type)

    _compare(impl, python_impl, response_oracle, make, _headers_forbidden(headers),
             _has_forbidden(media_type, charset))


@SMALL
@given(content=contents, status_code=status_codes, headers=header_maps, media_type=media_types)
def test_response_positional(impl, python_impl, response_oracle, content, status_code, headers,
                             media_type):
    def make(classes):
        return classes.Response(content, status_code, headers, media_type, None)

    _compare(impl, python_impl, response_oracle, make, _headers_forbidden(headers),
             _has_forbidden(media_type))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(any_text, children, max_size=4)),
    max_leaves=12,
)


@SMALL
@given(content=json_values, status_code=status_codes, headers=header_maps)
def test_json_response(impl, python_impl, response_oracle, content, status_code, headers):
    def make(classes):
        return classes.JSONResponse(content, status_code=status_code, headers=headers)

    _compare(impl, python_impl, response_oracle, make, _headers_forbidden(headers))


urls = st.one_of(
    any_text, latin1_text, st.text(st.sampled_from(LEGAL + "/?=&#%[]@;, "), max_size=30),
    any_text.map(Text), any_text.map(OwnStr), any_text.map(Obj), st.integers(),
    st.text(st.sampled_from(string.ascii_letters + "/:?=&"), max_size=20).map(URL),
)
redirect_headers = st.one_of(
    header_maps,
    st.lists(st.tuples(st.sampled_from(["location", "Location", "LOCATION", "x-a"]), latin1_text),
             max_size=6).map(lambda pairs: Headers(raw=_raw(pairs))),
    st.dictionaries(st.sampled_from(["location", "Location", "x"]).flatmap(case_variants),
                    latin1_text, max_size=4),
)


@SETTINGS
@given(url=urls, status_code=status_codes, headers=redirect_headers)
@example(url="/a b", status_code=302, headers=Headers(raw=[(b"location", b"/1"), (b"x", b"y"),
                                                          (b"location", b"/2")]))
@example(url="/\ud800", status_code=307, headers=None)
def test_redirect_response(impl, python_impl, response_oracle, url, status_code, headers):
    def make(classes):
        return classes.RedirectResponse(url, status_code=status_code, headers=headers)

    _compare(impl, python_impl, response_oracle, make, _headers_forbidden(headers))


# ------------------------------------------------------------ exhaustive


def test_every_status_code(impl, python_impl, oracle):
    for status_code in [*range(0, 1000), 2 ** 31, 2 ** 63, 2 ** 64, -(2 ** 63) - 1]:
        for content in (b"", b"body"):
            got = impl.Response(content, status_code=status_code)
            expected = oracle.Response(content, status_code=status_code)
            assert got.raw_headers == expected.raw_headers, status_code
            assert python_impl.Response(content, status_code=status_code).raw_headers == \
                got.raw_headers


def test_every_latin1_character_in_headers(impl, python_impl, oracle, run):
    for code in range(256):
        char = chr(code)
        headers = {"X-" + char + char.upper(): "v" + char}
        expected = run(lambda: oracle.Response(b"", headers=headers).raw_headers)
        got = run(lambda: impl.Response(b"", headers=headers).raw_headers)
        assert got == run(lambda: python_impl.Response(b"", headers=headers).raw_headers)
        if char in FORBIDDEN:
            assert got[0] == "err" and got[1] is ValueError, code
        elif expected[0] == "err":
            # fastresp's message names the header: compare the type.
            assert got[:2] == expected[:2], code
            assert "header name" in got[2]
        else:
            assert got == expected, code


def test_every_latin1_character_in_cookie_value(impl, python_impl, cookie_oracle, run):
    for code in range(256):
        kwargs = {"key": "k", "value": "a" + chr(code) + "b", "samesite": None, "path": None}
        got = run(impl.cookie.cookie_value, **kwargs)
        cookie_oracle.matches(got, cookie_oracle.expected(kwargs))
        cookie_oracle.same(got, run(python_impl.cookie.cookie_value, **kwargs))


def test_every_latin1_character_in_cookie_attributes(impl, python_impl, cookie_oracle, run,
                                                     frozen_time):
    for code in range(256):
        char = chr(code)
        for kwargs in ({"key": "k", "path": "/" + char}, {"key": "k", "domain": char},
                       {"key": "k", "max_age": char}, {"key": "k", "expires": char + "x"},
                       {"key": "k" + char},
                       {"key": "k", "path": "/" + char, "samesite": None}):
            got = run(impl.cookie.cookie_value, **kwargs)
            cookie_oracle.matches(got, cookie_oracle.expected(kwargs))
            cookie_oracle.same(got, run(python_impl.cookie.cookie_value, **kwargs))


def test_every_expires_datetime_field(impl, python_impl, oracle):
    moments = [datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
               for year in (1, 999, 1000, 1582, 1900, 1969, 1970, 2000, 2024, 2100, 9999)
               for month, day in ((1, 1), (2, 28), (12, 31))
               for hour, minute, second in ((0, 0, 0), (23, 59, 59))]
    moments.append(datetime(2024, 2, 29, 12, 30, 15, 999999, tzinfo=timezone.utc))
    for when in moments:
        got, expected, reference = impl.Response(), oracle.Response(), python_impl.Response()
        for response in (got, expected, reference):
            response.set_cookie("k", "v", expires=when)
        assert got.raw_headers == expected.raw_headers == reference.raw_headers, when


def test_json_content_lengths(impl, oracle):
    for size in (0, 1, 10, 4094, 4095, 4096, 70000):
        content = {"k": "x" * size}
        assert impl.JSONResponse(content).raw_headers == oracle.JSONResponse(content).raw_headers
    # ["é…é"]: 2 brackets, 2 quotes and 100 two-byte characters.
    assert impl.JSONResponse(["é" * 100]).raw_headers[0] == (b"content-length", b"204")
