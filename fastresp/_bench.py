"""``python -m fastresp bench``: starlette against fastresp, standard library only.

Each case below is one statement run against two sets of response classes
(starlette's own, and fastresp's built on one implementation), with the lowest
ratio each implementation must reach on it, its floor (``--check`` fails when
one is missed; the plain report only shows the ratios). The pytest-benchmark
suite in ``bench/`` imports the same table, so the two cannot drift apart.

How it measures, the same way for every side:

* the statement is compiled into its own ``for`` loop (as ``timeit`` does), in a
  fresh function per case and side, so no call overhead is added per operation
  and PyPy traces each side on its own;
* garbage collection stays enabled for every side (``timeit`` disables the
  collector instead); a full ``gc.collect()`` runs once before calibrating and,
  on CPython, a collection of the youngest generation before every timed batch
  (a full one costs several batches; on PyPy every collection is a full one, so
  there it runs only the once);
* ``time.perf_counter_ns`` brackets a batch of iterations calibrated per side to
  last about ``--batch-ms`` (1 ms), after a warm-up;
* rounds are interleaved: every round times each case once and, within it, each
  side once, the order of the sides reversed from one round to the next;
* a side's time is the minimum over the rounds (101) of its ns per operation
  (``--statistic median`` for the median; ``--json`` holds both); ratio =
  starlette / fastresp. The minimum is the default because on a shared, busy
  machine it is the statistic that stays put from run to run: short batches and
  many rounds give each side some batches that nothing else interrupted, while
  the median moves with the load of the moment.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from http.cookies import CookieError
from itertools import repeat
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import starlette
import starlette.responses as _starlette

from . import __version__, _impl, _install
from .responses import make_classes

# ------------------------------------------------------------------------ cases

CONSTRUCT = "construct"
COOKIE = "cookie"
ASGI = "asgi"
ENCODER = "encoder"
HEADERS = "headers"

#: Floors on PyPy (the pure-Python implementation against starlette, both
#: JIT-compiled), by kind of case: cookie cases >= 5, everything else never
#: slower.
PYPY_FLOORS = {CONSTRUCT: 1.0, COOKIE: 5.0, ASGI: 1.0, ENCODER: 1.0, HEADERS: 1.0}


@dataclass(frozen=True)
class Case:
    """One benchmark: ``stmt`` runs once per operation with the names of
    ``namespace()`` in scope; ``result`` is evaluated after one run to check that
    starlette and fastresp did the same work."""

    name: str          # identifier: pytest ids, --json
    label: str         # the table's first column
    kind: str          # CONSTRUCT, COOKIE, ASGI, ENCODER or HEADERS: which PyPy floor applies
    compiled: float    # floor ratio for the compiled modules
    fallback: float    # floor ratio for the pure-Python implementation on CPython
    stmt: str
    result: str = "(_r.status_code, _r.body, _r.raw_headers)"

    def floor(self, impl: str) -> float:
        """The floor ratio for *impl* ("cython" or "python") on this interpreter."""
        if impl == "cython":
            return self.compiled
        if platform.python_implementation() == "CPython":
            return self.fallback
        return PYPY_FLOORS[self.kind]


_RESET = "r.raw_headers = []\n"
_COOKIES = "r.raw_headers"
_FRESH = '_r = Response(b"hello", media_type="text/plain")\n_h = _r.headers\n'
_RAW = "_r.raw_headers"

CASES: Tuple[Case, ...] = (
    Case("bytes", 'Response(b"hello world")', CONSTRUCT, 2.5, 1.0,
         '_r = Response(b"hello world")'),
    Case("str_media_type", 'Response(str, media_type)', CONSTRUCT, 2.5, 1.0,
         '_r = Response("hello world", media_type="text/plain")'),
    Case("html", 'HTMLResponse("<p>hi</p>")', CONSTRUCT, 2.5, 1.0,
         '_r = HTMLResponse("<p>hi</p>")'),
    Case("headers_2", "Response + 2 headers", CONSTRUCT, 2.5, 1.0,
         '_r = Response(b"hello", headers=headers_2, media_type="application/json")'),
    Case("headers_8", "Response + 8 headers", CONSTRUCT, 2.5, 1.0,
         '_r = Response(b"hello", headers=headers_8, media_type="application/json")'),
    Case("bytes_64k", "Response(64 KiB bytes)", CONSTRUCT, 2.5, 1.0,
         "_r = Response(body_64k)",
         "(_r.status_code, _r.body is body_64k, _r.raw_headers)"),
    Case("json", "JSONResponse(small dict)", CONSTRUCT, 3.0, 1.2,
         '_r = JSONResponse({"a": 1, "b": [1, 2, 3]})'),
    Case("json_404", "JSONResponse(detail, 404)", CONSTRUCT, 3.0, 1.2,
         '_r = JSONResponse({"detail": "Not Found"}, status_code=404)'),
    Case("json_rows", "JSONResponse(20 rows)", CONSTRUCT, 3.0, 1.2,
         "_r = JSONResponse(rows_20)"),
    Case("json_1mb", "JSONResponse(~1 MB document)", CONSTRUCT, 2.5, 1.2,
         "_r = JSONResponse(doc_1mb)"),
    Case("redirect", 'RedirectResponse("/next?x=1")', CONSTRUCT, 2.0, 1.0,
         '_r = RedirectResponse("/next?x=1")'),
    Case("set_cookie", "set_cookie (plain)", COOKIE, 25.0, 4.0,
         _RESET + 'r.set_cookie("session", "abc123", max_age=3600, httponly=True, secure=True)',
         _COOKIES),
    Case("set_cookie_quoted", "set_cookie (quoted + attrs)", COOKIE, 10.0, 3.0,
         _RESET + 'r.set_cookie("prefs", "a b;c", path="/app", domain="example.com", '
         'samesite="strict")',
         _COOKIES),
    Case("delete_cookie", 'delete_cookie("session")', COOKIE, 25.0, 4.0,
         _RESET + 'r.delete_cookie("session")',
         _COOKIES),
    Case("three_cookies", "Response + 3 cookies", COOKIE, 15.0, 3.0,
         '_r = Response(b"ok")\n'
         '_r.set_cookie("session", "abc123", httponly=True)\n'
         '_r.set_cookie("theme", "dark", max_age=31536000)\n'
         '_r.delete_cookie("old")'),
    Case("asgi_cycle", "ASGI cycle + 2 cookies", ASGI, 10.0, 2.0,
         '_r = Response(b"hello world", media_type="text/plain")\n'
         '_r.set_cookie("session", "abc123", httponly=True)\n'
         '_r.set_cookie("csrf", "token", samesite="strict")\n'
         "_c = _r(scope, receive, send)\n"
         "try:\n"
         "    _c.send(None)\n"
         "except StopIteration:\n"
         "    pass\n"
         "else:\n"
         "    raise RuntimeError('the response awaited something real')"),
    Case("throwaway", "FastAPI's throw-away Response()", HEADERS, 4.0, 1.0,
         '_r = Response()\ndel _r.headers["content-length"]\n_r.status_code = None'),
    Case("headers_set", "response + headers[...] = ...", HEADERS, 3.0, 1.0,
         _FRESH + '_h["X-Request-ID"] = "3f2a9c1e"', _RAW),
    Case("headers_append", "response + headers.append", HEADERS, 3.0, 1.0,
         _FRESH + '_h.append("Set-Cookie", "a=b")', _RAW),
    Case("headers_setdefault", "response + headers.setdefault", HEADERS, 3.0, 1.0,
         _FRESH + '_sink[0] = _h.setdefault("Cache-Control", "no-store")', _RAW),
    Case("headers_in", "response + `in` headers", HEADERS, 3.0, 1.0,
         _FRESH + '_sink[0] = "content-type" in _h', _RAW),
    Case("headers_del", "response + del headers[...]", HEADERS, 3.0, 1.0,
         _FRESH + 'del _h["content-length"]', _RAW),
)

#: What each JSON case's document costs orjson.dumps, timed beside them when
#: orjson is installed: a reference point only (its bytes differ from json's).
ORJSON_STATEMENTS = {
    "json": '_x = orjson_dumps({"a": 1, "b": [1, 2, 3]})',
    "json_404": '_x = orjson_dumps({"detail": "Not Found"})',
    "json_rows": "_x = orjson_dumps(rows_20)",
    "json_1mb": "_x = orjson_dumps(doc_1mb)",
}

#: FastAPI's jsonable_encoder (FastAPI's function on the "starlette" side,
#: fastresp's wrapper of it on the other): only where FastAPI is importable.
#: Floor 10x compiled, never slower in pure Python.
ENCODER_CASES: Tuple[Case, ...] = (
    Case("jsonable_rows", "FastAPI jsonable_encoder(20 rows)", ENCODER, 10.0, 1.0,
         "_r = jsonable_encoder(rows_20)", "_r"),
)
_HAS_FASTAPI = importlib.util.find_spec("fastapi") is not None
if _HAS_FASTAPI:
    CASES += ENCODER_CASES

#: What a ratio means, printed above each table.
RATIO = ("ratio = starlette's time / fastresp's time for the same work: 2.00x means"
         " fastresp takes half as long; higher is better.")

LEGEND = """\
What the cases do. Each runs its statement once per operation, on starlette's
classes and on fastresp's. The cookie cases (set_cookie, delete_cookie) call the
method on one response made beforehand, after `r.raw_headers = []` on both
sides, so constructing the response is not counted; "Response + 3 cookies"
counts a whole response: Response(b"ok"), set_cookie, set_cookie with max_age
and delete_cookie. The ASGI cycle builds a response, sets two cookies and runs
`await response(scope, receive, send)` with no-op receive and send, driving the
coroutine with coro.send(None) (no event loop; the same driver on both sides).
The header cases build Response(b"hello", media_type="text/plain"), read its
`headers` once and do the one operation; FastAPI's throw-away Response is what
FastAPI makes for an endpoint's injected `response` parameter. "FastAPI
jsonable_encoder(20 rows)" (only where FastAPI is importable) calls FastAPI's
own jsonable_encoder in the starlette column and fastresp's (what install()
puts into FastAPI's modules) in the others, on 20 dicts of an int, a str, a
float, a bool, None and a 2-item list."""

#: Printed with --check only.
FLOOR_LEGEND = """\
Floors (--check): the lowest ratio each case must reach. The compiled floor for
cython; for python, the pure-Python floor on CPython, and on PyPy >= 5 for the
cookie cases and >= 1 (never slower) for the others."""


def rows(count: int, text: str = "") -> List[Dict[str, Any]]:
    """count rows of six mixed fields (int, str, float, bool, None, short list),
    and a longer text field when text is given."""
    rows = [{"id": index, "name": f"user {index}", "score": index * 1.25 + 0.1,
             "active": index % 3 == 0, "manager": None, "tags": ["a", "bc", "d"][:index % 4]}
            for index in range(count)]
    if text:
        for index, row in enumerate(rows):
            row["text"] = f"{text} {index}"
    return rows


#: ~1 MB of JSON: 5000 rows, each with a sentence of text (some of it not ASCII).
_DOC_1MB = {"count": 5000, "items": rows(5000, "Caf\u00e9 na\u00efve r\u00e9sum\u00e9: a line of text"
                                               " as a page or an API would send it")}
_ROWS_20 = rows(20)


def _orjson() -> Optional[Callable[[Any], bytes]]:
    try:
        import orjson
    except ImportError:
        return None
    return orjson.dumps


def _headers(count: int) -> Dict[str, str]:
    names = ["Cache-Control", "X-Request-ID", "Vary", "X-Frame-Options", "ETag",
             "Access-Control-Allow-Origin", "X-Content-Type-Options", "Referrer-Policy"]
    values = ["no-store", "3f2a9c1e-77b0-4d0e-9a0f-2d5c1b8e6a10", "Accept-Encoding", "DENY",
              '"33a64df551425fcc55e4d42a148795d9f25f89d4"', "*", "nosniff", "no-referrer"]
    return dict(zip(names[:count], values[:count]))


async def _receive() -> Dict[str, Any]:  # pragma: no cover - never awaited by Response
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Dict[str, Any]) -> None:
    pass


_SCOPE = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
          "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"",
          "root_path": "", "headers": [], "server": ("127.0.0.1", 8000),
          "client": ("127.0.0.1", 50000)}


def namespace(classes: SimpleNamespace) -> Dict[str, Any]:
    """The names a case's statement may use, fresh for one case and side."""
    return {
        "CookieError": CookieError,
        "Response": classes.Response,
        "HTMLResponse": classes.HTMLResponse,
        "PlainTextResponse": classes.PlainTextResponse,
        "JSONResponse": classes.JSONResponse,
        "RedirectResponse": classes.RedirectResponse,
        "r": classes.Response(b""),
        "headers_2": _headers(2),
        "headers_8": _headers(8),
        "body_64k": bytes(range(256)) * 256,
        "scope": dict(_SCOPE),
        "receive": _receive,
        "send": _send,
        "rows_20": _ROWS_20,
        "doc_1mb": _DOC_1MB,
        "orjson_dumps": _orjson(),
        "_sink": [None],
        "_repeat": repeat,
        "jsonable_encoder": getattr(classes, "jsonable_encoder", None),
    }


