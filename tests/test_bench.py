"""The benchmarks' report (bench/run.py) and its ``--check`` (no timing is
asserted: the report is made up here, only what is done with it is checked);
the package ships no benchmark. bench/ is on sys.path (pyproject.toml's
pytest ``pythonpath``), as it is when bench/run.py runs as a script."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import fastresp

# bench/, on sys.path by pyproject.toml's pytest pythonpath
import objects
import report
import run
import timing
import whole_request


def _result(ratio: float | None, floor: float, problem: str | None = None,
            halves: list[float] | None = None) -> dict[str, Any]:
    ns = None if ratio is None else 100.0 / ratio
    met = None if ratio is None or problem else ratio >= floor
    halves = [ratio, ratio] if halves is None and ratio is not None else halves or []
    return {"ns": ns, "min_ns": ns, "median_ns": ns, "ratio": ratio, "floor": floor, "met": met,
            "problem": problem, "halves": halves, "steady": timing.steady(halves)}


def _report(results: list[dict[str, Any]]) -> dict[str, Any]:
    """A report of the first len(results) cases, fastresp's "cython" side only."""
    metadata = {
        "fastresp": "0", "implementation": "cython", "reason": "made up", "python_implementation": "CPython",
        "python_version": "3", "python": "3", "starlette": "0", "platform": "here", "installed": False,
        "implementations": {"cython": {"available": True, "detail": "made up"}},
        "timer": {"function": "f", "implementation": "i", "resolution_s": 1e-9, "monotonic": True},
        "method": {"rounds": 1, "batch_ms": 1.0, "warmup_ms": 1.0, "statistic": "min", "interleaved": "",
                   "gc": "on", "ratios": True},
        "overhead_ns": {"loop": 1.0, "cookie_reset": 2.0}, "legend": objects.LEGEND, "orjson_ns": {},
    }
    cases = [{"name": case.name, "label": case.label, "kind": case.kind, "stmt": case.stmt,
              "starlette": {"ns": 100.0, "min_ns": 100.0, "median_ns": 100.0},
              "fastresp": {"cython": result}}
             for case, result in zip(objects.CASES, results)]
    return {"metadata": metadata, "cases": cases}


def _request(ratio: float, floor: float, problem: str | None = None,
             halves: list[float] | None = None) -> dict[str, Any]:
    halves = [ratio, ratio] if halves is None else halves
    return {"implementation": "cython", "reason": "made up", "missing": {}, "ratios": True, "cases": [
        {"name": "typed", "label": "FastAPI typed endpoint", "path": "/typed", "plain_ns": 100.0 * ratio,
         "installed_ns": 100.0, "ratio": ratio, "floor": floor, "problem": problem, "halves": halves,
         "steady": timing.steady(halves)}]}


def test_text_speaks_of_ratios_not_targets():
    made_up = _report([_result(3.0, 2.5), _result(2.0, 2.5)])
    text = objects.render_text(made_up, ["cython"])
    assert objects.RATIO in text and "3.00x" in text and "2.00x" in text
    assert "target" not in text.lower() and "issue" not in text.lower()
    assert "floor" not in text.lower()           # floors are shown with --check only
    checked = objects.render_text(made_up, ["cython"], check=True)
    assert ">= 2.5 met" in checked and ">= 2.5 MISSED" in checked
    assert "cython: 1/2 floors met; missed: " + made_up["cases"][1]["label"] in checked
    requests = whole_request.render([_request(1.5, 1.05)])
    assert "1.50x" in requests and "floor" not in requests
    assert ">= 1.05 met" in whole_request.render([_request(1.5, 1.05)], check=True)


def test_halves_and_steadiness():
    settings = timing.Settings(statistic="min")
    # starlette steady at 100 ns; fastresp 50 ns in the first half, 40 in the second.
    parts = timing.halves(settings, [100.0, 101.0, 100.0, 102.0], [50.0, 51.0, 40.0, 41.0])
    assert parts == [pytest.approx(2.0), pytest.approx(2.5)]
    assert not timing.steady(parts)
    assert timing.steady(timing.halves(settings, [100.0, 100.0, 101.0, 100.0], [50.0, 52.0, 50.0, 51.0]))
    assert timing.halves(settings, [100.0], [50.0]) == [] and not timing.steady([])


