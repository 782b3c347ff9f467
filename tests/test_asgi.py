"""``Response.headers``, the MutableHeaders operations and ``Response.__call__``
against starlette (the oracle), on both implementations and under install().

The oracle for the header operations is starlette's own MutableHeaders with one
addition, ``Hardened``: what fastresp refuses (CR, LF or NUL in a name or value
that an operation would store) raises fastresp's ValueError before starlette's
code runs. Everything else, return values, exception types and messages and the
raw list afterwards, is starlette's.
"""

from __future__ import annotations

import asyncio
import operator
from contextlib import contextmanager
from types import MappingProxyType

import pytest
import starlette.datastructures
import starlette.responses as sr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.background import BackgroundTask

import fastresp
from fastresp import _asgi_py, _common, _impl
from fastresp.responses import hot_methods, make_classes
from helpers import items_dispatched_directly
from oracle import HEADER_FORBIDDEN, Text

StarletteMutableHeaders = starlette.datastructures.MutableHeaders


@pytest.fixture(autouse=True)
def clean(original_starlette):
    """starlette is the oracle: nothing installed before or after each test."""
    assert not fastresp.installed()
    assert vars(StarletteMutableHeaders) == original_starlette[StarletteMutableHeaders]
    yield
    fastresp.uninstall()


def _refused(data):
    return isinstance(data, bytes) and any(chr(c) in HEADER_FORBIDDEN for c in data)


class Hardened(StarletteMutableHeaders):
    """starlette's MutableHeaders plus fastresp's refusal, checked after the
    encodings starlette does first (so their errors come first)."""

    def _check(self, key, value):
        name = key.lower().encode("latin-1")
        data = value.encode("latin-1")
        if _refused(name):
            raise _common.header_name_error(key)
        if _refused(data):
            raise _common.header_control_error(_common.header_value_field(key), value)

    def __setitem__(self, key, value):
        self._check(key, value)
        super().__setitem__(key, value)

    def append(self, key, value):
        self._check(key, value)
        super().append(key, value)

    def setdefault(self, key, value):
        self._check(key, value)
        return super().setdefault(key, value)

    def update(self, other):
        # fastresp's update is all or nothing: every item is encoded and
        # checked before the first is stored.
        items = list(other.items())
        for key, value in items:
            self._check(key, value)
        for key, value in items:
            self[key] = value


def outcome(function, *args):
    try:
        return ("ok", function(*args))
    except Exception as error:  # noqa: BLE001 - every exception is a result here
        return ("err", type(error), str(error))


# ---------------------------------------------------------------- strategies

NAMES = ["X-A", "x-a", "X-a", "Vary", "vary", "VARY", "content-length", "Content-Type",
         "\xc9t\xe9", "\xe9t\xe9", "stra\xdfe", "\u212a", "k", "a\rb", "a\nb", "a\0", "\u20ac",
         "\ud800", ""]
VALUES = ["1", "a b", "\xe9", "", "\u20ac", "\ud800", "x\r\ny", "\0", "text/plain", "Accept"]
RAW_NAMES = [b"x-a", b"X-A", b"vary", b"content-length", b"content-type", b"\xe9t\xe9", b"k", b""]
RAW_VALUES = [b"1", b"2", b"a b", b"\xe9", b"", b"Origin", b"x\r\ny"]

text_names = st.sampled_from(NAMES)
keys = st.one_of(text_names, text_names.map(Text), st.sampled_from([b"x-a", 1, None]))
values = st.one_of(st.sampled_from(VALUES), st.sampled_from(VALUES).map(Text),
                   st.sampled_from([1, b"v", None]))
plain_items = st.tuples(st.sampled_from(RAW_NAMES), st.sampled_from(RAW_VALUES))
odd_items = st.sampled_from([[b"x-a", b"l"], (b"x-a",), (b"k", b"1", b"2"), ("x-a", b"s"),
                             (b"vary", "s"), (b"x-a", None)])