def _fastapi_jsonable_encoder() -> Any:
    """FastAPI's own jsonable_encoder, or None without FastAPI."""
    if not _HAS_FASTAPI:
        return None
    from fastapi.encoders import jsonable_encoder
    return jsonable_encoder


# ---------------------------------------------------------------- the two sides

def starlette_classes() -> SimpleNamespace:
    names = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")
    return SimpleNamespace(**{name: getattr(_starlette, name) for name in names},
                           jsonable_encoder=_fastapi_jsonable_encoder())


def _with_encoder(classes: SimpleNamespace, encoders: Any) -> SimpleNamespace:
    original = _fastapi_jsonable_encoder()
    classes.jsonable_encoder = None if original is None else encoders.wrap(original)
    return classes


def implementation(name: str) -> Tuple[Optional[SimpleNamespace], str]:
    """fastresp's classes on one implementation ("cython" or "python"), or None
    and the reason it is unavailable; the second item otherwise names the modules."""
    if name == "python":
        python = _impl.load_python()
        return (_with_encoder(make_classes(python), python.encoders),
                "fastresp._headers_py + _cookie_py + _json_py + _encoders_py")
    if name != "cython":
        raise ValueError(f"unknown implementation {name!r}")
    if platform.python_implementation() != "CPython":
        return None, f"{platform.python_implementation()} has no compiled modules"
    try:
        compiled = _impl.load_compiled()
    except ImportError as error:
        return None, f"the compiled modules are not importable ({error})"
    return (_with_encoder(make_classes(compiled), compiled.encoders),
            "fastresp._headers + _cookie + _json + _encoders")


