"""set_cookie / delete_cookie: the same Set-Cookie value as starlette.

The oracle is starlette itself (``cookie_oracle.expected``), with
``partitioned=True`` placed as starlette writes it on Python 3.14; a few literal
expectations pin the format independently of the oracle.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fastresp._common import SameSiteError
from helpers import set_cookie_header
from oracle import Obj, OwnStr, Text, check_cookie


UTC = timezone.utc
WHEN = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)

# Every argument combination below is compared with starlette. Keys are the
# keyword arguments of set_cookie.
SET_COOKIE_CASES = [
    {"key": "a"},
    {"key": "a", "value": "b"},
    {"key": "session", "value": "abc123", "max_age": 3600, "expires": WHEN, "path": "/app",
     "domain": "example.org", "secure": True, "httponly": True, "samesite": "strict"},
    {"key": "a", "value": ""},
    {"key": "a", "value": "with space"},
    {"key": "a", "value": 'quote" back\\slash'},
    {"key": "a", "value": "semi;colon,comma"},
    {"key": "a", "value": "é ü"},
    {"key": "a", "value": "ÿ\xa0\x80"},
    {"key": "a", "value": "()/<=>?@[]{}"},
    {"key": "a", "value": "!#$%&'*+-.^_`|~:"},
    {"key": "a", "value": 42},
    {"key": "a", "value": 4.5},
    {"key": "a", "value": None},
    {"key": "a", "value": b"bytes"},
    {"key": "a", "value": ["list"]},
    {"key": "a", "value": Text("sub class")},
    {"key": "a", "value": OwnStr("x")},
    {"key": "a", "value": Obj("from str")},
    {"key": Text("subkey"), "value": "v"},
    {"key": "a", "max_age": 0},
    {"key": "a", "max_age": -1},
    {"key": "a", "max_age": 2 ** 64},
    {"key": "a", "max_age": -(2 ** 100)},
    {"key": "a", "max_age": 2 ** 63 - 1},
    {"key": "a", "max_age": -(2 ** 63)},
    {"key": "a", "max_age": True},
    {"key": "a", "max_age": False},
    {"key": "a", "max_age": 1.5},
    {"key": "a", "max_age": "60"},
    {"key": "a", "max_age": ""},
    {"key": "a", "max_age": "soon"},
    {"key": "a", "max_age": Text("7")},
    {"key": "a", "max_age": OwnStr("7")},
    {"key": "a", "expires": WHEN},
    {"key": "a", "expires": datetime(1, 1, 1, tzinfo=UTC)},
    {"key": "a", "expires": datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)},
    {"key": "a", "expires": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)},
    {"key": "a", "expires": datetime(2024, 2, 29, tzinfo=UTC)},
    {"key": "a", "expires": datetime(2000, 1, 1, tzinfo=timezone(timedelta(0)))},
    {"key": "a", "expires": datetime(2000, 1, 1, tzinfo=timezone(timedelta(0), "Z"))},
    {"key": "a", "expires": datetime(2000, 1, 1)},
    {"key": "a", "expires": datetime(2000, 1, 1, tzinfo=timezone(timedelta(hours=2)))},
    {"key": "a", "expires": 0},
    {"key": "a", "expires": 1},
    {"key": "a", "expires": -1},
    {"key": "a", "expires": 86400 * 365},
    {"key": "a", "expires": -1_700_000_001},
    {"key": "a", "expires": 2 ** 40},
    {"key": "a", "expires": 2 ** 53 + 1},
    {"key": "a", "expires": 10 ** 12},
    {"key": "a", "expires": 10 ** 20},
    {"key": "a", "expires": -(10 ** 20)},
    {"key": "a", "expires": 10 ** 400},
    {"key": "a", "expires": True},
    {"key": "a", "expires": False},
    {"key": "a", "expires": 1.5},
    {"key": "a", "expires": "Thu, 01 Jan 2099 00:00:00 GMT"},
    {"key": "a", "expires": ""},
    {"key": "a", "expires": Obj("later")},
    {"key": "a", "path": None},
    {"key": "a", "path": ""},
    {"key": "a", "path": "/a b/é"},
    {"key": "a", "path": b"/bytes"},
    {"key": "a", "path": 5},
    {"key": "a", "domain": ""},
    {"key": "a", "domain": ".example.org"},
    {"key": "a", "domain": OwnStr("d")},
    {"key": "a", "secure": True},
    {"key": "a", "secure": 1},
    {"key": "a", "secure": "yes"},
    {"key": "a", "secure": 0},
    {"key": "a", "httponly": True},
    {"key": "a", "httponly": []},
    {"key": "a", "samesite": None},
    {"key": "a", "samesite": "Strict"},
    {"key": "a", "samesite": "LAX"},
    {"key": "a", "samesite": "nOnE"},
    {"key": "a", "samesite": Text("Lax")},
    {"key": "a", "samesite": OwnStr("lax")},
    {"key": "a", "partitioned": True},
    {"key": "a", "partitioned": 1},
    {"key": "a", "partitioned": True, "secure": True, "samesite": "none"},
    {"key": "a", "partitioned": True, "path": None, "samesite": None},
    {"key": "a", "partitioned": True, "max_age": 5, "expires": 10, "domain": "d", "httponly": True},
    {"key": "a", "partitioned": True, "max_age": "5 ", "path": None, "samesite": None},
    {"key": "a", "partitioned": True, "max_age": "5 ", "path": "/"},
    {"key": "a", "path": "/trailing ", "samesite": None},
    {"key": "a", "path": "/trailing\xa0", "samesite": None},
    {"key": "a", "path": "/trailing\x85", "samesite": None},
    {"key": "a", "samesite": "lax", "path": "/ ", "secure": False},
    {"key": "a", "max_age": " 5 ", "path": None, "samesite": None},
    {"key": "a", "domain": "d  ", "path": None, "samesite": None},
    {"key": "a", "expires": "x ", "path": None, "samesite": None},
    {"key": "a", "value": " ", "path": None, "samesite": None},
    {"key": "a", "value": "\u3000", "path": None, "samesite": None},
    {"key": "a", "path": "/\u3000", "samesite": None},
    {"key": "A-Za_z.0~9!#$%&'*+^`|:", "value": "v"},
    {"key": "x" * 1000, "value": "y" * 10000, "path": "/" + "p" * 5000},
]


def _case_id(case):
    return ",".join(f"{name}={value!r}"[:40] for name, value in case.items())


@pytest.mark.parametrize("kwargs", SET_COOKIE_CASES, ids=[_case_id(c) for c in SET_COOKIE_CASES])
def test_set_cookie_like_starlette(impl, references, frozen_time, kwargs):
    # Also: cookie_value, the writer, gives what set_cookie appends.
    check_cookie(impl, references, kwargs)


@pytest.mark.parametrize("kwargs", SET_COOKIE_CASES, ids=[_case_id(c) for c in SET_COOKIE_CASES])
def test_set_cookie_positional(impl, cookie_oracle, run, frozen_time, kwargs):
    """Every argument passed by position, as many as the installed starlette's
    set_cookie takes."""
    names = cookie_oracle.parameters("set_cookie")
    if not set(kwargs) <= set(names):
        pytest.skip(f"this starlette's set_cookie takes no {sorted(set(kwargs) - set(names))}")
    full = {"value": "", "max_age": None, "expires": None, "path": "/", "domain": None,
            "secure": False, "httponly": False, "samesite": "lax", "partitioned": False, **kwargs}
    args = [full[name] for name in names]
    response = impl.classes.Response()
    got = run(lambda: (response.set_cookie(*args), response.raw_headers[-1][1])[1])
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs))


# ------------------------------------------------------------ literals


def test_literal_default(impl):
    response = impl.classes.Response()
    response.set_cookie("a", "b")
    assert response.raw_headers == [
        (b"content-length", b"0"), (b"set-cookie", b"a=b; Path=/; SameSite=lax")]


def test_literal_every_attribute(impl, frozen_time):
    """The writer itself (cookie_value takes partitioned whatever the release)."""
    header = impl.cookie.cookie_value("id", "a b", max_age=60, expires=WHEN, path="/p",
                                      domain="ex.org", secure=True, httponly=True,
                                      samesite="Strict", partitioned=True)
    assert header == (
        b'id="a b"; Domain=ex.org; expires=Mon, 03 Feb 2031 04:05:06 GMT; HttpOnly; '
        b"Max-Age=60; Partitioned; Path=/p; SameSite=Strict; Secure")


def test_literal_quoting(impl):
    response = impl.classes.Response()
    response.set_cookie("q", '"\\;,\x80é\xff', samesite=None, path=None)
    assert response.raw_headers[-1] == (b"set-cookie", b'q="\\"\\\\\\073\\054\\200\\351\\377"')
    response.set_cookie("e", "", samesite=None, path=None)
    assert response.raw_headers[-1] == (b"set-cookie", b'e=""')


def test_literal_int_expires(impl, frozen_time):
    response = impl.classes.Response()
    for offset, date in [
        (0, b"Tue, 14 Nov 2023 22:13:20 GMT"),
        (-1, b"Tue, 14 Nov 2023 22:13:19 GMT"),
        (86400 * 18, b"Sat, 02 Dec 2023 22:13:20 GMT"),
        (-1_700_000_000, b"Thu, 01 Jan 1970 00:00:00 GMT"),
        (-1_700_000_000 + 253402300799, b"Fri, 31 Dec 9999 23:59:59 GMT"),
        (-1_700_000_000 + 253402300800, b"Sat, 01 Jan 10000 00:00:00 GMT"),
    ]:
        response.set_cookie("t", "v", expires=offset, samesite=None, path=None)
        assert response.raw_headers[-1] == (b"set-cookie", b"t=v; expires=" + date)


def test_literal_int_expires_before_1970(impl, monkeypatch):
    import time
    monkeypatch.setattr(time, "time", lambda: 0.0)
    response = impl.classes.Response()
    for offset, date in [(-1, b"Wed, 31 Dec 1969 23:59:59 GMT"),
                         (-86400 * 366, b"Tue, 31 Dec 1968 00:00:00 GMT")]:
        response.set_cookie("t", "v", expires=offset, samesite=None, path=None)
        assert response.raw_headers[-1] == (b"set-cookie", b"t=v; expires=" + date)


@pytest.mark.parametrize("clock", [0.0, 0.25, 0.75, -0.25, -0.75, 1.5, -1.5, 1_700_000_000.999])
def test_int_expires_across_clock_values(impl, monkeypatch, clock):
    """The date for an int offset is exactly http.cookies._getdate's on this
    interpreter, whatever came before (fractional clocks around 1970 included:
    PyPy's gmtime truncates where CPython's floors)."""
    import time
    from http.cookies import _getdate
    response = impl.classes.Response()
    for now in (clock, clock - 0.5, clock + 0.5, float(int(clock)), clock):
        monkeypatch.setattr(time, "time", lambda: now)
        for offset in (-2, -1, 0, 1):
            response.set_cookie("t", "v", expires=offset, samesite=None, path=None)
            assert response.raw_headers[-1] == (
                b"set-cookie", b"t=v; expires=" + _getdate(offset).encode()), (now, offset)


def test_int_expires_matches_stdlib_getdate(impl, frozen_time):
    from http.cookies import _getdate
    response = impl.classes.Response()
    for offset in (0, 1, 59, 3600, 10 ** 6, 10 ** 9, 10 ** 11, -(10 ** 9), -(10 ** 10), 2 ** 53):
        response.set_cookie("t", "v", expires=offset, samesite=None, path=None)
        assert response.raw_headers[-1] == (
            b"set-cookie", b"t=v; expires=" + _getdate(offset).encode())


def test_literal_max_age_forms(impl):
    response = impl.classes.Response()
    for max_age, written in [(0, b"0"), (-5, b"-5"), (2 ** 70, str(2 ** 70).encode()),
                             (True, b"1"), (False, b"0"), (1.5, b"1.5"), ("abc", b"abc")]:
        response.set_cookie("m", "v", max_age=max_age, samesite=None, path=None)
        assert response.raw_headers[-1] == (b"set-cookie", b"m=v; Max-Age=" + written)
    response.set_cookie("m", "v", max_age="", samesite=None, path=None)
    assert response.raw_headers[-1] == (b"set-cookie", b"m=v")


def test_max_age_repeated_and_changing(impl, oracle):
    """The compiled module keeps the digits of the last int max_age: the same
    object again, an equal int that is another object, others in between, and
    ints it cannot hold (the reference's) all write their own digits."""
    same = 3600
    ages = [same, same, 7, same, int("3600"), -1, 2 ** 63, same, 10 ** 18, 0, same, True, same]
    for max_age in ages:
        got, expected = impl.classes.Response(), oracle.Response()
        for response in (got, expected):
            response.set_cookie("m", "v", max_age=max_age, httponly=True)
        assert got.raw_headers == expected.raw_headers, max_age


def test_literal_samesite_case_kept(impl):
    response = impl.classes.Response()
    response.set_cookie("s", samesite="NoNe", path=None)
    assert response.raw_headers[-1] == (b"set-cookie", b's=""; SameSite=NoNe')


def test_literal_trailing_whitespace_stripped(impl):
    response = impl.classes.Response()
    response.set_cookie("w", "v", path="/p  ", samesite=None)
    assert response.raw_headers[-1] == (b"set-cookie", b"w=v; Path=/p")
    response.set_cookie("w", "v", path="/p  ", samesite="lax")
    assert response.raw_headers[-1] == (b"set-cookie", b"w=v; Path=/p  ; SameSite=lax")


# ------------------------------------------------------------- deletion


DELETE_COOKIE_CASES = [
    {"key": "a"},
    {"key": "a", "path": "/p", "domain": "d.org", "secure": True, "httponly": True,
     "samesite": "none"},
    {"key": "a", "path": None, "samesite": None},
    {"key": "a", "path": ""},
    {"key": "a", "domain": ""},
    {"key": "a", "samesite": "STRICT"},
    {"key": "a", "partitioned": True},
    {"key": "a", "partitioned": True, "secure": True, "path": None, "samesite": None},
    {"key": Text("sub")},
]


@pytest.mark.parametrize("kwargs", DELETE_COOKIE_CASES, ids=[_case_id(c) for c in DELETE_COOKIE_CASES])
def test_delete_cookie_like_starlette(impl, references, frozen_time, kwargs):
    check_cookie(impl, references, kwargs, "delete_cookie")


def test_delete_cookie_literal(impl, frozen_time):
    response = impl.classes.Response()
    response.delete_cookie("gone")
    assert response.raw_headers[-1] == (
        b"set-cookie",
        b'gone=""; expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=0; Path=/; SameSite=lax')


def test_delete_cookie_positional(impl, oracle, frozen_time):
    got, expected = impl.classes.Response(), oracle.Response()
    got.delete_cookie("k", "/p", "d", True, True, "strict")
    expected.delete_cookie("k", "/p", "d", True, True, "strict")
    assert got.raw_headers == expected.raw_headers


def test_delete_cookie_uses_overridden_set_cookie(impl, oracle, frozen_time):
    def make(base):
        class Tracked(base):
            calls = []

            def set_cookie(self, key, value="", **kwargs):
                type(self).calls.append((key, value, kwargs))
                super().set_cookie("prefixed-" + key, value, **kwargs)

        return Tracked

    got_cls, expected_cls = make(impl.classes.Response), make(oracle.Response)
    got, expected = got_cls(), expected_cls()
    got.delete_cookie("k", path="/p", domain="d", secure=True, httponly=True, samesite="none")
    expected.delete_cookie("k", path="/p", domain="d", secure=True, httponly=True, samesite="none")
    assert got.raw_headers == expected.raw_headers
    assert got.raw_headers[-1][1].startswith(b'prefixed-k=""; Domain=d; expires=')
    # Exactly the arguments this release passes (partitioned only from 1.7).
    assert got_cls.calls == expected_cls.calls
    assert len(got_cls.calls) == 1 and got_cls.calls[0][:2] == ("k", "")
    assert got_cls.calls[0][2]["max_age"] == 0 and got_cls.calls[0][2]["expires"] == 0


def test_delete_cookie_through_set_cookie_without_partitioned(impl, oracle, run, frozen_time):
    """A subclass whose set_cookie has no partitioned parameter (written for
    starlette before 0.47), then delete_cookie: it works where the installed
    starlette's delete_cookie does not pass partitioned on (before 1.7), and
    raises the same TypeError where it does."""
    def make(base):
        class Legacy(base):
            def set_cookie(self, key, value="", max_age=None, expires=None, path="/",
                           domain=None, secure=False, httponly=False, samesite="lax"):
                super().set_cookie(key, value, max_age, expires, path, domain, secure,
                                   httponly, samesite)

        return Legacy

    def delete(cls):
        response = cls()
        response.delete_cookie("k", path="/p", secure=True)
        return response.raw_headers

    expected = run(delete, make(oracle.Response))
    assert run(delete, make(impl.classes.Response)) == expected


def test_delete_cookie_override_on_instance_class_later(impl, frozen_time):
    """set_cookie overridden after the class was first used: still honoured."""
    class Late(impl.classes.Response):
        pass

    Late().delete_cookie("a")
    Late.set_cookie = lambda self, key, **kwargs: self.raw_headers.append((b"x-late", key.encode()))
    response = Late()
    response.delete_cookie("a")
    assert response.raw_headers[-1] == (b"x-late", b"a")


def test_set_cookie_override_does_not_change_set_cookie(impl, frozen_time):
    response = impl.classes.Response()
    response.set_cookie("a", "1")
    response.delete_cookie("b")
    assert [name for name, _ in response.raw_headers] == [
        b"content-length", b"set-cookie", b"set-cookie"]


def test_many_cookies_keep_order(impl, oracle, frozen_time):
    got, expected = impl.classes.Response(), oracle.Response()
    for index in range(50):
        for response in (got, expected):
            response.set_cookie(f"c{index}", str(index), max_age=index, expires=index)
            if index % 7 == 0:
                response.delete_cookie(f"c{index}")
    assert got.raw_headers == expected.raw_headers


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("key", [
    "", "a b", "a;b", "é", "a=b", "a,b", "a\"", "(", "\t",
    "expires", "Path", "MAX-AGE", "max-age", "domain", "secure", "HttpOnly", "version",
    "comment", "samesite", "SameSite",
])
def test_bad_keys_like_starlette(impl, references, cookie_oracle, run, key):
    kwargs = {"key": key, "value": "v"}
    expected = cookie_oracle.starlette(kwargs)
    got = run(set_cookie_header, impl.classes.Response(), kwargs)
    from http.cookies import CookieError
    assert expected[0] == "err" and expected[1] is CookieError
    assert got == expected  # the same message too: "Illegal key" / "reserved key"
    for reference in references:
        cookie_oracle.same(got, run(set_cookie_header, reference.classes.Response(), kwargs))


def test_partitioned_key(impl, cookie_oracle, run):
    """"partitioned" is a reserved name exactly where http.cookies reserves it (3.14+)."""
    kwargs = {"key": "Partitioned", "value": "v"}
    got = run(set_cookie_header, impl.classes.Response(), kwargs)
    cookie_oracle.matches(got, cookie_oracle.expected(kwargs))


@pytest.mark.parametrize("key", [b"bytes", 5, None, ["a"]], ids=["bytes", "int", "none", "list"])
def test_non_str_keys_like_starlette(impl, references, cookie_oracle, run, key):
    kwargs = {"key": key, "value": "v"}
    expected = cookie_oracle.starlette(kwargs)
    got = run(set_cookie_header, impl.classes.Response(), kwargs)
    assert expected[0] == "err"
    assert got[:2] == expected[:2], (got, expected)
    for reference in references:
        cookie_oracle.same(got, run(set_cookie_header, reference.classes.Response(), kwargs))


@pytest.mark.parametrize("samesite", ["", "lax ", "Laxx", "no", "strict\x00", b"lax", 1])
def test_bad_samesite(impl, references, run, samesite):
    response = impl.classes.Response()
    before = list(response.raw_headers)
    got = run(response.set_cookie, "a", "b", samesite=samesite)
    assert got[0] == "err"
    if isinstance(samesite, str):
        assert got[1] is SameSiteError
        assert got[2] == "samesite must be either 'strict', 'lax' or 'none'"
    assert response.raw_headers == before
    for reference in references:
        assert run(reference.classes.Response().set_cookie, "a", "b", samesite=samesite) == got


def test_samesite_error_is_assertion_and_value_error(impl):
    assert issubclass(SameSiteError, AssertionError)
    assert issubclass(SameSiteError, ValueError)
    with pytest.raises(AssertionError):
        impl.classes.Response().set_cookie("a", samesite="bogus")
    with pytest.raises(ValueError):
        impl.classes.Response().set_cookie("a", samesite="bogus")
    with pytest.raises(ValueError):
        impl.classes.Response().delete_cookie("a", samesite="bogus")


@pytest.mark.parametrize("kwargs", [
    {"key": "a", "value": "\u0100"},
    {"key": "a", "value": "\ud800"},
    {"key": "a", "path": "/\u20ac"},
    {"key": "a", "domain": "\U0001f600"},
    {"key": "a", "expires": "\u0394"},
    {"key": "a", "max_age": "\u0394"},
    {"key": "a", "path": "/\udcff", "samesite": "lax"},
], ids=["value", "surrogate-value", "path", "domain", "expires", "max_age", "surrogate-path"])
def test_non_latin1_cookie(impl, references, cookie_oracle, run, kwargs):
    expected = cookie_oracle.starlette(kwargs)
    response = impl.classes.Response()
    got = run(set_cookie_header, response, kwargs)
    assert expected[0] == "err" and expected[1] is UnicodeEncodeError
    assert got[0] == "err" and got[1] is UnicodeEncodeError
    field = next(name for name in kwargs if name != "key")
    assert field in got[2], got[2]
    assert response.raw_headers == [(b"content-length", b"0")]
    for reference in references:
        cookie_oracle.same(got, run(set_cookie_header, reference.classes.Response(), kwargs))


class _Shown:
    """Not a str; str() gives a str subclass holding text."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return Text(self.text)


@pytest.mark.parametrize("field", ["value", "path", "domain", "expires", "max_age"])
def test_non_latin1_str_subclass_text_named(impl, references, cookie_oracle, run, field):
    """The field whose str() is a non-latin-1 str subclass is the one named."""
    kwargs = {"key": "a", field: _Shown("\u0100")}
    got = run(set_cookie_header, impl.classes.Response(), kwargs)
    expected = cookie_oracle.starlette(kwargs)
    assert got[:2] == expected[:2], (got, expected)
    if got[1] is UnicodeEncodeError:
        assert f"{field} of cookie 'a'" in got[2], got[2]
    for reference in references:
        cookie_oracle.same(got, run(set_cookie_header, reference.classes.Response(), kwargs))


def test_known_cookie_names(impl, cookie_oracle, run):
    """Names seen before skip the checks in the reference; a str subclass equal
    to a known name, and many distinct names, still come out as starlette's."""
    from fastresp import _cookie_py

    class Name(str):
        def __str__(self):
            return "shown"

    for key in ("session", "session", Name("session"), Text("session"), "expires", "session"):
        kwargs = {"key": key, "value": "v"}
        got = run(set_cookie_header, impl.classes.Response(), kwargs)
        assert got == cookie_oracle.starlette(kwargs), key
    for number in range(3 * _cookie_py._KNOWN_KEYS_SIZE // 100):
        for key in [f"k{number}-{index}" for index in range(100)] + ["a b"]:
            kwargs = {"key": key, "value": "v"}
            assert run(set_cookie_header, impl.classes.Response(), kwargs) == cookie_oracle.starlette(kwargs)
        assert len(_cookie_py._known_keys) <= _cookie_py._KNOWN_KEYS_SIZE


def test_expires_non_utc_datetime_value_error_kept(impl, oracle, run):
    for when in (datetime(2030, 1, 1), datetime(2030, 1, 1, tzinfo=timezone(timedelta(hours=1)))):
        expected = run(oracle.Response().set_cookie, "a", expires=when)
        got = run(impl.classes.Response().set_cookie, "a", expires=when)
        assert expected[0] == "err" and expected[1] is ValueError
        assert got == expected


def test_expires_overflow_like_starlette(impl, oracle, run, frozen_time):
    for offset in (10 ** 400, -(10 ** 400), 10 ** 20, -(10 ** 20)):
        expected = run(oracle.Response().set_cookie, "a", expires=offset)
        got = run(impl.classes.Response().set_cookie, "a", expires=offset)
        assert expected[0] == "err"
        assert got == expected


def test_expires_with_unfrozen_time(impl, oracle):
    """Without a frozen clock the two may straddle a second; they agree within it."""
    import time
    for _ in range(5):
        start = int(time.time())
        got, expected = impl.classes.Response(), oracle.Response()
        got.set_cookie("a", expires=60)
        expected.set_cookie("a", expires=60)
        if int(time.time()) == start:
            assert got.raw_headers == expected.raw_headers
            return
    pytest.skip("the clock kept crossing a second boundary")  # pragma: no cover


def test_time_is_looked_up_per_call(impl, monkeypatch):
    import time
    response = impl.classes.Response()
    monkeypatch.setattr(time, "time", lambda: 0.0)
    response.set_cookie("a", expires=0, path=None, samesite=None)
    monkeypatch.setattr(time, "time", lambda: 86400.0 * 365)
    response.set_cookie("a", expires=0, path=None, samesite=None)
    assert response.raw_headers[-2:] == [
        (b"set-cookie", b'a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT'),
        (b"set-cookie", b'a=""; expires=Fri, 01 Jan 1971 00:00:00 GMT')]