raw_lists = st.lists(st.one_of(plain_items, plain_items, plain_items, odd_items), max_size=6)
operations = st.one_of(
    st.tuples(st.just("__setitem__"), keys, values),
    st.tuples(st.just("__delitem__"), keys),
    st.tuples(st.just("append"), keys, values),
    st.tuples(st.just("setdefault"), keys, values),
    st.tuples(st.just("update"), st.dictionaries(text_names, st.sampled_from(VALUES), max_size=3)),
    st.tuples(st.just("add_vary_header"), st.one_of(st.sampled_from(VALUES), st.just(1))),
    st.tuples(st.just("__contains__"), keys),
    st.tuples(st.just("__getitem__"), keys),
    st.tuples(st.just("get"), keys),
    st.tuples(st.just("get"), keys, st.just("default")),
    # The same through the syntax, which reaches the class's C slots first.
    st.tuples(st.just("h[k] = v"), keys, values),
    st.tuples(st.just("del h[k]"), keys),
    st.tuples(st.just("k in h"), keys),
    st.tuples(st.just("h[k]"), keys),
)

SYNTAX = {"h[k] = v": operator.setitem, "del h[k]": operator.delitem,
          "k in h": operator.contains, "h[k]": operator.getitem}


def _apply(headers, operation):
    name, *args = operation
    if name in SYNTAX:
        return outcome(SYNTAX[name], headers, *args)
    return outcome(getattr(headers, name), *args)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_lists, ops=st.lists(operations, min_size=1, max_size=6))
def test_operations_match_starlette(impl, raw, ops):
    expected_raw, got_raw = list(raw), list(raw)
    expected = Hardened(raw=expected_raw)
    got = impl.classes.MutableHeaders(raw=got_raw)
    for operation in ops:
        assert _apply(got, operation) == _apply(expected, operation), operation
        assert got_raw == expected_raw, operation
    assert got.raw is got_raw


@settings(max_examples=200, deadline=None)
@given(raw=raw_lists, ops=st.lists(operations, min_size=1, max_size=4))
def test_operations_match_starlette_installed(raw, ops):
    """The same through starlette's own class under install() (the active implementation)."""
    expected_raw, got_raw = list(raw), list(raw)
    expected = Hardened(raw=expected_raw)
    fastresp.install()
    try:
        got = StarletteMutableHeaders(raw=got_raw)
        assert type(got).__setitem__ is _impl.ACTIVE.asgi.setitem
        for operation in ops:
            got_outcome = _apply(got, operation)
            fastresp.uninstall()
            assert got_outcome == _apply(expected, operation), operation
            assert got_raw == expected_raw, operation
            fastresp.install()
    finally:
        fastresp.uninstall()


def test_refusal_names_the_field_and_leaves_the_list(impl):
    raw = [(b"x-a", b"1"), (b"vary", b"a")]
    headers = impl.classes.MutableHeaders(raw=raw)
    cases = [
        ("__setitem__", "X-B\r\n", "v", "header name must not contain CR, LF or NUL: 'X-B\\r\\n'"),
        ("__setitem__", "x-a", "1\r\nSet-Cookie: a=b",
         "value of header 'x-a' must not contain CR, LF or NUL"),
        ("append", "x\0", "v", "header name must not contain CR, LF or NUL: 'x\\x00'"),
        ("setdefault", "x-a", "\n", "value of header 'x-a' must not contain CR, LF or NUL"),
        ("update", {"x-c": "\r"}, None, "value of header 'x-c' must not contain CR, LF or NUL"),
        ("add_vary_header", "Origin\r\n", None, "value of header 'vary' must not contain"),
    ]
    for name, *args, message in cases:
        args = [arg for arg in args if arg is not None]
        with pytest.raises(ValueError) as error:
            getattr(headers, name)(*args)
        assert str(error.value).startswith(message), (name, str(error.value))
        assert raw == [(b"x-a", b"1"), (b"vary", b"a")]


# --------------------------------------- several headers at once: all or nothing
#
# update (and |=, which calls it) takes several headers: every one is encoded
# and checked before the first is stored, so a refused (or unencodable) item,
# wherever it comes, leaves the list exactly as it was. The list already holds
# repeated names, which an item stored before the refusal would collapse.
# (``h | other`` leaves h alone whatever happens: starlette's copies h into
# one of its own MutableHeaders first.)

