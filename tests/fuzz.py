"""The long differential fuzz run: tests/test_differential.py's check, for minutes.

    python tests/fuzz.py --seconds 600                 # every implementation that imports
    python tests/fuzz.py --seconds 120 --impls python  # the fallback only (what PyPy runs)
    python tests/fuzz.py --seconds 60 --targets set_cookie,redirect --seed 1

With FASTRESP_REQUIRE_COMPILED set, missing compiled modules are an error (as in
the test suite) instead of a fallback-only run.

Nothing of its own is checked here: the cases are tests/oracle.py's
``strategies()`` and each is judged by ``oracle.check`` -- the strategies and the
check of the normal suite's tests/test_differential.py -- on each implementation
(compiled and pure Python side by side in one process when both import, loaded by
``fastresp._impl``) and on the installed starlette. The run goes on in chunks of
fresh random seeds until the time is up, taking the targets in turn.

A failing case is shrunk by hypothesis and saved to ``tests/regressions/`` (or
``--save-dir``) as JSON, which tests/test_differential.py replays in the normal
suite. Each finding has a *signature* (target and kind of disagreement); the signature
of a finding saved as open (its record has an ``"open"`` key: the reason) is not
saved again, and the fuzzer stops reporting it, so the time goes into finding
other kinds of bugs (``--rediscover`` turns that off). A new signature is saved
once per run. Saved records are meant to be curated: minimise the case if need
be, add ``"open": "<what is wrong>"`` while the bug stands (the suite then
expects its replay to fail), replace it by ``"fixed": "<what it was>"`` once
fixed (the suite refuses a record that is neither).

Exit status: 0 when nothing new was found, 1 when a case was saved.
"""

from __future__ import annotations

import argparse
import datetime as _datetime
import hashlib
import json
import os
import platform
import random
import sys
import time
import traceback
from types import SimpleNamespace
from typing import Any

# Run as a script, so Python puts this directory (tests/) on sys.path, never the
# repository root: the fastresp under test is the installed one, or whatever
# PYTHONPATH names.
import oracle


def implementations(wanted: str) -> list[Any]:
    """The fastresp implementations to fuzz: "all" (that import), "python" or "cython"."""
    import fastresp
    from fastresp._impl import load_compiled, load_python

    found = []
    if wanted in ("all", "cython"):
        try:
            found.append(load_compiled())
        except ImportError as error:
            if wanted == "cython" or os.environ.get("FASTRESP_REQUIRE_COMPILED"):
                raise SystemExit("the compiled modules do not import: %s" % error)
            print("fuzz: compiled modules missing (%s): fuzzing the fallback only" % error)
    if wanted in ("all", "python"):
        found.append(load_python())
    print("fuzz: fastresp %s from %s; implementations: %s" % (
        fastresp.__version__, os.path.dirname(fastresp.__file__),
        ", ".join(impl.name for impl in found)))
    return found


def known_signatures(directory: str) -> dict[str, str]:
    """Signatures of the open findings saved in directory (a fixed finding's
    signature is fuzzed for again: a new case of it is news)."""
    return {record.get("signature", ""): name
            for name, record in oracle.load_regressions(directory) if record.get("open")}


