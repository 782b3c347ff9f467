"""The whole-request benchmark's apps (bench/whole_request.py): with
fastresp.install() every endpoint sends exactly the ASGI messages it sends on
plain starlette/FastAPI, and ``python bench/run.py --section requests``
reports every case. Runs the active implementation (install() installs it):
tox runs this file once per implementation."""

from __future__ import annotations

import asyncio
import json

import pytest

import fastresp

# bench/, on sys.path by pyproject.toml's pytest pythonpath
import example_app
import objects
import run
import whole_request as requests

pytest.importorskip("fastapi")

#: The status each endpoint answers with, so an endpoint that broke on both
#: sides alike (a 500 on each) does not pass as "the same".
STATUS = {"typed": 200, "untyped_dict": 200, "untyped_rows": 200, "cookie": 200,
          "not_found": 404, "starlette_json": 200, "starlette_text": 200,
          "browser_typed": 200, "headers_cookies": 200, "cors_bearer_cookie": 200}


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def apps():
    found, missing = requests.apps()
    assert not missing
    return found


@pytest.fixture(autouse=True)
def clean():
    yield
    fastresp.uninstall()


def test_every_case_has_a_status():
    assert set(STATUS) == {case.name for case in requests.REQUEST_CASES}


@pytest.mark.parametrize("case", requests.REQUEST_CASES, ids=[c.name for c in requests.REQUEST_CASES])
def test_install_sends_what_plain_sends(apps, loop, case):
    plain = requests.messages(apps[case.app], case, requests.PLAIN, loop)
    installed = requests.messages(apps[case.app], case, requests.INSTALLED, loop)
    assert fastresp.installed()
    assert [message["type"] for message in plain] == ["http.response.start", "http.response.body"]
    assert plain[0]["status"] == STATUS[case.name]
    assert installed == plain
    assert requests.check(apps[case.app], case, loop) is None


def test_cookie_case_sets_the_cookie(apps, loop):
    case = next(c for c in requests.REQUEST_CASES if c.name == "cookie")
    start = requests.messages(apps["fastapi"], case, requests.INSTALLED, loop)[0]
    assert (b"set-cookie", b"session=abc123; HttpOnly; Path=/; SameSite=strict") in start["headers"]


def test_bench_section_reports_every_case(capsys):
    assert run.main(["--section", "requests", "--rounds", "2", "--warmup-ms", "5", "--json",
                     "--impl", "active"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "cases" not in report                     # the per-object section did not run
    (section,) = report["requests"]
    assert section["implementation"] == fastresp.IMPLEMENTATION
    assert [case["name"] for case in section["cases"]] == [c.name for c in requests.REQUEST_CASES]
    for case in section["cases"]:
        assert case["problem"] is None
        assert case["plain_ns"] > 0 and case["installed_ns"] > 0
        assert case["ratio"] == pytest.approx(case["plain_ns"] / case["installed_ns"])
    assert not fastresp.installed()                  # the bench puts the state back


@pytest.mark.parametrize("case", requests.REQUEST_CASES, ids=[c.name for c in requests.REQUEST_CASES])
def test_server_launcher_serves_each_case(apps, loop, case):
    """bench/server_load.py's app (bench/example_app.py --app requests) answers
    each case's path as the section's own app does."""
    served = requests.messages(example_app.build("requests", False), case, requests.PLAIN, loop)
    assert served == requests.messages(apps[case.app], case, requests.PLAIN, loop)
    assert served[0]["status"] == STATUS[case.name]


def test_request_side_cases_read_the_browser_request(apps, loop):
    """The request-side endpoints see the browser's headers and cookies (the
    same on both sides: test_install_sends_what_plain_sends), CORS answers the
    page's origin, and HTTPBearer and Cookie() were satisfied."""
    cases = {case.name: case for case in requests.REQUEST_CASES}
    for name in ("browser_typed", "headers_cookies", "cors_bearer_cookie"):
        assert cases[name].headers[:12] == objects.BROWSER_HEADERS
    start, body = requests.messages(apps["fastapi"], cases["headers_cookies"], requests.INSTALLED, loop)
    assert json.loads(body["body"]) == {"agent": objects.BROWSER_HEADERS[6][1].decode(),
                                        "lang": "en-GB", "session": True}
    start, body = requests.messages(apps["fastapi_cors"], cases["cors_bearer_cookie"],
                                    requests.INSTALLED, loop)
    assert (b"access-control-allow-origin", b"https://app.example.com") in start["headers"]
    assert json.loads(body["body"]) == {"id": 1, "name": "eyJ1c2Vy", "price": 9.99,
                                        "tags": ["Bearer"]}


def test_case_selects_request_cases(capsys):
    """--case names a whole-request case too: only it is run, and the
    per-object section, with none of its cases named, is not."""
    assert run.main(["--case", "headers_cookies", "--rounds", "2", "--warmup-ms", "5", "--json",
                     "--impl", "active"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "cases" not in report
    (section,) = report["requests"]
    assert [case["name"] for case in section["cases"]] == ["headers_cookies"]
    assert section["cases"][0]["problem"] is None


def test_server_load_sends_each_case_request():
    """bench/server_load.py sends each case's own headers (a browser's 12 for the
    request-side cases), as httptools parses them."""
    httptools = pytest.importorskip("httptools")
    import server_load

    class Seen:
        def __init__(self):
            self.headers = []

        def on_header(self, name, value):
            self.headers.append((name.lower(), value))

    for path, _, headers in server_load.request_endpoints():
        seen = Seen()
        httptools.HttpRequestParser(seen).feed_data(server_load._request_bytes(path, headers))
        assert seen.headers == [(name.lower(), value) for name, value in headers]
    assert any(len(headers) == 12 and dict(headers).get(b"cookie")
               for _, _, headers in server_load.request_endpoints())
