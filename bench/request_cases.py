"""The request side's benchmark cases (issue 22): per object and whole request,
with a browser-like request (12 headers, a Cookie header of 9 cookies, ~400 B),
in the shapes of ``fastresp/_bench.py`` (``Case``: a statement and a result to
compare) and ``fastresp/_bench_requests.py`` (``RequestCase``: an endpoint of an
app called in process as ASGI), for the harness to take over.

Each case runs on two sides in the same process: starlette as it is ("plain")
and after ``fastresp.install()`` (the same classes, with fastresp's methods).

Run it to measure them, both sides interleaved, the minimum of the rounds::

    PYTHONPATH=. python bench/request_cases.py [--rounds 21] [--batch-ms 20] [case ...]
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints' real
# annotations.
import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

PLAIN = "plain"
INSTALLED = "install()"
SIDES = (PLAIN, INSTALLED)

#: 9 cookies, ~400 bytes, as a browser sends them: analytics ids, a consent
#: string, a session, a CSRF token, one quoted value.
BROWSER_COOKIE = (
    b'_ga=GA1.1.1288233771.1701874800; _ga_Q2XKJ3Y5ZR=GS1.1.1701874800.3.1.1701875123.0.0.0; '
    b'_gid=GA1.2.874512399.1701874800; cookieconsent_status=dismiss; theme=dark; '
    b'session=eyJ1c2VyX2lkIjogNDIsICJyb2xlIjogImFkbWluIn0.ZXG3aw.k3n5Jx0q2l8mVtYb7dPqR4sWcHg; '
    b'csrftoken=Xk2mP9qL4vN7tR1sW8yB3cF6hJ0gD5aZ; lang="en-GB"; '
    b'prefs=%7B%22tz%22%3A%22Europe%2FLondon%22%2C%22cols%22%3A3%7D')

#: What Chrome sends for a plain GET (12 headers), as an ASGI server passes them.
BROWSER_HEADERS: List[Tuple[bytes, bytes]] = [
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
]
#: The same from a page of another origin with a bearer token (CORS case).
CORS_HEADERS = BROWSER_HEADERS + [(b"origin", b"https://app.example.com"),
                                  (b"authorization", b"Bearer 0123456789abcdef")]


def scope(path: str, headers: List[Tuple[bytes, bytes]] = BROWSER_HEADERS) -> Dict[str, Any]:
    """An HTTP/1.1 GET as uvicorn would pass it."""
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode("ascii"),
        "query_string": b"", "root_path": "", "headers": list(headers),
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "state": {},
    }


# ---------------------------------------------------------------- per object

@dataclass(frozen=True)
class Case:
    """As ``fastresp._bench.Case``: ``stmt`` runs once per operation with the
    names of namespace() in scope; ``result`` is evaluated after one run to check
    that both sides did the same work."""

    name: str
    label: str
    kind: str
    compiled: float    # floor ratio, compiled
    fallback: float    # floor ratio, pure Python on CPython
    stmt: str
    result: str


REQUEST = "REQUEST"

CASES: Tuple[Case, ...] = (
    Case("request_cookies", "Request(scope).cookies, 9 cookies ~400 B", REQUEST, 8.0, 1.0,
         "_r = Request(fresh_scope()).cookies", "_r"),
    Case("headers_scope_get", "Headers(scope=...) + 3 get (one miss), 12 headers", REQUEST,
         4.0, 1.0,
         "_h = Headers(scope=dict(browser_scope))\n"
         "_r = (_h.get('origin'), _h.get('user-agent'), _h.get('accept-encoding'))",
         "_r"),
    Case("request_headers_items", "Request(scope).headers.items(), 12 headers", REQUEST, 1.5, 1.0,
         "_r = Request(fresh_scope()).headers.items()", "_r"),
    Case("cookie_parser", "cookie_parser(9 cookies ~400 B)", REQUEST, 8.0, 1.0,
         "_r = requests.cookie_parser(cookie_text)", "_r"),
)


def namespace() -> Dict[str, Any]:
    import starlette.requests as requests
    from starlette.datastructures import Headers
    from starlette.requests import Request

    return {"Request": Request, "Headers": Headers, "requests": requests,
            "browser_scope": scope("/"), "fresh_scope": fresh_scope,
            "cookie_text": BROWSER_COOKIE.decode("latin-1")}


def fresh_headers(headers: List[Tuple[bytes, bytes]]) -> List[Tuple[bytes, bytes]]:
    """headers with a new bytes object for the Cookie value, as a server makes
    for every request (a bytes object caches its hash: the same object request
    after request would flatter anything keyed on it). One concatenation: cheap
    beside the work measured, and the same on both sides."""
    return [(name, value[:-1] + value[-1:]) if name == b"cookie" else (name, value)
            for name, value in headers]


_BROWSER_SCOPE = scope("/")
_BEFORE_COOKIE = BROWSER_HEADERS[:-1]
_COOKIE_HEAD, _COOKIE_TAIL = BROWSER_COOKIE[:-1], BROWSER_COOKIE[-1:]


def fresh_scope() -> Dict[str, Any]:
    """The browser-like request's scope, with a fresh Cookie value."""
    return dict(_BROWSER_SCOPE, headers=[*_BEFORE_COOKIE, (b"cookie", _COOKIE_HEAD + _COOKIE_TAIL)])


