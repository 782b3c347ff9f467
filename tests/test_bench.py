"""``python -m fastresp bench``'s report and its ``--check`` (no timing is
asserted: the report is made up here, only what is done with it is checked),
and plain ``python -m fastresp`` leaving the benchmark module unimported."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict, List, Optional

import pytest

from fastresp import _bench, _bench_requests


def _result(ratio: Optional[float], floor: float, problem: Optional[str] = None) -> Dict[str, Any]:
    ns = None if ratio is None else 100.0 / ratio
    met = None if ratio is None or problem else ratio >= floor
    return {"ns": ns, "min_ns": ns, "median_ns": ns, "ratio": ratio, "floor": floor, "met": met,
            "problem": problem}


def _report(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A report of the first len(results) cases, fastresp's "cython" side only."""
    metadata = {
        "fastresp": "0", "implementation": "cython", "reason": "made up", "python_implementation": "CPython",
        "python_version": "3", "python": "3", "starlette": "0", "platform": "here", "installed": False,
        "implementations": {"cython": {"available": True, "detail": "made up"}},
        "timer": {"function": "f", "implementation": "i", "resolution_s": 1e-9, "monotonic": True},
        "method": {"rounds": 1, "batch_ms": 1.0, "warmup_ms": 1.0, "statistic": "min", "interleaved": "",
                   "gc": "on"},
        "overhead_ns": {"loop": 1.0, "cookie_reset": 2.0}, "legend": _bench.LEGEND, "orjson_ns": {},
    }
    cases = [{"name": case.name, "label": case.label, "kind": case.kind, "stmt": case.stmt,
              "starlette": {"ns": 100.0, "min_ns": 100.0, "median_ns": 100.0},
              "fastresp": {"cython": result}}
             for case, result in zip(_bench.CASES, results)]
    return {"metadata": metadata, "cases": cases}


def _request(ratio: float, floor: float, problem: Optional[str] = None) -> Dict[str, Any]:
    return {"implementation": "cython", "reason": "made up", "missing": {}, "cases": [
        {"name": "typed", "label": "FastAPI typed endpoint", "path": "/typed", "plain_ns": 100.0 * ratio,
         "installed_ns": 100.0, "ratio": ratio, "floor": floor, "problem": problem}]}


def test_text_speaks_of_ratios_not_targets():
    report = _report([_result(3.0, 2.5), _result(2.0, 2.5)])
    text = _bench.render_text(report, ["cython"])
    assert _bench.RATIO in text and "3.00x" in text and "2.00x" in text
    assert "target" not in text.lower() and "issue" not in text.lower()
    assert "floor" not in text.lower()           # floors are shown with --check only
    checked = _bench.render_text(report, ["cython"], check=True)
    assert ">= 2.5 met" in checked and ">= 2.5 MISSED" in checked
    assert "cython: 1/2 floors met; missed: " + report["cases"][1]["label"] in checked
    requests = _bench_requests.render([_request(1.5, 1.05)])
    assert "1.50x" in requests and "floor" not in requests
    assert ">= 1.05 met" in _bench_requests.render([_request(1.5, 1.05)], check=True)


def test_missed_floors():
    assert _bench.missed_floors(_report([_result(3.0, 2.5), _result(None, 2.5)])) == []
    missed = _bench.missed_floors(_report([_result(3.0, 2.5), _result(2.0, 2.5)]))
    assert len(missed) == 1 and "2.00x, floor 2.5" in missed[0]
    differs = _bench.missed_floors(_report([_result(3.0, 2.5, "output differs from starlette's: x")]))
    assert len(differs) == 1 and "output differs" in differs[0]
    assert _bench.missed_floors({"requests": [_request(1.1, 1.05)]}) == []
    assert len(_bench.missed_floors({"requests": [_request(1.0, 1.05)]})) == 1
    assert len(_bench.missed_floors({"requests": [_request(2.0, 1.05, "differs")]})) == 1
    assert _bench.missed_floors({"requests": [{"implementation": "python", "unavailable": "no"}]}) == []


@pytest.mark.parametrize("ratio, check, status", [(3.0, False, 0), (2.0, False, 0), (3.0, True, 0),
                                                   (2.0, True, 1)])
@pytest.mark.parametrize("output", [[], ["--json"]])
def test_exit_status(monkeypatch, capsys, ratio, check, status, output):
    """Exit status 1 only with --check and a missed floor; --json keeps the floors."""
    report = _report([_result(ratio, 2.5)])
    monkeypatch.setattr(_bench, "run", lambda *args, **kwargs: report)
    argv = ["--section", "objects", "--impl", "cython", "--quick", *output] + (["--check"] if check else [])
    assert _bench.main(argv) == status
    out = capsys.readouterr().out
    if output:
        assert json.loads(out)["cases"][0]["fastresp"]["cython"]["floor"] == 2.5


def test_plain_python_m_fastresp_does_not_import_the_benchmark():
    script = ("import sys; from fastresp.__main__ import main; main([]);"
              " print(sorted(name for name in sys.modules if name.startswith('fastresp._bench')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"
    assert done.stdout.startswith("fastresp ")


def test_sides_apart_alternates_children_and_summarises(monkeypatch):
    """PyPy's whole-request section: each side in child processes of its own,
    alternating, a side's time the summary of its children's (made-up times)."""
    calls: List[str] = []
    found, _ = _bench_requests.apps()
    names = [case.name for case in _bench_requests.REQUEST_CASES if case.app in found]

    def child(settings: Any, env: Dict[str, str]) -> Dict[str, Any]:
        side = env[_bench_requests.ONE_SIDE_VAR]
        calls.append(side)
        base = 100.0 if side == _bench_requests.PLAIN else 50.0
        key = "plain_ns" if side == _bench_requests.PLAIN else "installed_ns"
        return {"cases": [{"name": name, key: base + len(calls)} for name in names]}

    monkeypatch.setattr(_bench_requests, "_child_section", child)
    section = _bench_requests.run_sides_apart(_bench.Settings(statistic="min"))
    sides = [_bench_requests.PLAIN, _bench_requests.INSTALLED]
    assert calls == sides * _bench_requests.SIDE_PROCESSES
    assert section["sides"] == "apart"
    for case in section["cases"]:
        # The first plain child reported 101, the first installed one 52.
        assert (case["plain_ns"], case["installed_ns"]) == (101.0, 52.0)
        assert case["ratio"] == pytest.approx(101.0 / 52.0)
        assert case["problem"] is None


def test_sides_apart_reports_a_failed_child(monkeypatch):
    monkeypatch.setattr(_bench_requests, "_child_section",
                        lambda settings, env: {"unavailable": "the child process failed: boom"})
    section = _bench_requests.run_sides_apart(_bench.Settings())
    assert section["unavailable"] == "the child process failed: boom"
    assert "not measured" in _bench_requests.render([section])