_BEFORE = [(b"x-a", b"0"), (b"vary", b"a"), (b"x-a", b"dup"), (b"x-one", b"z"), (b"vary", b"b")]
_GOOD = [("X-One", "1"), ("x-a", "2"), ("Vary", "3")]
_BAD = {"name": ("x-bad\r\n", "v"), "value": ("x-bad", "v\r\nEvil: 1"), "nul": ("X-A", "\0"),
        "latin1": ("x-bad", "\u20ac")}
#: The refused item first, in the middle, last.
_POSITIONS = {"first": 0, "middle": 2, "last": len(_GOOD)}
#: A dict, and a mapping that is not one (the compiled module does dicts itself).
_MAPPINGS = {"dict": dict, "mapping": lambda items: MappingProxyType(dict(items))}
_UPDATES = {"update": lambda h, other: h.update(other),
            "|=": lambda h, other: operator.ior(h, other)}


@contextmanager
def installed_headers(impl):
    """starlette's own MutableHeaders with impl's operations, as install() puts
    them there (install() itself takes the active implementation only)."""
    cls = StarletteMutableHeaders
    saved = {name: vars(cls).get(name, _MISSING) for name in hot_methods(impl)["MutableHeaders"]}
    try:
        for name, function in hot_methods(impl)["MutableHeaders"].items():
            setattr(cls, name, function)
        if impl.compiled:
            impl.slots.dispatch_items_directly(cls, True)
        yield cls
    finally:
        if impl.compiled:
            impl.slots.dispatch_items_directly(cls, False)
        for name, original in saved.items():
            if original is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, original)


_MISSING = object()
_TARGETS = {
    "class": lambda impl, raw: impl.classes.MutableHeaders(raw=raw),
    "response": lambda impl, raw: _response_headers(impl, raw),
}


def _response_headers(impl, raw):
    response = impl.classes.Response(b"")
    response.raw_headers = raw
    return response.headers


def _all_or_nothing(impl, where, call):
    """(outcome, list afterwards) of call(headers) on headers over a copy of
    _BEFORE (where: a _TARGETS key or "installed"), after checking that a
    refusal left the very list as it was."""
    raw = list(_BEFORE)
    if where == "installed":
        with installed_headers(impl) as cls:
            headers = cls(raw=raw)
            result = outcome(call, headers)
    else:
        headers = _TARGETS[where](impl, raw)
        result = outcome(call, headers)
    if result[0] == "err":
        assert headers.raw is raw and raw == _BEFORE, result
    return result, raw


@pytest.mark.parametrize("update", list(_UPDATES))
@pytest.mark.parametrize("mapping", list(_MAPPINGS))
@pytest.mark.parametrize("where", [*_TARGETS, "installed"])
@pytest.mark.parametrize("position", list(_POSITIONS))
@pytest.mark.parametrize("bad", list(_BAD))
def test_update_is_all_or_nothing(impl, update, mapping, where, position, bad):
    items = list(_GOOD)
    items.insert(_POSITIONS[position], _BAD[bad])
    function, make_mapping = _UPDATES[update], _MAPPINGS[mapping]
    expected = outcome(function, Hardened(raw=list(_BEFORE)), make_mapping(items))
    assert expected[0] == "err" and expected[1] in (ValueError, UnicodeEncodeError), expected
    got, _ = _all_or_nothing(impl, where, lambda headers: function(headers, make_mapping(items)))
    assert got == expected


@pytest.mark.parametrize("update", list(_UPDATES))
@pytest.mark.parametrize("mapping", list(_MAPPINGS))
@pytest.mark.parametrize("where", [*_TARGETS, "installed"])
def test_accepted_update_is_starlettes(impl, update, mapping, where):
    function, make_mapping = _UPDATES[update], _MAPPINGS[mapping]
    expected_raw = list(_BEFORE)
    expected = outcome(function, StarletteMutableHeaders(raw=expected_raw), make_mapping(_GOOD))
    got, raw = _all_or_nothing(impl, where, lambda headers: function(headers, make_mapping(_GOOD)))
    assert raw == expected_raw
    assert got[0] == expected[0] == "ok", (got, expected)
    if update == "update":
        assert got[1] is expected[1] is None
    else:   # |= gives the headers themselves
        assert got[1].raw is raw


