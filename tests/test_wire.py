"""fastresp's compiled uvicorn path (fastresp/uvicorn.py, fastresp/_wire.pyx)
against uvicorn's own httptools protocol.

* Raw requests (pipelined, HTTP/1.0, HEAD, chunked bodies, expect
  100-continue, malformed, huge and many headers, non-ASCII and
  percent-encoded paths, query strings) times ASGI apps (every response
  framing, the errors uvicorn raises to the app) go through uvicorn's
  ``HttpToolsProtocol``, through ``fastresp.uvicorn.HttpToolsProtocol`` and
  through uvicorn's class under ``fastresp.install()``, in process over a fake
  transport: every byte written, the close, every scope the app saw, every
  error its ``send`` raised and every log record must be the same.
* hypothesis: header lists of hostile bytes (and non-bytes objects) through
  ``RequestResponseCycle.send`` and ``on_header``, uvicorn's against fastresp's.
* uvicorn's own tests/protocols/test_http.py (from the sdist of the installed
  release, downloaded at test time) with fastresp's protocol class and under
  install(): ``slow``.

With the pure-Python implementation uvicorn must be left exactly as it is.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastresp

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

import fastresp.uvicorn as fast  # noqa: E402
from uvicorn.config import Config  # noqa: E402
from uvicorn.protocols.http import httptools_impl  # noqa: E402
from uvicorn.server import ServerState  # noqa: E402

ACCELERATED = bool(fast.ACCELERATED)
needs_compiled = pytest.mark.skipif(not ACCELERATED, reason=f"uvicorn is not accelerated: {fast.REASON}")
# What each release whose sources were hashed gets replaced (_uvicorn_release).
_BEGIN = {"HttpToolsProtocol.on_message_begin", "HttpToolsProtocol.on_url"}
_HEAD = _BEGIN | {"RequestResponseCycle.send", "HttpToolsProtocol.on_headers_complete"}
EXPECTED = {"0.55.0": _HEAD | {"HttpToolsProtocol.on_header"}, "0.54.0": _HEAD, "0.53.0": _HEAD,
            **dict.fromkeys(("0.52.4", "0.52.0", "0.51.0", "0.50.2", "0.50.0"), _BEGIN),
            "0.49.0": {"HttpToolsProtocol.on_url"}, "0.45.0": {"HttpToolsProtocol.on_url"},
            "0.39.0": set()}

DATE = (b"date", b"Mon, 07 Dec 2026 15:00:00 GMT")
SERVER = (b"server", b"uvicorn")


# ---------------------------------------------------------------------------
# An in-process connection: a fake transport, a real event loop.

class Transport:
    """What uvicorn's protocol uses of an asyncio transport, recording writes."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.closed = False
        self.reading = True

    def get_extra_info(self, key: str) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 51000)}.get(key)

    def write(self, data: bytes) -> None:
        # (asyncio's transports ignore writes after close; recorded all the same)
        self.events.append(("write", type(data).__name__, bytes(data), self.closed))

    def close(self) -> None:
        if not self.closed:
            self.events.append(("close",))
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def set_protocol(self, protocol: Any) -> None:
        self.events.append(("set_protocol", type(protocol).__name__))


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, str, str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.records.append((record.name, record.levelname, record.getMessage(),
                             None if error is None else f"{type(error).__name__}: {error}"))


def snapshot(scope: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """A scope's keys in order, each value with its type (headers item by item)."""
    out = []
    for key, value in scope.items():
        if key == "headers":
            value = [(type(n).__name__, n, type(v).__name__, v) for n, v in value]
        elif isinstance(value, dict):
            value = sorted(value.items())
        out.append((key, type(value).__name__, value))
    return out


def run(protocol_class: type, chunks: list[bytes], app: Callable[..., Any],
        **config: Any) -> dict[str, Any]:
    """Feed *chunks* to a new connection served by *protocol_class* and *app*;
    everything observable, in order."""
    seen: list[Any] = []

    async def recorded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(("scope", snapshot(scope)))
        # The cycle as its __init__ left it: attribute names in order, plain values.
        seen.append(("cycle", [(name, value if isinstance(value, (bool, int, type(None), bytearray))
                                else type(value).__name__)
                               for name, value in vars(receive.__self__).items()]))

        async def checked_send(message: dict[str, Any]) -> None:
            try:
                await send(message)
            except Exception as error:
                seen.append(("send raised", type(error).__name__, str(error)))
                raise
        await app(scope, receive, checked_send)

    recorder = Recorder()
    loggers = [logging.getLogger("uvicorn.access"), logging.getLogger("uvicorn.error")]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        async def main() -> None:
            state = ServerState()
            state.default_headers = [DATE, SERVER]
            settings = {"ws": "none", "lifespan": "off", "log_config": None, **config}
            protocol = protocol_class(config=Config(app=recorded, **settings), server_state=state,
                                      app_state={"shared": 1})
            transport = Transport()
            protocol.connection_made(transport)
            for chunk in chunks:
                if transport.closed:
                    break
                protocol.data_received(chunk)
                await settle(state)
            protocol.connection_lost(None)
            await settle(state)
            seen.append(("transport", transport.events))
        asyncio.run(main())
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)
    seen.append(("log", recorder.records))
    return {"seen": seen}


