"""fastresp.install() / uninstall(): starlette's own classes, accelerated in place.

Each test leaves fastresp uninstalled (the ``clean`` fixture), whatever happens.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import starlette.responses as sr
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import URL
from starlette.routing import Route
from starlette.testclient import TestClient

import fastresp
from fastresp import _impl

#: Everything install() swaps, and with what.
PATCHED = {
    sr.Response: ("__init__", "render", "init_headers", "set_cookie", "delete_cookie", "headers",
                  "__call__"),
    sr.JSONResponse: ("__init__", "render"),
    sr.MutableHeaders: ("__init__", "__setitem__", "__delitem__", "append", "setdefault", "update",
                        "add_vary_header", "__contains__", "__getitem__", "get", "raw"),
    sr.RedirectResponse: ("__init__",),
}


@pytest.fixture(autouse=True)
def clean():
    assert not fastresp.installed(), "a previous test left fastresp installed"
    yield
    fastresp.uninstall()
    assert not fastresp.installed()


def _assert_pristine(original_starlette):
    for cls, attributes in original_starlette.items():
        current = dict(vars(cls))
        assert current.keys() == attributes.keys(), cls
        for name, value in attributes.items():
            assert current[name] is value, (cls, name)


def test_install_uninstall_idempotent(original_starlette):
    _assert_pristine(original_starlette)
    fastresp.uninstall()                       # a no-op when not installed
    _assert_pristine(original_starlette)
    assert fastresp.installed() is False

    fastresp.install()
    assert fastresp.installed() is True
    first = {(cls, name): vars(cls)[name] for cls, names in PATCHED.items() for name in names}
    fastresp.install()                         # again: nothing changes
    assert fastresp.installed() is True
    second = {(cls, name): vars(cls)[name] for cls, names in PATCHED.items() for name in names}
    assert all(first[key] is second[key] for key in first)

    fastresp.uninstall()
    assert fastresp.installed() is False
    _assert_pristine(original_starlette)
    fastresp.uninstall()
    _assert_pristine(original_starlette)

    fastresp.install()                         # and once more after a full cycle
    fastresp.uninstall()
    _assert_pristine(original_starlette)


def test_install_swaps_in_the_active_implementation(original_starlette):
    fastresp.install()
    assert sr.Response.render is _impl.ACTIVE.headers.render
    assert sr.Response.init_headers is _impl.ACTIVE.headers.init_headers
    assert sr.Response.__init__ is _impl.ACTIVE.headers.response_init
    assert sr.Response.set_cookie is _impl.ACTIVE.cookie.set_cookie
    assert sr.Response.delete_cookie is _impl.ACTIVE.cookie.delete_cookie
    assert sr.RedirectResponse.__init__ is _impl.ACTIVE.headers.redirect_init
    assert sr.JSONResponse.render is _impl.ACTIVE.json.render
    assert sr.Response.__call__ is _impl.ACTIVE.asgi.response_call
    assert sr.MutableHeaders.__setitem__ is _impl.ACTIVE.asgi.setitem
    for cls, names in PATCHED.items():
        for name in names:
            assert vars(cls)[name] is not original_starlette[cls].get(name)
    # Classes that were not patched keep their own attributes.
    for cls in (sr.FileResponse, sr.StreamingResponse, sr.HTMLResponse, sr.PlainTextResponse):
        for name, value in original_starlette[cls].items():
            assert vars(cls)[name] is value


def test_original_methods_restored_by_identity(original_starlette):
    originals = {(cls, name): original_starlette[cls].get(name)
                 for cls, names in PATCHED.items() for name in names}
    inherited = {(cls, name): getattr(cls, name) for cls, name in originals}
    fastresp.install()
    fastresp.uninstall()
    for (cls, name), function in originals.items():
        if function is None:    # inherited (MutableHeaders.get, __init__...): deleted again
            assert name not in vars(cls)
        else:
            assert vars(cls)[name] is function
        assert getattr(cls, name) is inherited[cls, name]


FROZEN = datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def _cookies(response):
    response.set_cookie("a", "b")
    response.set_cookie("s", "x y", max_age=10, expires=FROZEN, path="/p", domain="d",
                        secure=True, httponly=True, samesite="strict")
    response.set_cookie("n", 5, expires=3600)
    response.delete_cookie("old")
    return response


BUILDERS = {
    "empty": lambda: sr.Response(),
    "bytes": lambda: sr.Response(b"abc", status_code=201, headers={"X-A": "1"}),
    "str": lambda: sr.Response("é", media_type="text/csv"),
    "memoryview": lambda: sr.Response(memoryview(b"view")),
    "no-length": lambda: sr.Response(b"x", status_code=204),
    "html": lambda: sr.HTMLResponse("<b>é</b>", headers={"Content-Type": "text/x"}),
    "plain": lambda: sr.PlainTextResponse("plain", background=None),
    "json": lambda: sr.JSONResponse({"k": ["v", 1, None]}, status_code=422),
    "redirect": lambda: sr.RedirectResponse("/a b?c=é", headers={"Location": "/old", "x": "y"}),
    "redirect-url": lambda: sr.RedirectResponse(URL("https://h/p q"), status_code=301),
    "cookies": lambda: _cookies(sr.Response("c")),
    "headers-property": lambda: (lambda r: (r.headers.__setitem__("X-New", "v"), r)[1])(
        sr.PlainTextResponse("h")),
}


def _wire(response):
    return (type(response.body).__name__, bytes(response.body), list(response.raw_headers),
            response.status_code)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_same_bytes_before_and_after_install(frozen_time, name):
    before = _wire(BUILDERS[name]())
    fastresp.install()
    after = _wire(BUILDERS[name]())
    fastresp.uninstall()
    again = _wire(BUILDERS[name]())
    assert after == before
    assert again == before


def test_errors_after_install_keep_starlette_types(frozen_time):
    from http.cookies import CookieError

    fastresp.install()
    with pytest.raises(UnicodeEncodeError):
        sr.Response(headers={"x": "\u20ac"})
    with pytest.raises(CookieError):
        sr.Response().set_cookie("bad key")
    with pytest.raises(AssertionError):
        sr.Response().set_cookie("k", samesite="bogus")
    with pytest.raises(ValueError):
        sr.Response(headers={"x": "a\r\nb"})
    with pytest.raises(ValueError):
        sr.JSONResponse(float("nan"))


def test_subclass_overrides_kept_after_install(frozen_time):
    calls = []

    class Custom(sr.Response):
        media_type = "text/plain"
        charset = "latin-1"

        def render(self, content):
            calls.append("render")
            return b"[" + content.encode(self.charset) + b"]"

        def init_headers(self, headers=None):
            calls.append("init_headers")
            super().init_headers(headers)
            self.raw_headers.append((b"x-custom", b"1"))

        def set_cookie(self, key, value="", **kwargs):
            calls.append("set_cookie")
            super().set_cookie(key.upper(), value, **kwargs)

    def build():
        response = Custom("é")
        response.delete_cookie("gone")
        return _wire(response)

    before = build()
    calls_before = list(calls)
    calls.clear()
    fastresp.install()
    after = build()
    assert after == before
    assert calls == calls_before == ["render", "init_headers", "set_cookie"]
    assert Custom.render is not sr.Response.render
    assert after[1] == b"[\xe9]"
    assert after[2][1] == (b"content-type", b"text/plain; charset=latin-1")
    assert after[2][2] == (b"x-custom", b"1")
    assert after[2][3][1].startswith(b'GONE=""; expires=')


def test_subclass_defined_after_install_then_uninstalled(frozen_time):
    fastresp.install()

    class Late(sr.HTMLResponse):
        pass

    assert Late.render is _impl.ACTIVE.headers.render
    built_installed = _wire(Late("x", headers={"a": "b"}))
    fastresp.uninstall()
    assert Late.render is vars(sr.Response)["render"]
    assert _wire(Late("x", headers={"a": "b"})) == built_installed


def _file_app(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(b"0123456789" * 1000)

    async def file_endpoint(request):
        return sr.FileResponse(path, filename="data.txt", headers={"X-F": "1"})

    async def stream_endpoint(request):
        async def chunks():
            for index in range(5):
                yield f"chunk {index};".encode()

        return sr.StreamingResponse(chunks(), media_type="text/plain", headers={"X-S": "2"})

    async def sync_stream_endpoint(request):
        return sr.StreamingResponse(iter(["a", "b", "é"]), media_type="text/plain")

    async def html_endpoint(request):
        response = sr.HTMLResponse("<p>x</p>", background=BackgroundTask(lambda: None))
        response.set_cookie("k", "v", httponly=True)
        return response

    async def redirect_endpoint(request):
        return sr.RedirectResponse("/html", status_code=303)

    async def json_endpoint(request):
        return sr.JSONResponse({"path": request.url.path})

    return Starlette(routes=[
        Route("/file", file_endpoint), Route("/stream", stream_endpoint),
        Route("/sync-stream", sync_stream_endpoint), Route("/html", html_endpoint),
        Route("/redirect", redirect_endpoint), Route("/json", json_endpoint),
    ])


def _fetch_all(app):
    results = {}
    with TestClient(app) as client:
        for path in ("/file", "/stream", "/sync-stream", "/html", "/json"):
            response = client.get(path)
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k not in ("date", "etag", "last-modified")]
            results[path] = (response.status_code, headers, response.content)
        response = client.get("/redirect", follow_redirects=False)
        results["/redirect"] = (response.status_code, list(response.headers.multi_items()), b"")
        response = client.get("/file", headers={"Range": "bytes=5-14"})
        results["range"] = (response.status_code, response.headers.get("content-range"),
                            response.content)
    return results


def test_file_and_streaming_responses_after_install(tmp_path):
    app = _file_app(tmp_path)
    before = _fetch_all(app)
    fastresp.install()
    after = _fetch_all(app)
    assert after == before
    assert after["/file"][0] == 200 and after["/file"][2] == b"0123456789" * 1000
    assert ("x-f", "1") in after["/file"][1]
    assert after["/stream"][2] == b"chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;"
    assert after["/sync-stream"][2] == "abé".encode()
    assert ("set-cookie", "k=v; HttpOnly; Path=/; SameSite=lax") in after["/html"][1]
    assert after["/redirect"][0] == 303
    assert ("location", "/html") in after["/redirect"][1]
    assert json.loads(after["/json"][2]) == {"path": "/json"}
    assert after["range"] == (206, "bytes 5-14/10000", b"5678901234")


def test_fastapi_after_install():
    fastapi = pytest.importorskip("fastapi", reason="fastapi is not installed")
    from fastapi.responses import HTMLResponse, JSONResponse
    from fastapi.testclient import TestClient as FastAPIClient

    def make_app():
        app = fastapi.FastAPI()

        @app.get("/model")
        def model():
            return {"a": 1, "b": ["x", None]}

        @app.get("/html", response_class=HTMLResponse)
        def html():
            return "<i>é</i>"

        @app.get("/cookie")
        def cookie(response: fastapi.Response):
            response.set_cookie("session", "abc", max_age=60, httponly=True)
            response.delete_cookie("old")
            response.headers["X-Extra"] = "1"
            return {"ok": True}

        @app.get("/json")
        def json_endpoint():
            return JSONResponse({"é": 1}, status_code=201, headers={"X-J": "j"})

        @app.get("/missing")
        def missing():
            raise fastapi.HTTPException(status_code=404, detail="nope")

        return app

    def fetch():
        with FastAPIClient(make_app()) as client:
            out = {}
            for path in ("/model", "/html", "/cookie", "/json", "/missing", "/no-route"):
                response = client.get(path)
                headers = [(k, v) for k, v in response.headers.multi_items()
                           if k != "set-cookie" or "expires=" not in v]
                cookies = [v.split("expires=")[0] for k, v in response.headers.multi_items()
                           if k == "set-cookie" and "expires=" in v]
                out[path] = (response.status_code, headers, cookies, response.content)
            return out

    before = fetch()
    fastresp.install()
    assert fastapi.routing.jsonable_encoder.__wrapped__ is fastapi.encoders.jsonable_encoder
    after = fetch()
    assert after == before
    assert after["/model"][3] == b'{"a":1,"b":["x",null]}'
    assert after["/json"][0] == 201
    assert after["/missing"][0] == 404


# ------------------------------------------------- FastAPI's jsonable_encoder

def _fastapi_bindings():
    """{module name: its jsonable_encoder} for fastapi.encoders and FASTAPI_MODULES."""
    import importlib

    from fastresp._install import FASTAPI_MODULES

    return {name: vars(importlib.import_module(name))["jsonable_encoder"]
            for name in ("fastapi.encoders", *FASTAPI_MODULES)}


def test_install_wraps_fastapis_jsonable_encoder():
    pytest.importorskip("fastapi", reason="fastapi is not installed")
    import fastapi.encoders

    before = _fastapi_bindings()
    original = fastapi.encoders.jsonable_encoder
    assert all(function is original for function in before.values())
    fastresp.install()
    during = _fastapi_bindings()
    assert during["fastapi.encoders"] is original          # FastAPI's own module keeps it
    wrappers = {id(function) for name, function in during.items() if name != "fastapi.encoders"}
    assert len(wrappers) == 1                                # one wrapper, shared
    wrapper = during["fastapi.routing"]
    assert wrapper is not original and wrapper.__wrapped__ is original
    assert wrapper.__module__ == _impl.ACTIVE.encoders.__name__
    assert wrapper({"a": (1,), "_sa": 2}) == {"a": [1]}
    fastresp.install()                                       # idempotent
    assert _fastapi_bindings() == during
    fastresp.uninstall()
    after = _fastapi_bindings()
    assert all(after[name] is before[name] for name in before)


def test_install_leaves_a_foreign_jsonable_encoder_alone(monkeypatch):
    pytest.importorskip("fastapi", reason="fastapi is not installed")
    import fastapi.exception_handlers
    import fastapi.routing

    def foreign(*args, **kwargs):
        return "foreign"

    monkeypatch.setattr(fastapi.routing, "jsonable_encoder", foreign)
    fastresp.install()
    assert fastapi.routing.jsonable_encoder is foreign
    assert fastapi.exception_handlers.jsonable_encoder.__module__ == _impl.ACTIVE.encoders.__name__
    fastresp.uninstall()
    assert fastapi.routing.jsonable_encoder is foreign


_ORDER_PROBE = """
import sys, fastresp
{before}
import fastapi.encoders, fastapi.routing, fastapi.exception_handlers, fastapi.openapi.utils, fastapi.openapi.docs
{after}
original = fastapi.encoders.jsonable_encoder
modules = (fastapi.routing, fastapi.exception_handlers, fastapi.openapi.utils, fastapi.openapi.docs)
assert all(m.jsonable_encoder.__wrapped__ is original for m in modules), [m.jsonable_encoder for m in modules]
from fastapi import FastAPI
from fastapi.testclient import TestClient
app = FastAPI()
@app.get("/")
def root():
    return {{"a": (1, 2), "_sa": 0}}