_ONE_HEADER = {
    "__setitem__": lambda h, key, value: h.__setitem__(key, value),
    "h[k] = v": lambda h, key, value: operator.setitem(h, key, value),
    "append": lambda h, key, value: h.append(key, value),
    "setdefault": lambda h, key, value: h.setdefault(key, value),
    "add_vary_header": lambda h, key, value: h.add_vary_header(value),
}


@pytest.mark.parametrize("operation", list(_ONE_HEADER))
@pytest.mark.parametrize("where", [*_TARGETS, "installed"])
@pytest.mark.parametrize("bad", list(_BAD))
def test_one_header_refusal_deletes_nothing(impl, operation, where, bad):
    """__setitem__ collapses repeated names and add_vary_header rewrites every
    vary header: nothing is removed before the check."""
    key, value = _BAD[bad]
    if operation != "add_vary_header":
        key = "x-a" if bad != "name" else key     # a name the list repeats
    function = _ONE_HEADER[operation]
    expected = outcome(function, Hardened(raw=list(_BEFORE)), key, value)
    if bad == "name" and operation == "add_vary_header":
        assert expected[0] == "ok"      # the name is vary's
        return
    assert expected[0] == "err", expected
    got, _ = _all_or_nothing(impl, where, lambda headers: function(headers, key, value))
    assert got == expected


def test_latin1_errors_are_starlettes(impl):
    headers = impl.classes.MutableHeaders(raw=[])
    for args in (("\u20ac", "v"), ("k", "\u20ac"), ("k", "\ud800"), (Text("\u20ac"), "v")):
        expected = outcome(StarletteMutableHeaders(raw=[]).__setitem__, *args)
        assert expected[1] is UnicodeEncodeError
        assert outcome(headers.__setitem__, *args) == expected


def test_str_subclass_methods_are_called(impl):
    class Lower(str):
        def lower(self):
            return "lowered"

    class Encode(str):
        def encode(self, *args):
            return b"encoded"

    for make in (impl.classes.MutableHeaders, Hardened):
        raw = []
        headers = make(raw=raw)
        headers[Lower("X")] = Encode("y")
        headers.append(Lower("Z"), "w")
        assert raw == [(b"lowered", b"encoded"), (b"lowered", b"w")]


def test_refusal_looks_at_what_a_str_subclass_gives(impl):
    """A plain-looking name or value whose own lower()/encode() brings CR or LF
    in is refused as Hardened refuses it (the text alone cannot be trusted)."""

    class Lower(str):
        def lower(self):
            return "x\r\ny"

    class Encode(str):
        def encode(self, *args):
            return b"v\n"

    for key, value in ((Lower("X"), "v"), ("x", Encode("v")), (Lower("X"), Encode("v"))):
        for name in ("__setitem__", "append", "setdefault"):
            raw = [(b"a", b"1")]
            expected = outcome(getattr(Hardened(raw=[(b"a", b"1")]), name), key, value)
            assert expected[1] is ValueError
            got = outcome(getattr(impl.classes.MutableHeaders(raw=raw), name), key, value)
            assert got == expected, (name, key, value)
            assert raw == [(b"a", b"1")]


def test_vary_follows_the_installed_release(impl):
    raw = [(b"vary", b"a"), (b"vary", b"b")]
    impl.classes.MutableHeaders(raw=raw).add_vary_header("c")
    expected = [(b"vary", b"a"), (b"vary", b"b")]
    StarletteMutableHeaders(raw=expected).add_vary_header("c")
    assert raw == expected
    assert _common.VARY_JOINS_ALL is (expected == [(b"vary", b"a, b, c")])


def test_subclass_overrides_are_dispatched(impl):
    """update, get and add_vary_header call the subclass's own __setitem__ /
    __getitem__ / getlist, as starlette's do."""
    calls = []

    class Own(impl.classes.MutableHeaders):
        def __setitem__(self, key, value):
            calls.append(("set", key, value))
            super().__setitem__(key, value)

        def __getitem__(self, key):
            calls.append(("get", key))
            return super().__getitem__(key)

        def getlist(self, key):
            calls.append(("getlist", key))
            return super().getlist(key)

    headers = Own(raw=[(b"vary", b"a")])
    headers.update({"x": "1"})
    assert headers.get("x") == "1"
    headers.add_vary_header("b")
    lookup = ("getlist", "vary") if _common.VARY_JOINS_ALL else ("get", "vary")
    assert calls == [("set", "x", "1"), ("get", "x"), lookup, ("set", "vary", "a, b")]