async def settle(state: ServerState) -> None:
    for _ in range(200):
        await asyncio.sleep(0)
        if not state.tasks:
            return


# ---------------------------------------------------------------------------
# The corpus: raw requests and apps.

def request(line: bytes, *headers: bytes, body: bytes = b"") -> bytes:
    return b"\r\n".join([line, *headers, b"", body])


BROWSER = (b"Host: example.org", b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
           b"Accept: text/html,application/xhtml+xml,*/*;q=0.8", b"Accept-Language: en-US,en;q=0.5",
           b"Accept-Encoding: gzip, deflate, br", b"Connection: keep-alive", b"Referer: http://example.org/",
           b"Cookie: a=1; b=2", b"Upgrade-Insecure-Requests: 1", b"Sec-Fetch-Dest: document",
           b"Sec-Fetch-Mode: navigate", b"Priority: u=0, i")

REQUESTS: dict[str, list[bytes]] = {
    "get": [request(b"GET / HTTP/1.1", b"Host: example.org")],
    "browser": [request(b"GET /items/42?q=x HTTP/1.1", *BROWSER)],
    "query": [request(b"GET /search?q=a%20b&x=%C3%A9&empty= HTTP/1.1", b"Host: x")],
    "percent-path": [request(b"GET /one%2Ftwo/caf%C3%A9/%25 HTTP/1.1", b"Host: x")],
    "non-ascii-path": [request("GET /café HTTP/1.1".encode(), b"Host: x")],
    "http10": [request(b"GET / HTTP/1.0", b"Host: x")],
    "http10-keepalive": [request(b"GET / HTTP/1.0", b"Host: x", b"Connection: keep-alive")],
    "head": [request(b"HEAD /h HTTP/1.1", b"Host: x")],
    "post": [request(b"POST /p HTTP/1.1", b"Host: x", b"Content-Length: 5", body=b"hello")],
    "post-split": [request(b"POST /p HTTP/1.1", b"Host: x", b"Content-Length: 10"), b"hello", b"world"],
    "chunked-body": [request(b"POST /c HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked",
                             body=b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")],
    "expect": [request(b"POST /e HTTP/1.1", b"Host: x", b"Expect: 100-Continue", b"Content-Length: 4"),
               b"body"],
    # uvicorn 0.55 strips the trailing space (and so answers 100 Continue), 0.54 does not
    "expect-space": [request(b"POST /e HTTP/1.1", b"Host: x", b"Expect: 100-continue \t",
                             b"Content-Length: 4"), b"body"],
    "pipelined": [request(b"GET /1 HTTP/1.1", b"Host: x") + request(b"HEAD /2 HTTP/1.1", b"Host: x")
                  + request(b"GET /3?x HTTP/1.1", b"Host: x")],
    "close": [request(b"GET / HTTP/1.1", b"Host: x", b"Connection: close")],
    "close-then-more": [request(b"GET / HTTP/1.1", b"Host: x", b"Connection: close")
                        + request(b"GET /never HTTP/1.1", b"Host: x")],
    "malformed": [b"GET / HTTP/1.1\r\nHost\r\n\r\n"],
    "bad-method": [request(b"G(T / HTTP/1.1", b"Host: x")],
    "bad-chunk": [request(b"POST / HTTP/1.1", b"Host: x", b"Transfer-Encoding: chunked", body=b"zz\r\n")],
    "huge-header": [request(b"GET / HTTP/1.1", b"Host: x", b"X-Big: " + b"v" * 20000)],
    "many-headers": [request(b"GET / HTTP/1.1", b"Host: x", *[b"X-H%d: %d\t " % (i, i) for i in range(120)])],
    "odd-headers": [request(b"GET / HTTP/1.1", b"HOST: x", b"x-Dup: 1", b"X-DUP: 2", b"Empty:",
                            b"Latin: caf\xe9", b"Ws:   \t")],
    "upgrade": [request(b"GET /ws HTTP/1.1", b"Host: x", b"Connection: Upgrade", b"Upgrade: websocket")],
    "split-head": [b"GET /split HT", b"TP/1.1\r\nHo", b"st: x\r\nX-A: 1\r\n", b"\r\n"],
}


def start(status: Any = 200, headers: Any = (), **extra: Any) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": list(headers), **extra}


def body(data: Any = b"", more: Any = False) -> dict[str, Any]:
    return {"type": "http.response.body", "body": data, "more_body": more}


def replay(*messages: dict[str, Any], read: bool = False) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if read:
            while True:
                message = await receive()
                if not message.get("more_body"):
                    break
        for message in messages:
            await send(message)
    return app


SIX = [(b"content-type", b"text/plain; charset=utf-8"), (b"Content-Length", b"5"),
       (b"X-Request-ID", b"abc"), (b"cache-control", b"no-store"), (b"Vary", b"Accept"),
       (b"set-cookie", b"a=b; Path=/")]

APPS: dict[str, Callable[..., Any]] = {
    "six-headers": replay(start(200, SIX), body(b"hello")),
    # a head longer than the compiled writer's stack buffer (1 KiB)
    "big-head": replay(start(200, [*SIX, (b"x-big", b"v" * 3000), (b"X-" + b"n" * 900, b"1")]),
                       body(b"hello")),
    "chunked": replay(start(201, [(b"x", b"1")]), body(b"ab", True), body(b"", True), body(b"c" * 300)),
    "chunked-empty": replay(start(200), body()),
    "explicit-te": replay(start(200, [(b"Transfer-Encoding", b"Chunked")]), body(b"abc")),
    "both-framings": replay(start(200, [(b"content-length", b"3"), (b"transfer-encoding", b"chunked")]),
                            body(b"abc")),
    "close-token": replay(start(200, [(b"Connection", b"keep-alive, Close"), (b"content-length", b"0")]),
                          body()),
    "204": replay(start(204), body()),
    "304": replay(start(304, [(b"etag", b'"x"')]), body()),
    "longer": replay(start(200, [(b"content-length", b"2")]), body(b"abc")),
    "shorter": replay(start(200, [(b"content-length", b"5")]), body(b"abc")),
    "bad-length": replay(start(200, [(b"content-length", b"x1")]), body(b"abc")),
    "bad-name": replay(start(200, [(b"ok", b"1"), (b"bad name", b"1")]), body()),
    "bad-value": replay(start(200, [(b"content-length", b"1"), (b"v", b"a\nb")]), body(b"x")),
    "tab-value": replay(start(200, [(b"v", b"a\tb"), (b"content-length", b"0")]), body()),
    "out-of-order": replay(body(b"x")),
    "start-twice": replay(start(200, [(b"content-length", b"0")]), start(200)),
    "after-complete": replay(start(200, [(b"content-length", b"0")]), body(), body()),
    "str-header": replay(start(200, [("x", "y")]), body()),
    "list-items": replay(start(200, [[b"X-L", b"1"], (b"x-b", bytearray(b"2")),
                                     (bytearray(b"X-C"), memoryview(b"3"))]), body(b"zz")),
    "bad-item": replay(start(200, [(b"a", b"b", b"c")]), body()),
    "status-999": replay(start(999), body()),
    "status-float": replay(start(200.0, [(b"content-length", b"1")]), body(b"x")),
    "bytearray-body": replay(start(200), body(bytearray(b"xyz"), True), body(memoryview(b"w"))),
    "echo": replay(start(200), body(b"echo"), read=True),
    "no-response": replay(),
    "raises": replay(start(200), body(b"x", True), start(500)),
}


MODES = ("class", "install")


def fastresp_run(mode: str, chunks: list[bytes], app: Callable[..., Any], **config: Any) -> dict[str, Any]:
    if mode == "class":
        return run(fast.HttpToolsProtocol, chunks, app, **config)
    fastresp.install()
    try:
        return run(httptools_impl.HttpToolsProtocol, chunks, app, **config)
    finally:
        fastresp.uninstall()


@needs_compiled
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("request_name", sorted(REQUESTS))
def test_requests_against_uvicorn(mode: str, request_name: str) -> None:
    for app_name in ("six-headers", "chunked", "echo"):
        chunks = REQUESTS[request_name]
        expected = run(httptools_impl.HttpToolsProtocol, chunks, APPS[app_name])
        assert fastresp_run(mode, chunks, APPS[app_name]) == expected, app_name


@needs_compiled
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("app_name", sorted(APPS))
def test_responses_against_uvicorn(mode: str, app_name: str) -> None:
    for request_name in ("get", "head", "http10", "pipelined", "expect", "close"):
        chunks = REQUESTS[request_name]
        expected = run(httptools_impl.HttpToolsProtocol, chunks, APPS[app_name])
        assert fastresp_run(mode, chunks, APPS[app_name]) == expected, request_name


@needs_compiled
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", [{"root_path": "/api"}, {"limit_concurrency": 1},
                                    {"access_log": False}], ids=str)
