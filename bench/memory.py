"""No memory growth over a million constructions and cookies (tracemalloc).

    python bench/memory.py [--operations 1000000] [--impl both]

Slow (tens of seconds an implementation), so it lives here rather than in
tests/ (tests/test_leaks.py is the smaller version the suite runs). Every
per-object case of objects.py (all but the ~1 MB JSON document, whose million
renders would take hours; test_leaks.py renders big documents) and every refusal
below runs in turns of 1000 operations until the operations are done; after a
warm-up turn of everything, the memory tracemalloc sees (after gc.collect())
must not grow. Exits with status 1 when it does. CPython only (PyPy has no
``_tracemalloc``).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from array import array
from types import SimpleNamespace

import objects

TURN = 1000
#: Allowed difference between the warmed-up baseline and any later checkpoint:
#: room for bounded caches (the fallback's cache of cookie dates gains an entry a
#: second, up to 64) and allocator noise; one leaked object an operation would
#: make tens of megabytes, one every 1000 operations still over 30 KiB.
TOLERANCE = 24 * 1024


def _refusal(name: str, stmt: str, error: str) -> objects.Case:
    body = f"try:\n    {stmt}\nexcept {error}:\n    pass\nelse:\n    raise AssertionError({name!r})"
    return objects.Case(name, name, objects.COOKIE, 0, 0, body, "None")


REFUSALS = (
    _refusal("cookie_control", 'r.set_cookie("session", "a\\x01b")', "CookieError"),
    _refusal("cookie_illegal_key", 'r.set_cookie("bad key", "v")', "CookieError"),
    _refusal("cookie_reserved_key", 'r.set_cookie("path", "v")', "CookieError"),
    _refusal("cookie_samesite", 'r.set_cookie("s", "v", samesite="sometimes")', "ValueError"),
    _refusal("cookie_not_latin1", 'r.set_cookie("s", "\\u20ac")', "UnicodeEncodeError"),
    _refusal("header_crlf", 'Response(b"", headers={"X-A": "1\\r\\nX-B: 2"})', "ValueError"),
    _refusal("header_not_latin1", 'Response(b"", headers={"X-A": "\\u20ac"})', "UnicodeEncodeError"),
    _refusal("media_type_crlf", 'Response(b"", media_type="text/plain\\r\\n")', "ValueError"),
)


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def growth(classes: SimpleNamespace, operations: int) -> list[int]:
    """Bytes traced at each checkpoint beyond the warmed-up baseline."""
    # The reset statement of the cookie cases keeps r's list from growing; the
    # "_sink" of the others keeps one response alive: both are constant.
    cases = [case for case in objects.CASES if case.name != "json_1mb"]
    loops = [objects.compile_case(case, classes) for case in (*cases, *REFUSALS)]
    tracemalloc.start()
    try:
        for inner in loops:  # warm-up: fill every cache, specialise every code path
            inner(TURN, int)
        turns = -(-operations // (TURN * len(loops)))
        checkpoints = array("q", bytes(8 * turns))  # allocated before the baseline
        baseline = _traced()
        for turn in range(turns):
            for inner in loops:
                inner(TURN, int)
            checkpoints[turn] = _traced() - baseline
    finally:
        tracemalloc.stop()
    return list(checkpoints)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=1_000_000)
    parser.add_argument("--impl", choices=("cython", "python", "both"), default="both")
    args = parser.parse_args()
    failed = False
    for name in ("cython", "python") if args.impl == "both" else (args.impl,):
        classes, why = objects.implementation(name)
        if classes is None:
            print(f"{name}: not checked: {why}")
            continue
        checkpoints = growth(classes, args.operations)
        grew = max(checkpoints) > TOLERANCE
        failed |= grew
        print(f"{name}: {'GREW' if grew else 'no growth'}; bytes beyond the baseline at each"
              f" checkpoint: {checkpoints}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
