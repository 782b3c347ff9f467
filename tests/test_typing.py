"""mypy accepts typical user code written against fastresp's public API.

fastresp ships ``py.typed``; its classes are declared for type checkers as
subclasses of starlette's (``fastresp/responses.py``), so user code gets
starlette's signatures. The snippet is checked with ``mypy --strict`` against the
installed package (from a temporary directory, so the source tree is not on
mypy's path); a second snippet with deliberate mistakes must be rejected, which
shows the names are really typed and not ``Any``.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from oracle import starlette_takes  # tests/ is on sys.path: see helpers.py

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platform.python_implementation() != "CPython",
                       reason="mypy is installed and run on CPython only"),
]

GOOD = textwrap.dedent('''
    from __future__ import annotations

    from datetime import datetime, timezone
    from typing import Optional, Union

    import starlette.responses
    from fastapi import FastAPI, Response as InjectedResponse

    import fastresp
    from fastresp import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response


    def build() -> starlette.responses.Response:
        response = Response("hello", status_code=201, headers={"x-a": "b"}, media_type="text/plain")
        response.set_cookie("session", "abc", max_age=3600, expires=datetime.now(timezone.utc), path="/",
                            domain="example.com", secure=True, httponly=True, samesite="strict")
        response.set_cookie("chips", "v", partitioned=True, expires=10, samesite=None)
        response.delete_cookie("old", path="/", domain=None)
        body: Union[bytes, memoryview] = response.body
        raw: list[tuple[bytes, bytes]] = response.raw_headers
        status: int = response.status_code
        response.headers["x-b"] = "c"
        as_json: starlette.responses.JSONResponse = JSONResponse({"a": 1}, headers={"x": "y"})
        redirect: starlette.responses.RedirectResponse = RedirectResponse("/x", status_code=303)
        html: starlette.responses.HTMLResponse = HTMLResponse("<p>x</p>")
        text: starlette.responses.PlainTextResponse = PlainTextResponse("x")
        ours: Response = JSONResponse([1, 2])
        fastresp.install()
        if fastresp.installed():
            fastresp.uninstall()
        implementation: str = fastresp.IMPLEMENTATION
        reason: Optional[str] = fastresp.REASON
        version: str = fastresp.__version__
        print(body, raw, status, as_json, redirect, html, text, ours, implementation, reason, version)
        return response


    app = FastAPI(default_response_class=JSONResponse)


    @app.get("/items/{item_id}")
    def read_item(item_id: int, response: InjectedResponse) -> dict[str, int]:
        response.set_cookie("last", str(item_id), httponly=True)
        return {"item_id": item_id}


    @app.get("/old", response_class=RedirectResponse)
    def old() -> RedirectResponse:
        return RedirectResponse("/items/1")
''')
if not starlette_takes("set_cookie"):
    # starlette before 0.47: set_cookie has no partitioned, and mypy knows it.
    GOOD = GOOD.replace("partitioned=True, ", "")

#: Each line holds one mistake; mypy must report an error on each of them.
BAD = textwrap.dedent('''
    import fastresp
    fastresp.Response(status_code="200")
    fastresp.Response().set_cookie("a", max_age="an hour")
    fastresp.install(True)
    fastresp.JSONResponse.no_such_attribute
    fastresp.RedirectResponse()
''')


def _mypy(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess:
    pytest.importorskip("mypy", reason="mypy is not installed in this environment")
    (tmp_path / name).write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes",
         "--cache-dir", str(tmp_path / ".mypy_cache"), name],
        cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
        timeout=600)


def test_public_api_type_checks(tmp_path):
    result = _mypy(tmp_path, "user_app.py", GOOD)
    assert result.returncode == 0, result.stdout


def test_mistakes_are_reported(tmp_path):
    result = _mypy(tmp_path, "user_mistakes.py", BAD)
    assert result.returncode == 1, result.stdout
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines()
               if line.startswith("user_mistakes.py:") and ": error:" in line}
    expected = {number for number, line in enumerate(BAD.splitlines(), 1)
                if line.startswith("fastresp.")}
    assert flagged == expected, result.stdout