def test_config_against_uvicorn(mode: str, config: dict[str, Any]) -> None:
    for request_name in ("browser", "percent-path", "pipelined"):
        chunks = REQUESTS[request_name]
        expected = run(httptools_impl.HttpToolsProtocol, chunks, APPS["six-headers"], **config)
        assert fastresp_run(mode, chunks, APPS["six-headers"], **config) == expected, request_name


@needs_compiled
def test_corpus_exercises_what_it_claims() -> None:
    """The corpus reaches uvicorn's paths: errors raised to the app, 400s, a
    100 Continue, chunked framing (checked on uvicorn itself)."""
    text = repr([run(httptools_impl.HttpToolsProtocol, REQUESTS[r], APPS[a])
                 for r, a in [("get", "longer"), ("get", "shorter"), ("get", "bad-name"),
                              ("get", "bad-value"), ("get", "out-of-order"), ("malformed", "echo"),
                              ("expect", "echo"), ("get", "chunked"), ("head", "chunked")]])
    for needle in ("Response content longer than Content-Length",
                   "Response content shorter than Content-Length", "Invalid HTTP header name.",
                   "Invalid HTTP header value.", "Expected ASGI message 'http.response.start'",
                   "400 Bad Request", "100 Continue", "transfer-encoding: chunked", "0\\r\\n\\r\\n"):
        assert needle in text, needle


