"""The README's FastAPI example app, importable, and a small uvicorn launcher for it.

README.md shows the app twice:

* ``readme_classes_app(classes)`` is the first example, which picks fastresp's
  classes where it chooses a response class (``classes`` defaults to the
  ``fastresp`` module; pass ``starlette.responses`` to get the same app on
  starlette's classes, the oracle);
* ``readme_install_app()`` is the second one, written with FastAPI's/starlette's
  own names only: call ``fastresp.install()`` first (as the README does) to run it
  on fastresp, or not, to run it on plain starlette.

``add_extra_routes(app, classes)`` adds a few endpoints that are *not* in the
README, under ``/x/``: more cookies (quoted values, ``delete_cookie``, int and
datetime ``expires``), a returned response with given headers, HTML, 204, a
redirect to a URL that needs quoting and a refused cookie name (a 500).

Run as a script, it serves one such app with uvicorn on 127.0.0.1 (a free port
picked by the kernel) and, once uvicorn has started, prints one JSON line on
stdout: the port and what runs in the process (the fastresp implementation,
whether it is installed). It exits when its stdin is closed (or on SIGTERM).
tests/test_server.py and bench/server_load.py start it that way::

    python bench/example_app.py --app install --install [--extras] [--freeze-time T]

Being run as a script (not ``-m``, not ``-c``), it never puts the current
directory on ``sys.path``: under tox, fastresp is the installed wheel, not the
source tree. Nothing here imports fastresp or FastAPI at module level, so the
``--install`` run calls ``fastresp.install()`` before FastAPI is imported,
exactly as in the README, and the oracle runs never import fastresp at all.

``uvicorn example_app:app`` also works (from bench/): ``app`` is the README's
first example, built on first access.
"""

# No ``from __future__ import annotations``: FastAPI must see the endpoints' real
# annotations (``Response`` is imported inside the functions, as a string it
# would not resolve).
import argparse
import json
import platform
import queue
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timezone
from types import ModuleType
from typing import Any

#: ``--app`` choices: README example 1 on fastresp's classes, the same on
#: starlette's classes (the oracle of the first), README example 2, and the
#: apps of ``python bench/run.py --section requests`` (bench/server_load.py).
APPS = ("classes", "classes-starlette", "install", "requests")


def requests_app() -> Any:
    """bench/whole_request.py's apps behind one ASGI callable: a case's path goes
    to that case's app, anything else to the plain FastAPI app.
    Imports fastresp (not installed unless ``--install``)."""
    import whole_request

    found, _ = whole_request.apps()
    by_path = {case.path: found[case.app] for case in whole_request.REQUEST_CASES
               if case.app in found}
    fastapi_app = found["fastapi"]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await by_path.get(scope.get("path"), fastapi_app)(scope, receive, send)

    return app


def _readme_routes(app: Any, classes: Any) -> Any:
    """The README examples' three endpoints, on *classes*' response classes."""
    from fastapi import Response

    @app.get("/items/{item_id}")
    def read_item(item_id: int, response: Response):
        response.set_cookie("last_item", str(item_id), max_age=3600, httponly=True, samesite="strict")
        return {"item_id": item_id}

    @app.get("/old-items/{item_id}")
    def old_item(item_id: int):
        return classes.RedirectResponse(f"/items/{item_id}", status_code=308)

    @app.get("/hello", response_class=classes.PlainTextResponse)
    def hello():
        return "hello"

    return app


def readme_classes_app(classes: Any = None) -> Any:
    """README example 1 (fastresp's classes where a response class is chosen)."""
    if classes is None:
        import fastresp as classes  # noqa: PLW0127 - the README's own name
    from fastapi import FastAPI

    return _readme_routes(FastAPI(default_response_class=classes.JSONResponse), classes)


def readme_install_app() -> Any:
    """README example 2 (FastAPI's names only: fastapi.responses' classes; install()
    is the caller's)."""
    from fastapi import FastAPI, responses

    return _readme_routes(FastAPI(), responses)


