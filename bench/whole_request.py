"""Whole requests: an app called in process, plain against ``fastresp.install()``.

A per-object case times one response call; users time requests. Each case here
is one endpoint of a FastAPI app or a plain starlette app, called as ASGI in this
process (no server, no socket): the app runs the routing, the endpoint, FastAPI's
dependency and serialization code and ``await response(scope, receive, send)``,
with a ``receive`` that hands over an empty body and a ``send`` that drops the
messages. One side runs the app as it is ("plain"), the other after
``fastresp.install()`` (the same app objects: install() swaps methods on
starlette's and FastAPI's own classes and functions, so nothing is rebuilt).

The endpoints are ``async def``: a plain ``def`` endpoint sends every request
through a worker thread, whose hand-over costs more than all of the response
work and varies with the scheduler, on both sides alike. A batch of requests
runs inside one coroutine on one event loop, so the loop's own start-up is paid
once per batch, not once per request.

Needs FastAPI for the FastAPI cases; the starlette cases run without it.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints' real
# annotations, and the model is local to fastapi_app(); so the annotations that
# need ``X | None`` (Python 3.10) are written as strings.
import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import objects
from report import QUICK_NOTE, fmt_floor, fmt_ns, fmt_ratio, table, unsteady_note
from timing import CPYTHON, STEADY, Inner, Settings, measure, steady

import fastresp
from fastresp import _impl
from fastresp._env import NO_EXTENSIONS_VAR

#: The entry point a child process runs (PyPy's sides apart, the other
#: implementation): this file's sibling, by path.
RUN = Path(__file__).with_name("run.py")

PLAIN = "plain"
INSTALLED = "install()"
SIDES = (PLAIN, INSTALLED)


#: A client's three headers (the response-side cases).
PLAIN_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench/1.0"), (b"accept", b"*/*"))


@dataclass(frozen=True)
class RequestCase:
    """One endpoint: ``app`` is "fastapi", "fastapi_cors" or "starlette" (a key
    of apps()), ``path`` the route."""

    name: str
    label: str
    app: str
    path: str
    floor: float       # the compiled implementation's floor, starlette-plain / installed
    fallback: float    # the pure-Python implementation's floor (never slower)
    #: The request's headers (a fresh Cookie value every request).
    headers: tuple[tuple[bytes, bytes], ...] = PLAIN_HEADERS


REQUEST_CASES: tuple[RequestCase, ...] = (
    RequestCase("typed", "FastAPI typed endpoint (pydantic model)", "fastapi", "/typed", 1.05, 1.0),
    RequestCase("untyped_dict", "FastAPI untyped dict", "fastapi", "/untyped-dict", 1.25, 1.0),
    RequestCase("untyped_rows", "FastAPI untyped 20 rows", "fastapi", "/untyped-rows", 3.0, 1.0),
    RequestCase("cookie", "FastAPI cookie on injected Response", "fastapi", "/cookie", 1.4, 1.0),
    RequestCase("not_found", "FastAPI HTTPException(404)", "fastapi", "/missing", 1.15, 1.0),
    RequestCase("starlette_json", "starlette JSONResponse 20 rows", "starlette", "/json-rows", 1.5, 1.0),
    RequestCase("starlette_text", "starlette PlainTextResponse + header", "starlette", "/text", 1.1, 1.0),
    # The request side: a browser's request (12 headers, 9 cookies ~400 B).
    RequestCase("browser_typed", "FastAPI typed endpoint, browser request", "fastapi", "/typed",
                1.15, 1.0, objects.BROWSER_HEADERS),
    RequestCase("headers_cookies", "FastAPI reading request.headers and .cookies, browser request",
                "fastapi", "/headers-cookies", 1.2, 1.0, objects.BROWSER_HEADERS),
    RequestCase("cors_bearer_cookie", "FastAPI typed, CORS + HTTPBearer + Cookie(), browser request",
                "fastapi_cors", "/secure", 1.1, 1.0, objects.CORS_HEADERS),
)


def item_model() -> Any:
    """The typed endpoints' response model (pydantic imported only when used)."""
    from pydantic import BaseModel

    class Item(BaseModel):
        id: int
        name: str
        price: float
        tags: list[str]

    return Item


