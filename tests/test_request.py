"""The request side: ``Headers`` reads, ``HTTPConnection.headers`` /
``.cookies`` and ``cookie_parser``, on both implementations, against starlette
itself (its own class and functions as they were before any install()).

Hypothesis drives raw header lists and Cookie headers, hostile ones included
(quotes, backslashes, octal escapes, parts without "=", empty parts, repeated
names, whitespace of every kind str.strip() knows, latin-1 bytes, several Cookie
headers, upper-case names).
"""

from __future__ import annotations

import abc
import gc
import http.cookies
import os
import re
import subprocess
import sys
from typing import Any

import pytest
import starlette.datastructures
import starlette.requests
from hypothesis import given, settings, strategies as st

import fastresp
from fastresp import _common, _install

assert not _install.installed(), "the oracle must be taken from starlette's own classes"

#: starlette's own, as shipped.
ORIGINAL_PARSER = starlette.requests.cookie_parser
PristineHeaders = type("Headers", (starlette.datastructures.Headers,),
                       dict(vars(starlette.datastructures.Headers)))
ORIGINAL_CONNECTION = dict(vars(starlette.requests.HTTPConnection))


def _request_class(impl: Any) -> type:
    return type("Request", (starlette.requests.Request,), impl.request.connection_properties())


def outcome(function: Any, *args: Any) -> tuple:
    """("ok", result, its type) or ("raised", exception type, message)."""
    try:
        result = function(*args)
    except Exception as error:  # noqa: BLE001 - the exception is the outcome
        return ("raised", type(error), str(error))
    return ("ok", result, type(result))


# ---------------------------------------------------------------- strategies

#: The characters that matter to the parser, and some that do not.
COOKIE_ALPHABET = ';=" \\\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\xff\xe9017389abAB,'
cookie_text = st.text(alphabet=COOKIE_ALPHABET, max_size=60)
cookie_parts = st.lists(st.one_of(
    st.tuples(st.text(alphabet="ab \t", max_size=3), st.just("="),
              st.builds(lambda inner: f'"{inner}"', st.text(alphabet='\\"0123478ab;\n', max_size=8))),
    st.tuples(cookie_text, st.sampled_from(["", "=", "=="]), cookie_text),
), max_size=8).map(lambda parts: ";".join("".join(part) for part in parts))
cookie_strings = st.one_of(cookie_text, cookie_parts)

names = st.sampled_from([b"cookie", b"Cookie", b"COOKIE", b"host", b"x-a", b"", b"\xe9"])
header_lists = st.lists(st.tuples(names, st.binary(max_size=12) | cookie_strings.map(
    lambda text: text.encode("latin-1", "replace"))), max_size=8)
lookup_keys = st.sampled_from(["cookie", "Cookie", "HOST", "x-a", "X-A", "", "\xe9", "\xc9",
                               "missing"])


# ------------------------------------------------------------------ cookies

@given(text=cookie_strings)
@settings(max_examples=400)
def test_cookie_parser_is_starlettes(impl, text):
    expected = outcome(ORIGINAL_PARSER, text)
    assert outcome(impl.request.cookie_parser, text) == expected
    again = impl.request.cookie_parser(text)     # the second meets the cache
    assert again == expected[1]
    again["mutated"] = "x"                       # a copy: the cache is not touched
    assert outcome(impl.request.cookie_parser, text) == expected


@pytest.mark.parametrize("text", [
    "", ";", ";;", " ; ", "a", "=", "a=", "=b", " a = b ", "a=b=c", "a=1; a=2", 'a="x\\"y"',
    'a="\\012\\377\\400\\0"', 'a="\\\\"', 'a="\\\n"', 'a="\\"', '"', 'a=""', 'a="x', "\x85a=b\xa0",
    "\x1ca\x1f=\x0bb\x0c", 'a="\\a\\b\\777"', "a=\xff\xe9", 'a="\\3777"',
])
def test_cookie_parser_hostile(impl, text):
    assert outcome(impl.request.cookie_parser, text) == outcome(ORIGINAL_PARSER, text)
    assert list(impl.request.cookie_parser(text)) == list(ORIGINAL_PARSER(text))


class Text(str):
    def split(self, *args: Any) -> Any:  # noqa: D102 - starlette calls it
        return ["x=1", "y=2"]


@pytest.mark.parametrize("value", [b"a=b", None, 3, Text("a=b"), "a=\u20ac; b=\u2003c\u2003",
                                   "\U0001f600=1"])
