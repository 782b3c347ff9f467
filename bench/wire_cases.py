"""uvicorn's per-request head work, in process: uvicorn's own methods against
fastresp's compiled ones (fastresp/uvicorn.py). Standalone:

    python bench/wire_cases.py                      # interleaved timings, min of rounds
    python bench/wire_cases.py --only response-head --side fastresp --loops 20000
        # one case and side, for `valgrind --tool=callgrind` instruction counts
        # (run once per side, subtract a --loops 0 run, divide by the loops)

Cases:
  harness        the reset, a no-op coroutine driven and a write: what
                 response-head costs besides send()
  response-head  RequestResponseCycle.send(http.response.start) with 6 headers
                 (plus uvicorn's date and server), fake transport; the cycle's
                 response state is reset before each send (the reset alone is
                 part of the case "harness", to subtract)
  body           send(http.response.body) of 5 bytes after that head
  request-head   a browser's GET (12 headers) through HttpToolsProtocol.data_received:
                 the C parser, every callback, the scope and the cycle; the app
                 task is created and dropped (its coroutine closed)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from typing import Any, Callable

from uvicorn.config import Config
from uvicorn.protocols.http import httptools_impl
from uvicorn.server import ServerState

import fastresp.uvicorn as fast

SIX = [(b"content-type", b"application/json"), (b"content-length", b"5"), (b"x-request-id", b"abc123"),
       (b"cache-control", b"no-store"), (b"vary", b"Accept-Encoding"), (b"set-cookie", b"a=b; Path=/")]
DEFAULT = [(b"date", b"Mon, 07 Dec 2026 15:00:00 GMT"), (b"server", b"uvicorn")]
START = {"type": "http.response.start", "status": 200, "headers": SIX}
BODY = {"type": "http.response.body", "body": b"hello", "more_body": False}
BROWSER = b"\r\n".join([
    b"GET /items/42?q=x HTTP/1.1", b"Host: example.org",
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    b"Accept-Language: en-US,en;q=0.5", b"Accept-Encoding: gzip, deflate, br, zstd",
    b"Connection: keep-alive", b"Referer: http://example.org/items", b"Cookie: session=abc; theme=dark",
    b"Upgrade-Insecure-Requests: 1", b"Sec-Fetch-Dest: document", b"Sec-Fetch-Mode: navigate",
    b"Priority: u=0, i", b"", b""])


class Transport:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, key: str) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 51000)}.get(key)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class Flow:
    write_paused = False


class Task:
    def add_done_callback(self, callback: Any) -> None:
        pass


class Loop:
    """create_task drops the app's coroutine: only the head work is measured."""

    def create_task(self, coroutine: Any, **kwargs: Any) -> Task:
        coroutine.close()
        return Task()

    def call_later(self, *args: Any) -> None:
        return None


def side_classes(side: str) -> tuple[type, type]:
    if side == "uvicorn":
        return httptools_impl.HttpToolsProtocol, httptools_impl.RequestResponseCycle
    if not fast.ACCELERATED:
        raise SystemExit(f"fastresp does not accelerate this uvicorn: {fast.REASON}")
    return fast.HttpToolsProtocol, fast.RequestResponseCycle


def new_cycle(cycle_class: type) -> Any:
    return cycle_class(scope={"method": "GET", "http_version": "1.1", "client": ("127.0.0.1", 51000)},
                       transport=Transport(), flow=Flow(), logger=logging.getLogger("uvicorn.error"),
                       access_logger=logging.getLogger("uvicorn.access"), access_log=False,
                       default_headers=DEFAULT, message_event=asyncio.Event(), expect_100_continue=False,
                       keep_alive=True, on_response=lambda: None)


def reset(cycle: Any) -> None:
    cycle.response_started = False
    cycle.response_complete = False
    cycle.chunked_encoding = None
    cycle.expected_content_length = 0


def drive(coroutine: Any) -> None:
    try:
        coroutine.send(None)
    except StopIteration:
        return
    raise RuntimeError("send() awaited")


async def _noop(message: Any) -> None:
    pass


def case_harness(side: str) -> Callable[[int], None]:
    """What response-head costs besides send() itself: the reset, a coroutine
    created and driven, the fake transport's write."""
    cycle = new_cycle(side_classes(side)[1])
    write = cycle.transport.write

    def loop(n: int) -> None:
        for _ in range(n):
            reset(cycle)
            drive(_noop(START))
            write(b"")
    return loop


def _sending(side: str, *messages: dict[str, Any]) -> Callable[[int], None]:
    """A loop that resets a cycle and sends it *messages*, one after the other."""
    cycle = new_cycle(side_classes(side)[1])
    send = cycle.send

    def loop(n: int) -> None:
        for _ in range(n):
            reset(cycle)
            for message in messages:
                drive(send(message))
    return loop


def case_response_head(side: str) -> Callable[[int], None]:
    return _sending(side, START)


def case_body(side: str) -> Callable[[int], None]:
    return _sending(side, START, BODY)


def case_request_head(side: str) -> Callable[[int], None]:
    protocol_class = side_classes(side)[0]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        pass

    state = ServerState()
    state.default_headers = DEFAULT
    protocol = protocol_class(config=Config(app=app, ws="none", lifespan="off", log_config=None,
                                            access_log=False, proxy_headers=False),
                              server_state=state, app_state={}, _loop=Loop())
    protocol.connection_made(Transport())
    received = protocol.data_received

    def loop(n: int) -> None:
        for _ in range(n):
            received(BROWSER)
            protocol.cycle.response_complete = True   # the next request is not pipelined
    return loop


CASES = {"harness": case_harness, "response-head": case_response_head, "body": case_body,
         "request-head": case_request_head}


def timings(rounds: int, loops: int) -> None:
    import uvicorn
    print(f"uvicorn {uvicorn.__version__}: {fast.REASON}; replaced: {sorted(fast.ACCELERATED)}")
    print(f"min of {rounds} interleaved rounds of {loops} calls, ns per call\n")
    print(f"| case | uvicorn | fastresp | speed-up |\n| --- | ---: | ---: | ---: |")
    for name, make in CASES.items():
        runs = {side: make(side) for side in ("uvicorn", "fastresp")}
        best = {side: float("inf") for side in runs}
        for _ in range(rounds):
            for side, run in runs.items():
                started = time.perf_counter_ns()
                run(loops)
                best[side] = min(best[side], (time.perf_counter_ns() - started) / loops)
        print(f"| {name} | {best['uvicorn']:.0f} | {best['fastresp']:.0f} | "
              f"{best['uvicorn'] / best['fastresp']:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--side", choices=("uvicorn", "fastresp"), default="fastresp")
    parser.add_argument("--loops", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if args.only:
        run = CASES[args.only](args.side)
        run(10)          # warm: first-call caches, imports
        run(args.loops)
    else:
        timings(args.rounds, args.loops)


if __name__ == "__main__":
    main()