def fastapi_app() -> Any:
    from fastapi import FastAPI, HTTPException, Request, Response
    Item = item_model()
    app = FastAPI()
    data = objects.rows(20)

    @app.get("/typed")
    async def typed() -> Item:
        return Item(id=1, name="widget", price=9.99, tags=["a", "b"])

    @app.get("/untyped-dict")
    async def untyped_dict():  # type: ignore[no-untyped-def]
        return {"id": 1, "name": "widget", "price": 9.99, "tags": ["a", "b"]}

    @app.get("/untyped-rows")
    async def untyped_rows():  # type: ignore[no-untyped-def]
        return data

    @app.get("/cookie")
    async def cookie(response: Response):  # type: ignore[no-untyped-def]
        response.set_cookie("session", "abc123", httponly=True, samesite="strict")
        return {"ok": True}

    @app.get("/missing")
    async def missing():  # type: ignore[no-untyped-def]
        raise HTTPException(status_code=404, detail="Item not found")

    @app.get("/headers-cookies")
    async def headers_cookies(request: Request):  # type: ignore[no-untyped-def]
        return {"agent": request.headers.get("user-agent"), "lang": request.cookies.get("lang"),
                "session": "session" in request.cookies}

    return app


def fastapi_cors_app() -> Any:
    """A typed endpoint behind CORSMiddleware, with an HTTPBearer and a Cookie()
    dependency."""
    from fastapi import Cookie, Depends, FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    Item = item_model()
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"],
                       allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
    bearer = HTTPBearer()

    @app.get("/secure")
    async def secure(credentials: HTTPAuthorizationCredentials = Depends(bearer),
                     session: str = Cookie()) -> Item:
        return Item(id=1, name=session[:8], price=9.99, tags=[credentials.scheme])

    return app


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    data = objects.rows(20)

    async def json_rows(request: Any) -> Any:
        return JSONResponse(data)

    async def text(request: Any) -> Any:
        response = PlainTextResponse("hello, world")
        response.headers["x-request-id"] = "3f2a9c1e-77b0-4d0e-9a0f-2d5c1b8e6a10"
        return response

    return Starlette(routes=[Route("/json-rows", json_rows), Route("/text", text)])


def scope(path: str, headers: tuple[tuple[bytes, bytes], ...] = PLAIN_HEADERS) -> dict[str, Any]:
    """An HTTP/1.1 GET as uvicorn would pass it, with a fresh Cookie value."""
    return objects.request_scope(path, objects.fresh_headers(headers))


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _drop(message: dict[str, Any]) -> None:
    pass


def apps() -> tuple[dict[str, Any], dict[str, str]]:
    """The apps by name, and why an app is missing (FastAPI not installed)."""
    found: dict[str, Any] = {"starlette": starlette_app()}
    missing: dict[str, str] = {}
    try:
        found["fastapi"] = fastapi_app()
        found["fastapi_cors"] = fastapi_cors_app()
    except ImportError as error:
        missing["fastapi"] = f"FastAPI is not installed ({error})"
    return found, missing


def _set_side(side: str) -> None:
    if side == INSTALLED:
        fastresp.install()
    else:
        fastresp.uninstall()


def messages(app: Any, case: RequestCase, side: str, loop: asyncio.AbstractEventLoop) -> list[Any]:
    """What the app sends for one request of *case* on *side*."""
    sent: list[Any] = []

    async def keep(message: dict[str, Any]) -> None:
        sent.append(message)

    _set_side(side)
    loop.run_until_complete(app(scope(case.path, case.headers), _receive, keep))
    return sent


def check(app: Any, case: RequestCase, loop: asyncio.AbstractEventLoop) -> "str | None":
    """None when both sides send the same messages, else what differs."""
    plain = messages(app, case, PLAIN, loop)
    installed = messages(app, case, INSTALLED, loop)
    if plain != installed:
        return f"install() sends {installed!r}, plain starlette {plain!r}"
    return None


def inner(app: Any, case: RequestCase, side: str, loop: asyncio.AbstractEventLoop) -> Inner:
    """``inner(n, timer)`` for ``timing.measure``: n requests on *side*,
    switched to before the clock starts."""
    request_scope = scope(case.path, case.headers)
    headers = case.headers
    fresh = objects.fresh_headers

    async def batch(n: int) -> None:
        for _ in range(n):
            # A fresh dict per request (the app may write into its scope), and
            # a fresh Cookie value, as a server makes (see objects.fresh_headers).
            await app(dict(request_scope, headers=fresh(headers)), _receive, _drop)

    def run(n: int, timer: Callable[[], int]) -> int:
        _set_side(side)
        start = timer()
        loop.run_until_complete(batch(n))
        return timer() - start

    return run