def test_cookie_parser_other_types(impl, value):
    assert outcome(impl.request.cookie_parser, value) == outcome(ORIGINAL_PARSER, value)


@given(inner=st.text(alphabet='\\"01234567\n;ab', max_size=40))
def test_unquote_is_the_running_pythons(impl, inner):
    """A quoted value is unquoted exactly as http.cookies._unquote does on this
    Python (3.13 rewrote it as one re.sub; the results must not differ)."""
    if ";" in inner:
        inner = inner.replace(";", "")
    value = f'"{inner}"'
    assert impl.request.cookie_parser("k=" + value) == {"k": http.cookies._unquote(value.strip())}


def _linear_unquote(value: str) -> str:
    """http.cookies._unquote as CPython 3.13 writes it (linear): the oracle for
    values too long for 3.11's quadratic loop."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    return re.sub(r'\\(?:([0-3][0-7][0-7])|(.))',
                  lambda m: chr(int(m[1], 8)) if m[1] else m[2], value[1:-1])


@pytest.mark.parametrize("unit", ["\\a", "\\012", "a=b;", "\\\n", "\xe9 "])
def test_huge_cookie(impl, unit):
    """A 64 KiB Cookie header (no quadratic path: this finishes at once)."""
    body = unit * (65536 // len(unit))
    text = f'big="{body}"; small=1'
    if ";" in unit:
        assert impl.request.cookie_parser(text) == ORIGINAL_PARSER(text)
    else:
        expected = {"big": _linear_unquote(f'"{body}"'), "small": "1"}
        assert impl.request.cookie_parser(text) == expected


# ------------------------------------------------------------------ Headers

@given(raw=header_lists, key=lookup_keys)
@settings(max_examples=300)
def test_headers_reads_are_starlettes(impl, raw, key):
    ours, theirs = impl.classes.Headers(raw=list(raw)), PristineHeaders(raw=list(raw))
    for read in (lambda h: h.getlist(key), lambda h: h.get(key), lambda h: h.get(key, 0),
                 lambda h: h[key], lambda h: key in h, lambda h: h.keys(), lambda h: h.values(),
                 lambda h: h.items(), lambda h: list(h), lambda h: len(h), lambda h: h.raw,
                 lambda h: h.mutablecopy().raw, lambda h: type(h.mutablecopy()),
                 lambda h: repr(h).replace("Headers", "H", 1)):
        assert outcome(read, ours) == outcome(read, theirs)
    assert ours == theirs and theirs == ours
    assert (ours == PristineHeaders(raw=list(raw) + [(b"a", b"b")])) is False
    assert ours != dict(ours.items())


@pytest.mark.parametrize("raw", [
    [(b"a", b"1"), [b"b", b"2"]], [(b"a", b"1"), (b"b",)], [(b"a", b"1"), "bc"],
    [(bytearray(b"a"), b"1")], [(b"a", bytearray(b"1"))], [(b"a", "1")], [("a", b"1")],
    [(b"a", b"1", b"2")], [None], (tuple([(b"a", b"1")])),
])
@pytest.mark.parametrize("key", ["a", "A", "b", "z", b"a", 1, "\u20ac"])
def test_headers_odd_lists(impl, raw, key):
    """Items that are not (bytes, bytes) tuples, keys that are not latin-1 text:
    starlette's results and exceptions."""
    ours, theirs = impl.classes.Headers(raw=raw), PristineHeaders(raw=raw)
    for read in (lambda h: h.getlist(key), lambda h: h.get(key), lambda h: key in h,
                 lambda h: h.keys(), lambda h: h.values(), lambda h: h.items(),
                 lambda h: list(h), lambda h: len(h)):
        assert outcome(read, ours) == outcome(read, theirs)


class Key(str):
    def lower(self) -> str:
        return "b"


def test_headers_str_subclass_key(impl):
    raw = [(b"a", b"1"), (b"b", b"2")]
    for key in (Key("a"), Key("A")):
        assert impl.classes.Headers(raw=raw).getlist(key) == PristineHeaders(raw=raw).getlist(key)


