"""What the benchmarks print: times, ratios, floors and tables, the
environment a report was made in, and what ``--check`` fails on. Imports
nothing of the other benchmark modules, which all import it."""

from __future__ import annotations

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


def fmt_ratio(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


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