_TEMPLATE = """\
def inner(_n, _timer):
    _loop = _repeat(None, _n)
    _t0 = _timer()
    for _ in _loop:
{body}
    return _timer() - _t0
"""


def compile_case(case: Case, classes: SimpleNamespace) -> Callable[[int, Callable[[], int]], int]:
    """``inner(n, timer)``: runs the case's statement n times, in a function of its
    own, and returns timer() after minus timer() before.

    When the statement binds ``_r``, the loop also stores it in a list, so that
    PyPy's JIT cannot optimise the response away (it costs both sides the same).
    """
    body = case.stmt
    if "_r = " in body:
        body += "\n_sink[0] = _r"
    source = _TEMPLATE.format(body="\n".join("        " + line for line in body.splitlines()))
    scope = namespace(classes)
    exec(compile(source, f"<fastresp bench {case.name}>", "exec"), scope)
    return scope["inner"]


def run_once(case: Case, classes: SimpleNamespace) -> Any:
    """The case's ``result`` after one run of its statement."""
    scope = namespace(classes)
    exec(compile(case.stmt, f"<fastresp check {case.name}>", "exec"), scope)
    return eval(case.result, scope)


def check_case(case: Case, classes: SimpleNamespace) -> None:
    """Raise AssertionError unless fastresp's *classes* give what starlette gives
    for the case (retried, as delete_cookie's date moves with the clock)."""
    for _ in range(3):
        expected = run_once(case, starlette_classes())
        got = run_once(case, classes)
        if got == expected:
            return
    raise AssertionError(f"{case.name}: fastresp gives {got!r}, starlette {expected!r}")