@pytest.mark.parametrize("kwargs", [
    {"headers": {"A": "1", "b": "\xe9"}}, {"raw": [(b"a", b"1")]},
    {"scope": {"headers": ((b"a", b"1"),)}}, {}, {"headers": {"a": "1"}, "raw": []},
    {"raw": [], "scope": {}}, {"scope": {}}, {"headers": {"\u20ac": "1"}},
])
def test_headers_construction(impl, kwargs):
    def make(cls: type) -> Any:
        arguments = {name: (dict(value) if isinstance(value, dict) and name == "scope" else value)
                     for name, value in kwargs.items()}
        made = cls(**arguments)
        return made.raw, arguments.get("scope")
    assert outcome(make, impl.classes.Headers) == outcome(make, PristineHeaders)


#: Calls of a Headers class that its __init__ binds or refuses: keywords in any
#: order, positional arguments, a name given twice, an unknown name, too many.
CALLS = [((), {}), ((), {"scope": {"headers": [(b"a", b"1")]}}),
         ((), {"scope": {"headers": [(b"a", b"1")]}, "headers": None, "raw": None}),
         ((), {"raw": [(b"a", b"1")], "headers": None}), ((), {"headers": {"A": "1"}}),
         (({"A": "1"},), {}), ((None, [(b"a", b"1")]), {}), ((None, None, {"headers": []}), {}),
         (({"A": "1"},), {"headers": {"B": "2"}}), ((), {"scope": {"headers": []}, "other": 1}),
         ((), {"Scope": {}}), ((None, None, None, None), {}), ((), {"scope": None}),
         ((), {"scope": {}}), ((), {"raw": [], "scope": {"headers": []}})]


@pytest.mark.parametrize("args, kwargs", CALLS)
@pytest.mark.parametrize("name", ["Headers", "MutableHeaders"])
def test_headers_calls(impl, name, args, kwargs):
    """However the class is called (compiled: through the class's tp_init, see
    _slots.init_directly), the object or the error is starlette's. How Python
    words an arity error depends on what kind of function __init__ is: the
    exception type must match there, and the message everywhere else."""
    pristine = PristineHeaders if name == "Headers" else type(
        "MutableHeaders", (starlette.datastructures.MutableHeaders, PristineHeaders), {})

    def make(cls: type) -> Any:
        copied = {key: dict(value) if isinstance(value, dict) else value
                  for key, value in kwargs.items()}
        made = cls(*args, **copied)
        return made.raw, copied.get("scope")
    got, expected = outcome(make, getattr(impl.classes, name)), outcome(make, pristine)
    if expected[0] == "raised" and expected[1] is TypeError:
        assert got[:2] == expected[:2]
    else:
        assert got == expected


def test_headers_calls_follow_init_set_later(impl):
    """An __init__ set on the class, or on a base, after it was set up is what
    calling the class runs (CPython resets the slot); a subclass runs its own."""
    from fastresp._classes import make_classes
    classes = make_classes(impl, "fresh")
    assert impl.compiled is bool(impl.slots and impl.slots.init_directly_is_on(classes.Headers))
    calls = []
    classes.Headers.__init__ = lambda self, **kwargs: calls.append(("Headers", kwargs))
    assert not (impl.slots and impl.slots.init_directly_is_on(classes.Headers))
    classes.Headers(scope={"headers": []})
    sub = type("Sub", (impl.classes.MutableHeaders,),
               {"__init__": lambda self, **kwargs: calls.append(("Sub", kwargs))})
    sub(raw=[])
    assert calls == [("Headers", {"scope": {"headers": []}}), ("Sub", {"raw": []})]
    base = make_classes(impl, "fresh")
    original = starlette.datastructures.Headers.__init__
    try:
        starlette.datastructures.Headers.__init__ = lambda self, **kwargs: calls.append("base")
        base.MutableHeaders.__init__ = starlette.datastructures.Headers.__init__
        assert not (impl.slots and impl.slots.init_directly_is_on(base.MutableHeaders))
        base.MutableHeaders(raw=[])
    finally:
        starlette.datastructures.Headers.__init__ = original
    assert calls[-1] == "base"


@pytest.mark.compiled
def test_init_directly_takes_headers_classes_only(impl):
    slots = impl.slots
    for function, args in ((slots.init_directly, (True,)), (slots.init_directly_is_on, ())):
        with pytest.raises(TypeError, match=function.__name__):
            function(object(), *args)
    for cls in (dict, type("Own", (dict,), {}), PristineHeaders):   # not _asgi's __init__
        slots.init_directly(cls, True)
        assert not slots.init_directly_is_on(cls)
    assert dict(a=1) == {"a": 1} and PristineHeaders(raw=[(b"a", b"1")])["a"] == "1"


