"""Per object: starlette's response classes against fastresp's, one statement a case.

Each case below is one statement run against two sets of response classes
(starlette's own, and fastresp's built on one implementation), with the lowest
ratio each implementation must reach on it, its floor (``--check`` fails when
one is missed; the plain report only shows the ratios). How it is timed:
bench/timing.py. Each statement is compiled into its own ``for`` loop, in a
fresh function per case and side, so PyPy traces each side on its own.
"""

from __future__ import annotations

import importlib.util
import platform
import statistics
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import CookieError
from itertools import cycle, repeat
from types import SimpleNamespace
from typing import Any

import starlette.datastructures as _starlette_datastructures
import starlette.requests as _starlette_requests
import starlette.responses as _starlette
from report import (QUICK_NOTE, environment, fmt_floor, fmt_ns, fmt_ratio, table, timer_details,
                    unsteady_note)
from timing import STEADY, Inner, Settings, measure as measure_inners, steady

from fastresp import _impl

# ------------------------------------------------------------------------ cases

CONSTRUCT = "construct"
COOKIE = "cookie"
ASGI = "asgi"
ENCODER = "encoder"
HEADERS = "headers"
REQUEST = "request"

#: Floors on PyPy (the pure-Python implementation against starlette, both
#: JIT-compiled), by kind of case: cookie cases >= 5, everything else never
#: slower.
PYPY_FLOORS = {CONSTRUCT: 1.0, COOKIE: 5.0, ASGI: 1.0, ENCODER: 1.0, HEADERS: 1.0, REQUEST: 1.0}


@dataclass(frozen=True)
class Case:
    """One benchmark: ``stmt`` runs once per operation with the names of
    ``namespace()`` in scope; ``result`` is evaluated after one run to check that
    starlette and fastresp did the same work."""

    name: str          # identifier: --case, --json
    label: str         # the table's first column
    kind: str          # CONSTRUCT, COOKIE, ASGI, ENCODER, HEADERS or REQUEST: which PyPy floor applies
    compiled: float    # floor ratio for the compiled modules
    fallback: float    # floor ratio for the pure-Python implementation on CPython
    stmt: str
    result: str = "(_r.status_code, _r.body, _r.raw_headers)"
    #: The statement uses starlette's own classes on both sides, fastresp's
    #: side under fastresp.install() (which installs the active implementation
    #: only: the other one is not measured in this process).
    installed: bool = False

    def floor(self, impl: str) -> float:
        """The floor ratio for *impl* ("cython" or "python") on this interpreter."""
        if impl == "cython":
            return self.compiled
        if platform.python_implementation() == "CPython":
            return self.fallback
        return PYPY_FLOORS[self.kind]


_FRESH = '_r = Response(b"hello", media_type="text/plain")\n_h = _r.headers\n'


def _made(name: str, label: str, expression: str, compiled: float = 2.5, fallback: float = 1.0,
          result: str = Case.result) -> Case:
    """A construction: ``_r = expression``."""
    return Case(name, label, CONSTRUCT, compiled, fallback, f"_r = {expression}", result)


def _cookie(name: str, label: str, compiled: float, fallback: float, call: str) -> Case:
    """A cookie method on the response ``r`` made beforehand, emptied first."""
    return Case(name, label, COOKIE, compiled, fallback, f"r.raw_headers = []\n{call}", "r.raw_headers")


def _header(name: str, label: str, operation: str) -> Case:
    """One header operation on a fresh response's ``headers`` (``_h``)."""
    return Case(name, label, HEADERS, 3.0, 1.0, _FRESH + operation, "_r.raw_headers")


