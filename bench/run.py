"""Time starlette's responses against fastresp's: the one entry point of the benchmarks.

    python bench/run.py [--impl {active,cython,python,both}] [--section {objects,requests,all}]
                        [--quick] [--case NAME ...] [--json] [--check] [--rounds N] ...

Run it as a script, by path, from anywhere: Python then puts bench/ (not the
repository root) on ``sys.path``, so the fastresp measured is the installed
one, never the source tree's. ``scripts/bench.sh`` installs fastresp into a
virtual environment of its own and runs this with ``--impl both``.

Two sections: per object (objects.py: one statement a case, starlette's classes
against fastresp's) and whole requests (whole_request.py: a FastAPI and a
starlette app called in process, plain against ``fastresp.install()``). Both
are timed as timing.py says. ``--check`` shows each case's floor and exits with
status 1 when a ratio misses its floor or an output differs from starlette's;
``--json`` always carries the floors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import objects
import whole_request
from report import busy_note, load_average, missed_floors
from timing import QUICK_ROUNDS, ROUNDS, WARMUP_MS, Settings

from fastresp import _impl


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Time starlette's responses against fastresp's (standard library only): per"
                    " object, and whole requests of a FastAPI and a starlette app with and without"
                    " fastresp.install(). ratio = starlette's time / fastresp's; higher is better.")
    p.add_argument("--impl", choices=("active", "cython", "python", "both"), default="active",
                   help="fastresp implementation(s) to time (default: the active one)")
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_ROUNDS} rounds instead of {ROUNDS}, each batch warmed up and"
                        " calibrated as in a full run; times only (too few rounds for ratios)")
    p.add_argument("--rounds", type=int, default=None,
                   help=f"interleaved rounds (default {ROUNDS}; {QUICK_ROUNDS} with --quick)")
    p.add_argument("--batch-ms", type=float, default=1.0,
                   help="length of one timed batch in ms (default 1; whole requests: at least 5)")
    p.add_argument("--warmup-ms", type=float, default=WARMUP_MS,
                   help=f"warm-up per case and side in ms (default {WARMUP_MS:g} on this interpreter)")
    p.add_argument("--statistic", choices=("min", "median"), default="min",
                   help="how a side's rounds become its time (default: min, the steadiest on a busy"
                        " machine)")
    p.add_argument("--case", action="append", metavar="NAME",
                   choices=[c.name for c in objects.CASES]
                   + [c.name for c in whole_request.REQUEST_CASES],
                   help="only this case, per object or whole request (repeatable); a section"
                        " with none of the cases named is not run")
    p.add_argument("--section", choices=("objects", "requests", "all"), default="all",
                   help="per-object cases, whole requests (an app called in process), or both"
                        " (default)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (floors included)")
    p.add_argument("--check", action="store_true",
                   help="for maintainers and CI: show each case's floor and exit with status 1 when"
                        " a ratio is below its floor or an output differs from starlette's")
    return p


def settings_for(args: argparse.Namespace) -> Settings:
    rounds = args.rounds if args.rounds is not None else (QUICK_ROUNDS if args.quick else ROUNDS)
    if rounds < 1 or args.batch_ms <= 0 or args.warmup_ms < 0:
        raise SystemExit("--rounds must be >= 1, --batch-ms > 0 and --warmup-ms >= 0")
    if args.quick and args.check:
        raise SystemExit("--check judges ratios, which --quick does not give: run it without --quick")
    return Settings(rounds=rounds, batch_ns=int(args.batch_ms * 1e6),
                    warmup_ns=int(args.warmup_ms * 1e6), statistic=args.statistic,
                    ratios=not args.quick)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    impls = {"active": [_impl.IMPLEMENTATION], "cython": ["cython"], "python": ["python"],
             "both": ["cython", "python"]}[args.impl]
    cases = [c for c in objects.CASES if args.case is None or c.name in args.case]
    requests = [c.name for c in whole_request.REQUEST_CASES if args.case is None or c.name in args.case]
    settings = settings_for(args)
    out = None if args.json else sys.stderr
    report: dict[str, Any] = {}
    if args.section in ("objects", "all") and cases:
        report = objects.run(impls, settings, cases, out=out)
    if args.section in ("requests", "all") and requests:
        names = None if args.case is None else requests
        report["requests"] = [
            whole_request.run(settings, out, names) if name == _impl.IMPLEMENTATION
            else whole_request.run_elsewhere(name, settings, names)
            for name in impls]
    report["load"] = {"average_1min": load_average(), "cpus": os.cpu_count()}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        if "cases" in report:
            print(objects.render_text(report, impls, args.check))
        if "requests" in report:
            print()
            print(whole_request.render(report["requests"], args.check))
        busy = busy_note(report["load"]["average_1min"], report["load"]["cpus"])
        if busy:
            print()
            print(busy)
    if not args.check:
        return 0
    missed = missed_floors(report)
    for line in missed:
        print(f"--check: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