# ---------------------------------------------------------------------------
# hypothesis: send() and on_header() directly, uvicorn's against fastresp's.

class Flow:
    write_paused = False


def cycle(cycle_class: type, method: str, keep_alive: bool) -> Any:
    return cycle_class(scope={"method": method, "http_version": "1.1", "client": ("1.2.3.4", 5),
                              "raw_path": b"/", "query_string": b""},
                       transport=Transport(), flow=Flow(), logger=logging.getLogger("uvicorn.error"),
                       access_logger=logging.getLogger("uvicorn.access"), access_log=False,
                       default_headers=[DATE, SERVER], message_event=asyncio.Event(),
                       expect_100_continue=False, keep_alive=keep_alive, on_response=lambda: None)


def drive(coroutine: Any) -> Any:
    try:
        coroutine.send(None)
    except StopIteration:
        return None
    except Exception as error:
        return (type(error).__name__, str(error))
    raise AssertionError("send() awaited something")


def cycle_state(cycle_object: Any) -> Any:
    return ({k: v for k, v in vars(cycle_object).items()
             if k in ("keep_alive", "chunked_encoding", "expected_content_length", "response_started",
                      "response_complete", "waiting_for_100_continue")},
            cycle_object.transport.events)


names = st.one_of(
    st.sampled_from([b"content-length", b"Content-Length", b"transfer-encoding", b"TRANSFER-ENCODING",
                     b"connection", b"Connection", b"x", b"set-cookie", b"expect", b"bad name", b"a:b"]),
    st.binary(max_size=12))