CASES: tuple[Case, ...] = (
    _made("bytes", 'Response(b"hello world")', 'Response(b"hello world")'),
    _made("str_media_type", "Response(str, media_type)", 'Response("hello world", media_type="text/plain")'),
    _made("html", 'HTMLResponse("<p>hi</p>")', 'HTMLResponse("<p>hi</p>")'),
    _made("headers_2", "Response + 2 headers", 'Response(b"hello", headers=headers_2, media_type="application/json")'),
    _made("headers_8", "Response + 8 headers", 'Response(b"hello", headers=headers_8, media_type="application/json")'),
    _made("bytes_64k", "Response(64 KiB bytes)", "Response(body_64k)",
          result="(_r.status_code, _r.body is body_64k, _r.raw_headers)"),
    _made("json", "JSONResponse(small dict)", 'JSONResponse({"a": 1, "b": [1, 2, 3]})', 3.0, 1.2),
    _made("json_404", "JSONResponse(detail, 404)", 'JSONResponse({"detail": "Not Found"}, status_code=404)', 3.0, 1.2),
    _made("json_rows", "JSONResponse(20 rows)", "JSONResponse(rows_20)", 3.0, 1.2),
    _made("json_1mb", "JSONResponse(~1 MB document)", "JSONResponse(doc_1mb)", 2.5, 1.2),
    _made("redirect", 'RedirectResponse("/next?x=1")', 'RedirectResponse("/next?x=1")', 2.0),
    _cookie("set_cookie", "set_cookie (plain)", 25.0, 4.0,
            'r.set_cookie("session", "abc123", max_age=3600, httponly=True, secure=True)'),
    _cookie("set_cookie_quoted", "set_cookie (quoted + attrs)", 10.0, 3.0,
            'r.set_cookie("prefs", "a b;c", path="/app", domain="example.com", samesite="strict")'),
    _cookie("delete_cookie", 'delete_cookie("session")', 25.0, 4.0, 'r.delete_cookie("session")'),
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
    _header("headers_set", "response + headers[...] = ...", '_h["X-Request-ID"] = "3f2a9c1e"'),
    _header("headers_append", "response + headers.append", '_h.append("Set-Cookie", "a=b")'),
    _header("headers_setdefault", "response + headers.setdefault",
            '_sink[0] = _h.setdefault("Cache-Control", "no-store")'),
    _header("headers_in", "response + `in` headers", '_sink[0] = "content-type" in _h'),
    _header("headers_del", "response + del headers[...]", 'del _h["content-length"]'),
)

