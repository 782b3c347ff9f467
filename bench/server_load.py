"""Requests per second and server CPU per request under uvicorn, without and
with ``fastresp.install()``.

    python bench/server_load.py [--app requests|readme] [--requests 3000] [--time-limit 10]
    python bench/server_load.py --callgrind --requests 1000 [--endpoint PATH ...]

Starts two servers on 127.0.0.1, each its own process running
bench/example_app.py: one on plain starlette, one with ``fastresp.install()``
called before FastAPI is imported. ``--app requests`` (the default) serves the
apps of ``python bench/run.py --section requests``
(bench/whole_request.py: the same endpoints as that in-process table; the
plain server imports fastresp for them but does not install it); ``--app readme``
serves README example 2 (FastAPI's names only) plus the /x/ endpoints. Then, for each endpoint, a single-threaded client keeps a few
keep-alive connections busy (one request in flight on each, raw sockets, so the
client's own cost per request stays small) and counts complete responses. The two
servers are loaded alternately, in short rounds (starlette, fastresp, then
fastresp, starlette, ...), so a slow patch of a noisy machine hits both; each
server gets at most --requests requests and --time-limit seconds per endpoint.
The table shows each server's best round (the one least disturbed by other work
on the machine, as a benchmark's minimum time) and the ratio of the medians, and,
on Linux, the CPU time each server process spent per request over the timed
rounds (from /proc; it counts the server's own work only, so it moves far less
than the rates when other work shares the cores).

fastresp must be importable by the server processes (and, for ``--app
requests``, by this script, which takes the endpoints from it): run it after
``pip install .``, or from the repository root with ``PYTHONPATH=.`` after
``python setup.py build_ext --inplace``. ``--impl python`` runs the fastresp
server with FASTRESP_NO_EXTENSIONS=1 (the pure-Python implementation).
Only loopback is used. Needs fastapi and uvicorn.
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from example_app import Launched

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0

#: (path, what it does): README endpoints first, then example_app's /x/ ones.
ENDPOINTS = [
    ("/items/5", "README: JSON + set_cookie on the injected Response"),
    ("/old-items/5", "README: RedirectResponse 308"),
    ("/hello", "README: PlainTextResponse"),
    ("/nowhere", "FastAPI's own 404 (JSON)"),
    ("/x/cookies", "JSON + 4 set_cookie + delete_cookie"),
    ("/x/returned", "Response + 2 headers + 2 cookies"),
]


#: The headers of a request to an endpoint not in the whole-request section.
HOST_ONLY = ((b"host", b"bench.test"),)


def request_endpoints() -> list[tuple[str, str, tuple[tuple[bytes, bytes], ...]]]:
    """(path, label, request headers) of the whole-request section's cases."""
    from whole_request import REQUEST_CASES

    return [(case.path, case.label, case.headers) for case in REQUEST_CASES]