# ------------------------------------------------------------------- measuring

@dataclass
class Settings:
    rounds: int = 101
    batch_ns: int = 1_000_000
    warmup_ns: int = 100_000_000
    statistic: str = "min"   # or "median": how a side's rounds become one number

    def summary(self, samples: Sequence[float]) -> float:
        return min(samples) if self.statistic == "min" else statistics.median(samples)


def _collect_young() -> None:
    gc.collect(0)


def _nothing() -> None:
    pass


#: Before every timed batch: the youngest generation on CPython (microseconds);
#: nothing on PyPy, where gc.collect() always collects everything (~20 ms).
_before_batch = _collect_young if platform.python_implementation() == "CPython" else _nothing


GC_POLICY = ("enabled on every side; gc.collect() once before calibrating"
             + (", gc.collect(0) before every batch" if _before_batch is _collect_young else ""))


def _timed(inner: Callable[[int, Callable[[], int]], int], n: int) -> int:
    _before_batch()
    return inner(n, time.perf_counter_ns)


def _calibrate(inner: Callable[[int, Callable[[], int]], int], settings: Settings) -> int:
    """Warm up, then the iteration count for a batch of about settings.batch_ns."""
    n, spent = 1, 0
    while spent < settings.warmup_ns:
        elapsed = _timed(inner, n)
        spent += elapsed
        if elapsed < settings.batch_ns // 4:
            n *= 2
    while True:
        elapsed = max(_timed(inner, n), 1)
        if elapsed >= settings.batch_ns // 4:
            return max(1, round(n * settings.batch_ns / elapsed))
        n *= 2


