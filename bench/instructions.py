"""Instructions per operation, counted by valgrind's callgrind: the measure to
trust when this machine's timings are noisy (see CONTRIBUTING.md, Benchmarks).

    python bench/instructions.py                  # every case
    python bench/instructions.py throwaway 404    # some of them
    python bench/instructions.py --n 3000 404

Each case is a statement run in a loop, in a fresh interpreter under callgrind
(this script again, by path, running the one program it is given):
once with a short warm-up only and once with the warm-up and --n more
iterations; instructions per operation = the difference / n, so start-up and
imports cancel out. "starlette" cases use starlette's classes untouched,
"fastresp" ones the active implementation (fastresp's classes, or starlette's
under install() for whole requests), "bare" ones two plain Python objects
holding the same attributes, with no logic at all (the least any
implementation keeping starlette's objects could cost). The loop itself is in
every count (a few hundred instructions). Needs valgrind, FastAPI for the
request cases, and fastresp importable (installed, or PYTHONPATH=. after
build_ext --inplace).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import textwrap

_THROWAWAY = '_r = R()\ndel _r.headers["content-length"]\n_r.status_code = None'
_JSON_404 = '_r = J({"detail": "Item not found"}, status_code=404, headers=None)'
_CYCLE = """\
_r = R(b"hello world", media_type="text/plain")
_r.set_cookie("session", "abc123", httponly=True)
_r.set_cookie("csrf", "token", samesite="strict")
_c = _r(scope, receive, send)
try:
    _c.send(None)
except StopIteration:
    pass"""
_BARE_THROWAWAY = """\
_r = Bare()
_r.status_code = 200; _r.background = None; _r.body = b""; _r.raw_headers = [LENGTH_0]
_h = Bare(); _h._list = _r.raw_headers; _r._headers = _h
del _h._list[0]
_r.status_code = None"""
_BARE_JSON_404 = """\
_content = {"detail": "Item not found"}
_r = Bare()
_r.status_code = 404; _r.background = None; _r.body = _content["detail"].encode()
_r.raw_headers = [(b"content-length", b"27"), JSON_TYPE]"""
#: A request is awaited inside one coroutine per run (what a server does), so
#: the event loop's start and stop cancel out with the rest of the set-up.
_REQUEST = "await app(dict(_scope), whole_request._receive, whole_request._drop)"

#: name -> (what it counts, setup, path of the request or None, statement).
CASES = {
    "throwaway": ("FastAPI's throw-away Response()", "classes", None, _THROWAWAY),
    "json_404": ("JSONResponse({'detail': ...}, 404)", "classes", None, _JSON_404),
    "asgi_cycle": ("ASGI cycle + 2 cookies, driven by send(None)", "classes", None, _CYCLE),
    "bare_throwaway": ("the throw-away's objects, bare", "bare", None, _BARE_THROWAWAY),
    "bare_json_404": ("the 404 JSONResponse's object, bare", "bare", None, _BARE_JSON_404),
    "404": ("FastAPI HTTPException(404) request", "request", "/missing", _REQUEST),
    "typed": ("FastAPI typed endpoint request", "request", "/typed", _REQUEST),
}

#: setup -> its code; {side} is what that setup does differently on each side.
_SETUP = {
    "classes": """\
{side}
scope = {{"type": "http"}}
async def receive(): pass
async def send(message): pass
""",
    "bare": """\
class Bare:
    pass
LENGTH_0 = (b"content-length", b"0")
JSON_TYPE = (b"content-type", b"application/json")
""",
    "request": """\
import asyncio
import fastresp
import whole_request
app = whole_request.fastapi_app()
{side}
_loop = asyncio.new_event_loop()
_scope = whole_request.scope("{path}")
""",
}

#: setup -> side -> the line that makes the side.
_SIDES = {
    "classes": {"starlette": "from starlette.responses import JSONResponse as J, Response as R",
                "fastresp": "from fastresp import JSONResponse as J, Response as R"},
    "bare": {"bare": ""},
    "request": {"starlette": "", "fastresp": "fastresp.install()"},
}

#: What the child runs, N being the iterations counted.
_PROGRAM = """\
{setup}
{define} _run(n):
    for _ in range(n):
{body}
{run}(_run(200))
{run}(_run(N))
"""

#: The first argument of a child run: run one program, count nothing.
_CHILD = "--child"


def program(setup: str, side: str, path: str | None, statement: str) -> str:
    code = _SETUP[setup].format(side=_SIDES[setup][side], path=path)
    awaited = setup == "request"
    return _PROGRAM.format(setup=code, body=textwrap.indent(statement, " " * 8),
                           define="async def" if awaited else "def",
                           run="_loop.run_until_complete" if awaited else "")


def instructions(name: str, side: str, n: int) -> int:
    """Instructions callgrind counts for *name*'s program on *side*, run with n
    iterations (in this script run as a child, so bench/ is on its path)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, __file__, _CHILD, name, side, str(n)],
        capture_output=True, text=True, check=True)
    found = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{done.stderr}")
    return int(found.group(1).replace(",", ""))


def per_operation(name: str, side: str, n: int) -> float:
    return (instructions(name, side, n) - instructions(name, side, 0)) / n


def child(name: str, side: str, n: int) -> None:
    """Run *name*'s program on *side* with n iterations (under callgrind)."""
    _, setup, path, statement = CASES[name]
    exec(compile(program(setup, side, path, statement), f"<{name} {side}>", "exec"), {"N": n})


def main() -> int:
    if sys.argv[1:2] == [_CHILD]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", metavar="case",
                        help=f"cases to count (default: all): {', '.join(CASES)}")
    parser.add_argument("--n", type=int, default=5000, help="iterations counted (default 5000)")
    arguments = parser.parse_args()
    unknown = [name for name in arguments.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"{'case':<48} {'side':<10} {'instructions/op':>16}")
    for name in arguments.cases or CASES:
        what, setup, _, _ = CASES[name]
        for side in _SIDES[setup]:
            count = per_operation(name, side, arguments.n)
            print(f"{what:<48} {side:<10} {count:>16,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