#: The request side: what a server hands an app for a browser's request, read
#: as FastAPI and middleware read it. A scope of its own, with its own Cookie
#: value, every operation (``next_scope()``), as a server makes one for every
#: request: a bytes object caches its hash, and the same object request after
#: request would flatter anything keyed on it. The scopes are made before the
#: clock starts (``fresh_scopes``): making one is not what is measured. A
#: middleware's ``Headers(scope=scope)`` reads the scope it was given.
REQUEST_CASES: tuple[Case, ...] = (
    Case("request_cookies", "Request(scope).cookies under install(), 9 cookies ~400 B", REQUEST,
         8.0, 1.0, "_r = Request(next_scope()).cookies", "_r", installed=True),
    Case("request_headers_items", "Request(scope).headers.items() under install(), 12 headers",
         REQUEST, 1.5, 1.0, "_r = Request(next_scope()).headers.items()", "_r", installed=True),
    Case("headers_scope_get", "Headers(scope=...) + 3 get (one miss), 12 headers", REQUEST, 4.0, 1.0,
         "_h = Headers(scope=browser_scope)\n"
         "_r = (_h.get('origin'), _h.get('user-agent'), _h.get('accept-encoding'))", "_r"),
    Case("cookie_parser", "cookie_parser(9 cookies ~400 B, fresh text)", REQUEST, 8.0, 1.0,
         "_r = cookie_parser(cookie_head + cookie_tail)", "_r"),
)
CASES += REQUEST_CASES

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
ENCODER_CASES: tuple[Case, ...] = (
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
float, a bool, None and a 2-item list.
The request cases read a browser's request: 12 headers (what Chrome sends for a
GET) with a Cookie header of 9 cookies (~400 B, one value quoted), a fresh
Cookie value (or cookie_parser's text) every operation, as a server makes one
per request (a cache keyed on the value then never hits for free). "under
install()" cases run starlette's own Request on both sides, fastresp's after
fastresp.install() (the active implementation only; install() and uninstall()
happen outside the timed batch); Headers and cookie_parser are starlette's
against fastresp.Headers and fastresp.cookie_parser."""

#: Printed with --check only.
FLOOR_LEGEND = """\
Floors (--check): the lowest ratio each case must reach. The compiled floor for
cython; for python, the pure-Python floor on CPython, and on PyPy >= 5 for the
cookie cases and >= 1 (never slower) for the others."""


#: 9 cookies, ~400 bytes, as a browser sends them: analytics ids, a consent
#: string, a session, a CSRF token, one quoted value.
BROWSER_COOKIE = (
    b'_ga=GA1.1.1288233771.1701874800; _ga_Q2XKJ3Y5ZR=GS1.1.1701874800.3.1.1701875123.0.0.0; '
    b'_gid=GA1.2.874512399.1701874800; cookieconsent_status=dismiss; theme=dark; '
    b'session=eyJ1c2VyX2lkIjogNDIsICJyb2xlIjogImFkbWluIn0.ZXG3aw.k3n5Jx0q2l8mVtYb7dPqR4sWcHg; '
    b'csrftoken=Xk2mP9qL4vN7tR1sW8yB3cF6hJ0gD5aZ; lang="en-GB"; '
    b'prefs=%7B%22tz%22%3A%22Europe%2FLondon%22%2C%22cols%22%3A3%7D')

#: What Chrome sends for a plain GET (12 headers), as an ASGI server passes them.
BROWSER_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"host", b"api.example.com"),
    (b"connection", b"keep-alive"),
    (b"sec-ch-ua", b'"Chromium";v="120", "Not?A_Brand";v="8", "Google Chrome";v="120"'),
    (b"sec-ch-ua-mobile", b"?0"),
    (b"sec-ch-ua-platform", b'"Linux"'),
    (b"upgrade-insecure-requests", b"1"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    b"Chrome/120.0.0.0 Safari/537.36"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                b"image/webp,*/*;q=0.8"),
    (b"sec-fetch-site", b"same-origin"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"accept-language", b"en-GB,en;q=0.9,de;q=0.8"),
    (b"cookie", BROWSER_COOKIE),
)
#: The same from a page of another origin, with a bearer token (the CORS case).
CORS_HEADERS = BROWSER_HEADERS + ((b"origin", b"https://app.example.com"),
                                  (b"authorization", b"Bearer 0123456789abcdef"))


def request_scope(path: str, headers: Sequence[tuple[bytes, bytes]]) -> dict[str, Any]:
    """An HTTP/1.1 GET of *path* with *headers*, as uvicorn would pass it."""
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode("ascii"),
        "query_string": b"", "root_path": "", "headers": list(headers),
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "state": {},
    }


def fresh_headers(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """*headers* with a new bytes object for each Cookie value, as a server makes
    for every request. One concatenation: cheap beside the work measured, and
    the same on both sides."""
    return [(name, value[:-1] + value[-1:]) if name == b"cookie" else (name, value)
            for name, value in headers]


_BROWSER_SCOPE = request_scope("/", BROWSER_HEADERS)
_BEFORE_COOKIE = BROWSER_HEADERS[:-1]
_COOKIE_HEAD, _COOKIE_TAIL = BROWSER_COOKIE[:-1], BROWSER_COOKIE[-1:]
_COOKIE_TEXT_HEAD, _COOKIE_TEXT_TAIL = (part.decode("latin-1") for part in (_COOKIE_HEAD, _COOKIE_TAIL))


def fresh_scope() -> dict[str, Any]:
    """The browser's request's scope, with a fresh Cookie value (the Cookie
    header is the last: cheaper than fresh_headers, which the per-object
    ratios would feel)."""
    return dict(_BROWSER_SCOPE, headers=[*_BEFORE_COOKIE, (b"cookie", _COOKIE_HEAD + _COOKIE_TAIL)])


def fresh_scopes(count: int = 512) -> Callable[[], dict[str, Any]]:
    """A function giving the next of count ``fresh_scope()``s, round and round:
    each Request gets a scope and a Cookie value no recent one had, for the
    price of one call (the same on both sides). Reading a scope leaves it as a
    server's next one would be (Headers(scope=...) copies its list)."""
    return cycle([fresh_scope() for _ in range(count)]).__next__


def rows(count: int, text: str = "") -> list[dict[str, Any]]:
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


def _orjson() -> Callable[[Any], bytes] | None:
    try:
        import orjson
    except ImportError:
        return None
    dumps: Callable[[Any], bytes] = orjson.dumps
    return dumps


def _headers(count: int) -> dict[str, str]:
    names = ["Cache-Control", "X-Request-ID", "Vary", "X-Frame-Options", "ETag",
             "Access-Control-Allow-Origin", "X-Content-Type-Options", "Referrer-Policy"]
    values = ["no-store", "3f2a9c1e-77b0-4d0e-9a0f-2d5c1b8e6a10", "Accept-Encoding", "DENY",
              '"33a64df551425fcc55e4d42a148795d9f25f89d4"', "*", "nosniff", "no-referrer"]
    return dict(zip(names[:count], values[:count]))


async def _receive() -> dict[str, Any]:  # pragma: no cover - never awaited by Response
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    pass


_SCOPE = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
          "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"",
          "root_path": "", "headers": [], "server": ("127.0.0.1", 8000),
          "client": ("127.0.0.1", 50000)}