# -------------------------------------------------------------- whole request

@dataclass(frozen=True)
class RequestCase:
    """As ``fastresp._bench_requests.RequestCase``, plus the request's headers."""

    name: str
    label: str
    app: str
    path: str
    floor: float
    fallback: float
    headers: Tuple[Tuple[bytes, bytes], ...] = tuple(BROWSER_HEADERS)


REQUEST_CASES: Tuple[RequestCase, ...] = (
    RequestCase("browser_typed", "FastAPI typed endpoint, browser-like request", "fastapi",
                "/typed", 1.15, 1.0),
    RequestCase("headers_cookies", "FastAPI endpoint reading request.headers and .cookies",
                "fastapi", "/headers-cookies", 1.2, 1.0),
    RequestCase("cors_bearer_cookie", "FastAPI typed, CORS + HTTPBearer + Cookie()",
                "fastapi_cors", "/secure", 1.1, 1.0, tuple(CORS_HEADERS)),
)


def fastapi_app() -> Any:
    from fastapi import FastAPI, Request
    from pydantic import BaseModel

    class Item(BaseModel):
        id: int
        name: str
        price: float
        tags: List[str]

    app = FastAPI()

    @app.get("/typed")
    async def typed() -> Item:
        return Item(id=1, name="widget", price=9.99, tags=["a", "b"])

    @app.get("/headers-cookies")
    async def headers_cookies(request: Request):  # type: ignore[no-untyped-def]
        return {"agent": request.headers.get("user-agent"), "lang": request.cookies.get("lang"),
                "session": "session" in request.cookies}

    return app


def fastapi_cors_app() -> Any:
    from fastapi import Cookie, Depends, FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from pydantic import BaseModel

    class Item(BaseModel):
        id: int
        name: str
        price: float
        tags: List[str]

    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"],
                       allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
    bearer = HTTPBearer()

    @app.get("/secure")
    async def secure(credentials: HTTPAuthorizationCredentials = Depends(bearer),
                     session: str = Cookie()) -> Item:
        return Item(id=1, name=session[:8], price=9.99, tags=[credentials.scheme])

    return app


def apps() -> Dict[str, Any]:
    return {"fastapi": fastapi_app(), "fastapi_cors": fastapi_cors_app()}


async def _receive() -> Dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _drop(message: Dict[str, Any]) -> None:
    pass


# ------------------------------------------------------------------ measuring

def _set_side(side: str) -> None:
    import fastresp

    if side == INSTALLED:
        fastresp.install()
    else:
        fastresp.uninstall()


