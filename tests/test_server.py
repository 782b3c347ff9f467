"""The README's FastAPI example served by a real uvicorn over loopback.

Each server is its own process (bench/example_app.py run as a script), on
127.0.0.1 and a port the kernel picks; the tests talk to it over TCP with a raw
socket client, so what they compare is the bytes on the wire: the status line,
every header line (name and value bytes, in order, so every Set-Cookie, the
content-length and the content-type) and the body.

* README example 2 with ``fastresp.install()`` called in the server process must
  send exactly what the same app sends on plain starlette.
* README example 1 (fastresp's classes) must send exactly what the same app built
  on starlette's classes sends, and, for the README's endpoints, what example 2
  sends on plain starlette ("Both apps send byte-for-byte the same responses as
  the app without fastresp").

Each runs against both implementations: the compiled one (only when it imports
here, else skipped like every other "cython" test) and the pure-Python one
(``FASTRESP_NO_EXTENSIONS=1`` in the server's environment); the server reports
which one it loaded and the test checks it. Every server runs with ``time.time``
frozen (``--freeze-time``), so int ``expires`` cookies and uvicorn's Date header
are the same bytes on every server. Startup, every request and shutdown are
bounded in time.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import NamedTuple

import pytest

import fastresp

# bench/, on sys.path by pyproject.toml's pytest pythonpath
import example_app

pytest.importorskip("fastapi", reason=f"fastapi is not installed for {sys.executable}")
pytest.importorskip("uvicorn", reason=(
    f"uvicorn is not installed for {sys.executable} (tox installs it on CPython only; "
    f"on PyPy `pip install uvicorn` to run these tests)"))

HOST = "127.0.0.1"
#: What every request sends as Host, whatever the port: FastAPI's redirect_slashes
#: writes it into an absolute Location.
HOST_HEADER = "example.test"
#: time.time() in every server: 2023-11-14 22:13:20.25 UTC.
FROZEN_NOW = 1_700_000_000.25
STARTUP_TIMEOUT = 60.0
REQUEST_TIMEOUT = 10.0


class Served(NamedTuple):
    """One response as it came over the wire."""

    status_line: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def get_all(self, name: bytes) -> list[bytes]:
        return [value for key, value in self.headers if key.lower() == name]


class Server(example_app.Launched):
    """bench/example_app.py under uvicorn in a subprocess, time frozen."""

    def __init__(self, args: list[str], env: dict) -> None:
        super().__init__([*args, "--freeze-time", repr(FROZEN_NOW)], env, STARTUP_TIMEOUT)

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> Served:
        """One request on its own connection (Connection: close), read to EOF."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST_HEADER}", "Connection: close"]
        if body is not None:
            lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        chunks = []
        deadline = time.monotonic() + REQUEST_TIMEOUT
        with socket.create_connection((HOST, self.port), timeout=REQUEST_TIMEOUT) as sock:
            sock.sendall(raw)
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        data = b"".join(chunks)
        head, separator, payload = data.partition(b"\r\n\r\n")
        assert separator, f"no end of headers in {data[:500]!r}"
        status_line, *header_lines = head.split(b"\r\n")
        headers = []
        for line in header_lines:
            name, colon, value = line.partition(b":")
            assert colon, f"malformed header line {line!r}"
            headers.append((name, value.strip(b" \t")))
        return Served(status_line, headers, payload)


def _environment(impl_name: str | None) -> dict:
    env = dict(os.environ)
    # starlette and FastAPI keep a route's methods in a set (the allow header,
    # OpenAPI operation ids): one hash seed for every server.
    env["PYTHONHASHSEED"] = "0"
    env.pop("FASTRESP_NO_EXTENSIONS", None)
    if impl_name == "python":
        env["FASTRESP_NO_EXTENSIONS"] = "1"
    return env


