"""Fixtures for the benchmarks, and a table of ratios after pytest-benchmark's own.

The cases themselves (statements, floors) live in ``fastresp._bench``, shared
with ``python -m fastresp bench``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable, Dict, Tuple

import pytest

from fastresp import _bench

#: Benchmark sides: starlette's classes, then fastresp on each implementation.
SIDES = ("starlette", "cython", "python")

#: (case name, side) -> fastest round in ns per operation. The minimum, as in
#: ``python -m fastresp bench``: it is what stays put on a busy machine
#: (pytest-benchmark's own tables show the median too).
_best: Dict[Tuple[str, str], float] = {}


@pytest.fixture
def classes(side: str) -> SimpleNamespace:
    """The response classes of the test's ``side``; skips when that side cannot
    run here (the compiled modules on PyPy, or not built)."""
    if side == "starlette":
        return _bench.starlette_classes()
    found, why = _bench.implementation(side)
    if found is None:
        pytest.skip(why)
    return found


@pytest.fixture
def record(benchmark) -> Callable[[_bench.Case, str, int], None]:
    """record(case, side, ops): note the fastest round of the benchmark just run,
    which ran *ops* operations a call, for the summary table."""

    def record(case: _bench.Case, side: str, ops: int) -> None:
        metadata = getattr(benchmark, "stats", None)  # None under --benchmark-disable
        if metadata is not None and getattr(metadata, "stats", None) is not None:
            _best[(case.name, side)] = metadata.stats.min * 1e9 / ops

    return record


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter) -> None:
    if not _best:
        return
    header = ["case", "starlette"]
    impls = [side for side in SIDES[1:] if any(key[1] == side for key in _best)]
    for side in impls:
        header += [f"fastresp {side}", "ratio", "floor"]
    rows = []
    for case in _bench.CASES:
        base = _best.get((case.name, "starlette"))
        if base is None:
            continue
        row = [case.label, _bench._fmt_ns(base)]
        for side in impls:
            best = _best.get((case.name, side))
            ratio = None if best is None else base / best
            row += [_bench._fmt_ns(best), _bench._fmt_ratio(ratio),
                    _bench._fmt_floor(ratio, case.floor(side))]
        rows.append(row)
    write = terminalreporter.write_line
    terminalreporter.section("fastresp: starlette min / fastresp min, per operation")
    for line in _bench._table(rows, header).splitlines():
        write(line)
    write("")
    write("pytest-benchmark times each benchmark in one stretch, not interleaved with the")
    write("others: on a busy machine, `python -m fastresp bench` gives the steadier ratios.")
    for line in f"{_bench.LEGEND}\n\n{_bench.FLOOR_LEGEND}".splitlines():
        write(line)