def namespace(classes: SimpleNamespace) -> dict[str, Any]:
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
        "Request": _starlette_requests.Request,
        "Headers": classes.Headers,
        "cookie_parser": classes.cookie_parser,
        "browser_scope": request_scope("/", BROWSER_HEADERS),
        "next_scope": fresh_scopes(),
        "cookie_head": _COOKIE_TEXT_HEAD,
        "cookie_tail": _COOKIE_TEXT_TAIL,
    }


def _fastapi_jsonable_encoder() -> Any:
    """FastAPI's own jsonable_encoder, or None without FastAPI."""
    if not _HAS_FASTAPI:
        return None
    from fastapi.encoders import jsonable_encoder
    return jsonable_encoder


# ---------------------------------------------------------------- the two sides

#: starlette's own cookie_parser, taken at import (install() replaces the module's).
_STARLETTE_COOKIE_PARSER = _starlette_requests.cookie_parser


def starlette_classes() -> SimpleNamespace:
    """starlette's side: its classes, its cookie_parser and FastAPI's
    jsonable_encoder (``side`` names it)."""
    names = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")
    return SimpleNamespace(**{name: getattr(_starlette, name) for name in names},
                           Headers=_starlette_datastructures.Headers,
                           cookie_parser=_STARLETTE_COOKIE_PARSER,
                           jsonable_encoder=_fastapi_jsonable_encoder(), side="starlette")


def implementation(name: str) -> tuple[SimpleNamespace | None, str]:
    """fastresp's classes on one implementation ("cython" or "python"), with
    fastresp's jsonable_encoder wrapper, or None and why it is unavailable; the
    second item otherwise names the modules. The one place the benchmarks load
    an implementation."""
    if name not in ("cython", "python"):
        raise ValueError(f"unknown implementation {name!r}")
    try:
        impl = _impl.load_compiled() if name == "cython" else _impl.load_python()
    except ImportError as error:
        return None, f"the compiled modules are not importable ({error})"
    classes = SimpleNamespace(**vars(impl.classes), cookie_parser=impl.request.cookie_parser,
                              side=name)
    original = _fastapi_jsonable_encoder()
    classes.jsonable_encoder = None if original is None else impl.encoders.wrap(original)
    roles = [getattr(impl, role) for role in _impl.ROLES]
    return classes, ", ".join(module.__name__ for module in roles)


