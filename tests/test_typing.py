"""mypy and pyright accept typical user code written against fastresp's public API.

fastresp ships ``py.typed``; its classes are declared for type checkers as
subclasses of starlette's (``fastresp/responses.py``), so user code gets
starlette's signatures, and ``Response.headers`` is fastresp's MutableHeaders. The
snippet is checked with ``mypy --strict`` and ``pyright`` in strict mode against
the installed package (from a temporary directory, so the source tree is not on
the checker's path); a second snippet with deliberate mistakes must be rejected
on exactly its lines, which shows the names are really typed and not ``Any``.

pyright (from PyPI) bundles its JavaScript but needs node at run time: node on
PATH, or the ``pyright[nodejs]`` extra (what tox installs); without either it
tries to download node. Its tests are skipped where pyright is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
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
    from typing import Union

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
        headers: fastresp.MutableHeaders = response.headers
        headers.append("x-c", "d")
        copied = fastresp.MutableHeaders(headers={"a": "b"})
        implementation: str = fastresp.IMPLEMENTATION
        reason: str = fastresp.REASON
        version: str = fastresp.__version__
        warning: type[RuntimeWarning] = fastresp.NoCompilerWarning
        try:
            response.set_cookie("s", "v", samesite="strict")
        except fastresp.SameSiteError as error:
            print(error)
        print(body, raw, status, as_json, redirect, html, text, ours, copied, implementation, reason,
              version, warning)
        return response


    class AppHeaders(fastresp.MutableHeaders):
        def first(self) -> str:
            return self["x-a"]


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
    fastresp.MutableHeaders(nope=1)
    fastresp.Response().headers.no_such_method()
    fastresp.REASON.no_such_method()
''')


def _checker_env() -> dict:
    """This environment with PYTHONPATH's entries made absolute: the checkers run in
    a temporary directory (``PYTHONPATH=.`` from a checkout means the checkout)."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(entry) for entry in env["PYTHONPATH"].split(os.pathsep))
    return env


def _mypy(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess:
    pytest.importorskip("mypy", reason="mypy is not installed in this environment")
    (tmp_path / name).write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes",
         "--cache-dir", str(tmp_path / ".mypy_cache"), name],
        cwd=str(tmp_path), env=_checker_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=600)


def _pyright(tmp_path: Path, name: str, source: str) -> tuple[subprocess.CompletedProcess, list]:
    """pyright --outputjson in strict mode on *source*; the process and its error diagnostics."""
    if importlib.util.find_spec("pyright") is None:
        pytest.skip("pyright is not installed in this environment")
    (tmp_path / name).write_text(source)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, name],
        cwd=str(tmp_path), env=_checker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=600)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"pyright did not run (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    errors = [item for item in report["generalDiagnostics"] if item["severity"] == "error"]
    return result, errors


#: The lines of BAD that hold a mistake (1-based).
MISTAKES = {number for number, line in enumerate(BAD.splitlines(), 1) if line.startswith("fastresp.")}


def test_public_api_type_checks(tmp_path):
    result = _mypy(tmp_path, "user_app.py", GOOD)
    assert result.returncode == 0, result.stdout


def test_mistakes_are_reported(tmp_path):
    result = _mypy(tmp_path, "user_mistakes.py", BAD)
    assert result.returncode == 1, result.stdout
    flagged = {int(line.split(":")[1]) for line in result.stdout.splitlines()
               if line.startswith("user_mistakes.py:") and ": error:" in line}
    assert flagged == MISTAKES, result.stdout


def test_public_api_type_checks_with_pyright(tmp_path):
    result, errors = _pyright(tmp_path, "user_app.py", GOOD)
    assert errors == [] and result.returncode == 0, json.dumps(errors, indent=1)


def test_mistakes_are_reported_by_pyright(tmp_path):
    result, errors = _pyright(tmp_path, "user_mistakes.py", BAD)
    assert result.returncode == 1
    assert {item["range"]["start"]["line"] + 1 for item in errors} == MISTAKES, json.dumps(errors, indent=1)
