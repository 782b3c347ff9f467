"""Threads: many threads building responses and cookies at once each get exactly
the output they asked for.

Every shared structure is stressed from several threads together, with a tiny
switch interval so threads interleave as often as possible:

* the content-length cache (bodies of every length, in and past the cache),
* the content-type cache (one media type with different charsets in different
  threads, and more distinct media types than the cache holds, so it is
  cleared while others read it),
* the date cache for int ``expires`` (more distinct seconds than it holds),
* the per-class construction plans of the compiled ``_headers`` (more classes
  than the plan cache holds, with their own media_type and charset),
* install()/uninstall() toggled over and over while other threads build
  starlette's own classes (and user subclasses of them) and set cookies.

The expected outputs are computed beforehand, single-threaded, by starlette
itself (tests/oracle.py; partitioned cookies as on Python 3.14).
"""

from __future__ import annotations

import random
import sys
import threading
from datetime import datetime, timezone
from http.cookies import CookieError

import pytest
from oracle import SET_PARTITIONED  # tests/ is on sys.path: see helpers.py
import starlette.responses

import fastresp
from fastresp import _impl

THREADS = 8
ROUNDS = 100


@pytest.fixture
def busy_switching():
    """Switch threads as often as the interpreter allows."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def _run_threads(worker, count=THREADS):
    """Start count threads together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    errors = []

    def target(index):
        try:
            barrier.wait()
            worker(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append((index, error))

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        index, error = errors[0]
        raise AssertionError(f"thread {index} of {count} failed ({len(errors)} failed): "
                             f"{type(error).__name__}: {error}") from error


# ------------------------------------------------------------- the workload


def _classes_with(base_classes, count):
    """count subclasses per base with their own media_type and charset (more than
    the 256 construction plans the compiled module keeps)."""
    made = []
    for index in range(count):
        base = (base_classes.Response, base_classes.PlainTextResponse,
                base_classes.HTMLResponse)[index % 3]
        attrs = {"charset": ("utf-8", "latin-1", "utf-16")[index % 3]}
        if index % 2:
            attrs["media_type"] = f"text/x-class-{index}"
        made.append((base, attrs))
    return made


def _response_tasks(thread):
    """(description, make(classes, subclasses)) for one thread: its own mix."""
    rng = random.Random(thread)
    tasks = []
    for _ in range(60):
        kind = rng.randrange(7)
        length = rng.choice([0, 1, rng.randrange(4096), rng.randrange(4096, 70_000)])
        body = b"b" * length
        if kind == 0:
            tasks.append(lambda c, s, body=body: c.Response(body))
        elif kind == 1:
            # The same media type with another charset in every thread.
            charset = ("utf-8", "latin-1", "ascii", "utf-16")[thread % 4]
            media = rng.choice(["text/plain", "text/html", "text/csv"])
            tasks.append(lambda c, s, body=body, charset=charset, media=media:
                         s["charset", charset](body, media_type=media))
        elif kind == 2:
            # More distinct media types than the content-type cache holds.
            media = f"text/t{thread}-{rng.randrange(100)}"
            tasks.append(lambda c, s, body=body, media=media: c.HTMLResponse(body, media_type=media))
        elif kind == 3:
            index = rng.randrange(300)
            tasks.append(lambda c, s, body=body, index=index: s["class", index](
                "\xe9" * (len(body) % 50), headers={"x-t": str(index)}))
        elif kind == 4:
            status = rng.choice([100, 204, 304, 200, 404, 2 ** 70, -1])
            tasks.append(lambda c, s, body=body, status=status: c.Response(
                body, status_code=status, headers={"X-Thread": str(thread), "content-TYPE": "a/b"}))
        elif kind == 5:
            tasks.append(lambda c, s, body=body: c.JSONResponse({"n": len(body), "t": thread}))
        else:
            url = f"/t/{thread}/{rng.randrange(1000)} x?q=\xe9"
            tasks.append(lambda c, s, url=url: c.RedirectResponse(url, headers={"Location": "/", "x": "y"}))
    return tasks


def _cookie_tasks(thread):
    """Cookie kwargs for one thread, int expires over more seconds than the date
    cache keeps, plus the other argument types."""
    rng = random.Random(1000 + thread)
    tasks = []
    for _ in range(60):
        kwargs = {"key": f"k{thread}", "value": rng.choice(["v", "a b", "\xe9", "", f"t{thread}"])}
        choice = rng.randrange(5)
        if choice == 0:
            kwargs["expires"] = rng.randrange(-100_000, 100_000)
        elif choice == 1:
            kwargs["expires"] = datetime(2000 + rng.randrange(100), 1 + rng.randrange(12), 1,
                                         rng.randrange(24), tzinfo=timezone.utc)
        elif choice == 2:
            kwargs["max_age"] = rng.randrange(-10, 10 ** 6)
        elif choice == 3:
            kwargs.update(path=f"/p{thread}", domain="example.org", secure=True, httponly=True,
                          samesite=rng.choice(["strict", "Lax", "none", None]))
            if SET_PARTITIONED:      # a release whose set_cookie takes it (0.47+)
                kwargs["partitioned"] = rng.random() < 0.5
        else:
            kwargs["expires"] = f"str-{thread}"
        tasks.append(kwargs)
    return tasks


def _subclass_table(classes, class_specs):
    table = {("charset", charset): type("R", (classes.Response,), {"charset": charset})
             for charset in ("utf-8", "latin-1", "ascii", "utf-16")}
    for index, (base, attrs) in enumerate(class_specs):
        name = base.__name__
        table["class", index] = type(f"C{index}", (getattr(classes, name),), dict(attrs))
    return table


# ----------------------------------------------------------------- the tests


def test_many_threads_build_responses(impl, oracle, response_oracle, busy_switching):
    specs = _classes_with(impl.classes, 300)
    ours, theirs = _subclass_table(impl.classes, specs), _subclass_table(oracle, specs)
    tasks = {thread: _response_tasks(thread) for thread in range(THREADS)}
    expected = {thread: [response_oracle.build(lambda c, make=make: make(c, theirs), oracle)
                         for make in tasks[thread]] for thread in range(THREADS)}
    assert all(result[0] == "ok" for results in expected.values() for result in results)

    done = []

    def worker(thread):
        for round_ in range(ROUNDS):
            for make, wanted in zip(tasks[thread], expected[thread]):
                got = response_oracle.build(lambda c, make=make: make(c, ours), impl.classes)
                assert got == wanted, (round_, got[:1], wanted[:1])
                done.append(1)

    _run_threads(worker)
    assert len(done) == THREADS * ROUNDS * 60


def test_many_threads_set_cookies(impl, cookie_oracle, frozen_time, busy_switching):
    tasks = {thread: _cookie_tasks(thread) for thread in range(THREADS)}
    expected = {thread: [cookie_oracle.starlette(kwargs) for kwargs in tasks[thread]]
                for thread in range(THREADS)}
    assert all(result[0] == "ok" for results in expected.values() for result in results)

    def worker(thread):
        response = impl.classes.Response(b"")
        for round_ in range(ROUNDS):
            del response.raw_headers[1:]
            for kwargs, wanted in zip(tasks[thread], expected[thread]):
                response.set_cookie(**kwargs)
                assert response.raw_headers[-1] == (b"set-cookie", wanted[1]), (round_, kwargs)
                assert impl.cookie.cookie_value(**kwargs) == wanted[1]
            response.delete_cookie(f"k{thread}", path=f"/p{thread}")
            assert len(response.raw_headers) == 2 + len(tasks[thread])

    _run_threads(worker)


def test_refusals_under_threads(impl, busy_switching):
    """Refused calls from many threads leave each thread's own response untouched."""
    def worker(thread):
        response = impl.classes.Response(b"x", headers={"x-t": str(thread)})
        before = list(response.raw_headers)
        for _ in range(ROUNDS * 20):
            for call in (lambda: response.set_cookie("k", f"v\n{thread}"),
                         lambda: response.set_cookie("a b"),
                         lambda: response.set_cookie("k", path="/\u20ac"),
                         lambda: response.delete_cookie("k", samesite="bad"),
                         lambda: response.init_headers({"x": f"{thread}\r\n"}),
                         lambda: impl.classes.Response(b"", media_type=f"text/{thread}\n")):
                with pytest.raises((ValueError, UnicodeEncodeError, AssertionError, CookieError)):
                    call()
            assert response.raw_headers == before

    _run_threads(worker)


class UserResponse(starlette.responses.Response):
    media_type = "text/plain"
    charset = "latin-1"


class UserJSON(starlette.responses.JSONResponse):
    pass


def test_install_uninstall_race(impl, oracle, original_starlette, cookie_oracle, frozen_time,
                                monkeypatch, busy_switching):
    """install()/uninstall() toggled again and again while other threads build
    starlette's classes (and user subclasses) and set cookies: every output is
    what starlette gives, and uninstall() leaves starlette exactly as it was."""
    assert not fastresp.installed()
    # install() patches in the implementation under test.
    monkeypatch.setattr(_impl, "ACTIVE", impl)
    sr = starlette.responses
    user_subclasses = {"UserResponse": UserResponse, "UserJSON": UserJSON}
    oracle_user = {
        "UserResponse": type("UserResponse", (oracle.Response,), {"media_type": "text/plain",
                                                                  "charset": "latin-1"}),
        "UserJSON": type("UserJSON", (oracle.JSONResponse,), {}),
    }
    makes = [
        ("Response", lambda c: c["Response"](b"abc", headers={"x-a": "1"})),
        ("Response", lambda c: c["Response"]("\xe9", media_type="text/html")),
        ("HTMLResponse", lambda c: c["HTMLResponse"]("<p>")),
        ("JSONResponse", lambda c: c["JSONResponse"]({"a": [1, "\u20ac"]})),
        ("RedirectResponse", lambda c: c["RedirectResponse"]("/a b", headers={"location": "/z"})),
        ("UserResponse", lambda c: c["UserResponse"]("caf\xe9", status_code=201)),
        ("UserJSON", lambda c: c["UserJSON"]([1, 2], headers={"X": "y"})),
    ]
    live = {name: getattr(sr, name) for name in
            ("Response", "HTMLResponse", "JSONResponse", "RedirectResponse")}
    live.update(user_subclasses)
    pristine = {name: getattr(oracle, name) for name in
                ("Response", "HTMLResponse", "JSONResponse", "RedirectResponse")}
    pristine.update(oracle_user)
    snapshot = lambda response: (bytes(response.body), list(response.raw_headers))  # noqa: E731
    expected = [snapshot(make(pristine)) for _, make in makes]
    cookie_kwargs = [{"key": "s", "value": "v", "expires": 3600, "max_age": 60},
                     # (no partitioned: starlette refuses it below 3.14 while uninstalled)
                     {"key": "s", "value": "a b", "samesite": None, "httponly": True},
                     {"key": "s", "path": "/x", "domain": "d", "secure": True}]
    cookies = [cookie_oracle.starlette(kwargs)[1] for kwargs in cookie_kwargs]
    deleted = cookie_oracle.starlette({"key": "s", "path": "/x"}, "delete_cookie")[1]
    stop = threading.Event()
    toggles = [0]

    def toggler():
        while not stop.is_set():
            fastresp.install()
            fastresp.install()   # idempotent
            fastresp.uninstall()
            toggles[0] += 1

    def worker(thread):
        for _ in range(ROUNDS * 5):
            for (_, make), wanted in zip(makes, expected):
                assert snapshot(make(live)) == wanted
            response = sr.Response(b"")
            for kwargs, wanted in zip(cookie_kwargs, cookies):
                response.set_cookie(**kwargs)
                assert response.raw_headers[-1] == (b"set-cookie", wanted)
            response.delete_cookie("s", path="/x")
            assert response.raw_headers[-1] == (b"set-cookie", deleted)
            assert len(response.raw_headers) == 5

    flipper = threading.Thread(target=toggler)
    flipper.start()
    try:
        _run_threads(worker, 6)
    finally:
        stop.set()
        flipper.join(timeout=60)
        fastresp.uninstall()
    assert toggles[0] > 0
    assert not fastresp.installed()
    for cls in (sr.Response, sr.JSONResponse, sr.RedirectResponse):
        for name, original in original_starlette[cls].items():
            assert cls.__dict__.get(name) is original, (cls, name)
        assert set(cls.__dict__) == set(original_starlette[cls]), cls


def test_concurrent_installs_agree(impl, monkeypatch, original_starlette, busy_switching):
    """Many threads calling install() and uninstall() at once never leave starlette
    half patched: at the end it is either fully installed or fully original."""
    monkeypatch.setattr(_impl, "ACTIVE", impl)
    sr = starlette.responses
    names = ("__init__", "render", "init_headers", "set_cookie", "delete_cookie")

    def worker(thread):
        for index in range(300):
            (fastresp.install if (index + thread) % 2 else fastresp.uninstall)()

    try:
        for _ in range(3):
            _run_threads(worker)
            if fastresp.installed():
                assert all(sr.Response.__dict__[name] is not original_starlette[sr.Response][name]
                           for name in names)
            else:
                assert all(sr.Response.__dict__[name] is original_starlette[sr.Response][name]
                           for name in names)
    finally:
        fastresp.uninstall()
    for name in names:
        assert sr.Response.__dict__[name] is original_starlette[sr.Response][name]