Plan = List[Tuple[Case, Dict[str, SimpleNamespace]]]


def measure(plan: Plan, settings: Settings, out: Any = None) -> List[Dict[str, List[float]]]:
    """ns per operation of every round, for each case and side of *plan*.

    Every round times each case once, and within a case each side once, the
    order of the sides reversed every other round: a burst of load from
    elsewhere then falls on all sides alike, and on all cases a little, rather
    than on one case or one side for the whole of its measurement.
    """
    return measure_inners([{name: compile_case(case, classes) for name, classes in sides.items()}
                           for case, sides in plan], settings, out)


def measure_inners(inners: List[Dict[str, Callable[[int, Callable[[], int]], int]]],
                   settings: Settings, out: Any = None) -> List[Dict[str, List[float]]]:
    """measure() on ready-made ``inner(n, timer)`` functions, a dict of sides per case."""
    gc.collect()
    counts = [{name: _calibrate(inner, settings) for name, inner in case_inners.items()}
              for case_inners in inners]
    samples: List[Dict[str, List[float]]] = [{name: [] for name in case_inners}
                                             for case_inners in inners]
    for number in range(settings.rounds):
        for case_inners, case_counts, case_samples in zip(inners, counts, samples):
            order = list(case_inners)
            for name in (order if number % 2 == 0 else order[::-1]):
                n = case_counts[name]
                case_samples[name].append(_timed(case_inners[name], n) / n)
        if out is not None and number % 10 == 9:
            out.write(".")
            out.flush()
    return samples


#: The harness's own cost per operation (measured and shown, never subtracted).
OVERHEAD_CASES = (
    Case("loop", "loop", CONSTRUCT, 0, 0, "pass"),
    Case("cookie_reset", "cookie reset", COOKIE, 0, 0, "r.raw_headers = []"),
)


# -------------------------------------------------------------------- reports

def environment() -> Dict[str, Any]:
    return {
        "fastresp": __version__,
        "implementation": _impl.IMPLEMENTATION,
        "reason": _impl.REASON,
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "python": sys.version.replace("\n", " "),
        "starlette": starlette.__version__,
        "platform": platform.platform(),
        "installed": _install.installed(),
    }


def timer_details() -> Dict[str, Any]:
    info = time.get_clock_info("perf_counter")
    return {"function": "time.perf_counter_ns", "implementation": info.implementation,
            "resolution_s": info.resolution, "monotonic": info.monotonic}


def _fmt_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "n/a"
    if ns >= 10_000:
        return f"{ns / 1000:.1f} us"
    if ns >= 1000:
        return f"{ns / 1000:.2f} us"
    return f"{ns:.0f} ns"


