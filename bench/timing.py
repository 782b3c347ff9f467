"""How every benchmark here is timed (per object and whole requests alike).

* An ``inner(n, timer)`` function runs n operations and returns timer() after
  minus timer() before; the per-object cases compile their statement into such
  a loop (as ``timeit`` does), so no call overhead is added per operation.
* Garbage collection stays enabled on every side (``timeit`` disables it); a
  full ``gc.collect()`` runs once before calibrating and, on CPython, a
  collection of the youngest generation before every timed batch (on PyPy
  every collection is a full one, so there it runs only the once).
* Each side is warmed up (``warmup_ns``: long enough for CPython's specialising
  interpreter and PyPy's JIT, the same with ``--quick``), then its loop count
  is calibrated so that one batch lasts about ``batch_ns``.
* Rounds are interleaved: every round times each case once and, within it,
  each side once, the order of the sides reversed from one round to the next,
  so a burst of load from elsewhere falls on all sides alike.
* A side's time is the minimum over the rounds of its ns per operation (or the
  median): on a shared, busy machine the minimum is what stays put from run to
  run, since short batches and many rounds give each side some batches that
  nothing interrupted.
* A ratio is shown only when it is steady: the ratio of the first half of the
  rounds and that of the second half agree within ``STEADY`` (5%). When load
  from elsewhere disturbed most rounds of one side, the halves disagree and the
  report says "unsteady" instead of printing a ratio that could be far from a
  quiet run's.
* ``--quick`` runs 15 rounds of the same warmed-up, calibrated batches and
  shows times only, no ratios: on a busy machine 15 rounds leave too few
  undisturbed batches for ratios within a few percent of a full run's (measured:
  up to 14% apart on a lightly loaded 2-core machine, 20% and more under load),
  and the halves check is weak on seven rounds a half.
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Inner = Callable[[int, Callable[[], int]], int]

CPYTHON = platform.python_implementation() == "CPython"
ROUNDS = 101
QUICK_ROUNDS = 15
#: How far apart the two halves' ratios may be for the ratio to be shown.
STEADY = 0.05
#: Warm-up per case and side: CPython specialises after a few runs; PyPy's JIT
#: needs thousands of iterations and a few bridges before a loop is steady.
WARMUP_MS = 100.0 if CPYTHON else 500.0


@dataclass
class Settings:
    rounds: int = ROUNDS
    batch_ns: int = 1_000_000
    warmup_ns: int = int(WARMUP_MS * 1e6)
    statistic: str = "min"   # or "median": how a side's rounds become one number
    ratios: bool = True      # False for --quick: times only

    def ratio(self, base: Sequence[float], ours: Sequence[float]) -> tuple[float | None, list[float]]:
        """base / ours (each side's summary), and the halves' ratios; (None, [])
        when this run shows no ratios or a side has no rounds."""
        if not self.ratios or not base or not ours:
            return None, []
        return self.summary(base) / self.summary(ours), halves(self, base, ours)

    def summary(self, samples: Sequence[float]) -> float:
        return min(samples) if self.statistic == "min" else statistics.median(samples)

    def method(self) -> dict[str, Any]:
        """How the report's times were taken, for its metadata."""
        return {
            "rounds": self.rounds,
            "batch_ms": self.batch_ns / 1e6,
            "warmup_ms": self.warmup_ns / 1e6,
            "statistic": f"{self.statistic} of ns/op over rounds",
            "interleaved": "every round times every case and, within it, every side once;"
                           " order of the sides reversed every other round",
            "gc": GC_POLICY,
            "ratios": self.ratios,
        }


def _collect_young() -> None:
    gc.collect(0)


def _nothing() -> None:
    pass


#: Before every timed batch: the youngest generation on CPython (microseconds);
#: nothing on PyPy, where gc.collect() always collects everything (~20 ms).
_before_batch = _collect_young if CPYTHON else _nothing

GC_POLICY = ("enabled on every side; gc.collect() once before calibrating"
             + (", gc.collect(0) before every batch" if CPYTHON else ""))


def _timed(inner: Inner, n: int) -> int:
    _before_batch()
    return inner(n, time.perf_counter_ns)


def calibrate(inner: Inner, settings: Settings) -> int:
    """Warm up, then the iteration count for a batch of about settings.batch_ns."""
    n, spent = 1, 0
    while spent < settings.warmup_ns:
        elapsed = _timed(inner, n)
        spent += elapsed
        if elapsed < settings.batch_ns // 4:
            n *= 2
    while True:
        elapsed = max(_timed(inner, n), 1)
        if elapsed >= settings.batch_ns // 4:
            return max(1, round(n * settings.batch_ns / elapsed))
        n *= 2


def measure(inners: list[dict[str, Inner]], settings: Settings,
            out: Any = None) -> list[dict[str, list[float]]]:
    """ns per operation of every round, for each case (a dict of sides) of *inners*."""
    gc.collect()
    counts = [{name: calibrate(inner, settings) for name, inner in sides.items()} for sides in inners]
    samples: list[dict[str, list[float]]] = [{name: [] for name in sides} for sides in inners]
    for number in range(settings.rounds):
        for sides, case_counts, case_samples in zip(inners, counts, samples):
            order = list(sides)
            for name in (order if number % 2 == 0 else order[::-1]):
                n = case_counts[name]
                case_samples[name].append(_timed(sides[name], n) / n)
        if out is not None and number % 10 == 9:
            out.write(".")
            out.flush()
    return samples


def halves(settings: Settings, base: Sequence[float], ours: Sequence[float]) -> list[float]:
    """base / ours (each side's summary) over the first half of the rounds and over
    the second; empty when a side has fewer than two rounds."""
    if min(len(base), len(ours)) < 2:
        return []
    half = min(len(base), len(ours)) // 2
    return [settings.summary(base[:half]) / settings.summary(ours[:half]),
            settings.summary(base[half:]) / settings.summary(ours[half:])]


def steady(ratios: Sequence[float]) -> bool:
    """Whether the halves' ratios agree within STEADY (never, without two halves)."""
    return len(ratios) == 2 and max(ratios) <= min(ratios) * (1 + STEADY)