#: ``abc.ABCMeta``'s Py_TPFLAGS_HAVE_VECTORCALL: CPython calls an ABCMeta
#: class (Headers, MutableHeaders and Request are Mappings) through its
#: tp_vectorcall only where the metaclass has it (from 3.12 on by inheritance;
#: before, _slots sets it).
HAVE_VECTORCALL = 1 << 11


@pytest.mark.compiled
def test_called_without_type_call(impl):
    assert abc.ABCMeta.__flags__ & HAVE_VECTORCALL
    for cls in (impl.classes.Headers, impl.classes.MutableHeaders):
        assert impl.slots.called_without_type_call(cls)
        assert impl.slots.init_directly_is_on(cls)
    plain = type("Plain", (impl.classes.Headers,), {})
    assert not impl.slots.called_without_type_call(plain)


@pytest.mark.compiled
def test_other_abcmeta_classes_are_called_as_before(impl):
    """With ABCMeta's vectorcall flag set, a class whose tp_vectorcall is not
    _call is still made by type.__call__: __new__, __init__, a metaclass's own
    __call__, and every calling form."""
    made = []

    class Base(abc.ABC):
        def __new__(cls, *args, **kwargs):
            made.append(("new", args, kwargs))
            return super().__new__(cls)

        def __init__(self, *args, **kwargs):
            made.append(("init", args, kwargs))

    class Meta(abc.ABCMeta):
        def __call__(cls, *args, **kwargs):
            made.append(("call", args, kwargs))
            return super().__call__(*args, **kwargs)

    class Counted(Base, metaclass=Meta):
        pass

    assert isinstance(Base(1, b=2), Base) and isinstance(Base(*[1], **{"b": 2}), Base)
    assert isinstance(Counted(3), Counted)
    assert made == [("new", (1,), {"b": 2}), ("init", (1,), {"b": 2})] * 2 + [
        ("call", (3,), {}), ("new", (3,), {}), ("init", (3,), {})]
    with pytest.raises(TypeError, match="abstract"):
        type("Abstract", (abc.ABC,), {"f": abc.abstractmethod(lambda self: None)})()


_ABCMETA_CALL_SET_LATER = """
import abc
import fastresp
calls = []
abc.ABCMeta.__call__ = lambda cls, *args, **kwargs: calls.append(cls) or type.__call__(
    cls, *args, **kwargs)
made = fastresp.Headers(scope={"headers": [(b"a", b"1")]})
assert calls == [fastresp.Headers] and made.raw == [(b"a", b"1")], calls
del abc.ABCMeta.__call__
assert fastresp.Headers(raw=[]).raw == [] and calls == [fastresp.Headers], calls
print("ok")
"""