# ------------------------------------------------------------------ measuring

#: A request costs tens of microseconds: batches of at least this long keep the
#: switch between the sides (install() or uninstall() before every batch, and
#: the first construction after it) below a percent of a batch.
MIN_BATCH_NS = 5_000_000


#: Set in a child process that times one side only (see run_sides_apart).
ONE_SIDE_VAR = "_FASTRESP_BENCH_ONE_SIDE"
#: How many child processes time each side on PyPy (alternating sides): one
#: PyPy process runs a request ~10% faster or slower than the next, at random.
SIDE_PROCESSES = 5


def selected(found: dict[str, Any], names: "Sequence[str] | None") -> list[RequestCase]:
    """The cases whose app is in *found*, only those named when *names* is given."""
    return [case for case in REQUEST_CASES
            if case.app in found and (names is None or case.name in names)]


def run(settings: Settings, out: Any = None, names: "Sequence[str] | None" = None) -> dict[str, Any]:
    """Time every case (or those *names*) on both sides with the active
    implementation; the report section as a dict (render() shows it). On PyPy
    each side is timed in processes of its own (see run_sides_apart)."""
    one_side = os.environ.get(ONE_SIDE_VAR)
    if one_side is None and not CPYTHON:
        return run_sides_apart(settings, out, names)
    return _run_here(settings, out, one_side, names)


def _run_here(settings: Settings, out: Any, one_side: "str | None",
              names: "Sequence[str] | None" = None) -> dict[str, Any]:
    """Both sides interleaved in this process, or only one_side (then nothing
    is switched and the sends are not compared: the parent did that)."""
    was_installed = fastresp.installed()
    found, missing = apps()
    sides = SIDES if one_side is None else (one_side,)
    loop = asyncio.new_event_loop()
    try:
        cases = selected(found, names)
        if one_side is None:
            problems = {case.name: check(found[case.app], case, loop) for case in cases}
        else:
            problems = {case.name: None for case in cases}
            _set_side(one_side)
            was_installed = one_side == INSTALLED
        inners = [{side: inner(found[case.app], case, side, loop) for side in sides}
                  for case in cases]
        timing = replace(settings, batch_ns=max(settings.batch_ns, MIN_BATCH_NS))
        samples = measure(inners, timing, out)
        if out is not None:
            out.write("\n")
    finally:
        _set_side(INSTALLED if was_installed else PLAIN)
        loop.close()
    times = {case.name: {side: case_samples.get(side, []) for side in SIDES}
             for case, case_samples in zip(cases, samples)}
    return _section(settings, cases, times, problems, missing)


def _section(settings: Settings, cases: list[RequestCase], times: dict[str, dict[str, list[float]]],
             problems: "dict[str, str | None]", missing: dict[str, str]) -> dict[str, Any]:
    """The report section: each case's time on each side (the summary of that
    side's samples; nan for a side not timed in this process) and their ratio."""
    def side_ns(values: list[float]) -> float:
        return settings.summary(values) if values else float("nan")

    results = []
    for case in cases:
        plain, installed = side_ns(times[case.name][PLAIN]), side_ns(times[case.name][INSTALLED])
        ratio, parts = settings.ratio(times[case.name][PLAIN], times[case.name][INSTALLED])
        floor = case.floor if _impl.IMPLEMENTATION == "cython" else case.fallback
        results.append({"name": case.name, "label": case.label, "path": case.path,
                        "plain_ns": plain, "installed_ns": installed, "ratio": ratio,
                        "halves": parts, "steady": steady(parts), "floor": floor,
                        "problem": problems[case.name]})
    return {"implementation": _impl.IMPLEMENTATION, "reason": _impl.REASON,
            "missing": missing, "ratios": settings.ratios, "cases": results}


def _child_section(settings: Settings, env: dict[str, str],
                   names: "Sequence[str] | None" = None) -> dict[str, Any]:
    """The requests section as a child process reports it (--json), or
    {"unavailable": why} when the child fails."""
    command = [sys.executable, str(RUN), "--section", "requests", "--json",
               "--rounds", str(settings.rounds), "--batch-ms", str(settings.batch_ns / 1e6),
               "--warmup-ms", str(settings.warmup_ns / 1e6), "--statistic", settings.statistic,
               *([] if settings.ratios else ["--quick"]),
               *[argument for name in names or () for argument in ("--case", name)]]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"unavailable": f"the child process failed: {done.stderr.strip()[-500:]}"}
    section: dict[str, Any] = json.loads(done.stdout)["requests"][0]
    return section