def add_extra_routes(app: Any, classes: Any) -> Any:
    """Endpoints beyond the README, under /x/ (see the module docstring)."""
    from fastapi import Response

    @app.get("/x/cookies")
    def cookies(response: Response):
        response.set_cookie("a", "b")
        response.set_cookie("full", "v a l;\"x\"", max_age=10, expires=3600, path="/x",
                            domain="example.org", secure=True, httponly=True, samesite="none")
        response.set_cookie("num", 123, max_age="30", samesite=None)
        response.set_cookie("when", "é", expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
        response.delete_cookie("gone", domain="example.org")
        response.headers["X-Injected"] = "1"
        response.status_code = 201
        return {"ok": True, "text": "héllo"}

    @app.get("/x/returned")
    def returned():
        response = classes.Response(b"raw bytes", status_code=202,
                                    headers={"X-Custom": "yes", "Cache-Control": "no-store"},
                                    media_type="application/octet-stream")
        response.set_cookie("session", "s p a c e", max_age=60, httponly=True, secure=True,
                            samesite="strict")
        response.delete_cookie("old", path="/p")
        return response

    # operation_id given: FastAPI's default one takes a method from the route's
    # set of methods, so with two it changes with the hash seed.
    @app.api_route("/x/html", methods=["GET", "HEAD"], response_class=classes.HTMLResponse,
                   operation_id="x_html")
    def html():
        return "<h1>héllo</h1>"

    @app.get("/x/no-content", response_class=classes.Response, status_code=204)
    def no_content():
        return None

    @app.get("/x/redirect")
    def redirect():
        return classes.RedirectResponse("https://example.org/a b?q=é", status_code=302,
                                        headers={"Location": "/stale", "X-R": "1"})

    @app.post("/x/echo", response_class=classes.JSONResponse)
    def echo(payload: dict):
        return {"echo": payload, "n": len(payload)}

    @app.get("/x/bad-cookie")
    def bad_cookie(response: Response):
        response.set_cookie("bad key", "v")  # CookieError on both: a 500
        return {}

    return app


def build(app_name: str, extras: bool) -> Any:
    """The app called app_name (see APPS). For "install", install() is the caller's."""
    if app_name == "requests":
        if extras:
            raise ValueError("the requests app has no /x/ endpoints")
        return requests_app()
    if app_name == "install":
        import starlette.responses as classes
        app = readme_install_app()
    elif app_name == "classes":
        import fastresp as classes  # type: ignore[no-redef]
        app = readme_classes_app(classes)
    elif app_name == "classes-starlette":
        import starlette.responses as classes
        app = readme_classes_app(classes)
    else:
        raise ValueError(f"unknown app {app_name!r}, expected one of {APPS}")
    if extras:
        add_extra_routes(app, classes)
    return app


def describe() -> dict:
    """What runs in this process: for the launcher's ready line."""
    import starlette
    import starlette.responses

    info: dict = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "starlette": starlette.__version__,
        "set_cookie_module": starlette.responses.Response.set_cookie.__module__,
        "fastresp_imported": "fastresp" in sys.modules,
    }
    if info["fastresp_imported"]:
        fastresp: ModuleType = sys.modules["fastresp"]
        info.update(implementation=fastresp.IMPLEMENTATION, reason=fastresp.REASON,
                    installed=fastresp.installed(), fastresp_file=fastresp.__file__)
    return info


def __getattr__(name: str) -> Any:
    """``app``: README example 1, for ``uvicorn example_app:app``."""
    if name == "app":
        app = readme_classes_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)


class Launched:
    """This file run as a script (see the module docstring) in a process of its
    own: started by the constructor, which waits for the ready line (``info``,
    ``port``); stop() shuts it down and returns its log. For
    tests/test_server.py and bench/server_load.py."""

    def __init__(self, args: "list[str]", env: "dict[str, str]", timeout: float = 60.0,
                 prefix: "tuple[str, ...]" = ()) -> None:
        """prefix: a command the interpreter runs under (valgrind, for one)."""
        self.args = args
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([*prefix, sys.executable, __file__, *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self._log, env=env)
        lines: "queue.Queue[bytes]" = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"example_app {args} did not start within {timeout:.0f} s:\n"
                               f"{self.stop()}") from None
        if not line:
            raise RuntimeError(f"example_app {args} exited at startup:\n{self.stop()}")
        self.info: "dict[str, Any]" = json.loads(line)
        self.port: int = self.info["port"]

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-5000:]

    def stop(self, timeout: float = 10.0) -> str:
        """Close stdin (the server then shuts down gracefully), then escalate;
        returns the server's log."""
        process = self.process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.close()
                process.wait(timeout=timeout)
            except (subprocess.TimeoutExpired, OSError):
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=timeout)
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        if self._log.closed:
            return ""
        log = self.log()
        self._log.close()
        return log


def serve(argv: "list[str] | None" = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", choices=APPS, default="install")
    parser.add_argument("--install", action="store_true",
                        help="call fastresp.install() before FastAPI is imported")
    parser.add_argument("--extras", action="store_true", help="add the /x/ endpoints")
    parser.add_argument("--freeze-time", type=float, default=None, metavar="T",
                        help="make time.time() return T (int cookie expires, the Date header)")
    args = parser.parse_args(argv)

    if args.freeze_time is not None:
        import time
        frozen = args.freeze_time
        time.time = lambda: frozen  # asyncio and uvicorn's timeouts use the monotonic clock
    if args.install:
        import fastresp
        fastresp.install()
    app = build(args.app, args.extras)

    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                port = self.servers[0].sockets[0].getsockname()[1]
                print(json.dumps({"port": port, **describe()}), flush=True)

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            access_log=False, lifespan="off")
    server = Server(config)

    def watch_stdin() -> None:
        # The parent closes our stdin (or dies): shut down gracefully.
        try:
            sys.stdin.read()
        finally:
            server.should_exit = True

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.run()


if __name__ == "__main__":
    serve()
