"""Differential fuzzing in the normal suite, and the refusal contract.

* ``test_regression``: every case the long fuzzer (``fuzz/run.py``) saved in
  ``fuzz/regressions/*.json`` is replayed on each implementation. A record with an
  ``"open"`` key is a known, unfixed finding: its replay is an expected failure
  (strict, so fixing it turns the test red until the key is removed).
* ``test_fuzz_*``: the fuzzer's own case strategies with a bounded number of
  examples (quick): every case runs on the implementation under test, the
  pure-Python reference and starlette, judged by ``fuzzcore.check`` -- the same
  bytes or the same exception type and message between implementations, the same
  bytes or exception type as starlette for valid input, the hardening rules on
  top, and raw_headers untouched by a refused call.
* ``test_refused_*``: every refused input raises the documented type with a
  message naming the field and the reason, and leaves raw_headers exactly as
  they were (the same list, the same items): no partial header is ever appended.

The inputs include arbitrary text (lone surrogates, control characters, latin-1
and not), str subclasses with their own __str__, bytes where str is expected,
ints past 64 bits, negative ints, bool and float where ints are expected,
datetimes in UTC, naive and in other zones, odd header mappings and status codes,
and objects whose __str__, __bool__ or __eq__ raise.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime, timedelta, timezone
from http.cookies import CookieError
from pathlib import Path

import pytest

FUZZ_DIR = Path(__file__).resolve().parent.parent / "fuzz"
if not (FUZZ_DIR / "fuzzcore.py").is_file():  # pragma: no cover - tests outside a checkout
    pytest.skip(f"no fuzz/ directory next to tests/ ({FUZZ_DIR})", allow_module_level=True)
# Only fuzz/ goes on sys.path (never the repository root, so the installed
# fastresp stays the one under test).
sys.path.insert(0, str(FUZZ_DIR))
import fuzzcore  # noqa: E402

from fastresp._common import SameSiteError  # noqa: E402

REGRESSIONS = fuzzcore.load_regressions(str(FUZZ_DIR / "regressions"))


@pytest.fixture(scope="module")
def sides(impl, python_impl, oracle):
    """(the implementations to compare, the starlette side) for fuzzcore.check."""
    impls = [fuzzcore.implementation(impl.name, impl.classes)]
    if impl.name != python_impl.name:
        impls.append(fuzzcore.implementation(python_impl.name, python_impl.classes))
    return impls, fuzzcore.oracle(oracle)


# ---------------------------------------------------------------- regressions


def _regression_params():
    params = []
    for name, record in REGRESSIONS:
        marks = []
        if record.get("open"):
            marks.append(pytest.mark.xfail(reason=f"open finding: {record['open']}",
                                           raises=fuzzcore.Mismatch, strict=True))
        params.append(pytest.param(record, id=name[:-len(".json")], marks=marks))
    return params or [pytest.param(None, marks=pytest.mark.skip(reason="no saved regressions"))]


@pytest.mark.parametrize("record", _regression_params())
def test_regression(sides, record):
    impls, oracle_side = sides
    fuzzcore.check(record["case"], impls, oracle_side)


def test_regression_files_are_well_formed():
    for name, record in REGRESSIONS:
        assert {"signature", "case"} <= set(record), name
        case = record["case"]
        assert case["target"] in fuzzcore.TARGETS, name
        # The file name is the target and a digest of the case, so a case is saved once.
        assert name.startswith(case["target"] + "-"), name
        json.dumps(case, ensure_ascii=True)


# ------------------------------------------------------------- bounded fuzzing

try:
    from hypothesis import HealthCheck, given, settings

    STRATEGIES = fuzzcore.strategies()
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    STRATEGIES = None

if STRATEGIES is not None:
    BOUNDED = settings(max_examples=120, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))

    def _fuzz_test(target):
        @BOUNDED
        @given(case=getattr(STRATEGIES, target))
        def test(sides, case):
            impls, oracle_side = sides
            try:
                fuzzcore.check(case, impls, oracle_side)
            except fuzzcore.Mismatch as mismatch:
                # Anything but a known open finding fails, showing the case as
                # JSON (save it in fuzz/regressions/ to keep it).
                if mismatch.signature in OPEN_SIGNATURES:
                    return
                raise AssertionError(f"{mismatch}\ncase: {fuzzcore.dumps(case)}") from None

        test.__name__ = f"test_fuzz_{target}"
        return test

    #: Signatures of the open findings (see fuzz/regressions): not this test's news.
    OPEN_SIGNATURES = {record["signature"] for _, record in REGRESSIONS if record.get("open")}
    test_fuzz_set_cookie = _fuzz_test("set_cookie")
    test_fuzz_delete_cookie = _fuzz_test("delete_cookie")
    test_fuzz_response = _fuzz_test("response")
    test_fuzz_json = _fuzz_test("json")
    test_fuzz_redirect = _fuzz_test("redirect")
    test_fuzz_init_headers = _fuzz_test("init_headers")


# ------------------------------------------------------------------ the codec


def test_codec_round_trips_odd_values():
    case = {"target": "set_cookie", "now": 1.5, "args": {
        "key": "\ud800\udfff\x00", "value": {"$": "Masked", "v": "a", "s": "\u0100"},
        "max_age": 2 ** 200, "expires": {"$": "datetime", "v": [2020, 2, 29, 1, 2, 3, 4],
                                         "tz": 90, "sub": True},
        "path": {"$": "rep", "v": "/é", "n": 3}, "domain": {"$": "float", "v": "nan"},
        "secure": {"$": "bytes", "v": "00ff"}, "samesite": {"$": "Text", "v": "Lax"}}}
    text = fuzzcore.dumps(case)
    assert text.isascii()
    again = json.loads(text)
    assert again["args"]["key"] == {"$": "cp", "v": [0xD800, 0xDFFF, 0]}  # not joined into one
    assert fuzzcore.dumps(again) == text
    args = {name: fuzzcore.decode(node) for name, node in again["args"].items()}
    assert args["key"] == "\ud800\udfff\x00"
    assert type(args["value"]) is fuzzcore.Masked and str(args["value"]) == "\u0100"
    assert args["max_age"] == 2 ** 200
    assert args["expires"] == datetime(2020, 2, 29, 1, 2, 3, 4, tzinfo=timezone(timedelta(minutes=90)))
    assert type(args["expires"]) is fuzzcore.SubDatetime
    assert args["path"] == "/é/é/é"
    assert math.isnan(args["domain"])
    assert args["secure"] == b"\x00\xff"
    assert type(args["samesite"]) is fuzzcore.Text


def test_check_reports_a_disagreement(python_impl, oracle):
    """The harness itself: a side that answers differently is caught."""
    from types import SimpleNamespace

    class Liar(python_impl.Response):
        def set_cookie(self, key, value="", **kwargs):
            super().set_cookie(key, value + "!", **kwargs)

    liar = fuzzcore.implementation("liar", SimpleNamespace(Response=Liar))
    case = {"target": "set_cookie", "args": {"key": "k", "value": "v"}}
    fuzzcore.check(case, [fuzzcore.implementation("python", python_impl.classes)],
                   fuzzcore.oracle(oracle))
    with pytest.raises(fuzzcore.Mismatch, match="other bytes than starlette"):
        fuzzcore.check(case, [liar], fuzzcore.oracle(oracle))
    with pytest.raises(fuzzcore.Mismatch, match="differ"):
        fuzzcore.check(case, [liar, fuzzcore.implementation("python", python_impl.classes)],
                       fuzzcore.oracle(oracle))


# ---------------------------------------------------------------- refusals
#
# (call, exception type, words the message must hold). Each call is made on a
# response that already has headers; the refusal must leave them as they were.

A_LOT = "x" * 5000


def _masked(data, shown):
    value = fuzzcore.Masked(data)
    value.shown = shown
    return value


COOKIE_REFUSALS = [
    # control characters: CookieError naming the field
    (dict(key="k", value="a\nb"), CookieError, ["cookie value", "control characters"]),
    (dict(key="k", value=fuzzcore.Obj("\x00")), CookieError, ["cookie value", "control"]),
    (dict(key="k", value=A_LOT + "\x7f"), CookieError, ["cookie value", "control"]),
    (dict(key="k", path="/\r"), CookieError, ["cookie path", "control"]),
    (dict(key="k", domain="a\tb"), CookieError, ["cookie domain", "control"]),
    (dict(key="k", expires="x\x1f"), CookieError, ["cookie expires", "control"]),
    (dict(key="k", max_age="1\n"), CookieError, ["cookie max_age", "control"]),
    (dict(key="k", samesite=_masked("Lax", "La\x0bx")), CookieError, ["cookie samesite", "control"]),
    (dict(key="k", path="/", samesite=None, max_age=fuzzcore.Obj("\n")), CookieError,
     ["cookie max_age", "control"]),
    # names
    (dict(key="a b"), CookieError, ["Illegal key", "'a b'"]),
    (dict(key=""), CookieError, ["Illegal key"]),
    (dict(key="k\n"), CookieError, ["Illegal key"]),
    (dict(key="Max-Age"), CookieError, ["reserved key", "'Max-Age'"]),
    (dict(key="EXPIRES"), CookieError, ["reserved key"]),
    # samesite
    (dict(key="k", samesite="bogus"), SameSiteError, ["samesite", "'strict', 'lax' or 'none'"]),
    (dict(key="k", samesite=""), SameSiteError, ["samesite"]),
    # not latin-1: UnicodeEncodeError whose reason names the field
    (dict(key="k", value="\u0100"), UnicodeEncodeError, ["in cookie value"]),
    (dict(key="k", path="/\u20ac"), UnicodeEncodeError, ["in cookie path"]),
    (dict(key="k", domain="\ud800"), UnicodeEncodeError, ["in cookie domain"]),
    (dict(key="k", expires="\u0100"), UnicodeEncodeError, ["in cookie expires"]),
    (dict(key="k", max_age="\u0100"), UnicodeEncodeError, ["in cookie max_age"]),
    (dict(key="k", samesite=fuzzcore.Masked("lax"), path=None), None, None),  # accepted
    # dates and offsets starlette refuses
    (dict(key="k", expires=datetime(2020, 1, 1)), ValueError, ["UTC"]),
    (dict(key="k", expires=datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
     ValueError, ["UTC"]),
    (dict(key="k", expires=10 ** 400), OverflowError, []),
]

HEADER_REFUSALS = [
    (dict(headers={"x-a": "1\r\n"}), ValueError, ["value of header 'x-a'", "CR, LF or NUL"]),
    (dict(headers={"x-a\n": "1"}), ValueError, ["header name", "CR, LF or NUL"]),
    (dict(headers={"ok": "v", "x-b": "\0"}), ValueError, ["value of header 'x-b'"]),
    (dict(headers={"x-a": A_LOT + "\n"}), ValueError, ["value of header 'x-a'", "..."]),
    (dict(media_type="text/html\r\nx: y"), ValueError, ["media_type", "CR, LF or NUL"]),
    (dict(headers={"x-\u0100": "v"}), UnicodeEncodeError, ["header name"]),
    (dict(headers={"x-a": "\u20ac"}), UnicodeEncodeError, ["value of header 'x-a'"]),
    (dict(media_type="text/\u0100"), UnicodeEncodeError, ["media_type"]),
]


def _call_cookie(response, kwargs, method="set_cookie"):
    getattr(response, method)(**kwargs)


# delete_cookie takes only some of set_cookie's arguments: each refusal runs on
# every method that accepts its arguments.
_DELETE_ARGUMENTS = {"key", "path", "domain", "samesite"}
_REFUSED_COOKIE_CASES = [
    pytest.param(kwargs, error, words, method, id=f"{method}-cookie{index}")
    for method in ("set_cookie", "delete_cookie")
    for index, (kwargs, error, words) in enumerate(COOKIE_REFUSALS)
    if method == "set_cookie" or set(kwargs) <= _DELETE_ARGUMENTS
]


@pytest.mark.parametrize("kwargs,error,words,method", _REFUSED_COOKIE_CASES)
def test_refused_cookie(impl, python_impl, frozen_time, kwargs, error, words, method):
    results = []
    for side in (impl, python_impl):
        response = side.Response(b"body", headers={"x-pre": "1"})
        response.set_cookie("first", "1")
        raw = response.raw_headers
        before = list(raw)
        if error is None:
            _call_cookie(response, kwargs, method)
            assert len(raw) == len(before) + 1 and raw[:-1] == before
            results.append(("ok", raw[-1]))
            continue
        with pytest.raises(error) as caught:
            _call_cookie(response, kwargs, method)
        assert type(caught.value) is error, caught.value
        message = str(caught.value)
        for word in words:
            assert word in message, (word, message)
        assert len(message) < 400, "the message must stay readable for huge values"
        assert response.raw_headers is raw and raw == before, "a refused call changed raw_headers"
        assert all(type(name) is bytes and type(value) is bytes for name, value in raw)
        results.append(("err", type(caught.value), message))
    assert results[0] == results[1], "the implementations differ"


@pytest.mark.parametrize("kwargs,error,words", HEADER_REFUSALS,
                         ids=[f"header{index}" for index in range(len(HEADER_REFUSALS))])
def test_refused_headers(impl, python_impl, kwargs, error, words):
    results = []
    for side in (impl, python_impl):
        for cls in (side.Response, side.HTMLResponse, side.PlainTextResponse):
            with pytest.raises(error) as caught:
                cls(b"body", **kwargs)
            message = str(caught.value)
            for word in words:
                assert word in message, (word, message)
            assert len(message) < 400
            results.append((type(caught.value), message))
        if "headers" in kwargs:
            with pytest.raises(error):
                side.JSONResponse({"a": 1}, **kwargs)
            with pytest.raises(error):
                side.RedirectResponse("/x", headers=kwargs["headers"])
            # init_headers on a built response: refused, raw_headers untouched
            response = side.Response(b"body", headers={"x-pre": "1"})
            raw = response.raw_headers
            before = list(raw)
            with pytest.raises(error):
                response.init_headers(kwargs["headers"])
            assert response.raw_headers is raw and raw == before
    assert len(set(results)) == 1, results


def test_refused_redirect_location_header(impl):
    """A given location header with CR/LF is refused even though the redirect would
    replace it (the hardening looks at every given header)."""
    with pytest.raises(ValueError, match="location"):
        impl.RedirectResponse("/ok", headers={"location": "/a\r\nx: y"})


def test_no_partial_header_after_many_refusals(impl, frozen_time):
    """A response that saw every kind of refusal holds exactly what the accepted
    calls wrote, in order."""
    response = impl.Response(b"body", headers={"x-pre": "1"})
    expected = list(response.raw_headers)
    for kwargs, error, _ in COOKIE_REFUSALS:
        if error is None:
            continue
        with pytest.raises(error):
            response.set_cookie(**kwargs)
        response.set_cookie("ok", "1")
        expected.append((b"set-cookie", b"ok=1; Path=/; SameSite=lax"))
    assert response.raw_headers == expected