def run_sides_apart(settings: Settings, out: Any = None,
                    names: "Sequence[str] | None" = None) -> dict[str, Any]:
    """The section with each side timed in child processes of its own, the
    sides alternating, SIDE_PROCESSES children a side; a side's time is the
    summary (min or median) of its children's. For PyPy: switching install()
    in one process throws away the JIT's traces for the other side every
    batch, which times the JIT, not the request. The sends are compared here,
    once."""
    found, missing = apps()
    loop = asyncio.new_event_loop()
    was_installed = fastresp.installed()
    try:
        cases = selected(found, names)
        problems = {case.name: check(found[case.app], case, loop) for case in cases}
    finally:
        _set_side(INSTALLED if was_installed else PLAIN)
        loop.close()
    times: dict[str, dict[str, list[float]]] = {case.name: {PLAIN: [], INSTALLED: []}
                                                for case in cases}
    for _ in range(SIDE_PROCESSES):
        for side, key in ((PLAIN, "plain_ns"), (INSTALLED, "installed_ns")):
            child = _child_section(settings, {**os.environ, ONE_SIDE_VAR: side}, names)
            if "unavailable" in child:
                return {"implementation": _impl.IMPLEMENTATION, **child}
            for case in child["cases"]:
                times[case["name"]][side].append(case[key])
            if out is not None:
                out.write("+")
                out.flush()
    if out is not None:
        out.write("\n")
    return {**_section(settings, cases, times, problems, missing), "sides": "apart"}


def run_elsewhere(implementation: str, settings: Settings,
                  names: "Sequence[str] | None" = None) -> dict[str, Any]:
    """The same section for an implementation this process cannot install: the
    pure-Python one is timed in a child process with FASTRESP_NO_EXTENSIONS=1."""
    if implementation != "python":
        return {"implementation": implementation, "unavailable": f"this process runs the {_impl.IMPLEMENTATION} implementation: {_impl.REASON}"}
    section = _child_section(settings, {**os.environ, NO_EXTENSIONS_VAR: "1"}, names)
    return {"implementation": implementation, **section} if "unavailable" in section else section


#: What the section shows, printed above its tables.
ABOUT = """\
Whole requests: a FastAPI app and a starlette app called in this process as ASGI
(routing, FastAPI's validation and serialization, the response; no server, no
network), as they are ("plain") and after fastresp.install(). ratio = plain time
/ install() time; higher is better. A request also spends time where fastresp
changes nothing, so these ratios are smaller than the per-object ones. On PyPy
each side is timed in processes of its own, the sides alternating (switching
install() in one process would time the JIT re-tracing)."""


def render(sections: list[dict[str, Any]], check: bool = False) -> str:
    """The section as text: one table per implementation (with each request's
    floor when *check*)."""
    lines = [ABOUT]
    for section in sections:
        name = section["implementation"]
        if "unavailable" in section:
            lines.append(f"{name}: not measured ({section['unavailable']})")
            continue
        for app, why in section["missing"].items():
            lines.append(f"{name}: no {app} cases: {why}")
        ratios = section["ratios"]
        shown = (["ratio"] if ratios else []) + (["floor"] if check and ratios else [])
        rows = [[case["label"], fmt_ns(case["plain_ns"]),
                 fmt_ns(case["installed_ns"]) + (" (!)" if case["problem"] else "")]
                + ([fmt_ratio(case["ratio"], case["steady"])] if ratios else [])
                + ([fmt_floor(case["ratio"], case["floor"], not case["problem"])] if "floor" in shown else [])
                for case in section["cases"]]
        lines += [""] if ratios else ["", QUICK_NOTE, ""]
        lines.append(table(rows, ["request", "plain", f"install() {name}", *shown]))
        lines += unsteady_note([f"{case['label']}: " + " / ".join(f"{r:.2f}x" for r in case["halves"])
                                for case in section["cases"] if ratios and not case["steady"]], STEADY)
        for case in section["cases"]:
            if case["problem"]:
                lines.append(f"(!) {case['label']}: {case['problem']}")
    return "\n".join(lines)
