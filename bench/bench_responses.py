"""starlette against fastresp, one benchmark group a case, each holding the
starlette, fastresp-compiled ("cython") and fastresp-fallback ("python") sides.

Each benchmarked call runs the case's statement BATCH (1000) times in a compiled
loop, the same loop ``python -m fastresp bench`` times, so pytest-benchmark's
per-call overhead is paid once per 1000 operations and, with the time unit set
to microseconds (bench/pytest.ini), every time shown reads as ns per operation.
The cases are fastresp._bench.CASES.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fastresp import _bench

BATCH = 1000


@pytest.mark.parametrize("side", ["starlette", "cython", "python"])
@pytest.mark.parametrize("case", _bench.CASES, ids=[case.name for case in _bench.CASES])
def test_case(benchmark, record, classes: SimpleNamespace, case: _bench.Case, side: str) -> None:
    if side != "starlette":
        _bench.check_case(case, classes)  # both sides do the same work
    inner = _bench.compile_case(case, classes)
    benchmark.group = f"{case.name}: {case.label} (1000 ops a call: us = ns/op)"
    benchmark.extra_info.update(case=case.name, side=side, ops_per_call=BATCH, stmt=case.stmt)
    if side != "starlette":
        benchmark.extra_info["floor"] = case.floor(side)
    benchmark(inner, BATCH, int)  # int() as the timer: inner's own timing is unused
    record(case, side, BATCH)
