"""The differential suite: hypothesis-generated calls, starlette as the oracle.

Every generated case (``oracle.strategies()``: one strategy per target --
set_cookie, delete_cookie, response, json, redirect, init_headers) runs on the
implementation under test, on the pure-Python reference (on the compiled run
only: the reference is not compared with itself) and on starlette, and is judged
by ``oracle.check``: the same bytes or the same exception type and message
between implementations, the same bytes or exception type as starlette for valid
input with fastresp's hardening on top, ``cookie_value`` equal to the header
``set_cookie`` appends, the same answer on a second run (warm caches), and
raw_headers untouched by a refused call.

The long fuzz run (``tests/fuzz.py``) runs the very same check on the very same
strategies, for minutes instead of a bounded number of examples, and saves what
it finds to tests/regressions/, which ``test_regression`` replays here. A record
with an ``"open"`` key is a known, unfixed finding: its replay is an expected
failure (strict, so fixing it turns the test red until "open" becomes "fixed").

The exhaustive tests below walk whole small domains (every status code, every
latin-1 character...) through ``oracle.check_response`` / ``oracle.check_cookie``.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings

import oracle
from oracle import check_cookie, check_response

REGRESSIONS = oracle.load_regressions()
STRATEGIES = oracle.strategies()
# About as many examples as the two suites this one replaces ran together (2,370).
EXAMPLES = settings(max_examples=400, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
#: Signatures of the open findings (see tests/regressions): not this suite's news.
OPEN_SIGNATURES = {record["signature"] for _, record in REGRESSIONS if record.get("open")}


@pytest.fixture(scope="module")
def sides(impl, references):
    """The implementations oracle.check compares: impl, then its references."""
    return [impl, *references]


# ---------------------------------------------------------------- regressions


def _regression_params():
    params = []
    for name, record in REGRESSIONS:
        marks = []
        if record.get("open"):
            marks.append(pytest.mark.xfail(reason=f"open finding: {record['open']}",
                                           raises=oracle.Mismatch, strict=True))
        params.append(pytest.param(record, id=name[:-len(".json")], marks=marks))
    return params


@pytest.mark.parametrize("record", _regression_params())
def test_regression(sides, record):
    oracle.check(record["case"], sides)


def test_regression_files_are_well_formed():
    assert REGRESSIONS, f"no saved regressions in {oracle.REGRESSIONS}"
    for name, record in REGRESSIONS:
        assert {"signature", "case"} <= set(record), name
        # Curated: a finding is either still open or fixed (each with its words).
        assert ("open" in record) != ("fixed" in record), \
            f"{name}: mark it \"open\": \"<what is wrong>\" or \"fixed\": \"<what it was>\""
        assert isinstance(record.get("open", record.get("fixed")), str) and \
            record.get("open", record.get("fixed")), name
        case = record["case"]
        assert case["target"] in oracle.TARGETS, name
        # The file name is the target and a digest of the case, so a case is saved once.
        assert name.startswith(case["target"] + "-"), name
        json.dumps(case, ensure_ascii=True)


# --------------------------------------------------------------- generated


def _case_test(target, *examples):
    @EXAMPLES
    @given(case=getattr(STRATEGIES, target))
    def test(sides, case):
        try:
            oracle.check(case, sides)
        except oracle.Mismatch as mismatch:
            # Anything but a known open finding fails, showing the case as JSON
            # (tests/fuzz.py saves such cases in tests/regressions/).
            if mismatch.signature in OPEN_SIGNATURES:
                return
            raise AssertionError(f"{mismatch}\ncase: {oracle.dumps(case)}") from None

    for case in examples:
        test = example(case={"target": target, **case})(test)
    test.__name__ = f"test_{target}"
    return test


def _utc(*fields):
    return {"$": "datetime", "tz": "utc", "v": list(fields) + [0] * (7 - len(fields))}


test_set_cookie = _case_test(
    "set_cookie",
    {"args": {"key": "a", "value": "b", "partitioned": True, "max_age": "5 ", "path": None,
              "samesite": None}},
    {"args": {"key": "a", "expires": 10 ** 400}},
    {"args": {"key": "a", "expires": {"$": "datetime", "tz": None, "v": [2000, 1, 1, 0, 0, 0, 0]}}},
    {"args": {"key": "a", "expires": _utc(1969, 12, 30)}},
    {"args": {"key": "a", "value": "\ud800"}},
    {"args": {"key": {"$": "OwnStr", "v": "k"}, "value": {"$": "Obj", "s": "\n"}}},
    {"args": {"key": "a", "path": "/\u3000", "samesite": None}},
    # int expires against odd clocks
    {"now": 0.0, "args": {"key": "k", "expires": -(10 ** 11), "path": None, "samesite": None}},
    {"now": 3999999999.5, "args": {"key": "k", "expires": 10 ** 11, "path": None,
                                   "samesite": None}},
)
test_delete_cookie = _case_test("delete_cookie")
test_response = _case_test(
    "response",
    {"args": {"cls": "Response", "content": {"$": "bytes", "v": "616263"}, "status_code": 2 ** 70,
              "headers": {"$": "dict", "items": [["Content-Length", "9"]]},
              "media_type": "text/plain", "charset": "utf-8"}},
    {"args": {"cls": "PlainTextResponse", "content": "\xe9", "status_code": 200,
              "headers": {"$": "dict", "items": [["x", "a\r\nb"]]}, "charset": "latin-1"}},
    {"args": {"cls": "Response", "content": None, "status_code": 304,
              "headers": {"$": "dict", "items": [["X-\u212a", "v"]]}, "media_type": "TEXT/plain"}},
)
test_json = _case_test("json")
test_redirect = _case_test(
    "redirect",
    {"args": {"url": "/a b", "status_code": 302, "headers": {
        "$": "Headers", "items": [["location", "/1"], ["x", "y"], ["location", "/2"]]}}},
    {"args": {"url": "/\ud800", "status_code": 307}},
)
test_init_headers = _case_test("init_headers")


# ------------------------------------------------------------------ the codec


def test_codec_round_trips_odd_values():
    case = {"target": "set_cookie", "now": 1.5, "args": {
        "key": "\ud800\udfff\x00", "value": {"$": "OwnStr", "v": "a", "s": "\u0100"},
        "max_age": 2 ** 200, "expires": {"$": "datetime", "v": [2020, 2, 29, 1, 2, 3, 4],
                                         "tz": 90, "sub": True},
        "path": {"$": "rep", "v": "/é", "n": 3}, "domain": {"$": "float", "v": "nan"},
        "secure": {"$": "bytes", "v": "00ff"}, "samesite": {"$": "Text", "v": "Lax"}}}
    text = oracle.dumps(case)
    assert text.isascii()
    again = json.loads(text)
    assert again["args"]["key"] == {"$": "cp", "v": [0xD800, 0xDFFF, 0]}  # not joined into one
    assert oracle.dumps(again) == text
    args = {name: oracle.decode(node) for name, node in again["args"].items()}
    assert args["key"] == "\ud800\udfff\x00"
    assert type(args["value"]) is oracle.OwnStr and str(args["value"]) == "\u0100"
    assert args["max_age"] == 2 ** 200
    assert args["expires"] == datetime(2020, 2, 29, 1, 2, 3, 4, tzinfo=timezone(timedelta(minutes=90)))
    assert type(args["expires"]) is oracle.SubDatetime
    assert args["path"] == "/é/é/é"
    assert math.isnan(args["domain"])
    assert args["secure"] == b"\x00\xff"
    assert type(args["samesite"]) is oracle.Text


def test_check_reports_a_disagreement(python_impl):
    """The harness itself: a side that answers differently is caught."""
    class Liar(python_impl.classes.Response):
        def set_cookie(self, key, value="", **kwargs):
            super().set_cookie(key, value + "!", **kwargs)

    liar = SimpleNamespace(name="liar", classes=SimpleNamespace(Response=Liar), cookie=None)
    case = {"target": "set_cookie", "args": {"key": "k", "value": "v"}}
    oracle.check(case, [python_impl])
    with pytest.raises(oracle.Mismatch, match="other bytes than starlette"):
        oracle.check(case, [liar])
    with pytest.raises(oracle.Mismatch, match="differ"):
        oracle.check(case, [liar, python_impl])
    # cookie_value must write what set_cookie appends
    lying_cookie = SimpleNamespace(cookie_value=lambda **kwargs: b"k=other")
    with pytest.raises(oracle.Mismatch, match="cookie_value gives"):
        oracle.check(case, [SimpleNamespace(name="python", classes=python_impl.classes,
                                            cookie=lying_cookie)])


# ------------------------------------------------------------ exhaustive


def test_every_status_code(impl, references):
    for status_code in [*range(0, 1000), 2 ** 31, 2 ** 63, 2 ** 64, -(2 ** 63) - 1]:
        for content in (b"", b"body"):
            check_response(impl, references, lambda c: c.Response(content, status_code=status_code))


def test_every_latin1_character_in_headers(impl, references):
    for code in range(256):
        char = chr(code)
        headers = {"X-" + char + char.upper(): "v" + char}
        got = check_response(impl, references, lambda c: c.Response(b"", headers=headers), headers)
        if char in oracle.HEADER_FORBIDDEN:
            assert got[0] == "err" and got[1] is ValueError, code
        elif got[0] == "err":
            assert "header name" in got[2]  # fastresp's message names the header


def test_every_latin1_character_in_cookie_value(impl, references, frozen_time):
    for code in range(256):
        check_cookie(impl, references, {"key": "k", "value": "a" + chr(code) + "b",
                                        "samesite": None, "path": None})


def test_every_latin1_character_in_cookie_attributes(impl, references, frozen_time):
    for code in range(256):
        char = chr(code)
        for kwargs in ({"key": "k", "path": "/" + char}, {"key": "k", "domain": char},
                       {"key": "k", "max_age": char}, {"key": "k", "expires": char + "x"},
                       {"key": "k" + char},
                       {"key": "k", "path": "/" + char, "samesite": None}):
            check_cookie(impl, references, kwargs)


def test_every_expires_datetime_field(impl, references, frozen_time):
    moments = [datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
               for year in (1, 999, 1000, 1582, 1900, 1969, 1970, 2000, 2024, 2100, 9999)
               for month, day in ((1, 1), (2, 28), (12, 31))
               for hour, minute, second in ((0, 0, 0), (23, 59, 59))]
    moments.append(datetime(2024, 2, 29, 12, 30, 15, 999999, tzinfo=timezone.utc))
    for when in moments:
        assert check_cookie(impl, references, {"key": "k", "value": "v", "expires": when})[0] == "ok"


def test_json_content_lengths(impl, references):
    for size in (0, 1, 10, 4094, 4095, 4096, 70000):
        assert check_response(impl, references, lambda c: c.JSONResponse({"k": "x" * size}))[0] == "ok"
    # ["é…é"]: 2 brackets, 2 quotes and 100 two-byte characters.
    assert impl.classes.JSONResponse(["é" * 100]).raw_headers[0] == (b"content-length", b"204")