def test_subclass_overrides_are_dispatched_from_the_syntax(impl):
    """A subclass's own methods are what h[k], h[k] = v, del h[k] and k in h
    call, not fastresp's operations its base has in its slots."""
    calls = []

    class Own(impl.classes.MutableHeaders):
        def __setitem__(self, key, value):
            calls.append("set")

        def __delitem__(self, key):
            calls.append("del")

        def __getitem__(self, key):
            calls.append("get")
            return "own"

        def __contains__(self, key):
            calls.append("in")
            return False

    headers = Own(raw=[(b"x", b"1")])
    headers["x"] = "2"
    del headers["x"]
    assert headers["x"] == "own"
    assert "x" not in headers
    assert calls == ["set", "del", "get", "in"]
    assert headers.raw == [(b"x", b"1")]


#: Each item method and the syntax that reaches it through the class's slots.
_SYNTAX_OF = {"__setitem__": (operator.setitem, ("x", "2")),
              "__delitem__": (operator.delitem, ("x",)),
              "__getitem__": (operator.getitem, ("x",)),
              "__contains__": (operator.contains, ("x",))}


@pytest.mark.parametrize("name", list(_SYNTAX_OF))
def test_operations_follow_a_method_set_later(impl, name):
    """A method set on the class after it was set up is what the syntax calls
    (CPython resets the slots), and deleting it again leaves starlette's."""
    function, args = _SYNTAX_OF[name]
    classes = make_classes(impl, "fresh")
    assert items_dispatched_directly(impl, classes.MutableHeaders) is impl.compiled
    calls = []
    original = vars(classes.MutableHeaders)[name]

    def spy(self, *args):
        calls.append(name)
        return original(self, *args)

    setattr(classes.MutableHeaders, name, spy)
    assert not items_dispatched_directly(impl, classes.MutableHeaders)
    function(classes.MutableHeaders(raw=[(b"x", b"1")]), *args)
    assert calls == [name]
    delattr(classes.MutableHeaders, name)
    got, expected = classes.MutableHeaders(raw=[(b"x", b"1")]), Hardened(raw=[(b"x", b"1")])
    assert outcome(function, got, *args) == outcome(function, expected, *args)
    assert got.raw == expected.raw


def test_install_sets_and_uninstall_clears_the_slots():
    """With the active implementation, as install() uses."""
    fastresp.install()
    assert items_dispatched_directly(_impl.ACTIVE, StarletteMutableHeaders) is _impl.ACTIVE.compiled
    headers = StarletteMutableHeaders(raw=[(b"x", b"1")])
    del headers["x"]
    assert headers.raw == []
    fastresp.uninstall()
    assert not items_dispatched_directly(_impl.ACTIVE, StarletteMutableHeaders)
    calls = []
    original = StarletteMutableHeaders.__delitem__
    StarletteMutableHeaders.__delitem__ = lambda self, key: calls.append(key)
    try:
        del headers["x"]
    finally:
        StarletteMutableHeaders.__delitem__ = original
    assert calls == ["x"]


@pytest.mark.compiled
def test_dispatch_items_directly_takes_classes_only(impl):
    slots = impl.slots
    for function, args in ((slots.dispatch_items_directly, (True,)),
                           (slots.dispatch_items_directly_is_on, ())):
        with pytest.raises(TypeError, match=function.__name__):
            function(object(), *args)
    own_dict = type("OwnDict", (dict,), {})   # a class of C slots, dict's
    for cls in (dict, own_dict):               # a built-in type, and a class: left alone
        slots.dispatch_items_directly(cls, True)
        assert not slots.dispatch_items_directly_is_on(cls)
        mapping = cls(a=1)
        del mapping["a"]
        mapping["b"] = 2
        assert mapping["b"] == 2 and "b" in mapping and "a" not in mapping
    plain = type("Plain", (StarletteMutableHeaders,), {})   # starlette's methods: left alone
    slots.dispatch_items_directly(plain, True)
    assert not slots.dispatch_items_directly_is_on(plain)


