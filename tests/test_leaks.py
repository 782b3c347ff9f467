"""No leaks: a few hundred thousand constructions, JSON renders, cookie sets, deletes
and refused calls (every error path) leave memory where it was, on both implementations.

Three views, each after a warm-up that fills every bounded cache (content-length
and content-type headers, dates, construction plans):

* tracemalloc: the traced Python heap (where CPython and Cython allocate every
  object) does not grow between two snapshots taken around the workload;
* RSS (/proc/self/statm, or ru_maxrss where there is no /proc): the process does
  not grow either, which also covers C-level allocations outside tracemalloc;
* reference counts (CPython): the argument objects passed again and again hold
  no extra reference afterwards (a missing Py_DECREF in an error path shows up
  here long before it shows in memory).

No timing assertions; the workload is sized to stay well under 30 s a run.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
from datetime import datetime, timedelta, timezone
from http.cookies import CookieError

import pytest
from oracle import DELETE_PARTITIONED, SET_PARTITIONED, Obj, OwnStr  # tests/ is on sys.path: see helpers.py
from starlette.datastructures import Headers

CPYTHON = platform.python_implementation() == "CPython"

#: Rounds of the workload (each about 55 operations): warm-up, then measured.
WARMUP_ROUNDS = 1_500
TRACED_ROUNDS = 1_500        # ~70,000 operations under tracemalloc
RSS_ROUNDS = 6_000           # ~270,000 operations
#: Growth allowed over the measured rounds: far below one small object per call.
TRACED_LIMIT = 64 * 1024
RSS_LIMIT = (3 if CPYTHON else 24) * 1024 * 1024


UTC_MOMENT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
OTHER_ZONE = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
NAIVE = datetime(2030, 1, 2, 3, 4, 5)
HEADERS = {"X-Request-Id": "abc", "Cache-Control": "no-store", "x-latin": "caf\xe9"}
RAW_HEADERS = Headers(raw=[(b"x-a", b"1"), (b"content-type", b"a/b")])
BIG_BODY = b"z" * 10_000   # past the content-length cache
MEDIA_TYPES = ["text/x-%d" % index for index in range(100)]

#: Calls that must be refused, with the error they raise (every error path).
REFUSED_COOKIES = [
    (dict(key="k", value="a\nb"), CookieError),
    (dict(key="k", path="/\x00"), CookieError),
    (dict(key="k", domain="a\x7f"), CookieError),
    (dict(key="k", max_age="1\t"), CookieError),
    (dict(key="k", expires="\r"), CookieError),
    (dict(key="a b", value="v"), CookieError),
    (dict(key="expires", value="v"), CookieError),
    (dict(key="k", samesite="bogus"), AssertionError),
    (dict(key="k", value="\u0100"), UnicodeEncodeError),
    (dict(key="k", path="/\u20ac" * 50), UnicodeEncodeError),
    (dict(key="k", domain="\ud800"), UnicodeEncodeError),
    (dict(key="k", expires=10 ** 400), OverflowError),
    (dict(key="k", expires=NAIVE), ValueError),
    (dict(key="k", expires=OTHER_ZONE), ValueError),
    (dict(key=b"k", value="v"), TypeError),
    (dict(key=["k"], value="v"), Exception),
]
REFUSED_RESPONSES = [
    (dict(headers={"x-a": "1\r\n2"}), ValueError),
    (dict(headers={"x-\u0100": "1"}), UnicodeEncodeError),
    (dict(headers={"x-a": "\u20ac"}), UnicodeEncodeError),
    (dict(headers={"x-a": 5}), AttributeError),
    (dict(media_type="text/html\n"), ValueError),
    (dict(media_type="text/\u0100"), UnicodeEncodeError),
    (dict(content="\ud800"), UnicodeEncodeError),
    (dict(content=12), AttributeError),
    (dict(status_code=None), TypeError),
]
#: JSON documents: the compiled writer's heap buffer (past its stack buffer), big
#: ints, every string kind, one handed to json, and every refusal.
_CYCLE: list = [1]
_CYCLE.append(_CYCLE)
JSON_DOCUMENTS = [
    {"rows": [{"id": index, "name": "caf\xe9 %d" % index, "score": index / 3, "ok": None}
              for index in range(200)]},
    [2 ** 70, -(2 ** 63), -0.5, 1e+16, "caf\xe9 \u20ac \U0001f600\n\x01", (None, True, False)],
    {1: OwnStr("handed to json")},
]
REFUSED_JSON = [
    ([1.5, float("nan")], ValueError),
    (["a", "\ud800"], UnicodeEncodeError),
    (_CYCLE, ValueError),
    ({(1,): 2}, TypeError),
    ([Obj("obj")], TypeError),
    ([10 ** 5000], ValueError),
]


def workload(impl, rounds):
    """rounds x about 55 operations: every construction path, JSON documents both
    written and handed to json, the cookie fast and
    reference paths, deletes, and every refusal. Returns the number of calls."""
    calls = 0
    Response, HTMLResponse = impl.classes.Response, impl.classes.HTMLResponse
    PlainTextResponse, JSONResponse, RedirectResponse = (
        impl.classes.PlainTextResponse, impl.classes.JSONResponse, impl.classes.RedirectResponse)
    for index in range(rounds):
        # Every cached value (content-length, content-type, date) the measured rounds
        # use is made during the warm-up, so the bounded caches hold the same
        # entries before and after: any growth is a leak.
        Response(b"x" * (index % 97))
        Response("text \xe9", headers=HEADERS)
        HTMLResponse("<p>\u20ac</p>", status_code=404)
        PlainTextResponse(BIG_BODY, media_type=MEDIA_TYPES[index % len(MEDIA_TYPES)])
        Response(memoryview(b"mv"), status_code=204)
        Response(None, status_code=2 ** 70, headers=RAW_HEADERS)
        JSONResponse({"a": [1, 2, index]})
        for content in JSON_DOCUMENTS:
            JSONResponse(content)
        for content, error in REFUSED_JSON:
            try:
                JSONResponse(content)
            except error:
                pass
            else:  # pragma: no cover
                raise AssertionError(f"not refused: {content!r}")
        calls += len(JSON_DOCUMENTS) + len(REFUSED_JSON)
        RedirectResponse("/a b?c=\xe9")
        RedirectResponse("/plain/path", headers={"Location": "/x", "x": "y"})
        response = Response(b"body")
        response.set_cookie("session", "v%d" % index, max_age=3600, expires=index % 50,
                            path="/", domain="example.org", secure=True, httponly=True,
                            samesite="strict", **SET_PARTITIONED)
        response.set_cookie("k", "a b\xe9\"", expires=UTC_MOMENT)
        response.set_cookie("k", OwnStr("x"), max_age=2 ** 70, expires=-(10 ** 9), path=Obj("obj"))
        response.set_cookie("k", "v", max_age=-5, expires="Wed, 21 Oct 2015 07:28:00 GMT",
                            samesite="None", path="/p ")
        response.set_cookie("k", 12.5, max_age=1.5, expires=True, domain="")
        response.delete_cookie("k")
        response.delete_cookie("k", path="/x", domain="example.org", secure=True,
                               httponly=True, samesite=None, **DELETE_PARTITIONED)
        impl.cookie.cookie_value("k", "v", 10, 20)
        calls += 18
        for kwargs, error in REFUSED_COOKIES:
            try:
                response.set_cookie(**kwargs)
            except error:
                pass
            else:  # pragma: no cover
                raise AssertionError(f"not refused: {kwargs}")
        try:
            response.delete_cookie("k", domain="\n")
        except CookieError:
            pass
        for kwargs, error in REFUSED_RESPONSES:
            try:
                Response(**{"content": b"", **kwargs})
            except error:
                pass
            else:  # pragma: no cover
                raise AssertionError(f"not refused: {kwargs}")
        try:
            response.init_headers({"x": "\n"})
        except ValueError:
            pass
        calls += len(REFUSED_COOKIES) + len(REFUSED_RESPONSES) + 2
        assert len(response.raw_headers) == 8  # content-length and the 7 accepted cookies
    return calls


def _collect():
    for _ in range(3):
        gc.collect()


def _rss():
    """Resident set size in bytes (current where /proc has it, else the peak)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - no /proc
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@pytest.fixture
def warmed(impl, frozen_time):
    workload(impl, WARMUP_ROUNDS)
    _collect()
    return impl