def save(directory: str, case: dict[str, Any], mismatch: oracle.Mismatch, seed: int) -> str:
    import starlette

    os.makedirs(directory, exist_ok=True)
    text = oracle.dumps(case)
    digest = hashlib.sha1(text.encode("ascii")).hexdigest()[:10]
    name = "%s-%s.json" % (case["target"], digest)
    record = {
        "signature": mismatch.signature,
        "detail": mismatch.detail[:2000],
        "found": _datetime.datetime.now(_datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "found_on": "%s %s, starlette %s, seed %d" % (
            platform.python_implementation(), platform.python_version(),
            starlette.__version__, seed),
        "case": case,
    }
    with open(os.path.join(directory, name), "w", encoding="ascii") as handle:
        json.dump(oracle.protect(record), handle, ensure_ascii=True, indent=1, sort_keys=True)
        handle.write("\n")
    return name


def fuzz_chunk(target: str, strategy: Any, impls: list[Any], state: Any,
               examples: int, seed: int) -> None:
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False, verbosity=Verbosity.quiet, print_blob=False)
    @hypothesis_seed(seed)
    @given(case=strategy)
    def test(case: dict[str, Any]) -> None:
        state.examples += 1
        try:
            oracle.check(case, impls)
        except oracle.Mismatch as mismatch:
            if mismatch.signature in state.known:
                state.known_hits[mismatch.signature] = state.known_hits.get(mismatch.signature, 0) + 1
                return
            state.last = (case, mismatch)
            raise
        except Exception as error:  # a crash of the harness or of fastresp itself
            mismatch = oracle.Mismatch("%s: harness error %s" % (target, type(error).__name__),
                                         traceback.format_exc())
            if mismatch.signature in state.known:
                return
            state.last = (case, mismatch)
            raise mismatch from error

    test()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (default 60)")
    parser.add_argument("--impls", choices=("all", "python", "cython"), default="all")
    parser.add_argument("--targets", default=",".join(oracle.TARGETS),
                        help="comma-separated, from: " + ", ".join(oracle.TARGETS))
    parser.add_argument("--examples", type=int, default=300, help="examples per chunk")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default random)")
    parser.add_argument("--save-dir", default=oracle.REGRESSIONS)
    parser.add_argument("--rediscover", action="store_true",
                        help="report findings whose signature is already saved")
    options = parser.parse_args(argv)

    targets = [name for name in options.targets.split(",") if name]
    unknown = set(targets) - set(oracle.TARGETS)
    if unknown:
        parser.error("unknown targets: %s" % ", ".join(sorted(unknown)))
    impls = implementations(options.impls)
    strategies = oracle.strategies()
    known = {} if options.rediscover else known_signatures(options.save_dir)
    state = SimpleNamespace(examples=0, known=set(known), known_hits={}, last=None)
    rng = random.Random(options.seed)
    seed = options.seed if options.seed is not None else rng.randrange(2 ** 32)
    import starlette

    print("fuzz: %s %s, starlette %s; %d s over %s; %d known signatures" % (
        platform.python_implementation(), platform.python_version(), starlette.__version__,
        options.seconds, ", ".join(targets), len(known)))
    sys.stdout.flush()

    start = time.monotonic()
    deadline = start + options.seconds
    saved = []
    per_target = {name: 0 for name in targets}
    chunk = 0
    next_report = start + 30
    while time.monotonic() < deadline:
        target = targets[chunk % len(targets)]
        chunk += 1
        state.last = None
        before = state.examples
        try:
            fuzz_chunk(target, getattr(strategies, target), impls, state,
                       options.examples, seed)
        except Exception as error:  # noqa: BLE001 - a finding (or hypothesis gave up)
            if state.last is None:
                print("fuzz: %s chunk (seed %d) ended with %s: %s" % (
                    target, seed, type(error).__name__, error))
            else:
                case, mismatch = state.last
                name = save(options.save_dir, case, mismatch, seed)
                state.known.add(mismatch.signature)
                saved.append(name)
                print("fuzz: FOUND %s\n  saved %s\n  %s\n  case: %s" % (
                    mismatch.signature, name, mismatch.detail.replace("\n", "\n  ")[:1500],
                    oracle.dumps(case)[:1500]))
        per_target[target] += state.examples - before
        seed = rng.randrange(2 ** 32)
        now = time.monotonic()
        if now >= next_report:
            next_report = now + 30
            print("fuzz: %4.0f s, %d examples, %d new findings" % (
                now - start, state.examples, len(saved)))
        sys.stdout.flush()

    elapsed = time.monotonic() - start
    print("fuzz: done: %.0f s, %d examples (%s), %d chunks" % (
        elapsed, state.examples, ", ".join("%s %d" % item for item in per_target.items()), chunk))
    for signature, hits in sorted(state.known_hits.items()):
        print("fuzz: known signature seen %d times: %s (%s)" % (
            hits, signature, known.get(signature, "found in this run")))
    if saved:
        print("fuzz: %d new findings saved: %s" % (len(saved), ", ".join(saved)))
    else:
        print("fuzz: no new findings")
    return 1 if saved else 0


if __name__ == "__main__":
    sys.exit(main())
