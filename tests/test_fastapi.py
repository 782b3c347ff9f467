"""fastresp's classes served by a real FastAPI app through TestClient.

Each app is built twice, once on fastresp's classes (``impl``) and once on
starlette's (the oracle); what the client receives must be the same.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

fastapi = pytest.importorskip("fastapi", reason="fastapi is not importable in this environment")
from fastapi.testclient import TestClient  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import starlette.responses  # noqa: E402
from fastresp.responses import hot_methods  # noqa: E402


class Item(BaseModel):
    name: str
    price: float
    tags: list = []


def _received(client, method, path, **kwargs):
    response = client.request(method, path, follow_redirects=False, **kwargs)
    # expires= of an int offset depends on the clock: both sides use the frozen one.
    return response.status_code, list(response.headers.multi_items()), response.content


def _serve(classes, requests):
    app = fastapi.FastAPI()

    @app.get("/json", response_class=classes.JSONResponse)
    def json_class():
        return {"a": 1, "é": [1.5, None, True]}

    @app.get("/html", response_class=classes.HTMLResponse)
    def html_class():
        return "<h1>héllo</h1>"

    @app.get("/plain", response_class=classes.PlainTextResponse, status_code=202)
    def plain_class():
        return "plain text"

    @app.get("/redirect", response_class=classes.RedirectResponse, status_code=302)
    def redirect_class():
        return "/target path?q=é"

    @app.get("/model", response_model=Item, response_class=classes.JSONResponse)
    def model():
        return Item(name="x", price=1.25, tags=["a"])

    @app.get("/returned")
    def returned():
        response = classes.Response(b"raw bytes", status_code=201, headers={"X-Custom": "yes"},
                                    media_type="application/octet-stream")
        response.set_cookie("session", "s p a c e", max_age=60, httponly=True, secure=True,
                            samesite="strict", expires=datetime(2030, 1, 2, tzinfo=timezone.utc))
        response.delete_cookie("old", path="/p")
        return response

    @app.get("/returned-redirect")
    def returned_redirect():
        return classes.RedirectResponse("https://example.org/a b", status_code=308,
                                        headers={"Location": "/stale", "X-R": "1"})

    @app.get("/returned-json")
    def returned_json():
        return classes.JSONResponse({"created": True}, status_code=201, headers={"X-J": "1"})

    @app.get("/no-body", response_class=classes.Response, status_code=204)
    def no_body():
        return None

    @app.post("/items", response_class=classes.JSONResponse)
    def create(item: Item):
        return {"received": item.name, "double": item.price * 2}

    @app.get("/error", response_class=classes.JSONResponse)
    def error():
        raise fastapi.HTTPException(status_code=418, detail="teapot", headers={"X-E": "1"})

    with TestClient(app) as client:
        return [_received(client, *request[:2], **(request[2] if len(request) > 2 else {}))
                for request in requests]


REQUESTS = [
    ("GET", "/json"), ("GET", "/html"), ("GET", "/plain"), ("GET", "/redirect"),
    ("GET", "/model"), ("GET", "/returned"), ("GET", "/returned-redirect"),
    ("GET", "/returned-json"), ("GET", "/no-body"),
    ("POST", "/items", {"json": {"name": "n", "price": 2}}),
    ("POST", "/items", {"json": {"name": "n"}}),        # validation error
    ("GET", "/error"), ("GET", "/nowhere"), ("HEAD", "/html"),
]


def test_endpoints_like_starlette(impl, oracle, frozen_time):
    got = _serve(impl.classes, REQUESTS)
    expected = _serve(oracle, REQUESTS)
    for request, got_one, expected_one in zip(REQUESTS, got, expected):
        assert got_one == expected_one, request


def test_endpoints_literal(impl, frozen_time):
    results = dict(zip([r[1] + r[0] for r in REQUESTS], _serve(impl.classes, REQUESTS)))
    status, headers, body = results["/jsonGET"]
    assert (status, body) == (200, '{"a":1,"é":[1.5,null,true]}'.encode())
    assert ("content-type", "application/json") in headers
    status, headers, body = results["/htmlGET"]
    assert ("content-type", "text/html; charset=utf-8") in headers
    assert body == "<h1>héllo</h1>".encode()
    status, headers, _ = results["/redirectGET"]
    assert status == 302 and ("location", "/target%20path?q=%C3%A9") in headers
    status, headers, body = results["/returnedGET"]
    assert status == 201 and body == b"raw bytes"
    assert ("x-custom", "yes") in headers
    assert ("set-cookie", 'session="s p a c e"; expires=Wed, 02 Jan 2030 00:00:00 GMT; '
                          "HttpOnly; Max-Age=60; Path=/; SameSite=strict; Secure") in headers
    assert ("set-cookie", 'old=""; expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=0; '
                          "Path=/p; SameSite=lax") in headers
    status, headers, _ = results["/returned-redirectGET"]
    assert [v for k, v in headers if k == "location"] == ["https://example.org/a%20b"]
    assert results["/no-bodyGET"][0] == 204 and results["/no-bodyGET"][2] == b""


def test_default_response_class(impl, oracle, frozen_time):
    def serve(classes):
        app = fastapi.FastAPI(default_response_class=classes.HTMLResponse)
        router = fastapi.APIRouter(default_response_class=classes.PlainTextResponse)

        @app.get("/")
        def root():
            return "<p>root</p>"

        @router.get("/sub")
        def sub():
            return "sub"

        app.include_router(router, prefix="/r")
        with TestClient(app) as client:
            return [_received(client, "GET", path) for path in ("/", "/r/sub", "/missing")]

    got, expected = serve(impl.classes), serve(oracle)
    assert got == expected
    assert ("content-type", "text/html; charset=utf-8") in got[0][1]
    assert ("content-type", "text/plain; charset=utf-8") in got[1][1]


def _patch_starlette(impl, monkeypatch):
    """What install() does, for this implementation (install() itself only knows
    the active one): FastAPI's own Response objects then run impl's code."""
    for class_name, methods in hot_methods(impl).items():
        for name, function in methods.items():
            monkeypatch.setattr(getattr(starlette.responses, class_name), name, function)


@pytest.fixture
def patched_starlette(impl, monkeypatch):
    _patch_starlette(impl, monkeypatch)
    return impl


def _injected_app():
    app = fastapi.FastAPI()

    @app.get("/cookies")
    def cookies(response: fastapi.Response):
        response.set_cookie("a", "b")
        response.set_cookie("full", "v a l", max_age=10, expires=3600, path="/x",
                            domain="example.org", secure=True, httponly=True, samesite="none")
        response.set_cookie("num", 123, max_age="30")
        response.delete_cookie("gone", domain="example.org")
        response.headers["X-Injected"] = "1"
        response.status_code = 201
        return {"ok": True}

    @app.get("/bad-cookie")
    def bad_cookie(response: fastapi.Response):
        response.set_cookie("bad key", "v")
        return {}

    return app


def test_cookies_on_injected_response(impl, frozen_time, monkeypatch):
    with TestClient(_injected_app()) as client:
        expected = _received(client, "GET", "/cookies")
    _patch_starlette(impl, monkeypatch)
    with TestClient(_injected_app()) as client:
        got = _received(client, "GET", "/cookies")
    assert got == expected
    status, headers, body = got
    assert status == 201 and body == b'{"ok":true}'
    cookies = [v for k, v in headers if k == "set-cookie"]
    assert cookies == [
        "a=b; Path=/; SameSite=lax",
        'full="v a l"; Domain=example.org; expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; '
        "Max-Age=10; Path=/x; SameSite=none; Secure",
        "num=123; Max-Age=30; Path=/; SameSite=lax",
        'gone=""; Domain=example.org; expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=0; '
        "Path=/; SameSite=lax",
    ]


def test_refused_cookie_on_injected_response(patched_starlette):
    from http.cookies import CookieError

    with TestClient(_injected_app(), raise_server_exceptions=True) as client:
        with pytest.raises(CookieError):
            client.get("/bad-cookie")


def test_fastresp_response_is_starlette_response_for_fastapi(impl):
    """FastAPI's own checks treat fastresp's classes as starlette's."""
    from fastapi.routing import APIRoute

    def endpoint():
        return "x"

    route = APIRoute("/", endpoint, response_class=impl.classes.PlainTextResponse)
    assert route.response_class is impl.classes.PlainTextResponse
    assert issubclass(impl.classes.PlainTextResponse, fastapi.Response)
    assert issubclass(impl.classes.JSONResponse, fastapi.responses.JSONResponse)