class Server(Launched):
    """bench/example_app.py under uvicorn, in its own process, with a label."""

    def __init__(self, label: str, args: list[str], env: dict[str, str],
                 prefix: tuple[str, ...] = ()) -> None:
        self.label = label
        try:
            super().__init__(args, env, STARTUP_TIMEOUT * (10 if prefix else 1), prefix)
        except RuntimeError as error:
            raise SystemExit(f"the {label} server did not start: {error}") from None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process pid and all its threads (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _request_bytes(path: str, headers: tuple[tuple[bytes, bytes], ...]) -> bytes:
    lines = [f"GET {path} HTTP/1.1".encode("latin-1"), *(name + b": " + value for name, value in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _callgrind_total(pid: int, out: str) -> int:
    """Dump pid's callgrind counters (then zeroed) and return the instructions in the dump."""
    before = set(glob.glob(out + ".*"))
    subprocess.run(["callgrind_control", "--dump", str(pid)], check=True, capture_output=True)
    for _ in range(600):
        new = set(glob.glob(out + ".*")) - before
        if new:
            break
        time.sleep(0.1)
    else:
        raise SystemExit(f"callgrind wrote no dump for process {pid}")
    (dump,) = new
    for _ in range(100):
        with open(dump) as lines:
            for line in lines:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        time.sleep(0.1)
    raise SystemExit(f"no totals in {dump}")


def _complete(buffer: bytes) -> tuple[int, int] | None:
    """(status, length) of the response at the start of buffer once it is whole."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].split(b"\r\n")
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    total = end + 4 + length
    if len(buffer) < total:
        return None
    return int(head[0].split(b" ", 2)[1]), total


def load(port: int, path: str, requests: int, connections: int, deadline: float,
         headers: tuple[tuple[bytes, bytes], ...] = HOST_ONLY) -> tuple[int, float, set]:
    """Send up to *requests* GETs with *headers* over *connections* keep-alive
    connections, one in flight on each, until done or past *deadline*;
    (responses, seconds, statuses)."""
    request = _request_bytes(path, headers)
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytes] = {}
    statuses: set = set()
    sent = done = 0
    start = time.perf_counter()
    try:
        for _ in range(min(connections, requests)):
            sock = socket.create_connection((HOST, port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            buffers[sock] = b""
            selector.register(sock, selectors.EVENT_READ)
            sock.sendall(request)
            sent += 1
        while done < sent:
            events = selector.select(timeout=10)
            if not events:
                raise SystemExit(f"no response from port {port} within 10 s ({path})")
            for key, _ in events:
                sock = key.fileobj
                chunk = sock.recv(65536)  # type: ignore[union-attr]
                if not chunk:
                    raise SystemExit(f"the server on port {port} closed a connection ({path})")
                buffers[sock] += chunk  # type: ignore[index]
                whole = _complete(buffers[sock])  # type: ignore[index]
                if whole is None:
                    continue
                status, total = whole
                statuses.add(status)
                buffers[sock] = buffers[sock][total:]  # type: ignore[index]
                done += 1
                if sent < requests and time.perf_counter() < deadline:
                    sock.sendall(request)  # type: ignore[union-attr]
                    sent += 1
        return done, time.perf_counter() - start, statuses
    finally:
        for sock in buffers:
            selector.unregister(sock)
            sock.close()
        selector.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", choices=("requests", "readme"), default="requests",
                        help="the whole-request section's apps (default) or the README's example")
    parser.add_argument("--requests", type=int, default=3000,
                        help="at most this many requests per endpoint and server (default 3000)")
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="at most this many seconds per endpoint and server (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed requests first (default 200)")
    parser.add_argument("--impl", choices=("auto", "python"), default="auto",
                        help="fastresp implementation in its server: what imports (auto) or "
                             "the pure-Python one (FASTRESP_NO_EXTENSIONS=1)")
    parser.add_argument("--endpoint", action="append", metavar="PATH",
                        help="only this endpoint (repeatable)")
    parser.add_argument("--callgrind", action="store_true",
                        help="count the server processes' instructions per request instead "
                             "(valgrind's callgrind; --requests of them per endpoint, after --warmup)")
    args = parser.parse_args(argv)
    known = (request_endpoints() if args.app == "requests"
             else [(path, what, HOST_ONLY) for path, what in ENDPOINTS])
    endpoints = [(path, what, headers) for path, what, headers in known
                 if not args.endpoint or path in args.endpoint]
    for path in args.endpoint or ():
        if path not in {known_path for known_path, _, _ in known}:
            endpoints.append((path, "", HOST_ONLY))

    env = dict(os.environ)
    env.pop("FASTRESP_NO_EXTENSIONS", None)
    fastresp_env = dict(env)
    if args.impl == "python":
        fastresp_env["FASTRESP_NO_EXTENSIONS"] = "1"
    app = ["--app", "requests"] if args.app == "requests" else ["--app", "install", "--extras"]
    if args.callgrind:
        instructions(args, endpoints, app, env, fastresp_env)
        return
    servers = []
    try:
        servers.append(Server("starlette", app, env))
        servers.append(Server("fastresp", [*app, "--install"], fastresp_env))
        plain, fast = servers
        if plain.info.get("installed") or not fast.info.get("installed"):
            raise SystemExit(f"unexpected servers: {plain.info} / {fast.info}")
        per_round = max(1, -(-args.requests // args.rounds))
        rows = []
        for path, what, headers in endpoints:
            for server in servers:
                load(server.port, path, args.warmup, args.connections, time.perf_counter() + 5, headers)
            rates: dict[str, list[float]] = {"starlette": [], "fastresp": []}
            used = {"starlette": [0, 0.0], "fastresp": [0, 0.0]}  # requests, seconds
            cpu: dict[str, float | None] = {"starlette": 0.0, "fastresp": 0.0}
            statuses: dict[str, set] = {"starlette": set(), "fastresp": set()}
            for round_ in range(args.rounds):
                order = servers if round_ % 2 == 0 else servers[::-1]
                for server in order:
                    count, seconds = used[server.label]
                    if count >= args.requests or seconds >= args.time_limit:
                        continue
                    deadline = time.perf_counter() + (args.time_limit - seconds)
                    cpu_before = cpu_seconds(server.process.pid)
                    done, elapsed, seen = load(server.port, path, min(per_round, args.requests - count),
                                               args.connections, deadline, headers)
                    cpu_after = cpu_seconds(server.process.pid)
                    spent = cpu[server.label]
                    cpu[server.label] = (None if spent is None or cpu_before is None or cpu_after is None
                                         else spent + cpu_after - cpu_before)
                    used[server.label] = [count + done, seconds + elapsed]
                    statuses[server.label] |= seen
                    rates[server.label].append(done / elapsed)
            if statuses["starlette"] != statuses["fastresp"]:
                raise SystemExit(f"{path}: status {statuses['starlette']} on starlette but "
                                 f"{statuses['fastresp']} with fastresp")
            base, ours = max(rates["starlette"]), max(rates["fastresp"])
            median_ratio = statistics.median(rates["fastresp"]) / statistics.median(rates["starlette"])
            per_request = [None if cpu[label] is None else cpu[label] / used[label][0] * 1e6
                           for label in ("starlette", "fastresp")]
            rows.append((path, what, base, ours, ours / base, median_ratio, *per_request,
                         used["starlette"][0], used["fastresp"][0]))
            print(f"  {path}: {base:,.0f} vs {ours:,.0f} req/s", file=sys.stderr, flush=True)
    finally:
        for server in servers:
            server.stop()

    info = servers[1].info
    print()
    print(f"uvicorn on {HOST}, {platform.python_implementation()} {platform.python_version()}, "
          f"starlette {info['starlette']}; fastresp {info['implementation']} "
          f"({info['reason']}) with fastresp.install()")
    print(f"{args.connections} keep-alive connections, one request in flight on each; up to "
          f"{args.requests} requests or {args.time_limit:g} s")
    print(f"per endpoint and server, in {args.rounds} alternating rounds. rps = the best round (the "
          f"least disturbed by")
    print("other work on the machine); median ratio = median fastresp round / median starlette round.")
    print()
    def us(value: float | None) -> str:
        return "n/a" if value is None else f"{value:,.0f}"

    header = ("endpoint", "starlette rps", "fastresp rps", "ratio", "median ratio",
              "starlette CPU us/req", "fastresp CPU us/req", "CPU ratio", "requests")
    table = [header] + [(path, f"{base:,.0f}", f"{ours:,.0f}", f"{ratio:.2f}x", f"{median:.2f}x",
                         us(cpu_base), us(cpu_ours),
                         "n/a" if cpu_base is None or cpu_ours is None else f"{cpu_base / cpu_ours:.2f}x",
                         f"{n1}/{n2}")
                        for path, _, base, ours, ratio, median, cpu_base, cpu_ours, n1, n2 in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for number, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        print("| " + " | ".join(cells) + " |")
        if number == 0:
            print("|-" + "-|-".join("-" * width for width in widths) + "-|")
    print()
    for path, what, *_ in rows:
        if what:
            print(f"  {path}: {what}")
    print()
    print("CPU us/req: the server process's user+system CPU time (all its threads) over the")
    print("timed rounds, per request; CPU ratio = starlette / fastresp. Less disturbed by other")
    print("work on the machine than the request rates.")
    print()
    print(f"Note: the load client shares this machine's {os.cpu_count()} CPU cores with the server, "
          f"and each")
    print("response also pays for uvicorn, h11, the ASGI stack and FastAPI's routing and validation,")
    print("which fastresp does not touch: the ratios understate the per-response gain (see")
    print("`python bench/run.py` for that).")


def instructions(args: argparse.Namespace, endpoints: list[tuple[str, str, tuple[tuple[bytes, bytes], ...]]],
                 app: list[str], env: dict[str, str], fastresp_env: dict[str, str]) -> None:
    """The --callgrind table: each server runs under callgrind; per endpoint and
    server, --warmup requests, the counters zeroed, --requests requests, the
    counters dumped. Instructions are what this machine's load cannot move."""
    work = tempfile.mkdtemp(prefix="fastresp-callgrind-")
    servers = []
    try:
        for label, extra, environ in (("starlette", [], env), ("fastresp", ["--install"], fastresp_env)):
            out = os.path.join(work, label)
            servers.append((Server(label, [*app, *extra], environ,
                                   ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")), out))
        rows = []
        for path, what, headers in endpoints:
            counts = []
            for server, out in servers:
                load(server.port, path, args.warmup, args.connections, time.perf_counter() + 600, headers)
                _callgrind_total(server.process.pid, out)       # the warm-up's, discarded
                done, _, statuses = load(server.port, path, args.requests, args.connections,
                                         time.perf_counter() + 3600, headers)
                counts.append(_callgrind_total(server.process.pid, out) / done)
            rows.append((path, what, len(headers), *counts))
            print(f"  {path}: {counts[0]:,.0f} vs {counts[1]:,.0f} instructions", file=sys.stderr, flush=True)
    finally:
        for server, _ in servers:
            server.stop(timeout=60)
    info = servers[1][0].info
    print()
    print(f"uvicorn on {HOST} under valgrind's callgrind, {platform.python_implementation()} "
          f"{platform.python_version()}, starlette {info['starlette']}; fastresp {info['implementation']} "
          f"with fastresp.install(); {args.requests} requests per endpoint after {args.warmup}, "
          f"{args.connections} keep-alive connections")
    print()
    print("| endpoint | request headers | starlette instructions/req | fastresp instructions/req | ratio |")
    print("|---|---:|---:|---:|---:|")
    for path, what, count, base, ours in rows:
        print(f"| {what or path} | {count} | {base / 1000:,.1f}k | {ours / 1000:,.1f}k | {base / ours:.2f}x |")


if __name__ == "__main__":
    main()