values = st.one_of(st.sampled_from([b"0", b"5", b" 3 ", b"1_0", b"-1", b"x", b"chunked", b"Chunked",
                                    b"007", b"+4", b"", b"123456789012345678", b"1234567890123456789",
                                    b"99999999999999999999999", "\uff11\u0663".encode(),
                                    b"close", b"Keep-Alive, CLOSE", b" close ,x", b"\xd9\xa3", b"\xff"]),
                   st.binary(max_size=12))
items = st.one_of(st.tuples(names, values), st.lists(names, min_size=2, max_size=2),
                  st.tuples(names.map(bytearray), values.map(memoryview)),
                  st.tuples(st.text(max_size=3), values), st.tuples(names))
bodies = st.one_of(st.binary(max_size=40), st.binary(max_size=5).map(bytearray))


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(headers=st.lists(items, max_size=8), status=st.sampled_from([200, 204, 304, 404, 599, 999]),
       method=st.sampled_from(["GET", "HEAD"]), keep_alive=st.booleans(),
       parts=st.lists(st.tuples(bodies, st.booleans()), max_size=4))
def test_send_matches_uvicorn(headers: list[Any], status: int, method: str, keep_alive: bool,
                              parts: list[tuple[bytes, bool]]) -> None:
    results = []
    for cycle_class in (httptools_impl.RequestResponseCycle, fast.RequestResponseCycle):
        c = cycle(cycle_class, method, keep_alive)
        outcomes = [drive(c.send(start(status, headers)))]
        outcomes += [drive(c.send(body(data, more))) for data, more in parts]
        results.append((outcomes, cycle_state(c)))
    assert results[0] == results[1]


class Headers:
    def __init__(self) -> None:
        self.headers: list[Any] = []
        self.expect_100_continue = False


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(pairs=st.lists(st.tuples(st.one_of(names, st.sampled_from([b"Expect", b"EXPECT"])),
                                st.one_of(values, st.sampled_from([b"100-continue \t", b"100-CONTINUE"]),
                                          st.binary(max_size=4).map(lambda b: b + b" \t "))),
                      max_size=6))
def test_on_header_matches_uvicorn(pairs: list[tuple[bytes, bytes]]) -> None:
    own, ours = Headers(), Headers()
    for name, value in pairs:
        httptools_impl.HttpToolsProtocol.on_header(own, name, value)        # type: ignore[arg-type]
        fast.HttpToolsProtocol.on_header(ours, name, value)                 # type: ignore[arg-type]
    assert (ours.headers, ours.expect_100_continue) == (own.headers, own.expect_100_continue)
    assert [tuple(map(type, h)) for h in ours.headers] == [tuple(map(type, h)) for h in own.headers]


# ---------------------------------------------------------------------------
# Which classes, install() and uninstall().

def _own_methods() -> dict[str, dict[str, Any]]:
    return {cls.__name__: dict(vars(cls)) for cls in (httptools_impl.HttpToolsProtocol,
                                                       httptools_impl.RequestResponseCycle)}


def test_uninstall_restores_uvicorn_exactly() -> None:
    before = _own_methods()
    fastresp.install()
    try:
        during = _own_methods()
    finally:
        fastresp.uninstall()
    assert _own_methods() == before
    changed = {f"{owner}.{name}" for owner, methods in during.items()
               for name, function in methods.items() if before[owner].get(name) is not function}
    assert changed == set(fast.ACCELERATED)


def test_what_is_accelerated() -> None:
    if fastresp.IMPLEMENTATION == "python":
        # The pure-Python implementation leaves uvicorn alone, by name and under install().
        assert fast.HttpToolsProtocol is httptools_impl.HttpToolsProtocol
        assert fast.RequestResponseCycle is httptools_impl.RequestResponseCycle
        assert not fast.ACCELERATED
        assert "pure-Python" in fast.REASON
        return
    if uvicorn.__version__ in EXPECTED:
        assert fast.ACCELERATED == EXPECTED[uvicorn.__version__]
    if fast.ACCELERATED:
        assert issubclass(fast.HttpToolsProtocol, httptools_impl.HttpToolsProtocol)
        assert fast.HttpToolsProtocol is not httptools_impl.HttpToolsProtocol
    else:
        # A release none of whose sources fastresp checked (Python 3.9 gets
        # uvicorn 0.39) is left as it is, by name and under install().
        assert not EXPECTED.get(uvicorn.__version__), fast.REASON
        assert fast.HttpToolsProtocol is httptools_impl.HttpToolsProtocol
        assert "not ones fastresp checked" in fast.REASON


