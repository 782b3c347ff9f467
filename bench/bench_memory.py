"""No memory growth over a million constructions and cookies (tracemalloc).

Slow (tens of seconds an implementation), so it lives here rather than in
tests/ (which has a smaller version). It uses no benchmark fixture, so
``--benchmark-only`` skips it; run it with ``pytest bench/bench_memory.py``.

Every case of fastresp._bench (all constructions but the ~1 MB JSON document,
cookies, the ASGI cycle) and
every refusal below runs in turns of 1000 operations until a million operations
are done; after a warm-up turn of everything, the memory tracemalloc sees (after
gc.collect()) must not grow.
"""

from __future__ import annotations

import gc
from array import array
from types import SimpleNamespace

import pytest

from fastresp import _bench

# PyPy ships the tracemalloc module but not the _tracemalloc it imports.
tracemalloc = pytest.importorskip("tracemalloc", reason="tracemalloc is not available (PyPy)")

pytestmark = pytest.mark.memory

OPERATIONS = 1_000_000
TURN = 1000
#: Allowed difference between the warmed-up baseline and any later checkpoint:
#: room for bounded caches (the fallback's cache of cookie dates gains an entry a
#: second, up to 64) and allocator noise; one leaked object an operation would
#: make tens of megabytes, one every 1000 operations still over 30 KiB.
TOLERANCE = 24 * 1024


def _refusal(name: str, stmt: str, error: str) -> _bench.Case:
    body = f"try:\n    {stmt}\nexcept {error}:\n    pass\nelse:\n    raise AssertionError({name!r})"
    return _bench.Case(name, name, _bench.COOKIE, 0, 0, body, "None")


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


@pytest.mark.parametrize("side", ["cython", "python"])
def test_no_growth(classes: SimpleNamespace, side: str) -> None:
    # The reset statement of the cookie cases keeps r's list from growing; the
    # "_sink" of the others keeps one response alive: both are constant.
    # The ~1 MB JSON document is left out: a million renders of it would take
    # hours; tests/test_leaks.py renders big documents for the same check.
    cases = [case for case in _bench.CASES if case.name != "json_1mb"]
    loops = [_bench.compile_case(case, classes) for case in (*cases, *REFUSALS)]
    tracemalloc.start()
    try:
        for inner in loops:  # warm-up: fill every cache, specialise every code path
            inner(TURN, int)
        turns = -(-OPERATIONS // (TURN * len(loops)))
        checkpoints = array("q", bytes(8 * turns))  # allocated before the baseline
        baseline = _traced()
        for turn in range(turns):
            for inner in loops:
                inner(TURN, int)
            checkpoints[turn] = _traced() - baseline
        done = turns * TURN * len(loops)
    finally:
        tracemalloc.stop()
    print(f"{side}: {done} operations, growth at each checkpoint (bytes): {list(checkpoints)}")
    assert max(checkpoints) <= TOLERANCE, list(checkpoints)