def _fmt_ratio(ratio: Optional[float]) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _fmt_floor(ratio: Optional[float], floor: float, valid: bool = True) -> str:
    """The --check column: the floor and whether the ratio reaches it."""
    if ratio is None:
        state = "n/a"
    elif not valid:
        state = "invalid"
    else:
        state = "met" if ratio >= floor else "MISSED"
    return f">= {floor:g} {state}"


def _table(rows: List[List[str]], header: List[str]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = [False] + [True] * (len(header) - 1)

    def line(cells: List[str]) -> str:
        return " | ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right))

    return "\n".join([line(header), "-+-".join("-" * w for w in widths), *map(line, rows)])


def run(impls: Sequence[str], settings: Settings, cases: Sequence[Case] = CASES,
        out: Any = None) -> Dict[str, Any]:
    """Measure *cases* for each implementation in *impls*; returns the report dict."""
    sides: Dict[str, SimpleNamespace] = {"starlette": starlette_classes()}
    available: Dict[str, Dict[str, Any]] = {}
    for name in impls:
        classes, why = implementation(name)
        available[name] = {"available": classes is not None, "detail": why}
        if classes is not None:
            sides[name] = classes
    report: Dict[str, Any] = {
        "metadata": {
            **environment(),
            "implementations": available,
            "timer": timer_details(),
            "method": {
                "rounds": settings.rounds,
                "batch_ms": settings.batch_ns / 1e6,
                "warmup_ms": settings.warmup_ns / 1e6,
                "statistic": f"{settings.statistic} of ns/op over rounds",
                "interleaved": "every round times every case and, within it, every side once;"
                               " order of the sides reversed every other round",
                "gc": GC_POLICY,
            },
            "overhead_ns": {},
            "legend": LEGEND,
        },
        "cases": [],
    }
    # Check first that each side does starlette's work: a side whose output
    # differs is still timed but flagged; one that raises is not timed.
    problems: List[Dict[str, str]] = []
    plan: Plan = []
    for case in cases:
        case_problems: Dict[str, str] = {}
        timed = dict(sides)
        for name in impls:
            if name in sides:
                try:
                    check_case(case, sides[name])
                except AssertionError as error:
                    case_problems[name] = f"output differs from starlette's: {error}"
                except Exception as error:  # a bug to report, not a reason to stop
                    case_problems[name] = f"raised {type(error).__name__}: {error}"
                    del timed[name]
        problems.append(case_problems)
        plan.append((case, timed))
    extra = list(OVERHEAD_CASES)
    if _orjson() is not None:
        extra += [Case(f"orjson_{case.name}", case.label, case.kind, 0, 0, ORJSON_STATEMENTS[case.name])
                  for case in cases if case.name in ORJSON_STATEMENTS]
    plan += [(case, {"starlette": sides["starlette"]}) for case in extra]
    all_samples = measure(plan, settings, out)
    report["metadata"]["orjson_ns"] = {}
    for case, samples in zip(extra, all_samples[len(cases):]):
        if case.name.startswith("orjson_"):
            report["metadata"]["orjson_ns"][case.name[len("orjson_"):]] = settings.summary(samples["starlette"])
        else:
            report["metadata"]["overhead_ns"][case.name] = settings.summary(samples["starlette"])
    for case, case_problems, samples in zip(cases, problems, all_samples):
        starlette_ns = settings.summary(samples["starlette"])
        entry: Dict[str, Any] = {
            "name": case.name, "label": case.label, "kind": case.kind, "stmt": case.stmt,
            "starlette": {"ns": starlette_ns, "min_ns": min(samples["starlette"]),
                          "median_ns": statistics.median(samples["starlette"])},
            "fastresp": {},
        }
        for name in impls:
            floor = case.floor(name)
            result: Dict[str, Any] = {"ns": None, "min_ns": None, "median_ns": None,
                                      "ratio": None, "floor": floor, "met": None,
                                      "problem": case_problems.get(name)}
            if name in samples:
                ns = settings.summary(samples[name])
                ratio = starlette_ns / ns
                # met stays None when the output differs: the time is not comparable.
                result.update(ns=ns, min_ns=min(samples[name]), median_ns=statistics.median(samples[name]),
                              ratio=ratio, met=None if name in case_problems else ratio >= floor)
            entry["fastresp"][name] = result
        report["cases"].append(entry)
    if out is not None:
        out.write("\n")
    return report


def render_text(report: Dict[str, Any], impls: Sequence[str], check: bool = False) -> str:
    """The per-object section as text: a table of times and ratios (with each
    case's floor when *check*), what the cases do and how they were timed."""
    meta = report["metadata"]
    lines = [
        f"fastresp {meta['fastresp']} against starlette {meta['starlette']}:"
        f" {meta['python_implementation']} {meta['python_version']}, {meta['platform']}",
        f"`import fastresp` runs the {meta['implementation']} implementation ({meta['reason']})",
    ]
    if meta["installed"]:
        lines.append("WARNING: fastresp.install() is active, so the starlette side runs fastresp's code")
    for name in impls:
        info = meta["implementations"][name]
        if not info["available"]:
            lines.append(f"fastresp {name}: not measured: {info['detail']}")
    lines += ["", "Per object: one statement a case, on starlette's classes and on fastresp's.", RATIO, ""]
    header = ["case", "starlette"]
    for name in impls:
        header += [f"fastresp {name}", "ratio"] + (["floor"] if check else [])
    rows = []
    for entry in report["cases"]:
        row = [entry["label"], _fmt_ns(entry["starlette"]["ns"])]
        for name in impls:
            result = entry["fastresp"][name]
            row += [_fmt_ns(result["ns"]) + (" (!)" if result["problem"] else ""), _fmt_ratio(result["ratio"])]
            if check:
                row.append(_fmt_floor(result["ratio"], result["floor"], not result["problem"]))
        rows.append(row)
    lines.append(_table(rows, header))
    lines.append("")
    for entry in report["cases"]:
        for name in impls:
            if entry["fastresp"][name]["problem"]:
                lines.append(f"(!) {entry['label']}, {name}: {entry['fastresp'][name]['problem']}")
    orjson_ns = meta.get("orjson_ns", {})
    if orjson_ns:
        lines.append("For scale, orjson.dumps(document) alone (other bytes than starlette's, so not"
                     " a like-for-like comparison):")
        for entry in report["cases"]:
            if entry["name"] in orjson_ns:
                ns = orjson_ns[entry["name"]]
                times = ", ".join(f"fastresp {name} {entry['fastresp'][name]['ns'] / ns:.1f}x"
                                  for name in impls if entry["fastresp"][name]["ns"])
                lines.append(f"  {entry['label']}: orjson {_fmt_ns(ns)}; starlette"
                             f" {entry['starlette']['ns'] / ns:.1f}x, {times} its time")
        lines.append("")
    if check:
        lines += [_floor_summary(report, name) for name in impls]
        lines.append("")
    lines.append(LEGEND)
    if check:
        lines += ["", FLOOR_LEGEND]
    lines += ["", "Statements:"]
    for case in CASES:
        if any(case.name == e["name"] for e in report["cases"]):
            stmt = case.stmt.replace("\n", "; ") if case.kind != ASGI else (
                case.stmt.split("\n_c = ")[0].replace("\n", "; ") + "; await _r(scope, receive, send)")
            lines.append(f"  {case.label}: {stmt}")
    lines += ["", _method_text(meta)]
    return "\n".join(lines)


def _floor_summary(report: Dict[str, Any], name: str) -> str:
    results = [(e["label"], e["fastresp"][name]) for e in report["cases"]]
    measured = [label for label, result in results if result["met"] is not None]
    missed = [label for label, result in results if result["met"] is False]
    invalid = [label for label, result in results if result["problem"]]
    if not measured and not invalid:
        return f"{name}: not measured"
    text = f"{name}: {len(measured) - len(missed)}/{len(measured)} floors met"
    if missed:
        text += f"; missed: {', '.join(missed)}"
    if invalid:
        text += f"; no valid measurement (!): {', '.join(invalid)}"
    return text


def _method_text(meta: Dict[str, Any]) -> str:
    method, timer, overhead = meta["method"], meta["timer"], meta["overhead_ns"]
    return (
        f"How it was timed: {method['rounds']} rounds, each timing every case and side once (the"
        f" order of the sides reversed every other round), in batches of ~{method['batch_ms']:g} ms"
        f" calibrated per side after {method['warmup_ms']:g} ms of warm-up; time = {method['statistic']}."
        f" Timer {timer['function']} ({timer['implementation']}, resolution {timer['resolution_s']:g} s);"
        f" GC {method['gc']}. The loop's own cost per operation is in both sides' times, not"
        f" subtracted: {overhead['loop']:.0f} ns, and {overhead['cookie_reset']:.0f} ns for"
        " `r.raw_headers = []`.")


def missed_floors(report: Dict[str, Any]) -> List[str]:
    """What ``--check`` fails on, one line each: a ratio below its floor, or an
    output that differs from starlette's (in either section of *report*)."""
    missed = []
    for entry in report.get("cases", []):
        for name, result in entry["fastresp"].items():
            if result["problem"]:
                missed.append(f"{entry['label']}, {name}: {result['problem']}")
            elif result["met"] is False:
                missed.append(f"{entry['label']}, {name}: {result['ratio']:.2f}x, floor {result['floor']:g}")
    for section in report.get("requests", []):
        for case in section.get("cases", []):
            label = f"{case['label']}, install() {section['implementation']}"
            if case["problem"]:
                missed.append(f"{label}: {case['problem']}")
            elif case["ratio"] < case["floor"]:
                missed.append(f"{label}: {case['ratio']:.2f}x, floor {case['floor']:g}")
    return missed


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m fastresp bench",
        description="Time starlette's responses against fastresp's (standard library only): per"
                    " object, and whole requests of a FastAPI and a starlette app with and without"
                    " fastresp.install(). ratio = starlette's time / fastresp's; higher is better.")
    p.add_argument("--impl", choices=("active", "cython", "python", "both"), default="active",
                   help="fastresp implementation(s) to time (default: the active one)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 101; 3 with --quick)")
    p.add_argument("--batch-ms", type=float, default=None,
                   help="length of one timed batch in ms (default 1)")
    p.add_argument("--statistic", choices=("min", "median"), default="min",
                   help="how a side's rounds become its time (default: min, the steadiest on a busy machine)")
    p.add_argument("--quick", action="store_true", help="few short rounds, for tests")
    p.add_argument("--case", action="append", metavar="NAME", choices=[c.name for c in CASES],
                   help="only this case (repeatable)")
    p.add_argument("--section", choices=("objects", "requests", "all"), default="all",
                   help="per-object cases, whole requests (an app called in process), or both"
                        " (default)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (floors included)")
    p.add_argument("--check", action="store_true",
                   help="for maintainers and CI: show each case's floor and exit with status 1 when"
                        " a ratio is below its floor or an output differs from starlette's")
    return p