def _start(args: list[str], impl_name: str | None) -> Server:
    server = Server(args, _environment(impl_name))
    info = server.info
    try:
        if impl_name is None:
            # The oracle: plain starlette, fastresp never imported.
            assert not info["fastresp_imported"], info
            assert info["set_cookie_module"] == "starlette.responses", info
        else:
            assert info["implementation"] == impl_name, info
            # The very fastresp the tests import (under tox: the installed wheel).
            assert os.path.realpath(info["fastresp_file"]) == os.path.realpath(fastresp.__file__), info
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def servers() -> Iterator[dict]:
    """Started servers by key, shared by the module; all stopped at its end."""
    started: dict = {}
    failed: dict = {}

    def get(key: tuple) -> Server:
        if key in failed:  # do not wait for a broken server once per test
            pytest.fail(f"server {key} failed to start earlier: {failed[key]}", pytrace=False)
        if key not in started:
            app, install, impl_name = key
            args = ["--app", app, "--extras"] + (["--install"] if install else [])
            try:
                started[key] = _start(args, impl_name)
            except Exception as error:
                failed[key] = f"{type(error).__name__}: {error}"
                raise
        return started[key]

    try:
        yield {"get": get}
    finally:
        for server in started.values():
            server.stop()


def _server(servers: dict, app: str, install: bool = False, impl_name: str | None = None) -> Server:
    return servers["get"]((app, install, impl_name))


#: (method, path, body) of the README's endpoints, and of what FastAPI and
#: starlette answer on their own around them.
README_REQUESTS = [
    ("GET", "/items/5", None),
    ("GET", "/items/12345678901234567890", None),
    ("GET", "/items/abc", None),                 # 422, FastAPI's validation error
    ("GET", "/old-items/7", None),
    ("GET", "/hello", None),
    ("HEAD", "/hello", None),                    # 405: FastAPI's GET routes take no HEAD
    ("POST", "/hello", None),                    # 405 with an allow header
    ("GET", "/hello/", None),                    # 307 from redirect_slashes
    ("GET", "/nowhere", None),                   # 404
]
#: FastAPI's own pages (HTML, the OpenAPI schema as JSON).
DOCS_REQUESTS = [
    ("GET", "/openapi.json", None),
    ("GET", "/docs", None),
    ("GET", "/redoc", None),
    ("GET", "/docs/oauth2-redirect", None),
]
#: bench/example_app.py's /x/ endpoints (not in the README).
EXTRA_REQUESTS = [
    ("GET", "/x/cookies", None),
    ("GET", "/x/returned", None),
    ("GET", "/x/html", None),
    ("HEAD", "/x/html", None),                   # uvicorn sends no body
    ("GET", "/x/no-content", None),
    ("GET", "/x/redirect", None),
    ("POST", "/x/echo", '{"k": "é", "n": [1, 2.5, null]}'.encode()),
    ("POST", "/x/echo", b"{not json"),
    ("GET", "/x/bad-cookie", None),              # CookieError: a 500 on both
]
ALL_REQUESTS = README_REQUESTS + DOCS_REQUESTS + EXTRA_REQUESTS
_IDS = [f"{method} {path}" for method, path, _ in ALL_REQUESTS]
#: uvicorn drops the connection after an exception in the app (the 500), so the
#: keep-alive sessions leave that one out.
KEEP_ALIVE_REQUESTS = [request for request in ALL_REQUESTS if request[1] != "/x/bad-cookie"]


def _assert_same(got: Served, expected: Served, what: str) -> None:
    # The parts the task cares most about first, for readable failures; then all.
    assert got.status_line == expected.status_line, what
    for name in (b"content-length", b"content-type", b"set-cookie", b"location"):
        assert got.get_all(name) == expected.get_all(name), f"{what}: {name.decode()}"
    assert got.headers == expected.headers, what
    assert got.body == expected.body, what


@pytest.mark.parametrize("request_", ALL_REQUESTS, ids=_IDS)
def test_install_like_starlette(servers, impl, request_):
    """README example 2 with fastresp.install() in the server process."""
    server = _server(servers, "install", install=True, impl_name=impl.name)
    assert server.info["installed"] is True
    assert server.info["set_cookie_module"].startswith("fastresp."), server.info
    expected = _server(servers, "install").request(*request_)
    _assert_same(server.request(*request_), expected, f"{request_[:2]} ({impl.name}, installed)")


@pytest.mark.parametrize("request_", ALL_REQUESTS, ids=_IDS)
def test_classes_like_starlette(servers, impl, request_):
    """README example 1 (fastresp's classes, not installed) against the same app
    on starlette's classes."""
    server = _server(servers, "classes", impl_name=impl.name)
    assert server.info["installed"] is False
    assert server.info["set_cookie_module"] == "starlette.responses", server.info
    expected = _server(servers, "classes-starlette").request(*request_)
    _assert_same(server.request(*request_), expected, f"{request_[:2]} ({impl.name}, classes)")