@pytest.mark.skipif(not CPYTHON, reason="tracemalloc traces CPython's allocators only")
def test_no_growth_traced(warmed):
    import tracemalloc

    tracemalloc.start(4)
    try:
        workload(warmed, 50)   # tracemalloc's own first-use allocations
        _collect()
        before = tracemalloc.take_snapshot()
        calls = workload(warmed, TRACED_ROUNDS)
        _collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__),
              tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]
    stats = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "traceback")
    growth = sum(stat.size_diff for stat in stats)
    top = "\n".join(f"{stat}\n" + "\n".join(stat.traceback.format()) for stat in stats[:5])
    assert calls > 60_000
    assert growth < TRACED_LIMIT, f"traced heap grew by {growth} bytes over {calls} calls:\n{top}"


def test_no_growth_rss(warmed):
    before = _rss()
    calls = workload(warmed, RSS_ROUNDS)
    _collect()
    growth = _rss() - before
    assert calls > 250_000
    assert growth < RSS_LIMIT, f"RSS grew by {growth / 2 ** 20:.1f} MiB over {calls} calls"


@pytest.mark.skipif(not CPYTHON, reason="reference counts are a CPython notion")
def test_arguments_hold_no_extra_references(impl, frozen_time):
    # Fresh objects (not interned, not cached anywhere) passed over and over.
    key, value = "".join(["se", "ssion"]), "".join(["va", "lue \xe9"])
    path, domain, samesite = "".join(["/", "p"]), "".join(["exa", "mple.org"]), "".join(["La", "x"])
    own, big = OwnStr("x"), 2 ** 70 + 1
    bad_value, bad_path = "".join(["a\n", "b"]), "".join(["/\u20ac", "x"])
    body, text, url = b"".join([b"bo", b"dy"]), "".join(["te", "xt"]), "".join(["/a", " b"])
    headers = {"".join(["x-", "a"]): "".join(["1", "2"])}
    bad_headers = {"x-b": "".join(["1\r", "2"])}
    status = 200 + int("1")
    number = 0.5 + int("1")
    document = {key: [big, text, number, own, None], value: (status,)}
    refused_document = [text, number, float("nan")]
    objects = [key, value, path, domain, samesite, own, big, bad_value, bad_path, body, text,
               url, headers, bad_headers, status, UTC_MOMENT, NAIVE, number, document,
               refused_document]

    def calls():
        response = impl.classes.Response(body, status_code=status, headers=headers)
        impl.classes.HTMLResponse(text, headers=headers)
        impl.classes.RedirectResponse(url, headers=headers)
        impl.classes.JSONResponse(document, headers=headers)
        impl.classes.JSONResponse(document[key])
        try:
            impl.classes.JSONResponse(refused_document)
        except ValueError:
            pass
        response.set_cookie(key, value, max_age=big, expires=UTC_MOMENT, path=path,
                            domain=domain, samesite=samesite)
        response.set_cookie(key, own, max_age=status, expires=status, path=path)
        response.delete_cookie(key, path=path, domain=domain)
        for kwargs in (dict(value=bad_value), dict(path=bad_path), dict(expires=NAIVE),
                       dict(samesite=value), dict(domain=bad_value, samesite=samesite)):
            try:
                response.set_cookie(key, **kwargs)
            except (CookieError, UnicodeEncodeError, ValueError, AssertionError):
                pass
        for kwargs in (dict(headers=bad_headers), dict(media_type=bad_value),
                       dict(media_type=bad_path)):
            try:
                impl.classes.Response(body, **kwargs)
            except (ValueError, UnicodeEncodeError):
                pass

    calls()
    _collect()
    before = [sys.getrefcount(obj) for obj in objects]
    for _ in range(20_000):
        calls()
    _collect()
    after = [sys.getrefcount(obj) for obj in objects]
    leaked = {repr(obj)[:40]: a - b for obj, a, b in zip(objects, after, before) if a != b}
    assert not leaked, f"references gained over 20,000 rounds: {leaked}"