def settings_for(args: argparse.Namespace) -> Settings:
    quick = args.quick
    rounds = args.rounds if args.rounds is not None else (3 if quick else 101)
    batch_ms = args.batch_ms if args.batch_ms is not None else 1.0
    warmup_ms = 5.0 if quick else (100.0 if platform.python_implementation() == "CPython" else 500.0)
    if rounds < 1 or batch_ms <= 0:
        raise SystemExit("--rounds must be >= 1 and --batch-ms > 0")
    return Settings(rounds=rounds, batch_ns=int(batch_ms * 1e6), warmup_ns=int(warmup_ms * 1e6),
                    statistic=args.statistic)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    impls = {"active": [_impl.IMPLEMENTATION], "cython": ["cython"], "python": ["python"],
             "both": ["cython", "python"]}[args.impl]
    cases = [c for c in CASES if args.case is None or c.name in args.case]
    settings = settings_for(args)
    out = None if args.json else sys.stderr
    report: Dict[str, Any] = {}
    if args.section in ("objects", "all"):
        report = run(impls, settings, cases, out=out)
    if args.section in ("requests", "all"):
        from . import _bench_requests

        report["requests"] = [
            _bench_requests.run(settings, out) if name == _impl.IMPLEMENTATION
            else _bench_requests.run_elsewhere(name, settings)
            for name in impls]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        if "cases" in report:
            print(render_text(report, impls, args.check))
        if "requests" in report:
            from . import _bench_requests

            print()
            print(_bench_requests.render(report["requests"], args.check))
    if not args.check:
        return 0
    missed = missed_floors(report)
    for line in missed:
        print(f"--check: {line}", file=sys.stderr)
    return 1 if missed else 0