body = TestClient(app).get("/").content
assert body == b'{{"a":[1,2]}}', body
fastresp.uninstall()
assert all(m.jsonable_encoder is original for m in modules)
print("ok")
"""


@pytest.mark.parametrize("order", ["install-first", "fastapi-first"])
def test_install_before_or_after_importing_fastapi(order):
    """install() imports FastAPI's modules itself, so the README's order (install()
    first, then ``from fastapi import ...``) patches them as well as the other."""
    pytest.importorskip("fastapi", reason="fastapi is not installed")
    import subprocess
    import sys

    from test_implementation import _ROOT, _clean_env

    code = _ORDER_PROBE.format(before="fastresp.install()" if order == "install-first" else "",
                               after="fastresp.install()" if order == "fastapi-first" else "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_clean_env(), cwd=_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_install_without_fastapi():
    """Where FastAPI cannot be imported, install() patches starlette only."""
    import subprocess
    import sys

    from test_implementation import _ROOT, _clean_env

    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "fastapi" or name.startswith("fastapi."):
            raise ImportError("blocked")
sys.meta_path.insert(0, Block())
import fastresp, starlette.responses
fastresp.install()
assert fastresp.installed() and "fastapi" not in sys.modules
assert starlette.responses.JSONResponse({"a": 1}).body == b'{"a":1}'
fastresp.uninstall()
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_clean_env(), cwd=_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_fastapi_modules_are_every_module_that_binds_jsonable_encoder():
    """FASTAPI_MODULES is the whole list for the installed FastAPI: every
    importable fastapi module holding FastAPI's jsonable_encoder (besides
    fastapi.encoders itself) is in it, and each of them holds it."""
    pytest.importorskip("fastapi", reason="fastapi is not installed")
    import importlib
    import pkgutil
    import warnings

    import fastapi
    import fastapi.encoders

    from fastresp._install import FASTAPI_MODULES

    original = fastapi.encoders.jsonable_encoder
    binding = set()
    for info in pkgutil.walk_packages(fastapi.__path__, "fastapi."):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - an optional dependency is missing
            continue
        if vars(module).get("jsonable_encoder") is original:
            binding.add(info.name)
    assert binding == {"fastapi.encoders", *FASTAPI_MODULES}


def test_importing_fastresp_does_not_import_fastapi():
    """Only install() imports FastAPI; ``import fastresp`` (both encoders modules
    included) leaves it alone."""
    import subprocess
    import sys

    from test_implementation import _ROOT, _clean_env

    code = ("import sys, fastresp, fastresp._encoders_py\n"
            "try:\n    import fastresp._encoders\nexcept ImportError:\n    pass\n"
            "assert 'fastapi' not in sys.modules, sorted(m for m in sys.modules if 'fastapi' in m)\n"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_clean_env(), cwd=_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