@pytest.mark.compiled
def test_headers_call_follows_abcmeta_call_set_later():
    """Someone setting ABCMeta.__call__ is heard by the classes _call makes (in
    a process of its own: from 3.12 CPython then clears ABCMeta's vectorcall
    flag for good)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [root] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))}
    result = subprocess.run([sys.executable, "-c", _ABCMETA_CALL_SET_LATER], capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr


def test_install_sets_and_uninstall_clears_init_directly():
    """With the active implementation, as install() uses."""
    active = fastresp._impl.ACTIVE
    classes = (starlette.datastructures.Headers, starlette.datastructures.MutableHeaders)
    fastresp.install()
    try:
        for cls in classes:
            assert bool(active.slots and active.slots.init_directly_is_on(cls)) is active.compiled
            assert bool(active.slots and active.slots.called_without_type_call(cls)) is (
                active.compiled)
            assert cls(scope={"headers": ((b"a", b"1"),)}).raw == [(b"a", b"1")]
        assert bool(active.slots and active.slots.called_without_type_call(
            starlette.requests.Request)) is (active.compiled and _common.request_inits_checked())
    finally:
        fastresp.uninstall()
    assert not any(active.slots and active.slots.init_directly_is_on(cls) for cls in classes)
    assert not any(active.slots and active.slots.called_without_type_call(cls)
                   for cls in (*classes, starlette.requests.Request))


async def _receive_other() -> dict:
    return {}


async def _send_other(message: dict) -> None:
    pass


#: Calls of starlette's Request: positional and keyword receive and send, the
#: scope by name, a name given twice or unknown, too many arguments, a
#: websocket scope, a scope without a type, scopes that are not dicts.
REQUEST_CALLS = [
    (({"type": "http"},), {}), (({"type": "http"}, _receive_other), {}),
    (({"type": "http"}, _receive_other, _send_other), {}),
    (({"type": "http"},), {"send": _send_other}), (({"type": "http"},), {"receive": None}),
    (({"type": "http"},), {"receive": _receive_other, "send": _send_other}),
    ((), {"scope": {"type": "http"}}), (({"type": "http"}, _receive_other), {"receive": None}),
    (({"type": "http"},), {"other": 1}), (({"type": "http"}, None, None, None), {}), ((), {}),
    (({"type": "websocket"},), {}), (({"type": "other"},), {}), (({},), {}), ((None,), {}),
    ((starlette.datastructures.Headers(raw=[(b"type", b"http")]),), {}),
]


def _under_install(function: Any) -> Any:
    """function() with fastresp installed."""
    fastresp.install()
    try:
        return function()
    finally:
        fastresp.uninstall()


def _made_request(args: tuple, kwargs: dict) -> Any:
    request = starlette.requests.Request(*args, **kwargs)
    return list(vars(request).items())


@pytest.mark.parametrize("args, kwargs", REQUEST_CALLS)
def test_request_construction_under_install(args, kwargs):
    """Under install() (compiled: Request's tp_init, _slots.init_request_directly)
    a Request is made as starlette makes it: the same attributes in the same
    order, or the same error."""
    expected = outcome(_made_request, args, kwargs)
    assert _under_install(lambda: outcome(_made_request, args, kwargs)) == expected


class _CountingScope(dict):
    """A scope that is not a dict exactly, and logs the keys read from it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list = []

    def __getitem__(self, key: Any) -> Any:
        self.reads.append(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_request_construction_reads_the_scope_as_starlette(kind):
    """starlette's two __init__ each read scope["type"]; fastresp reads it once
    only from a dict, whose second read could not differ."""
    def reads() -> list:
        scope = _CountingScope(type=kind, headers=[(b"cookie", b"a=1")])
        outcome(starlette.requests.Request, scope)
        return scope.reads
    expected = reads()
    assert _under_install(reads) == expected


def test_request_construction_reads_type_again_after_a_setattr():
    """A __setattr__ on Request runs between starlette's two reads of
    scope["type"]: what it changes there is what the second assert sees."""
    def setattr_(self: Any, name: str, value: Any) -> None:
        if name == "scope":
            value["type"] = "websocket"
        object.__setattr__(self, name, value)

    def made() -> tuple:
        starlette.requests.Request.__setattr__ = setattr_
        try:
            return outcome(_made_request, ({"type": "http"},), {})
        finally:
            del starlette.requests.Request.__setattr__
    expected = made()
    assert expected[:2] == ("raised", AssertionError)
    assert _under_install(made) == expected


def test_request_construction_without_asserts():
    """Under python -O starlette's asserts are gone, and so are fastresp's."""
    code = ("import fastresp, starlette.requests as r; fastresp.install(); "
            "print(sorted(vars(r.Request({'type': 'websocket'}))))")
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == str(sorted(
        ["scope", "_receive", "_send", "_stream_consumed", "_is_disconnected", "_form"]))


def test_request_construction_follows_init_set_later():
    """An __init__ set on Request or on HTTPConnection while installed is what
    making a Request runs (CPython resets the slot for the first; the slot
    checks HTTPConnection's on every call); a subclass runs its own."""
    active = fastresp._impl.ACTIVE
    calls = []
    fastresp.install()
    try:
        assert bool(active.slots and active.slots.init_request_directly_is_on(
            starlette.requests.Request)) is (active.compiled and _common.request_inits_checked())
        sub = type("Sub", (starlette.requests.Request,),
                   {"__init__": lambda self, scope: calls.append("sub")})
        sub({"type": "http"})
        for owner in (starlette.requests.HTTPConnection, starlette.requests.Request):
            original = vars(owner)["__init__"]
            owner.__init__ = lambda self, scope, *args, _name=owner.__name__: calls.append(_name)
            try:
                request = starlette.requests.Request({"type": "http"})
            finally:
                owner.__init__ = original
            # Request's own __init__ calls HTTPConnection's through super().
            assert calls[-1] == owner.__name__
            assert ("scope" in vars(request)) is False
            assert ("_form" in vars(request)) is (owner is starlette.requests.HTTPConnection)
    finally:
        fastresp.uninstall()
    assert calls[0] == "sub" and calls[-1] == "Request"
    assert not (active.slots and active.slots.init_request_directly_is_on(starlette.requests.Request))


def test_subclass_overrides_are_called(impl):
    """__iter__ calls self.keys(); get calls self[key]: a subclass's own are used."""
    cls = impl.classes.Headers
    sub = type("Sub", (cls,), {"keys": lambda self: ["k"],
                               "__getitem__": lambda self, key: "v"})
    headers = sub(raw=[(b"a", b"1")])
    assert list(headers) == ["k"] and headers.get("zzz") == "v"


# -------------------------------------------------------- HTTPConnection

def _scope(raw: list) -> dict:
    return {"type": "http", "method": "GET", "path": "/", "query_string": b"",
            "headers": list(raw)}


@given(raw=header_lists)
@settings(max_examples=300)
def test_request_headers_and_cookies(impl, raw):
    request_class = _request_class(impl)
    theirs = starlette.requests.Request(_scope(raw))
    ours = request_class(_scope(raw))
    assert outcome(lambda r: r.cookies, ours) == outcome(lambda r: r.cookies, theirs)
    assert outcome(lambda r: list(r.cookies), ours) == outcome(lambda r: list(r.cookies), theirs)
    assert ours.headers.raw == theirs.headers.raw
    assert type(ours.headers) is type(theirs.headers)
    assert ours.cookies is ours.cookies and ours.headers is ours.headers
    assert ours.scope["headers"] == theirs.scope["headers"]
    assert ours.scope["headers"] is ours.headers._list


def test_several_cookie_headers(impl):
    raw = [(b"cookie", b"a=1; b=2"), (b"x", b"y"), (b"cookie", b"a=3; c=4"), (b"cookie", b"")]
    request = _request_class(impl)(_scope(raw))
    expected = starlette.requests.Request(_scope(raw)).cookies
    assert request.cookies == expected and list(request.cookies) == list(expected)
    if _common.COOKIES_READ_ALL:
        assert expected == {"a": "3", "b": "2", "c": "4"}
    else:
        assert expected == {"a": "1", "b": "2"}


def test_cookies_are_fresh_per_request(impl):
    raw = [(b"cookie", b"a=1; b=2")]
    request_class = _request_class(impl)
    first = request_class(_scope(raw)).cookies
    first["a"] = "changed"
    assert request_class(_scope(raw)).cookies == {"a": "1", "b": "2"}


def test_cookies_odd_headers_object(impl):
    """A Request subclass whose headers are not a Headers: starlette's calls."""
    class Odd:
        def getlist(self, key: str) -> list:
            return ["a=1", "b=2"]

        def get(self, key: str) -> str:
            return "a=1"

    cls = type("R", (_request_class(impl),), {"headers": property(lambda self: Odd())})
    base = type("R", (starlette.requests.Request,), {"headers": property(lambda self: Odd())})
    assert cls(_scope([])).cookies == base(_scope([])).cookies


def test_cookies_read_through_getattribute(impl):
    """A class with its own __getattribute__ sees every attribute cookies and
    headers read, in starlette's order."""
    def reads(base: type) -> list:
        seen: list = []

        def getattribute(self: Any, name: str) -> Any:
            seen.append(name)
            return object.__getattribute__(self, name)
        cls = type("R", (base,), {"__getattribute__": getattribute})
        request = cls(_scope([(b"cookie", b"a=1"), (b"x", b"y")]))
        seen.clear()
        assert request.cookies == {"a": "1"}
        return seen
    assert reads(_request_class(impl)) == reads(starlette.requests.Request)


@pytest.mark.parametrize("headers", [list, tuple, iter, lambda items: []])
@pytest.mark.parametrize("scope_type", [dict, _CountingScope])
def test_headers_scope_list_is_replaced_as_starlette(impl, headers, scope_type):
    """Headers(scope=...) puts its own list into the scope: a copy, the object
    its raw is, read from the scope as starlette reads it."""
    def made(cls: type) -> tuple:
        given = headers([(b"a", b"1"), (b"b", b"2")])
        scope = scope_type(headers=given)
        result = cls(scope=scope)
        return (result.raw, result.raw is scope["headers"], scope["headers"] is given,
                type(scope["headers"]), getattr(scope, "reads", None))
    assert made(impl.classes.Headers) == made(PristineHeaders)


# ------------------------------------------- classes and scopes that run code
#
# Code a class or a scope runs in the middle of making a Headers, a Request or
# their cookies sees, and changes, what it would under starlette.

def test_headers_setattr_sees_every_store(impl):
    """A Headers subclass's __setattr__ sees starlette's two stores, the empty
    list first, for scope= and for raw=."""
    def stores(base: type) -> list:
        log: list = []

        class Logged(base):
            def __setattr__(self, name: str, value: Any) -> None:
                log.append((name, list(value)))
                object.__setattr__(self, name, value)
        Logged(scope={"headers": [(b"a", b"1")]})
        Logged(raw=[(b"b", b"2")])
        return log
    assert stores(impl.classes.Headers) == stores(PristineHeaders)


def test_cookies_when_reading_the_scope_runs_code(impl):
    """A scope property plants a _headers whose __del__, run when the getter
    stores the new Headers over it, swaps that Headers' list."""
    def read(base: type) -> tuple:
        class Planted:
            def __init__(self, request: Any) -> None:
                self.request = request

            def __del__(self) -> None:
                made = self.request.__dict__["_headers"]
                made._list = [(b"cookie", b"b=2")]
                self.request.__dict__["scope"]["headers"] = made._list

        class Planting(base):
            @property
            def scope(self) -> Any:
                if not self.__dict__.get("planted"):
                    self.__dict__["planted"] = True
                    self.__dict__["_headers"] = Planted(self)
                return self.__dict__["scope"]

            @scope.setter
            def scope(self, value: Any) -> None:
                self.__dict__["scope"] = value
        request = Planting({"type": "http", "headers": [(b"cookie", b"a=1")]})
        return request.cookies, request.headers.raw
    assert read(_request_class(impl)) == read(starlette.requests.Request)


def test_request_construction_when_the_scope_type_runs_code():
    """The first assert's `in` runs the type's __eq__, and storing the scope a
    data descriptor's setter: each may change scope["type"] before starlette's
    second read of it."""
    class Kind:
        def __init__(self, scope: dict) -> None:
            self.scope = scope

        def __eq__(self, other: object) -> bool:
            self.scope["type"] = "websocket"
            return True
        __hash__ = object.__hash__

    def changed_by_eq() -> tuple:
        scope: dict = {"headers": []}
        scope["type"] = Kind(scope)
        return outcome(starlette.requests.Request, scope)[:2]

    def changed_by_setter() -> tuple:
        def store(self: Any, value: dict) -> None:
            value["type"] = "websocket"
            self.__dict__["scope"] = value
        starlette.requests.Request.scope = property(lambda self: self.__dict__["scope"], store)
        try:
            return outcome(starlette.requests.Request, {"type": "http", "headers": []})[:2]
        finally:
            del starlette.requests.Request.scope
    for made in (changed_by_eq, changed_by_setter):
        expected = made()
        assert expected == ("raised", AssertionError)
        assert _under_install(made) == expected


def test_cookie_parser_lookup_that_raises():
    """starlette looks cookie_parser up only to parse a Cookie header: a
    colliding key whose __eq__ raises is met only there (and nothing is left
    for sys.unraisablehook, where CPython 3.13 reports a lookup's swallowed
    error)."""
    class Colliding:
        armed = False
        calls = 0

        def __hash__(self) -> int:
            return hash("cookie_parser")

        def __eq__(self, other: object) -> bool:
            if Colliding.armed:
                Colliding.calls += 1
                raise RuntimeError("eq")
            return NotImplemented
    names = vars(starlette.requests)
    parser = names.pop("cookie_parser")
    key = Colliding()
    names[key] = None
    names["cookie_parser"] = parser

    def read() -> list:
        results = []
        for headers in ([(b"host", b"x")], [(b"cookie", b"")], [(b"cookie", b"a=1")]):
            Colliding.armed, Colliding.calls = True, 0
            try:
                result = outcome(lambda: starlette.requests.Request(
                    {"type": "http", "headers": headers}).cookies)
            finally:
                Colliding.armed = False
            results.append((result[:2], Colliding.calls))
        return results
    unraisable: list = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        expected = read()
        assert expected[0] == (("ok", {}), 0) and expected[2] == (("raised", RuntimeError), 1)
        assert _under_install(read) == expected
    finally:
        sys.unraisablehook = hook
        del names[key]
        assert starlette.requests.cookie_parser is parser
    assert unraisable == []


def test_headers_classes_that_run_code(impl, monkeypatch):
    """starlette.requests.Headers rebound to a class with its own __init__, a
    metaclass with its own __call__, or one that reading the scope drops:
    request.headers is made by it, once, reading _headers once."""
    log: list = []

    class Own(starlette.datastructures.Headers):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            log.append("Own.__init__")
            super().__init__(*args, **kwargs)

    class Meta(type(starlette.datastructures.Headers)):
        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            log.append("Meta.__call__")
            return super().__call__(*args, **kwargs)

    class Called(starlette.datastructures.Headers, metaclass=Meta):
        pass

    def made(base: type, cls: type) -> tuple:
        monkeypatch.setattr(starlette.requests, "Headers", cls)

        class Missing(base):
            def __getattr__(self, name: str) -> Any:
                log.append(name)
                raise AttributeError(name)
        log.clear()
        headers = Missing({"type": "http", "headers": [(b"a", b"1")]}).headers
        return type(headers), headers.raw, list(log)
    for cls in (Own, Called):
        assert made(_request_class(impl), cls) == made(starlette.requests.Request, cls)

    def dropped(base: type) -> tuple:
        monkeypatch.setattr(starlette.requests, "Headers", type(
            "Dropped", (starlette.datastructures.Headers,), {}))

        class Dropping(base):
            @property
            def scope(self) -> Any:
                starlette.requests.Headers = starlette.datastructures.Headers
                gc.collect()
                return self.__dict__["scope"]

            @scope.setter
            def scope(self, value: Any) -> None:
                self.__dict__["scope"] = value
        return type(Dropping({"type": "http", "headers": []}).headers).__name__
    assert dropped(_request_class(impl)) == dropped(starlette.requests.Request) == "Dropped"


def test_classes_changed_after_a_first_request(impl, monkeypatch):
    """fastresp remembers a class it found plain until the class changes: a
    scope property set on the Request class, or a __setattr__ on the Headers
    class, after a first request's cookies, is met by the next request's."""
    def read(base: type) -> tuple:
        headers_class = type("Sub", (starlette.datastructures.Headers,), {})
        monkeypatch.setattr(starlette.requests, "Headers", headers_class)
        request_class = type("Later", (base,), {})

        def cookies(value: bytes) -> dict:
            return request_class({"type": "http", "headers": [(b"cookie", value)]}).cookies
        first = cookies(b"a=1")
        stores: list = []

        def setattr_(self: Any, name: str, value: Any) -> None:
            stores.append((name, list(value)))
            object.__setattr__(self, name, value)
        headers_class.__setattr__ = setattr_

        class Planted:
            def __init__(self, request: Any) -> None:
                self.request = request

            def __del__(self) -> None:
                made = self.request.__dict__["_headers"]
                object.__setattr__(made, "_list", [(b"cookie", b"c=3")])

        def scope(self: Any) -> Any:
            if not self.__dict__.get("planted"):
                self.__dict__["planted"] = True
                self.__dict__["_headers"] = Planted(self)
            return self.__dict__["scope"]
        request_class.scope = property(scope, lambda self, value: self.__dict__.update(scope=value))
        return first, cookies(b"b=2"), stores
    assert read(_request_class(impl)) == read(starlette.requests.Request)


# ------------------------------------------------------------ install()

def test_install_and_uninstall_restore_exactly():
    before = (dict(vars(starlette.datastructures.Headers)),
              dict(vars(starlette.datastructures.MutableHeaders)),
              dict(vars(starlette.requests.HTTPConnection)), starlette.requests.cookie_parser)
    fastresp.install()
    try:
        assert starlette.requests.cookie_parser is fastresp.cookie_parser
        request = starlette.requests.Request(_scope([(b"cookie", b"a=1"), (b"Host", b"h")]))
        assert request.cookies == {"a": "1"} and request.headers.get("host") is None
        mutable = starlette.datastructures.MutableHeaders(raw=[(b"a", b"1")])
        mutable["b"] = "2"
        assert mutable.items() == [("a", "1"), ("b", "2")] and mutable.raw is mutable._list
        assert repr(mutable) == "MutableHeaders({'a': '1', 'b': '2'})"
    finally:
        fastresp.uninstall()
    after = (dict(vars(starlette.datastructures.Headers)),
             dict(vars(starlette.datastructures.MutableHeaders)),
             dict(vars(starlette.requests.HTTPConnection)), starlette.requests.cookie_parser)
    assert after == before


def test_public_names():
    assert issubclass(fastresp.Headers, starlette.datastructures.Headers)
    assert fastresp.Headers(raw=[(b"a", b"1")]).getlist("A") == ["1"]
    assert fastresp.cookie_parser("a=1") == {"a": "1"}