def test_unchecked_source_is_refused() -> None:
    """A method whose source is not a checked one is not replaced."""
    from fastresp import _uvicorn_release as release
    import types

    module = types.ModuleType("fake")
    module.HEADER_RE = httptools_impl.HEADER_RE                      # type: ignore[attr-defined]
    module.HEADER_VALUE_RE = httptools_impl.HEADER_VALUE_RE          # type: ignore[attr-defined]

    class RequestResponseCycle:
        async def send(self, message):    # not uvicorn's source
            pass

    class HttpToolsProtocol:
        on_header = httptools_impl.HttpToolsProtocol.on_header

    module.RequestResponseCycle = RequestResponseCycle              # type: ignore[attr-defined]
    module.HttpToolsProtocol = HttpToolsProtocol                    # type: ignore[attr-defined]
    assert release.checked_methods(module) == (
        {"HttpToolsProtocol.on_header"} if uvicorn.__version__ == "0.55.0" else set())
    module.HEADER_RE = __import__("re").compile(b"[\x00]")           # type: ignore[attr-defined]
    assert release.checked_methods(module) == set()


# ---------------------------------------------------------------------------
# uvicorn's own protocol tests.

PLUGIN = textwrap.dedent('''
    """Loaded with -p before uvicorn's tests import anything: puts fastresp in place."""
    import os
    import fastresp
    import fastresp.uvicorn
    from uvicorn.protocols.http import httptools_impl

    MODE = os.environ["FASTRESP_WIRE_MODE"]
    if MODE != "plain" and not fastresp.uvicorn.ACCELERATED:
        raise RuntimeError(fastresp.uvicorn.REASON)
    if MODE == "class":
        # the tests and their conftest's fixture both read this name
        httptools_impl.HttpToolsProtocol = fastresp.uvicorn.HttpToolsProtocol
    elif MODE == "install":
        fastresp.install()


    def pytest_report_header(config):
        return f"fastresp mode {MODE}: {sorted(fastresp.uvicorn.ACCELERATED)}"
''')


@pytest.fixture(scope="module")
def uvicorn_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("uvicorn-suite")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    f"uvicorn=={uvicorn.__version__}", "-d", str(root)], check=True, capture_output=True)
    (archive,) = root.glob("uvicorn-*.tar.gz")
    top = f"uvicorn-{uvicorn.__version__}/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers()
                   if m.name.startswith(top + "tests/") or m.name == top + "pyproject.toml"]
        assert any(m.name == top + "tests/protocols/test_http.py" for m in members), \
            "the uvicorn sdist has no tests/protocols/test_http.py"
        for member in members:
            member.name = member.name[len(top):]
        tar.extractall(root, members=members, filter="data")
    (root / "fastresp_wire_plugin.py").write_text(PLUGIN)
    return root


def suite_outcomes(root: Path, mode: str) -> dict[str, str]:
    env = {**os.environ, "FASTRESP_WIRE_MODE": mode,
           "PYTHONPATH": os.pathsep.join([str(root), str(Path(fastresp.__file__).parent.parent)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "fastresp_wire_plugin",
         "-o", "addopts=", "-q", "-rA", "tests/protocols/test_http.py", "-k", "httptools"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900)
    outcomes = {}
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS") and rest.startswith("tests/"):
            outcomes[rest.split(" - ")[0]] = word
    assert outcomes, done.stdout[-3000:] + done.stderr[-3000:]
    return outcomes


@pytest.mark.slow
@needs_compiled
def test_uvicorn_own_protocol_tests(uvicorn_suite: Path) -> None:
    """uvicorn's tests/protocols/test_http.py (its httptools runs) with fastresp's
    class and under install(): every test ends as it does on plain uvicorn, and
    plain uvicorn fails only where a websocket library is missing here."""
    plain = suite_outcomes(uvicorn_suite, "plain")
    assert sum(1 for o in plain.values() if o == "PASSED") >= 60     # it ran (0.50.2 passes 77)
    for test, outcome in plain.items():
        if outcome in ("FAILED", "ERROR"):
            assert "websocket" in test.lower(), (test, outcome)
    for mode in MODES:
        assert suite_outcomes(uvicorn_suite, mode) == plain, mode