_TEMPLATE = """\
def inner(_n, _timer):
    _loop = _repeat(None, _n)
    _t0 = _timer()
    for _ in _loop:
{body}
    return _timer() - _t0
"""


def compile_case(case: Case, classes: SimpleNamespace) -> Inner:
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
    exec(compile(source, f"<bench {case.name}>", "exec"), scope)
    inner: Inner = scope["inner"]
    if not case.installed:
        return inner

    def sided(n: int, timer: Callable[[], int]) -> int:
        with _side(case, classes):
            return inner(n, timer)

    return sided


def run_once(case: Case, classes: SimpleNamespace) -> Any:
    """The case's ``result`` after one run of its statement."""
    scope = namespace(classes)
    with _side(case, classes):
        exec(compile(case.stmt, f"<fastresp check {case.name}>", "exec"), scope)
        return eval(case.result, scope)


def measurable(case: Case, impl: str) -> bool:
    """Whether this process can time *case* for *impl*: an install() case
    only for the active implementation, the one install() installs."""
    return not case.installed or impl == _impl.IMPLEMENTATION


@contextmanager
def _side(case: Case, classes: SimpleNamespace) -> Iterator[None]:
    """For an install() case: fastresp installed on fastresp's side and not on
    starlette's, for the block (outside the timed loop), then put back."""
    if not case.installed:
        yield
        return
    import fastresp

    was = fastresp.installed()
    if classes.side == "starlette":
        fastresp.uninstall()
    elif classes.side == _impl.IMPLEMENTATION:
        fastresp.install()
    else:
        raise RuntimeError(f"install() installs the {_impl.IMPLEMENTATION} implementation,"
                           f" not {classes.side}")
    try:
        yield
    finally:
        (fastresp.install if was else fastresp.uninstall)()


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

Plan = list[tuple[Case, dict[str, SimpleNamespace]]]


def measure(plan: Plan, settings: Settings, out: Any = None) -> list[dict[str, list[float]]]:
    """ns per operation of every round, for each case and side of *plan*.

    Every round times each case once, and within a case each side once, the
    order of the sides reversed every other round: a burst of load from
    elsewhere then falls on all sides alike, and on all cases a little, rather
    than on one case or one side for the whole of its measurement.
    """
    return measure_inners([{name: compile_case(case, classes) for name, classes in sides.items()}
                           for case, sides in plan], settings, out)


#: The harness's own cost per operation (measured and shown, never subtracted).
OVERHEAD_CASES = (
    Case("loop", "loop", CONSTRUCT, 0, 0, "pass"),
    Case("cookie_reset", "cookie reset", COOKIE, 0, 0, "r.raw_headers = []"),
)


# -------------------------------------------------------------------- reports

def run(impls: Sequence[str], settings: Settings, cases: Sequence[Case] = CASES,
        out: Any = None) -> dict[str, Any]:
    """Measure *cases* for each implementation in *impls*; returns the report dict."""
    sides: dict[str, SimpleNamespace] = {"starlette": starlette_classes()}
    available: dict[str, dict[str, Any]] = {}
    for name in impls:
        classes, why = implementation(name)
        available[name] = {"available": classes is not None, "detail": why}
        if classes is not None:
            sides[name] = classes
    report: dict[str, Any] = {
        "metadata": {
            **environment(),
            "implementations": available,
            "timer": timer_details(),
            "method": settings.method(),
            "overhead_ns": {},
            "legend": LEGEND,
        },
        "cases": [],
    }
    # Check first that each side does starlette's work: a side whose output
    # differs is still timed but flagged; one that raises is not timed.
    problems: list[dict[str, str]] = []
    plan: Plan = []
    for case in cases:
        case_problems: dict[str, str] = {}
        timed = dict(sides)
        for name in impls:
            if name in sides and not measurable(case, name):
                del timed[name]      # not timed, and no problem: see the legend
            elif name in sides:
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
        entry: dict[str, Any] = {
            "name": case.name, "label": case.label, "kind": case.kind, "stmt": case.stmt,
            "starlette": {"ns": starlette_ns, "min_ns": min(samples["starlette"]),
                          "median_ns": statistics.median(samples["starlette"])},
            "fastresp": {},
        }
        for name in impls:
            floor = case.floor(name)
            result: dict[str, Any] = {"ns": None, "min_ns": None, "median_ns": None,
                                      "ratio": None, "halves": [], "steady": False, "floor": floor,
                                      "met": None, "problem": case_problems.get(name)}
            if name in samples:
                ratio, parts = settings.ratio(samples["starlette"], samples[name])
                # met stays None when the output differs: the time is not comparable.
                result.update(ns=settings.summary(samples[name]), min_ns=min(samples[name]),
                              median_ns=statistics.median(samples[name]), ratio=ratio, halves=parts,
                              steady=steady(parts),
                              met=None if name in case_problems or ratio is None else ratio >= floor)
            entry["fastresp"][name] = result
        report["cases"].append(entry)
    if out is not None:
        out.write("\n")
    return report


