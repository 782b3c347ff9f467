"""``python -m fastresp bench``: starlette against fastresp, standard library only.

The cases below are the speed targets of the issue. Each is one statement run
against two sets of response classes (starlette's own, and fastresp's built on
one implementation); the pytest-benchmark suite in ``bench/`` imports the same
table, so the two cannot drift apart.

How it measures, the same way for every side:

* the statement is compiled into its own ``for`` loop (as ``timeit`` does), in a
  fresh function per case and side, so no call overhead is added per operation
  and PyPy traces each side on its own;
* garbage collection stays enabled for every side, and ``gc.collect()`` runs
  before every timed batch (``timeit`` disables the collector instead);
* ``time.perf_counter_ns`` brackets a batch of iterations calibrated per side to
  last about ``--batch-ms``, after a warm-up;
* rounds are interleaved: every round times each side once, and the order of the
  sides is reversed from one round to the next;
* a side's time is the median (``--statistic min``: the minimum) over the rounds
  of its ns per operation; ``--json`` holds both; ratio = starlette / fastresp.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from http.cookies import CookieError
from itertools import repeat
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import starlette
import starlette.responses as _starlette

from . import __version__, _cookie_py, _headers_py, _impl
from .responses import make_classes

# ------------------------------------------------------------------------ cases

CONSTRUCT = "construct"
COOKIE = "cookie"
ASGI = "asgi"

#: PyPy targets (the fallback against starlette on PyPy): cookie cases >= 5,
#: constructing a response never slower. The ASGI cycle has no PyPy target of
#: its own in the issue; it is held to "never slower".
PYPY_TARGETS = {CONSTRUCT: 1.0, COOKIE: 5.0, ASGI: 1.0}


@dataclass(frozen=True)
class Case:
    """One benchmark: ``stmt`` runs once per operation with the names of
    ``namespace()`` in scope; ``result`` is evaluated after one run to check that
    starlette and fastresp did the same work."""

    name: str          # identifier: pytest ids, --json
    label: str         # the table's first column
    kind: str          # CONSTRUCT, COOKIE or ASGI: which PyPy target applies
    compiled: float    # target ratio for the compiled modules
    fallback: float    # target ratio for the pure-Python fallback on CPython
    stmt: str
    result: str = "(_r.status_code, _r.body, _r.raw_headers)"

    def target(self, impl: str) -> float:
        """The target ratio for *impl* ("cython" or "python") on this interpreter."""
        if impl == "cython":
            return self.compiled
        if platform.python_implementation() == "CPython":
            return self.fallback
        return PYPY_TARGETS[self.kind]


_RESET = "r.raw_headers = []\n"
_COOKIES = "r.raw_headers"

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
    Case("json", "JSONResponse(small dict)", CONSTRUCT, 1.2, 1.0,
         '_r = JSONResponse({"a": 1, "b": [1, 2, 3]})'),
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
    Case("asgi_cycle", "ASGI cycle + 2 cookies", ASGI, 4.0, 2.0,
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
)

LEGEND = """\
Each case runs its statement once per operation, on starlette's classes and on
fastresp's. Cookie cases (set_cookie, delete_cookie) call the method on one
response made beforehand, after `r.raw_headers = []` (on both sides), so that
constructing the response is not counted; "Response + 3 cookies" counts
constructing Response(b"ok") plus set_cookie, set_cookie with max_age and
delete_cookie, i.e. a whole response with three cookies. The ASGI cycle builds a
response, sets two cookies and runs `await response(scope, receive, send)` with
no-op async receive/send, driving the coroutine with coro.send(None) (no event
loop; same driver on both sides). Targets are starlette time / fastresp time:
the compiled target for cython, the CPython fallback target for python on
CPython; on PyPy, >= 5 for cookie cases and >= 1 for the others (the ASGI cycle
has no PyPy target of its own in the issue and is held to >= 1)."""


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
        "_sink": [None],
        "_repeat": repeat,
    }


# ---------------------------------------------------------------- the two sides

def starlette_classes() -> SimpleNamespace:
    names = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")
    return SimpleNamespace(**{name: getattr(_starlette, name) for name in names})


def implementation(name: str) -> Tuple[Optional[SimpleNamespace], str]:
    """fastresp's classes on one implementation ("cython" or "python"), or None
    and the reason it is unavailable; the second item otherwise names the modules."""
    if name == "python":
        return make_classes(_headers_py, _cookie_py), "fastresp._headers_py + fastresp._cookie_py"
    if name != "cython":
        raise ValueError(f"unknown implementation {name!r}")
    if platform.python_implementation() != "CPython":
        return None, f"{platform.python_implementation()} has no compiled modules"
    try:
        from . import _cookie, _headers
    except ImportError as error:
        return None, f"the compiled modules are not importable ({error})"
    return make_classes(_headers, _cookie), "fastresp._headers + fastresp._cookie"


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
    rounds: int = 21
    batch_ns: int = 10_000_000
    warmup_ns: int = 100_000_000
    statistic: str = "median"   # or "min": how a side's rounds become one number

    def summary(self, samples: Sequence[float]) -> float:
        return min(samples) if self.statistic == "min" else statistics.median(samples)


def _timed(inner: Callable[[int, Callable[[], int]], int], n: int) -> int:
    gc.collect()
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


def measure(case: Case, sides: Dict[str, SimpleNamespace], settings: Settings) -> Dict[str, List[float]]:
    """ns per operation of every round, for each side; rounds interleaved."""
    inners = {name: compile_case(case, classes) for name, classes in sides.items()}
    counts = {name: _calibrate(inner, settings) for name, inner in inners.items()}
    samples: Dict[str, List[float]] = {name: [] for name in sides}
    order = list(sides)
    for number in range(settings.rounds):
        for name in (order if number % 2 == 0 else order[::-1]):
            samples[name].append(_timed(inners[name], counts[name]) / counts[name])
    return samples


def overhead(settings: Settings) -> Dict[str, float]:
    """What the harness itself costs per operation (not subtracted anywhere)."""
    classes = starlette_classes()
    result = {}
    for name, stmt in (("loop", "pass"), ("cookie_reset", "r.raw_headers = []")):
        case = Case(name, name, CONSTRUCT, 0, 0, stmt)
        result[name] = settings.summary(measure(case, {name: classes}, settings)[name])
    return result


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


def _fmt_target(ratio: Optional[float], target: float) -> str:
    if ratio is None:
        return f">= {target:g} n/a"
    return f">= {target:g} {'met' if ratio >= target else 'NOT MET'}"


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
    for case in cases:
        for name in sides:
            if name != "starlette":
                check_case(case, sides[name])
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
                "interleaved": "every round times each side once; order reversed every other round",
                "gc": "enabled on every side; gc.collect() before every timed batch",
            },
            "overhead_ns": overhead(settings),
        },
        "cases": [],
    }
    for case in cases:
        samples = measure(case, sides, settings)
        starlette_ns = settings.summary(samples["starlette"])
        entry: Dict[str, Any] = {
            "name": case.name, "label": case.label, "kind": case.kind, "stmt": case.stmt,
            "starlette": {"ns": starlette_ns, "min_ns": min(samples["starlette"]),
                          "median_ns": statistics.median(samples["starlette"])},
            "fastresp": {},
        }
        for name in impls:
            target = case.target(name)
            if name not in sides:
                entry["fastresp"][name] = {"ns": None, "min_ns": None, "median_ns": None,
                                           "ratio": None, "target": target, "met": None}
                continue
            ns = settings.summary(samples[name])
            ratio = starlette_ns / ns
            entry["fastresp"][name] = {"ns": ns, "min_ns": min(samples[name]),
                                       "median_ns": statistics.median(samples[name]),
                                       "ratio": ratio, "target": target, "met": ratio >= target}
        report["cases"].append(entry)
        if out is not None:
            out.write(".")
            out.flush()
    if out is not None:
        out.write("\n")
    return report


def render_text(report: Dict[str, Any], impls: Sequence[str]) -> str:
    meta = report["metadata"]
    method = meta["method"]
    timer = meta["timer"]
    lines = [
        f"fastresp {meta['fastresp']}: active implementation {meta['implementation']} ({meta['reason']})",
        f"{meta['python_implementation']} {meta['python_version']}, starlette {meta['starlette']},"
        f" {meta['platform']}",
        f"timer: {timer['function']} ({timer['implementation']}, resolution {timer['resolution_s']:g} s);"
        f" GC enabled on every side, gc.collect() before every batch",
        f"method: {method['rounds']} rounds, sides interleaved (order reversed every other round),"
        f" batches of ~{method['batch_ms']:g} ms calibrated per side after {method['warmup_ms']:g} ms"
        f" of warm-up; time = {method['statistic']}; ratio = starlette / fastresp",
        "harness cost per op, included on both sides, not subtracted: loop {:.0f} ns,"
        " `r.raw_headers = []` {:.0f} ns".format(meta["overhead_ns"]["loop"],
                                                  meta["overhead_ns"]["cookie_reset"]),
    ]
    for name in impls:
        info = meta["implementations"][name]
        state = "" if info["available"] else "NOT AVAILABLE: "
        lines.append(f"{name}: {state}{info['detail']}")
    lines.append("")
    header = ["case", "starlette"]
    for name in impls:
        header += [f"fastresp {name}", "ratio", "target"]
    rows = []
    for entry in report["cases"]:
        row = [entry["label"], _fmt_ns(entry["starlette"]["ns"])]
        for name in impls:
            result = entry["fastresp"][name]
            ratio = result["ratio"]
            row += [_fmt_ns(result["ns"]), "n/a" if ratio is None else f"{ratio:.2f}x",
                    _fmt_target(ratio, result["target"])]
        rows.append(row)
    lines.append(_table(rows, header))
    lines.append("")
    for name in impls:
        measured = [e for e in report["cases"] if e["fastresp"][name]["met"] is not None]
        missed = [e["label"] for e in measured if not e["fastresp"][name]["met"]]
        if not measured:
            lines.append(f"{name}: not measured")
        elif missed:
            lines.append(f"{name}: {len(measured) - len(missed)}/{len(measured)} targets met;"
                         f" not met: {', '.join(missed)}")
        else:
            lines.append(f"{name}: all {len(measured)} targets met")
    lines.append("")
    lines.append(LEGEND)
    lines.append("")
    lines.append("Statements:")
    for case in CASES:
        if any(case.name == e["name"] for e in report["cases"]):
            stmt = case.stmt.replace("\n", "; ") if case.kind != ASGI else (
                case.stmt.split("\n_c = ")[0].replace("\n", "; ") + "; await _r(scope, receive, send)")
            lines.append(f"  {case.label}: {stmt}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m fastresp bench",
        description="Time starlette's responses against fastresp's (standard library only). "
                    "Always exits 0: it is a report, not a test.")
    p.add_argument("--impl", choices=("active", "cython", "python", "both"), default="active",
                   help="fastresp implementation(s) to time (default: the active one)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 21; 3 with --quick)")
    p.add_argument("--batch-ms", type=float, default=None,
                   help="length of one timed batch (default 10; 1 with --quick)")
    p.add_argument("--statistic", choices=("median", "min"), default="median",
                   help="how a side's rounds become its time (default: median)")
    p.add_argument("--quick", action="store_true", help="few short rounds, for tests")
    p.add_argument("--case", action="append", metavar="NAME", choices=[c.name for c in CASES],
                   help="only this case (repeatable)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def settings_for(args: argparse.Namespace) -> Settings:
    quick = args.quick
    rounds = args.rounds if args.rounds is not None else (3 if quick else 21)
    batch_ms = args.batch_ms if args.batch_ms is not None else (1.0 if quick else 10.0)
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
    report = run(impls, settings_for(args), cases, out=None if args.json else sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_text(report, impls))
    return 0