# ------------------------------------------------------------ jsonable_encoder

from fastresp._install import FASTAPI_MODULES  # noqa: E402


def _patch_jsonable_encoder(impl, monkeypatch):
    """What install() does to FastAPI's modules, for this implementation: each
    module's jsonable_encoder wrapped by impl's."""
    import importlib

    for name in FASTAPI_MODULES:
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "jsonable_encoder", impl.encoders.wrap(module.jsonable_encoder))


class Level(str, __import__("enum").Enum):
    HIGH = "high"


def _encoder_app():
    app = fastapi.FastAPI()
    rows = [{"id": i, "name": f"item {i}", "price": i * 1.25, "active": i % 2 == 0,
             "note": None, "tags": ["a", "b"]} for i in range(20)]

    @app.get("/dict")
    def untyped_dict():
        return {"a": 1, "b": [1, 2, 3], "é": "ünïcode \u2028", "big": 2**70, "f": 1e-07}

    @app.get("/rows")
    def untyped_rows():
        return rows

    @app.get("/sa")
    def sqlalchemy_keys():
        return {"_sa_instance_state": object(), "id": 7, "nested": ({"_sa": 1, "x": (1, 2)},)}

    @app.get("/mixed")
    def mixed():
        return {"when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "level": Level.HIGH,
                "item": Item(name="n", price=2.5), "set": {3}, "plain": [1, "x"]}

    @app.get("/nan")
    def nan():
        return {"x": float("nan")}

    @app.get("/model-list", response_model=list)
    def model_list():
        return [{"a": 1}, (2, 3)]

    @app.get("/items/{item_id}")
    def typed(item_id: int, q: str = "default") -> dict:
        return {"item_id": item_id, "q": q}

    @app.post("/items")
    def create(item: Item):
        return {"name": item.name}

    @app.get("/missing")
    def missing():
        raise fastapi.HTTPException(status_code=404, detail={"reason": ["gone", 1]})

    return app