def render_text(report: dict[str, Any], impls: Sequence[str], check: bool = False) -> str:
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
    ratios = meta["method"]["ratios"]
    check = check and ratios
    lines += ["", "Per object: one statement a case, on starlette's classes and on fastresp's.",
              RATIO if ratios else QUICK_NOTE, ""]
    header = ["case", "starlette"]
    for name in impls:
        header += [f"fastresp {name}"] + (["ratio"] if ratios else []) + (["floor"] if check else [])
    rows, unsteady = [], []
    for entry in report["cases"]:
        row = [entry["label"], fmt_ns(entry["starlette"]["ns"])]
        for name in impls:
            result = entry["fastresp"][name]
            row.append(fmt_ns(result["ns"]) + (" (!)" if result["problem"] else ""))
            if ratios:
                row.append(fmt_ratio(result["ratio"], result["steady"]))
            if check:
                row.append(fmt_floor(result["ratio"], result["floor"], not result["problem"]))
            if result["ratio"] is not None and not result["steady"]:
                unsteady.append(f"{entry['label']}, {name}: "
                                + " / ".join(f"{ratio:.2f}x" for ratio in result["halves"]))
        rows.append(row)
    lines.append(table(rows, header))
    lines += unsteady_note(unsteady, STEADY)
    lines.append("")
    for entry in report["cases"]:
        for name in impls:
            if entry["fastresp"][name]["problem"]:
                lines.append(f"(!) {entry['label']}, {name}: {entry['fastresp'][name]['problem']}")
    orjson_ns = meta.get("orjson_ns", {})
    if orjson_ns and ratios:
        lines.append("For scale, orjson.dumps(document) alone (other bytes than starlette's, so not"
                     " a like-for-like comparison):")
        for entry in report["cases"]:
            if entry["name"] in orjson_ns:
                ns = orjson_ns[entry["name"]]
                times = ", ".join(f"fastresp {name} {entry['fastresp'][name]['ns'] / ns:.1f}x"
                                  for name in impls if entry["fastresp"][name]["ns"])
                lines.append(f"  {entry['label']}: orjson {fmt_ns(ns)}; starlette"
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


def _floor_summary(report: dict[str, Any], name: str) -> str:
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


def _method_text(meta: dict[str, Any]) -> str:
    method, timer, overhead = meta["method"], meta["timer"], meta["overhead_ns"]
    return (
        f"How it was timed: {method['rounds']} rounds, each timing every case and side once (the"
        f" order of the sides reversed every other round), in batches of ~{method['batch_ms']:g} ms"
        f" calibrated per side after {method['warmup_ms']:g} ms of warm-up; time = {method['statistic']}."
        f" Timer {timer['function']} ({timer['implementation']}, resolution {timer['resolution_s']:g} s);"
        f" GC {method['gc']}. The loop's own cost per operation is in both sides' times, not"
        f" subtracted: {overhead['loop']:.0f} ns, and {overhead['cookie_reset']:.0f} ns for"
        " `r.raw_headers = []`.")