def test_unsteady_ratio_is_not_printed():
    """A ratio whose halves disagree by more than timing.STEADY shows as "unsteady",
    with the halves' ratios in a note, in both sections."""
    made_up = _report([_result(3.0, 2.5, halves=[3.0, 4.2]), _result(2.0, 2.5)])
    text = objects.render_text(made_up, ["cython"])
    table, note = text.split("unsteady: ", 1)
    assert "unsteady" in table and "3.00x" not in table and "3.00x / 4.20x" in note
    assert "2.00x" in table                           # the steady one is printed
    requests = whole_request.render([_request(1.5, 1.05, halves=[1.2, 1.5])])
    assert "unsteady" in requests and "1.50x" not in requests.split("unsteady:")[0]
    assert "1.20x / 1.50x" in requests


def test_busy_machine_warning():
    assert report.busy_note(1.0, 2) is None and report.busy_note(None, 2) is None
    assert "load average was 6.5 on 2 CPUs" in report.busy_note(6.5, 2)


def test_missed_floors():
    assert report.missed_floors(_report([_result(3.0, 2.5), _result(None, 2.5)])) == []
    missed = report.missed_floors(_report([_result(3.0, 2.5), _result(2.0, 2.5)]))
    assert len(missed) == 1 and "2.00x, floor 2.5" in missed[0]
    differs = report.missed_floors(_report([_result(3.0, 2.5, "output differs from starlette's: x")]))
    assert len(differs) == 1 and "output differs" in differs[0]
    assert report.missed_floors({"requests": [_request(1.1, 1.05)]}) == []
    assert len(report.missed_floors({"requests": [_request(1.0, 1.05)]})) == 1
    assert len(report.missed_floors({"requests": [_request(2.0, 1.05, "differs")]})) == 1
    assert report.missed_floors({"requests": [{"implementation": "python", "unavailable": "no"}]}) == []


@pytest.mark.parametrize("ratio, check, status", [(3.0, False, 0), (2.0, False, 0), (3.0, True, 0),
                                                   (2.0, True, 1)])
@pytest.mark.parametrize("output", [[], ["--json"]])
def test_exit_status(monkeypatch, capsys, ratio, check, status, output):
    """Exit status 1 only with --check and a missed floor; --json keeps the floors."""
    made_up = _report([_result(ratio, 2.5)])
    monkeypatch.setattr(objects, "run", lambda *args, **kwargs: made_up)
    argv = ["--section", "objects", "--impl", "cython", "--rounds", "1", *output] + (["--check"] if check else [])
    assert run.main(argv) == status
    out = capsys.readouterr().out
    if output:
        assert json.loads(out)["cases"][0]["fastresp"]["cython"]["floor"] == 2.5


def test_the_package_ships_no_benchmark(capsys):
    """fastresp/ holds the product only, and ``python -m fastresp`` has no bench command."""
    from fastresp.__main__ import main

    package = Path(fastresp.__file__).parent
    assert [path.name for path in package.iterdir() if "bench" in path.name] == []
    assert main(["bench"]) == 2
    error, usage = capsys.readouterr().err.split("\n", 1)
    assert "unknown command 'bench'" in error and "bench" not in usage


def test_entry_point_runs_as_a_script():
    """``python bench/run.py`` from elsewhere: one case, the active implementation, JSON."""
    entry = Path(run.__file__)
    done = subprocess.run([sys.executable, str(entry), "--section", "objects", "--case", "bytes",
                           "--rounds", "2", "--warmup-ms", "1", "--json"],
                          capture_output=True, text=True, check=True)
    (case,) = json.loads(done.stdout)["cases"]
    assert case["name"] == "bytes" and case["starlette"]["ns"] > 0
    assert case["fastresp"][fastresp.IMPLEMENTATION]["ratio"] > 0
    assert case["fastresp"][fastresp.IMPLEMENTATION]["problem"] is None