# -------------------------------------------------------------- construction


def test_construction_matches_starlette(impl):
    mutable = impl.classes.MutableHeaders
    raw = [(b"a", b"1")]
    assert mutable(raw=raw).raw is raw
    for scope in ({"headers": ((b"a", b"1"),)}, {"headers": [(b"b", b"2")]}):
        got, expected = dict(scope), dict(scope)
        got_headers = mutable(scope=got)
        expected_headers = StarletteMutableHeaders(scope=expected)
        assert got == expected and type(got["headers"]) is list
        assert got_headers.raw is got["headers"]
        assert expected_headers.raw is expected["headers"]
    assert mutable().raw == [] and mutable(headers={"X": "y"}).raw == [(b"x", b"y")]
    for kwargs in ({"raw": [], "scope": {"headers": []}}, {"headers": {}, "raw": []},
                   {"headers": {}, "scope": {}}, {"scope": {}}):
        expected = outcome(lambda: StarletteMutableHeaders(**kwargs))
        assert outcome(lambda: mutable(**kwargs)) == expected


def test_headers_property(impl, oracle):
    for name in ("Response", "PlainTextResponse", "JSONResponse", "RedirectResponse"):
        args = ("/x",) if name == "RedirectResponse" else ("x",)
        got = getattr(impl.classes, name)(*args)
        expected = getattr(oracle, name)(*args)
        headers = got.headers
        assert got.headers is headers and got._headers is headers
        assert headers.raw is got.raw_headers and got.raw_headers == expected.raw_headers
        assert isinstance(headers, StarletteMutableHeaders)
    response = impl.classes.Response(b"x")
    response.raw_headers = None
    assert outcome(lambda: response.headers.raw) == ("ok", [])
    with pytest.raises(AttributeError) as error:
        impl.classes.Response().headers = {}
    with pytest.raises(AttributeError) as expected_error:
        oracle.Response().headers = {}
    assert str(error.value) == str(expected_error.value)


def test_fastapi_throwaway_pattern(impl, oracle):
    def pattern(classes):
        sub = classes.Response()
        del sub.headers["content-length"]
        sub.status_code = None
        sub.set_cookie("a", "b")
        sub.headers["x-sub"] = "1"
        response = classes.JSONResponse({"a": 1})
        response.headers.raw.extend(sub.headers.raw)
        return sub.status_code, sub.raw_headers, response.raw_headers, response.body

    assert pattern(impl.classes) == pattern(oracle)


# ----------------------------------------------------------------- __call__


def _messages(response, scope_type):
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():  # pragma: no cover - never awaited by Response
        raise AssertionError

    asyncio.run(response({"type": scope_type}, receive, send))
    return sent


@pytest.mark.parametrize("scope_type", ["http", "websocket"])
@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("name", ["Response", "HTMLResponse", "PlainTextResponse", "JSONResponse",
                                  "RedirectResponse"])
def test_call_messages(impl, oracle, name, scope_type, background):
    def make(classes, log):
        task = BackgroundTask(log.append, "task") if background else None
        content = {"RedirectResponse": "/next", "JSONResponse": {"a": 1}}.get(name, "x")
        response = getattr(classes, name)(content, background=task)
        response.set_cookie("c", "v")
        return response

    got_log, expected_log = [], []
    got = _messages(make(impl.classes, got_log), scope_type)
    expected = _messages(make(oracle, expected_log), scope_type)
    assert got == expected
    assert [list(message) for message in got] == [list(message) for message in expected]
    assert got_log == expected_log == (["task"] if background else [])
    fastresp.install()
    installed_log = []
    assert _messages(make(sr, installed_log), scope_type) == expected
    assert installed_log == expected_log


def test_call_is_the_implementations(impl):
    """Both implementations use the reference's coroutine (see _asgi.pyx for why)."""
    assert impl.asgi.response_call is _asgi_py.response_call
    assert impl.classes.Response.__call__ is impl.asgi.response_call
    assert impl.classes.PlainTextResponse.__call__ is impl.asgi.response_call
    fastresp.install()
    assert sr.StreamingResponse.__call__ is not _impl.ACTIVE.asgi.response_call
    assert sr.FileResponse.__call__ is not _impl.ACTIVE.asgi.response_call
