"""A short workload through every path of the compiled ``_headers``, ``_cookie``,
``_json``, ``_encoders``, ``_asgi``, ``_request``, ``_slots`` and ``_wire``, for ``scripts/memcheck.sh`` (valgrind
memcheck or AddressSanitizer).

Each call's result is checked against the pure-Python reference, so a memory
error that corrupts output also shows as a failure; the saved fuzz regressions
(tests/regressions/) are replayed through the test suite's own judge
(``oracle.check``: both implementations and starlette). ``ROUNDS`` (argv[1],
default 3) repeats the whole workload, so a leak grows with it.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone
from http.cookies import CookieError

import starlette.responses
from starlette.datastructures import Headers, MutableHeaders

import fastresp
import fastresp._common
from fastresp._impl import ROLES, load_compiled, load_python

# Run as a script, so Python puts this directory (tests/) on sys.path, for the
# oracle (never the repository root: the fastresp under test is the one
# memcheck.sh built).
import oracle
from oracle import Obj, OwnStr, Text, snapshot

COMPILED = load_compiled()
PYTHON = load_python()
_headers, _cookie, _json, _encoders, _asgi, _request = [getattr(COMPILED, role) for role in ROLES]
_headers_py, _cookie_py, _json_py, _encoders_py, _asgi_py, _request_py = [
    getattr(PYTHON, role) for role in ROLES]
C = COMPILED.classes
P = PYTHON.classes
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
calls = 0


def outcome(function, *args, **kwargs):
    """oracle.outcome, counted."""
    global calls
    calls += 1
    return oracle.outcome(function, *args, **kwargs)


def same_response(make):
    got = outcome(lambda: snapshot(make(C)))
    want = outcome(lambda: snapshot(make(P)))
    assert got == want, (got, want)


def same_cookie(*args, **kwargs):
    got = outcome(_cookie.cookie_value, *args, **kwargs)
    want = outcome(_cookie_py.cookie_value, *args, **kwargs)
    assert got == want, (args, kwargs, got, want)
    for classes in (C, P):
        response = classes.Response(b"")
        before = list(response.raw_headers)
        result = outcome(response.set_cookie, *args, **kwargs)
        if result[0] == "err":
            assert response.raw_headers == before


# ---------------------------------------------------------------- responses

CONTENTS = [None, b"", b"bytes", "text", "caf\xe9 \u20ac", "\ud800", memoryview(b"mv"),
            memoryview(b"abcd")[::2], bytearray(b"ba"), 12, OwnStr("s", "own"), b"z" * 5000]
HEADER_SETS = [
    None, {}, {"X-A": "1", "Content-Length": "3"}, {"content-type": "a/b", "x": "\xe9\xff"},
    {"x": "a\rb"}, {"x\n": "v"}, {"x": "\0"}, {"x-\u0100": "v"}, {"x": "\u20ac"}, {"x": 5},
    {5: "x"}, Headers(raw=[(b"x-h", b"1")]), MutableHeaders(raw=[(b"location", b"/l")]),
    {"K" * 300: "v" * 5000}, {f"x-{index}": str(index) for index in range(300)},
]
STATUSES = [200, 204, 304, 100, 199, 404, 2 ** 70, -(2 ** 70), True, 204.0, None]
MEDIA_TYPES = [None, "text/plain", "TEXT/html; Charset=x", "application/json", "text/\r\n",
               "text/\u0100", "text/\xe9", 5, OwnStr("text/own", "own")]


class Overridden(starlette.responses.Response):
    def render(self, content):
        return b"<" + super().render(content) + b">"


class OwnInit(starlette.responses.Response):
    def init_headers(self, headers=None):
        super().init_headers(headers)
        self.raw_headers.append((b"x-own", b"1"))


class Descriptor:
    def __get__(self, obj, cls=None):
        return b"descr" if obj is not None else self

    def __set__(self, obj, value):
        pass


class WithDescriptor(starlette.responses.Response):
    body = Descriptor()


class GetAttr(starlette.responses.Response):
    def __getattribute__(self, name):
        return super().__getattribute__(name)


class OddCharset(starlette.responses.Response):
    charset = OwnStr("utf-8", "own")
    media_type = "text/plain"


class NoneCharset(starlette.responses.Response):
    charset = None


class HeadersProperty(starlette.responses.RedirectResponse):
    @property
    def headers(self):
        return MutableHeaders(raw=self.raw_headers)


USER_CLASSES = [Overridden, OwnInit, WithDescriptor, GetAttr, OddCharset, NoneCharset]


def responses():
    for content in CONTENTS:
        for status in STATUSES[:5]:
            for media_type in MEDIA_TYPES:
                same_response(lambda c: c.Response(content, status, None, media_type))
        for name in ("HTMLResponse", "PlainTextResponse"):
            same_response(lambda c: getattr(c, name)(content))
    for headers in HEADER_SETS:
        for status in STATUSES:
            same_response(lambda c: c.Response(b"x", status_code=status, headers=headers))
        same_response(lambda c: c.JSONResponse({"a": [1, 2]}, headers=headers))
        same_response(lambda c: c.RedirectResponse("/a b", headers=headers))
        same_response(lambda c: c.RedirectResponse("/safe/path?x=1", headers=headers))
        for classes in (C, P):
            response = classes.Response(b"keep")
            before = list(response.raw_headers)
            if outcome(response.init_headers, headers)[0] == "err":
                assert response.raw_headers == before
    for url in ["/", "/a b/\xe9/\u20ac", "\ud800", 5, OwnStr("/x", "own"), Obj("obj value"), "/" + "s" * 5000]:
        same_response(lambda c: c.RedirectResponse(url, status_code=302))
    for content in [{"k": "\u20ac"}, [1.5, None], float("nan"), {1: 2}]:
        same_response(lambda c: c.JSONResponse(content))
    # calling the compiled classes (their tp_vectorcall) against type.__call__
    content_name = "".join(["con", "tent"])      # equal to "content", not interned
    for name in ("Response", "HTMLResponse", "JSONResponse"):
        cls = getattr(C, name)
        for args, kwargs in [((), {}), ((b"x", 201, {"a": "b"}, "text/x", None), {}),
                             ((b"x",) * 6, {}), ((b"x",), {"content": b"y"}),
                             ((), {content_name: b"z", "media_type": "text/plain"}),
                             ((), {"status_code": 204}), ((), {"nope": 1}),
                             ((b"x",), {"headers": {"a": "b\r\n"}})]:
            got = outcome(lambda: snapshot(cls(*args, **kwargs)))
            want = outcome(lambda: snapshot(type.__call__(cls, *args, **kwargs)))
            assert got == want, (name, args, kwargs, got, want)
    # user subclasses of the compiled classes (the per-class plans)
    for base in USER_CLASSES:
        compiled = type(base.__name__, (base, C.Response), {})
        python = type(base.__name__, (base, P.Response), {})
        for content in (b"abc", "t\xe9xt", None):
            got = outcome(lambda: snapshot(compiled(content, headers={"x": "1"})))
            want = outcome(lambda: snapshot(python(content, headers={"x": "1"})))
            assert got == want, (base, got, want)
    for classes in (C, P):
        redirect = type("R", (HeadersProperty, classes.RedirectResponse), {})
        redirect("/a b", headers={"location": "/old"})
    # more classes and media types than the caches hold
    for index in range(300):
        cls = type(f"K{index}", (C.Response,), {"media_type": f"text/k{index}"})
        cls(b"x")
        C.Response(b"x", media_type=f"text/m{index}")
        # a class changed after its plan was made
        cls.charset = "latin-1"
        assert cls("\xe9").body == b"\xe9"


# ------------------------------------------------------------------ cookies

UTC = timezone.utc


def cookies():
    keys = ["k", "session_id", "Max-Age", "expires", "a b", "", "k\x00", "\xe9", "\u0100",
            OwnStr("k", "own"), b"k", 5, None, "K" * 1000]
    values = ["", "v", "a b", '"q"', "\\", "\xe9\xff", "\x7f", "\n", "\u0100", "\ud800",
              "v" * 5000, " trailing ", 12, 1.5, None, OwnStr("x", "own"), Obj("obj value")]
    for key in keys:
        for value in values[:6]:
            same_cookie(key, value)
    for value in values:
        same_cookie("k", value)
        same_cookie("k", value, path=None, samesite=None)
    texts = [None, "", "/", "/p a", "/\xe9", "/\u20ac", "/\t", "x\x1f", "/end ", "/end\xa0",
             "/end\x85", OwnStr("/o", "own"), Obj("obj value"), 5, "/" + "p" * 3000]
    for name in ("path", "domain", "expires", "max_age"):
        for text in texts:
            same_cookie("k", "v", **{name: text})
            same_cookie("k", "v", samesite=None, **{name: text})
    for number in [0, 1, -1, 3600, 2 ** 31, 2 ** 53, 2 ** 53 + 1, 2 ** 63 - 1, -(2 ** 63),
                   2 ** 64, -(2 ** 64), 10 ** 400, True, False, 1.5, float("inf"), float("nan")]:
        same_cookie("k", "v", max_age=number)
        # A frozen clock: the two sides read it at different moments, and near
        # 2 ** 53 a second's difference shows after rounding (slow under valgrind).
        real = time.time
        try:
            time.time = lambda: 1_700_000_000.25
            same_cookie("k", "v", expires=number)
        finally:
            time.time = real
    for when in [datetime(2024, 2, 29, 12, 0, tzinfo=UTC), datetime(999, 1, 1, tzinfo=UTC),
                 datetime(1000, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
                 datetime(1969, 12, 31, tzinfo=UTC), datetime(2024, 1, 1),
                 datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=3))),
                 datetime(2024, 1, 1, tzinfo=timezone(timedelta(0)))]:
        same_cookie("k", "v", expires=when)
    for samesite in ["lax", "Strict", "NONE", None, "", "bogus", "la\x00", "\u212aax", OwnStr("lax", "own"), 5]:
        same_cookie("k", "v", samesite=samesite)
    for flag in [True, False, 0, 1, "", "x", None, [], Obj("obj value")]:
        same_cookie("k", "v", secure=flag, httponly=flag, partitioned=flag)
    same_cookie("k", "v", 10, 20, "/", "example.org", True, True, "strict", True)
    # the clock: now as float, int, far away
    real = time.time
    try:
        for now in [0.0, 1_700_000_000.5, 253402300799.5, -5.0, 1e20, 17]:
            time.time = lambda now=now: now
            for offset in [0, 1, -1, 86400, 10 ** 12, -(10 ** 12)]:
                same_cookie("k", "v", expires=offset)
    finally:
        time.time = real
    for classes in (C, P):
        response = classes.Response(b"")
        response.delete_cookie("k")
        response.delete_cookie("k", path="/x", domain="d", secure=True, httponly=True,
                               samesite=None, partitioned=True)
        outcome(response.delete_cookie, "a b")
        outcome(response.delete_cookie, "k", domain="\n")

        class Logging(classes.Response):
            def set_cookie(self, *args, **kwargs):
                super().set_cookie(*args, **kwargs)

        Logging(b"").delete_cookie("k")
    try:
        C.Response(b"").set_cookie("k", "\n")
    except CookieError:
        pass


# --------------------------------------------------------------------- JSON

class JsonStr(str):
    pass


def same_json(content, written):
    """The compiled encoder agrees with the reference; written: whether the
    compiled path must write the document itself (else it hands it to json)."""
    got = outcome(_json.dumps, content)
    want = outcome(_json_py.dumps, content)
    assert got == want, (repr(content)[:200], got[:2], want[:2])
    assert (_json.written(content) is not None) == written, repr(content)[:200]


def json_documents():
    texts = ["", "plain", "caf\xe9", "\u20ac\u2028", "\U0001f600x", "".join(map(chr, range(0x20))),
             '"\\/', "\xff" * 600, "\u20ac" * 600, "\U0001f600" * 600]
    numbers = [0, -1, 99, 2 ** 63 - 1, -(2 ** 63), 2 ** 64, -(10 ** 40), 1e-07, 1e+16, -0.0,
               5e-324, 1.7976931348623157e308, 0.1 + 0.2]
    for value in texts + numbers + [None, True, False]:
        same_json(value, True)
        same_json([value, {"k": value}, (value,)], True)
    nested = "leaf"
    for _ in range(fastresp._common.JSON_MAX_DEPTH):
        nested = [nested]
    same_json(nested, True)
    same_json([nested], False)                    # one level too deep
    cycle = [1]
    cycle.append(cycle)
    for value in [float("nan"), "\ud800", "\U0001f600\udc00", JsonStr("s"), 10 ** 5000, cycle,
                  {1: 2}, {"a": 1, None: 2}, b"x", object()]:
        same_json([1, "two", {"three": value}], False)
    # Documents that grow the buffer many times over (stack, then doubling heap).
    rows = [{"id": index, "text": texts[index % len(texts)], "n": numbers[index % len(numbers)]}
            for index in range(3000)]
    same_json({"rows": rows}, True)
    for tail in ("", "\xe9", "\u20ac", "\U0001f600", "\n"):
        same_json(["a" * 1_000_000 + tail], True)


def huge_string():
    """Once: a 100 MB string (and one that json must refuse)."""
    text = "a" * 100_000_000
    same_json([text + "\u20ac"], True)
    same_json([text + "\ud800"], False)


# ----------------------------------------------------------------- encoders

def _original(obj, include=None, exclude=None, by_alias=True, exclude_unset=False,
              exclude_defaults=False, exclude_none=False, custom_encoder=None, sqlalchemy_safe=True):
    """Stands in for FastAPI's jsonable_encoder (not installed here): what
    matters is which calls reach it, and that the C path drops what it built."""
    return ("original", type(obj).__name__)


def encoders():
    fast, reference = _encoders.wrap(_original), _encoders_py.wrap(_original)
    leaf = "x" * 1000
    row = {"id": 1, "name": leaf, "price": 1.5, "ok": True, "none": None, "tags": ["a", (1, 2)]}
    deep = leaf
    for _ in range(200):
        deep = [deep]
    documents = [
        row, [row] * 20, (row, [row, (row,)]), {"_sa_state": object(), "_sa": [Text()], **row},
        {**row, "later": [1, Text("odd")]}, [row, {"k": {1: 2}}], ({"a": leaf}, [leaf], Text()),
        deep, {"big": 2**200, "nan": float("nan"), "list": list(range(1000))}, [], {}, (), leaf,
    ]
    for document in documents:
        got, expected = outcome(fast, document), outcome(reference, document)
        assert got == expected, (got, expected)
    assert outcome(fast, row, exclude_none=True) == outcome(reference, row, exclude_none=True)


#: Names and values for the MutableHeaders operations: plain, lowered, latin-1,
#: not latin-1, refused (CR, LF, NUL), a str subclass, not text at all.
HEADER_TEXTS = ["x-a", "X-A", "vary", "content-length", "\xe9t\xe9", "\u20ac", "\ud800", "a\r\nb",
                "\0", "", OwnStr("X-Own", "own"), 5, None, "s" * 5000]
#: Lists to start from: empty, repeated names, an item that is not a pair.
HEADER_LISTS = [[], [(b"x-a", b"1"), (b"vary", b"a"), (b"x-a", b"2")], [(b"x-a", b"1"), "odd"],
                [(b"x-a", 1)]]


def header_operations():
    """Every MutableHeaders operation _asgi compiles, on both implementations'
    classes (the syntax ones through the slots _slots.dispatch_items_directly sets): the list
    and the result (or error) must agree."""
    def run(classes, raw, operation, key, value):
        headers = classes.Response(b"x").headers
        headers.raw[:] = [item for item in raw]
        if operation == "set":
            headers[key] = value
        elif operation == "del":
            del headers[key]
        elif operation == "append":
            headers.append(key, value)
        elif operation == "setdefault":
            return headers.setdefault(key, value), list(headers.raw)
        elif operation == "update":
            headers.update({key: value})
        elif operation == "vary":
            headers.add_vary_header(value)
        elif operation == "in":
            return key in headers
        elif operation == "getitem":
            return headers[key]
        elif operation == "get":
            return headers.get(key), list(headers.raw)
        return list(headers.raw)

    for raw in HEADER_LISTS:
        for operation in ("set", "del", "append", "setdefault", "update", "vary", "in", "getitem",
                          "get"):
            for key in HEADER_TEXTS:
                for value in ("v", "\xe9", "\u20ac", "a\nb", OwnStr("own", "own"), 7):
                    got = outcome(run, C, raw, operation, key, value)
                    want = outcome(run, P, raw, operation, key, value)
                    assert got == want, (raw, operation, key, value, got, want)
    for classes in (C, P):   # made from a scope, as middleware does
        message = {"type": "http.response.start", "headers": [(b"x-a", b"1")]}
        headers = classes.MutableHeaders(scope=message)
        headers["x-b"] = "2"
        assert message["headers"][-1] == (b"x-b", b"2")


def install_cycle():
    fastresp.install()
    try:
        starlette.responses.Response(b"x", headers={"a": "b"}).set_cookie("k", "v")
        starlette.responses.RedirectResponse("/a b")
        starlette.responses.JSONResponse({"a": 1})
    finally:
        fastresp.uninstall()


def regressions():
    """Every saved fuzz case, judged as the test suite judges it."""
    sides = [COMPILED, PYTHON]
    for name, record in oracle.load_regressions():
        if not record.get("open"):
            oracle.check(record["case"], sides)


#: Cookie headers the parser must take as starlette does: quoting, octal
#: escapes, parts without "=", empty parts, repeated names, latin-1, huge.
COOKIE_TEXTS = [
    "", "a=1", "a=1; b=2; a=3", ";;a=1;;", "noequals; =v; k=", ' a = "x\\"y" ; b="\\012\\377"',
    'q="unterminated', "\xe9t\xe9=caf\xe9", "x=" + "v" * 70_000, "; ".join(f"c{i}={i}" for i in range(300)),
]


def request_side():
    """cookie_parser, Headers reads and Request.cookies/.headers, compiled
    against the reference, on plain, odd and huge inputs."""
    for text in COOKIE_TEXTS:
        got, want = outcome(_request.cookie_parser, text), outcome(_request_py.cookie_parser, text)
        assert got == want, (text[:40], got, want)
        encoded = text.encode("latin-1")
        raw = [(b"host", b"x"), (b"cookie", encoded), (b"Cookie", b"z=9"), (b"x-a", b"1")]
        for key in ("cookie", "X-A", "missing", "Host", "\xe9"):
            for name in ("get", "getlist", "__contains__"):
                got = outcome(getattr(C.Headers(raw=list(raw)), name), key)
                want = outcome(getattr(P.Headers(raw=list(raw)), name), key)
                assert got == want, (name, key, got, want)
        for method in ("keys", "values", "items", "__repr__", "mutablecopy"):
            got = outcome(lambda: repr(getattr(C.Headers(raw=list(raw)), method)()))
            want = outcome(lambda: repr(getattr(P.Headers(raw=list(raw)), method)()))
            assert got == want, (method, got, want)
    fastresp.install()
    try:
        from starlette.requests import Request

        logged = type("Logged", (Request,), {
            "__getattribute__": lambda self, name: object.__getattribute__(self, name)})
        for text in COOKIE_TEXTS:
            cookie = text.encode("latin-1")
            for headers in ([(b"cookie", cookie)], ((b"cookie", cookie),),
                            [(b"cookie", cookie), (b"x", b"y"), (b"cookie", b"a=2")],
                            [(b"cookie", cookie), [b"odd", b"item"]], [(b"cookie", None)]):
                for cls in (Request, logged):
                    request = cls({"type": "http", "headers": headers})
                    outcome(lambda: (request.cookies, list(request.headers.items())))
    finally:
        fastresp.uninstall()


def wire():
    """uvicorn's httptools protocol with the compiled head path
    (fastresp.uvicorn) against uvicorn's own, every request of test_wire's
    corpus to every app there (heads that fit the stack buffer and ones that do
    not, odd header items, invalid names, chunked bodies, pipelining): the
    same bytes, scopes and log lines. Skipped without uvicorn and httptools."""
    global calls
    try:
        import test_wire
    except BaseException as error:     # pytest.importorskip's Skipped is a BaseException
        if type(error).__name__ != "Skipped":
            raise
        return
    if not test_wire.fast.ACCELERATED:
        return
    own = test_wire.httptools_impl.HttpToolsProtocol
    for chunks in test_wire.REQUESTS.values():
        for app in test_wire.APPS.values():
            calls += 1
            got = test_wire.run(test_wire.fast.HttpToolsProtocol, chunks, app)
            assert got == test_wire.run(own, chunks, app)


def main():
    assert fastresp.IMPLEMENTATION == "cython", fastresp.REASON
    print("memcheck workload: fastresp._headers from", _headers.__file__, flush=True)
    for _ in range(ROUNDS):
        responses()
        cookies()
        json_documents()
        encoders()
        header_operations()
        request_side()
        wire()
        install_cycle()
        regressions()
    huge_string()
    print(f"memcheck workload: {ROUNDS} rounds, {calls} checked calls, all agree", flush=True)


if __name__ == "__main__":
    main()