def object_runner(case: Case) -> Tuple[Callable[[int], float], Callable[[], Any]]:
    """(time n operations, one operation's result) for a per-object case."""
    names = namespace()
    timed = compile(f"def _run(_n, _clock):\n    _s = _clock()\n    for _ in range(_n):\n"
                    + "".join(f"        {line}\n" for line in case.stmt.splitlines())
                    + "    return _clock() - _s\n", case.name, "exec")
    exec(timed, names)
    once = compile(case.stmt, case.name, "exec")

    def result() -> Any:
        local = dict(names)
        exec(once, local)
        return eval(case.result, local)

    return (lambda n: names["_run"](n, time.perf_counter_ns)), result


def request_runner(app: Any, case: RequestCase,
                   loop: asyncio.AbstractEventLoop) -> Tuple[Callable[[int], float],
                                                              Callable[[], Any]]:
    request_scope = scope(case.path, list(case.headers))

    async def batch(n: int) -> None:
        for _ in range(n):
            await app(dict(request_scope, headers=fresh_headers(list(case.headers))), _receive,
                      _drop)

    def run(n: int) -> float:
        start = time.perf_counter_ns()
        loop.run_until_complete(batch(n))
        return time.perf_counter_ns() - start

    def result() -> Any:
        sent: List[Any] = []

        async def keep(message: Dict[str, Any]) -> None:
            sent.append(message)

        loop.run_until_complete(app(scope(case.path, list(case.headers)), _receive, keep))
        return sent

    return run, result


def measure(runners: Dict[str, Tuple[Callable[[int], float], Callable[[], Any]]], rounds: int,
            batch_ns: float) -> Dict[str, Dict[str, float]]:
    """ns per operation, the minimum over rounds, each case's sides interleaved
    (install() or uninstall() before every batch)."""
    sizes: Dict[str, int] = {}
    for name, (run, _) in runners.items():
        _set_side(PLAIN)
        n = 1
        while run(n) < batch_ns / 4:
            n *= 2
        sizes[name] = n * 4
    best: Dict[str, Dict[str, float]] = {name: {side: float("inf") for side in SIDES}
                                         for name in runners}
    for _ in range(rounds):
        for name, (run, _) in runners.items():
            for side in SIDES:
                _set_side(side)
                best[name][side] = min(best[name][side], run(sizes[name]) / sizes[name])
    _set_side(PLAIN)
    return best


def main(argv: Any = None) -> int:
    import fastresp

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--batch-ms", type=float, default=20.0)
    parser.add_argument("cases", nargs="*")
    options = parser.parse_args(argv)
    loop = asyncio.new_event_loop()
    found = apps()
    runners: Dict[str, Any] = {}
    labels: Dict[str, Tuple[str, float]] = {}
    for case in CASES:
        runners[case.name] = object_runner(case)
        labels[case.name] = (case.label, case.compiled if fastresp.IMPLEMENTATION == "cython"
                             else case.fallback)
    for request_case in REQUEST_CASES:
        runners[request_case.name] = request_runner(found[request_case.app], request_case, loop)
        labels[request_case.name] = (request_case.label, request_case.floor
                                     if fastresp.IMPLEMENTATION == "cython"
                                     else request_case.fallback)
    if options.cases:
        runners = {name: runners[name] for name in options.cases}
    problems = []
    for name, (_, result) in runners.items():
        outputs = []
        for side in SIDES:
            _set_side(side)
            outputs.append(result())
        if outputs[0] != outputs[1]:
            problems.append(f"{name}: install() gives {outputs[1]!r}, plain {outputs[0]!r}")
    best = measure(runners, options.rounds, options.batch_ms * 1e6)
    print(f"fastresp {fastresp.IMPLEMENTATION}, Python {sys.version.split()[0]}, "
          f"min of {options.rounds} rounds, interleaved")
    print(f"| case | plain ns | install() ns | ratio | floor |\n|---|---:|---:|---:|---:|")
    for name, sides in best.items():
        label, floor = labels[name]
        ratio = sides[PLAIN] / sides[INSTALLED]
        print(f"| {label} | {sides[PLAIN]:,.0f} | {sides[INSTALLED]:,.0f} | {ratio:.2f}x | "
              f"{floor:g}x |")
    for problem in problems:
        print("DIFFERENT:", problem)
    loop.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