ENCODER_REQUESTS = [
    ("GET", "/dict"), ("GET", "/rows"), ("GET", "/sa"), ("GET", "/mixed"), ("GET", "/nan"),
    ("GET", "/model-list"), ("GET", "/items/3?q=x"), ("GET", "/items/notanint"),
    ("POST", "/items", {"json": {"name": "n", "price": 2}}), ("POST", "/items", {"json": {"price": "p"}}),
    ("GET", "/missing"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/redoc"),
]


def _fetch_encoder_app():
    with TestClient(_encoder_app(), raise_server_exceptions=False) as client:
        return [_received(client, *request[:2], **(request[2] if len(request) > 2 else {}))
                for request in ENCODER_REQUESTS]


def test_jsonable_encoder_app_byte_identical(impl, monkeypatch):
    """FastAPI's own modules calling impl's jsonable_encoder send the very bytes
    they send with FastAPI's (untyped endpoints, errors, validation, OpenAPI, docs)."""
    expected = _fetch_encoder_app()
    _patch_jsonable_encoder(impl, monkeypatch)
    assert fastapi.routing.jsonable_encoder.__module__ == impl.encoders.__name__
    got = _fetch_encoder_app()
    for request, got_one, expected_one in zip(ENCODER_REQUESTS, got, expected):
        assert got_one == expected_one, request
    by_path = dict(zip([r[1] for r in ENCODER_REQUESTS], got))
    assert by_path["/sa"][2] == b'{"id":7,"nested":[{"x":[1,2]}]}'
    assert by_path["/nan"][0] == 500
    assert by_path["/items/notanint"][0] == 422


def test_jsonable_encoder_and_responses_patched_together(impl, monkeypatch, frozen_time):
    """Both halves of install() for this implementation at once."""
    expected = _fetch_encoder_app()
    _patch_starlette(impl, monkeypatch)
    _patch_jsonable_encoder(impl, monkeypatch)
    assert _fetch_encoder_app() == expected