def test_quick_keeps_warm_up_and_batches_and_shows_no_ratio():
    """--quick runs fewer rounds, never shorter batches or less warm-up, and
    gives times only: no ratio, so no --check either."""
    quick = run.settings_for(run.parser().parse_args(["--quick"]))
    full = run.settings_for(run.parser().parse_args([]))
    assert quick.rounds < full.rounds
    assert (quick.batch_ns, quick.warmup_ns) == (full.batch_ns, full.warmup_ns)
    assert quick.ratio([100.0, 100.0], [50.0, 50.0]) == (None, [])
    assert full.ratio([100.0, 100.0], [50.0, 50.0]) == (2.0, [2.0, 2.0])
    with pytest.raises(SystemExit, match="without --quick"):
        run.settings_for(run.parser().parse_args(["--quick", "--check"]))


def test_quick_report_prints_times_only():
    made_up = _report([_result(None, 2.5)])
    made_up["metadata"]["method"]["ratios"] = False
    made_up["cases"][0]["fastresp"]["cython"].update(ns=50.0, min_ns=50.0, median_ns=50.0)
    text = objects.render_text(made_up, ["cython"], check=True)
    assert report.QUICK_NOTE in text and objects.RATIO not in text
    assert "| ratio" not in text and "floor" not in text.split("What the cases do")[0]
    section = _request(2.0, 1.05)
    section.update(ratios=False)
    section["cases"][0].update(ratio=None, halves=[], steady=False)
    requests = whole_request.render([section], check=True)
    assert report.QUICK_NOTE in requests and "ratio" not in requests.split(report.QUICK_NOTE)[1]


def test_sides_apart_alternates_children_and_summarises(monkeypatch):
    """PyPy's whole-request section: each side in child processes of its own,
    alternating, a side's time the summary of its children's (made-up times)."""
    calls: list[str] = []
    found, _ = whole_request.apps()
    names = [case.name for case in whole_request.REQUEST_CASES if case.app in found]

    def child(settings: Any, env: dict[str, str], selected: Any = None) -> dict[str, Any]:
        side = env[whole_request.ONE_SIDE_VAR]
        calls.append(side)
        base = 100.0 if side == whole_request.PLAIN else 50.0
        key = "plain_ns" if side == whole_request.PLAIN else "installed_ns"
        return {"cases": [{"name": name, key: base + len(calls)} for name in names]}

    monkeypatch.setattr(whole_request, "_child_section", child)
    section = whole_request.run_sides_apart(timing.Settings(statistic="min"))
    sides = [whole_request.PLAIN, whole_request.INSTALLED]
    assert calls == sides * whole_request.SIDE_PROCESSES
    assert section["sides"] == "apart"
    for case in section["cases"]:
        # The first plain child reported 101, the first installed one 52.
        assert (case["plain_ns"], case["installed_ns"]) == (101.0, 52.0)
        assert case["ratio"] == pytest.approx(101.0 / 52.0)
        assert case["problem"] is None


def test_sides_apart_reports_a_failed_child(monkeypatch):
    monkeypatch.setattr(whole_request, "_child_section",
                        lambda settings, env, names=None: {"unavailable": "the child process failed: boom"})
    section = whole_request.run_sides_apart(timing.Settings())
    assert section["unavailable"] == "the child process failed: boom"
    assert "not measured" in whole_request.render([section])


# ------------------------------------------------------ every per-object case

def _sides(impl: Any) -> tuple[Any, Any]:
    classes, why = objects.implementation(impl.name)
    assert classes is not None, why
    return objects.starlette_classes(), classes


@pytest.mark.parametrize("case", objects.CASES, ids=[case.name for case in objects.CASES])
def test_every_case_runs_and_both_sides_agree(impl, case):
    """Each per-object case's statement runs on starlette's side and on
    fastresp's and gives the same result; its timed loop runs. An install()
    case is measured for the active implementation only, and leaves
    install() as it found it."""
    starlette_side, fastresp_side = _sides(impl)
    inner = objects.compile_case(case, starlette_side)
    assert inner(3, time.perf_counter_ns) >= 0
    if not objects.measurable(case, impl.name):
        assert case.installed and impl.name != fastresp.IMPLEMENTATION
        with pytest.raises(RuntimeError, match="install\\(\\) installs the"):
            objects.run_once(case, fastresp_side)
        assert not fastresp.installed()
        return
    objects.check_case(case, fastresp_side)
    assert objects.compile_case(case, fastresp_side)(3, time.perf_counter_ns) >= 0
    assert not fastresp.installed()


