"""Whole requests, pytest-benchmark's way: each endpoint of fastresp._bench_requests
called in process as ASGI, plain and after fastresp.install() (the active
implementation), one benchmark group an endpoint.

Each benchmarked call runs BATCH (10) requests in one coroutine on one event
loop, so with the time unit in microseconds (bench/pytest.ini) every time shown
reads as 10 x us per request. ``python -m fastresp bench --section requests``
times the same cases interleaved, which is steadier on a busy machine.
"""

from __future__ import annotations

import asyncio

import pytest

from fastresp import _bench_requests as requests

BATCH = 10


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def apps():
    found, _ = requests.apps()
    yield found
    requests._set_side(requests.PLAIN)


@pytest.mark.parametrize("side", requests.SIDES)
@pytest.mark.parametrize("case", requests.REQUEST_CASES, ids=[c.name for c in requests.REQUEST_CASES])
def test_request(benchmark, loop, apps, case: requests.RequestCase, side: str) -> None:
    if case.app not in apps:
        pytest.skip(f"{case.app} is not installed")
    assert requests.check(apps[case.app], case, loop) is None
    run = requests.inner(apps[case.app], case, side, loop)
    benchmark.group = f"request {case.name}: {case.label} ({BATCH} requests a call)"
    benchmark.extra_info.update(case=case.name, side=side, requests_per_call=BATCH, path=case.path)
    benchmark(run, BATCH, int)