@pytest.mark.parametrize("request_", README_REQUESTS + DOCS_REQUESTS,
                         ids=[f"{m} {p}" for m, p, _ in README_REQUESTS + DOCS_REQUESTS])
def test_readme_apps_send_the_same(servers, impl, request_):
    """The README's claim: example 1 (fastresp's classes) sends what example 2
    sends without fastresp."""
    server = _server(servers, "classes", impl_name=impl.name)
    expected = _server(servers, "install").request(*request_)
    _assert_same(server.request(*request_), expected, f"{request_[:2]} ({impl.name})")


def test_literal_bytes(servers, impl):
    """The comparisons above are against starlette; these are the bytes themselves."""
    server = _server(servers, "install", install=True, impl_name=impl.name)
    got = server.request("GET", "/items/5")
    assert got.status_line == b"HTTP/1.1 200 OK"
    assert got.get_all(b"date") == [b"Tue, 14 Nov 2023 22:13:20 GMT"]  # time is frozen
    # The app's own headers, in order (uvicorn adds date, server and connection).
    assert [(name, value) for name, value in got.headers
            if name.lower() not in (b"date", b"server", b"connection")] == [
        (b"content-length", b"13"),
        (b"content-type", b"application/json"),
        (b"set-cookie", b"last_item=5; HttpOnly; Max-Age=3600; Path=/; SameSite=strict"),
    ]
    assert got.body == b'{"item_id":5}'

    got = server.request("GET", "/old-items/7")
    assert got.status_line == b"HTTP/1.1 308 Permanent Redirect"
    assert got.get_all(b"location") == [b"/items/7"]
    assert got.get_all(b"content-length") == [b"0"] and got.body == b""

    got = server.request("GET", "/hello")
    assert got.get_all(b"content-type") == [b"text/plain; charset=utf-8"]
    assert got.body == b"hello"

    got = server.request("GET", "/x/cookies")
    assert got.status_line == b"HTTP/1.1 201 Created"
    assert got.get_all(b"set-cookie") == [
        b"a=b; Path=/; SameSite=lax",
        b'full="v a l\\073\\"x\\""; Domain=example.org; expires=Tue, 14 Nov 2023 23:13:20 GMT; '
        b"HttpOnly; Max-Age=10; Path=/x; SameSite=none; Secure",
        b"num=123; Max-Age=30; Path=/",
        b'when="\\351"; expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; SameSite=lax',
        b'gone=""; Domain=example.org; expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=0; '
        b"Path=/; SameSite=lax",
    ]
    assert got.get_all(b"x-injected") == [b"1"]
    assert got.body == '{"ok":true,"text":"héllo"}'.encode()

    got = server.request("GET", "/x/redirect")
    assert got.get_all(b"location") == [b"https://example.org/a%20b?q=%C3%A9"]
    assert got.get_all(b"x-r") == [b"1"]

    got = server.request("HEAD", "/x/html")
    assert got.status_line == b"HTTP/1.1 200 OK"
    assert got.get_all(b"content-length") == [str(len("<h1>héllo</h1>".encode())).encode()]
    assert got.get_all(b"content-type") == [b"text/html; charset=utf-8"] and got.body == b""

    got = server.request("GET", "/x/no-content")
    assert got.status_line == b"HTTP/1.1 204 No Content"
    assert got.get_all(b"content-length") == [] and got.body == b""


@pytest.mark.parametrize("app,install", [("install", True), ("classes", False)],
                         ids=["installed", "classes"])
def test_keep_alive(servers, impl, app, install):
    """Many requests on one connection through http.client: every content-length
    frames its body exactly, so the connection stays usable."""
    server = _server(servers, app, install=install, impl_name=impl.name)
    oracle = _server(servers, "install" if install else "classes-starlette")

    def session(port: int) -> list:
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            results = []
            for _ in range(3):
                for method, path, body in KEEP_ALIVE_REQUESTS:
                    headers = {"Host": HOST_HEADER}
                    if body is not None:
                        headers["Content-Type"] = "application/json"
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    results.append((method, path, response.status, response.getheaders(), payload))
            return results
        finally:
            connection.close()

    got, expected = session(server.port), session(oracle.port)
    assert len(got) == 3 * len(KEEP_ALIVE_REQUESTS)
    for one, other in zip(got, expected):
        assert one == other, one[:2]
