"""What the benchmarks print: times, ratios, floors and tables, the
environment a report was made in, and what ``--check`` fails on. Imports
nothing of the other benchmark modules, which all import it."""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any


def fmt_ns(ns: float | None) -> str:
    if ns is None:
        return "n/a"
    if ns >= 10_000:
        return f"{ns / 1000:.1f} us"
    if ns >= 1000:
        return f"{ns / 1000:.2f} us"
    return f"{ns:.0f} ns"


def fmt_ratio(ratio: float | None, steady: bool = True) -> str:
    """The ratio, or "unsteady" when the halves of the rounds disagree about it."""
    if ratio is None:
        return "n/a"
    return f"{ratio:.2f}x" if steady else "unsteady"


#: Said instead of the ratios by a --quick run.
QUICK_NOTE = ("--quick: times only. Its few rounds are too few for ratios within a few percent of"
              " a full run's on a busy machine, so none are shown; run without --quick for ratios.")


def unsteady_note(unsteady: list[str], tolerance: float) -> list[str]:
    """The lines under a table that explain its "unsteady" ratios, if any."""
    if not unsteady:
        return []
    return [f"unsteady: the first and the second half of the rounds gave ratios more than"
            f" {tolerance:.0%} apart (other work on the machine disturbed one side), so no ratio"
            f" is shown; run again, or without --quick: {'; '.join(unsteady)}"]


def fmt_floor(ratio: float | None, floor: float, valid: bool = True) -> str:
    """The --check column: the floor and whether the ratio reaches it."""
    if ratio is None:
        state = "n/a"
    elif not valid:
        state = "invalid"
    else:
        state = "met" if ratio >= floor else "MISSED"
    return f">= {floor:g} {state}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table: the first column left-aligned, the others right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return " | ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                          for i, (cell, width) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), "-+-".join("-" * width for width in widths), *map(line, rows)])


def environment() -> dict[str, Any]:
    """What the report was made with: fastresp, the interpreter, starlette."""
    import starlette

    import fastresp
    from fastresp import _impl

    return {
        "fastresp": fastresp.__version__,
        "fastresp_file": fastresp.__file__,
        "implementation": _impl.IMPLEMENTATION,
        "reason": _impl.REASON,
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "python": sys.version.replace("\n", " "),
        "starlette": starlette.__version__,
        "platform": platform.platform(),
        "installed": fastresp.installed(),
    }


def timer_details() -> dict[str, Any]:
    info = time.get_clock_info("perf_counter")
    return {"function": "time.perf_counter_ns", "implementation": info.implementation,
            "resolution_s": info.resolution, "monotonic": info.monotonic}


def missed_floors(report: dict[str, Any]) -> list[str]:
    """What ``--check`` fails on, one line each: a ratio below its floor, or an
    output that differs from starlette's (in either section of *report*)."""
    missed = []
    for entry in report.get("cases", []):
        for name, result in entry["fastresp"].items():
            if result["problem"]:
                missed.append(f"{entry['label']}, {name}: {result['problem']}")
            elif result["met"] is False:
                missed.append(f"{entry['label']}, {name}: {result['ratio']:.2f}x, floor {result['floor']:g}")
    for section in report.get("requests", []):
        for case in section.get("cases", []):
            label = f"{case['label']}, install() {section['implementation']}"
            if case["problem"]:
                missed.append(f"{label}: {case['problem']}")
            elif case["ratio"] is not None and case["ratio"] < case["floor"]:
                missed.append(f"{label}: {case['ratio']:.2f}x, floor {case['floor']:g}")
    return missed


def busy_note(load: float | None, cpus: int | None) -> str | None:
    """A warning when, by the one-minute load average taken at the end of the
    run, more processes wanted a CPU than there are CPUs: they slow both sides,
    and not alike, so no statistic of the rounds can give a quiet machine's
    ratios back."""
    if load is None or not cpus or load <= cpus:
        return None
    return (f"WARNING: the load average was {load:.1f} on {cpus} CPUs: other work shared the cores"
            " while this ran, and times and ratios (even steady ones) can be off by tens of"
            " percent. Run again on a quieter machine.")


def load_average() -> float | None:
    """The one-minute load average, where the system has one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