REQUEST_CASE_NAMES = [case.name for case in objects.REQUEST_CASES]


def test_request_cases_are_in_the_harness():
    assert {"request_cookies", "headers_scope_get", "cookie_parser"} <= set(REQUEST_CASE_NAMES)
    assert all(case in objects.CASES for case in objects.REQUEST_CASES)
    floors = {case.name: (case.compiled, case.fallback) for case in objects.REQUEST_CASES}
    assert floors["request_cookies"] == (8.0, 1.0) and floors["headers_scope_get"] == (4.0, 1.0)
    assert run.parser().parse_args(["--case", "request_cookies"]).case == ["request_cookies"]


def test_browser_request_is_what_the_cases_say():
    """12 headers, a Cookie header of 9 cookies of ~400 B, and a new Cookie
    bytes object (equal value) for every operation."""
    assert len(objects.BROWSER_HEADERS) == 12
    assert 350 <= len(objects.BROWSER_COOKIE) <= 450
    assert len(objects._STARLETTE_COOKIE_PARSER(objects.BROWSER_COOKIE.decode("latin-1"))) == 9
    first, second = objects.fresh_scope(), objects.fresh_scope()
    cookie = [value for name, value in first["headers"] if name == b"cookie"]
    again = [value for name, value in second["headers"] if name == b"cookie"]
    assert cookie == again == [objects.BROWSER_COOKIE] and cookie[0] is not again[0]
    assert first["headers"] is not second["headers"]
    fresh = objects.fresh_headers(objects.CORS_HEADERS)
    assert fresh == list(objects.CORS_HEADERS)
    assert [value for name, value in fresh if name == b"cookie"][0] is not objects.BROWSER_COOKIE


def test_install_cases_time_fastresp_under_install(impl):
    """An install() case's fastresp side runs with starlette.requests' own
    cookie_parser and HTTPConnection.cookies replaced by the active
    implementation's; its starlette side with starlette's."""
    import starlette.requests

    if impl.name != fastresp.IMPLEMENTATION:
        pytest.skip("install() installs the active implementation")
    case = next(case for case in objects.CASES if case.name == "request_cookies")
    starlette_side, fastresp_side = _sides(impl)
    with objects._side(case, fastresp_side):
        assert fastresp.installed()
        assert starlette.requests.cookie_parser is impl.request.cookie_parser
    with objects._side(case, starlette_side):
        assert not fastresp.installed()
        assert starlette.requests.cookie_parser is objects._STARLETTE_COOKIE_PARSER
    fastresp.install()
    try:
        with objects._side(case, starlette_side):
            assert not fastresp.installed()
        assert fastresp.installed()                   # put back as found
    finally:
        fastresp.uninstall()


def test_per_object_request_sides_are_fastresps(impl):
    """The non-install() request cases call fastresp.Headers and
    fastresp.cookie_parser of the implementation on fastresp's side."""
    starlette_side, fastresp_side = _sides(impl)
    assert fastresp_side.cookie_parser is impl.request.cookie_parser
    # load_python() builds its classes anew each time: the same methods.
    methods = {name: method for name, method in vars(impl.classes.Headers).items()
               if callable(method)}
    assert methods and all(vars(fastresp_side.Headers)[name] is method
                           for name, method in methods.items())
    assert starlette_side.Headers is objects._starlette_datastructures.Headers
    assert objects.namespace(fastresp_side)["Headers"] is fastresp_side.Headers


def test_run_skips_install_cases_for_the_other_implementation(capsys):
    """--impl both: an install() case is timed for the active implementation,
    and shown n/a (no problem, no missed floor) for the other."""
    if objects.implementation("cython")[0] is None:
        pytest.skip("one implementation only: the compiled modules do not import")
    assert run.main(["--section", "objects", "--impl", "both", "--case", "request_cookies",
                     "--rounds", "2", "--warmup-ms", "1", "--json"]) == 0
    (case,) = json.loads(capsys.readouterr().out)["cases"]
    other = "python" if fastresp.IMPLEMENTATION == "cython" else "cython"
    assert case["fastresp"][fastresp.IMPLEMENTATION]["ratio"] > 0
    assert case["fastresp"][other]["ratio"] is None and case["fastresp"][other]["problem"] is None
    assert not fastresp.installed()
