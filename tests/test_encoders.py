"""fastresp's jsonable_encoder against FastAPI's own (the oracle), on both
implementations (``impl.encoders.wrap(FastAPI's function)``).

For every generated document and call:

* the outcome is FastAPI's: an equal result of the same structure (every
  container of the same type, keys in the same order, leaves of the same type),
  or an exception of the same type with the same message (RecursionError: the
  same type, and the message starts alike: which C call hits the limit depends
  on the stack depth, for FastAPI alone too);
* the result is a new tree: none of its containers is one of the document's;
* for a document FastAPI returns as a new tree of the document's own leaves,
  fastresp's leaves are the very same objects (checked against FastAPI's,
  position by position);
* user code in the document runs exactly as often as under FastAPI's function
  alone: the fast path itself runs none.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import math
import sys
from collections import OrderedDict, deque
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

fastapi = pytest.importorskip("fastapi", reason="fastapi is not importable in this environment")
from fastapi.encoders import jsonable_encoder as FASTAPI  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

from fastresp._common import (  # noqa: E402
    JSONABLE_DEFAULTS, JSONABLE_MAX_DEPTH, jsonable_signature_known,
)
from oracle import DictSub, ListSub, Text, TupleSub  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="session")
def encoder(impl):
    """impl's jsonable_encoder in front of FastAPI's."""
    return impl.encoders.wrap(FASTAPI)


# --------------------------------------------------------------------- oracle

def _outcome(function, *args, **kwargs):
    try:
        return ("ok", function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every exception is a result here
        return ("err", type(error), str(error))


def _containers(tree, seen=None):
    """ids of every dict and list in tree (cycles allowed)."""
    seen = set() if seen is None else seen
    if isinstance(tree, (dict, list, tuple)) and id(tree) not in seen:
        seen.add(id(tree))
        for item in (tree.values() if isinstance(tree, dict) else tree):
            _containers(item, seen)
        if isinstance(tree, dict):
            for key in tree:
                _containers(key, seen)
    return seen


def assert_same_tree(got, expected, identical):
    """got has expected's structure and values; with identical, every leaf (and
    key) is the very object expected holds."""
    assert type(got) is type(expected), (got, expected)
    if type(expected) is dict:
        assert len(got) == len(expected)
        for (got_key, got_value), (key, value) in zip(got.items(), expected.items()):
            assert_same_tree(got_key, key, identical)
            assert_same_tree(got_value, value, identical)
    elif type(expected) is list:
        assert len(got) == len(expected)
        for got_item, item in zip(got, expected):
            assert_same_tree(got_item, item, identical)
    elif identical:
        assert got is expected, (got, expected)
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected, (got, expected)


def check(encoder, document, *args, identical=False, **kwargs):
    """encoder(document, *args, **kwargs) gives FastAPI's outcome (see the module
    docstring); identical: its leaves must be FastAPI's very objects."""
    expected = _outcome(FASTAPI, document, *args, **kwargs)
    got = _outcome(encoder, document, *args, **kwargs)
    if expected[0] == "err":
        assert got[:2] == expected[:2], (got, expected)
        if expected[1] is RecursionError:
            assert got[2].startswith("maximum recursion depth exceeded"), got
        else:
            assert got[2] == expected[2]
        return got
    assert got[0] == "ok", got
    assert_same_tree(got[1], expected[1], identical)
    assert not _containers(got[1]) & _containers(document), "a container of the document was returned"
    return got[1]


# --------------------------------------------------------------- documents

FLOATS = [0.0, -0.0, 1e-07, 1e16, 5e-324, 1.7976931348623157e308, math.nan, math.inf, -math.inf]
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(FLOATS),
    st.text(), st.text(alphabet="\x00\x1f\u2028\U0001f600\ud800é"),
)
#: Keys, "_sa" prefixes often.
keys = st.one_of(st.text(max_size=8),
                 st.sampled_from(["_sa", "_sa_instance_state", "_sax", "_s", "_", "sa", "_SA", "x_sa", ""]),
                 st.text(max_size=4).map(lambda text: "_sa" + text))


def _exact(children):
    return st.one_of(st.lists(children, max_size=6), st.lists(children, max_size=6).map(tuple),
                     st.dictionaries(keys, children, max_size=6))


exact_documents = st.recursive(leaves, _exact, max_leaves=40)


class Int(int):
    pass


class Float(float):
    pass


class Color(enum.Enum):
    RED = "red"
    ONE = 1


class StrColor(str, enum.Enum):
    BLUE = "blue"


class IntLevel(enum.IntEnum):
    LOW = 1


class Model(BaseModel):
    name: str
    price: float = 1.5
    nested: dict = {}
    alias_field: int = Field(default=0, alias="aliasField")


@dataclasses.dataclass
class Point:
    x: int
    y: object = None


class Plain:
    """No encoder: FastAPI falls back to vars()."""

    def __init__(self, value):
        self.value = value
        self._sa_state = "dropped"


class Opaque:
    """Neither dict() nor vars() work: FastAPI raises ValueError."""

    __slots__ = ()


others = st.one_of(
    st.text().map(Text), st.integers().map(Int), st.floats(allow_nan=True).map(Float),
    st.sampled_from([Color.RED, Color.ONE, StrColor.BLUE, IntLevel.LOW]),
    st.builds(Model, name=st.text(max_size=5), price=st.floats(allow_nan=False), nested=st.dictionaries(keys, leaves, max_size=3)),
    st.builds(Point, x=st.integers(), y=st.one_of(st.none(), st.text(max_size=3), st.lists(st.integers(), max_size=3))),
    st.datetimes(timezones=st.just(timezone.utc)), st.dates(), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.uuids(), st.binary(max_size=5).map(lambda data: data.hex().encode()),
    st.sets(st.integers(), max_size=4), st.frozensets(st.text(max_size=3), max_size=4),
    st.lists(st.integers(), max_size=3).map(deque), st.builds(Plain, leaves), st.just(Opaque()),
)
odd_keys = st.one_of(st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False),
                     st.text(max_size=4).map(Text), st.sampled_from([Color.RED, StrColor.BLUE]),
                     st.tuples(st.integers(), st.text(max_size=2)))


def _mixed(children):
    return st.one_of(
        _exact(children),
        st.dictionaries(st.one_of(keys, odd_keys), children, max_size=5),
        st.lists(children, max_size=4).map(ListSub), st.lists(children, max_size=4).map(TupleSub),
        st.dictionaries(keys, children, max_size=4).map(DictSub),
        st.dictionaries(keys, children, max_size=4).map(OrderedDict),
    )


mixed_documents = st.recursive(st.one_of(leaves, others), _mixed, max_leaves=30)


# ------------------------------------------------------------------ tests

@SETTINGS
@given(exact_documents)
@example({"a": 1, "b": [1, 2, 3]})
@example({"_sa_instance_state": object(), "_sa": [object()], "id": 1})   # values never looked at
@example((1, (2, (3,)), {"t": ()}))
@example([math.nan, -math.inf, 2**100, -0.0, "\ud800"])
def test_exact_documents(encoder, document):
    result = check(encoder, document, identical=True)
    if isinstance(document, (dict, list, tuple)):
        assert result is not document


@SETTINGS
@given(mixed_documents)
@example({1: "int key", "a": 2})
@example({"a": [1, {"b": Text("sub")}]})
@example([{"deep": [[[Color.RED]]]}])
@example({"_sa_skip": Opaque(), "x": Opaque()})
def test_mixed_documents(encoder, document):
    check(encoder, document)


def _argument_sets():
    values = {
        "include": st.one_of(st.none(), st.sets(keys, max_size=3), st.lists(keys, max_size=2)),
        "exclude": st.one_of(st.none(), st.sets(keys, max_size=3), st.dictionaries(keys, st.just(True), max_size=2)),
        "by_alias": st.sampled_from([True, False, 1, 0]),
        "exclude_unset": st.sampled_from([False, True, 0]),
        "exclude_defaults": st.sampled_from([False, True, 0]),
        "exclude_none": st.sampled_from([False, True, 0, None]),
        "custom_encoder": st.sampled_from([None, {}, {float: repr}, {str: str.upper, int: lambda v: -v},
                                           {Color: lambda c: c.name}, {datetime: lambda d: "when"}]),
        "sqlalchemy_safe": st.sampled_from([True, False, 1, 0]),
    }
    return st.fixed_dictionaries({}, optional=values)


@SETTINGS
@given(st.one_of(exact_documents, mixed_documents), _argument_sets(), st.integers(0, 8))
def test_arguments(encoder, document, arguments, positional):
    """Any arguments, some passed by position (in FastAPI's order)."""
    names = [name for name, _ in JSONABLE_DEFAULTS]
    args = []
    for name in names[:positional]:
        if name not in arguments:
            break
        args.append(arguments.pop(name))
    check(encoder, document, *args, **arguments)


@pytest.mark.parametrize("call", [
    lambda f, doc: f(doc, None, None, True, False, False, False, None, True),
    lambda f, doc: f(doc, include=None, exclude=None, by_alias=True, exclude_unset=False,
                     exclude_defaults=False, exclude_none=False, custom_encoder=None,
                     sqlalchemy_safe=True),
    lambda f, doc: f(doc, None, exclude_none=False, sqlalchemy_safe=True),
    lambda f, doc: f(doc),
], ids=["positional", "keywords", "mixed"] + ["none"])
def test_explicit_defaults_take_the_fast_path(encoder, call):
    """Arguments given explicitly with their default values: still FastAPI's
    result of the document's own leaves, and no user code runs (a dict subclass
    inside would, so the document is all exact)."""
    leaf = "shared leaf"
    document = {"row": [leaf, 1.5, (None, True)], "_sa_x": 1}
    got = call(encoder, document)
    assert_same_tree(got, call(FASTAPI, document), identical=True)
    assert got == {"row": ["shared leaf", 1.5, [None, True]]} and got["row"][0] is leaf


@pytest.mark.parametrize("args, kwargs", [
    ((), {}), ((), {"obj": {"a": 1}}), (({"a": 1},), {"obj": 2}), (({"a": 1},), {"bogus": 1}),
    (({"a": 1}, None, None, True, False, False, False, None, True, "extra"), {}),
    (({"a": 1}, None), {"include": None}), ((1,), {"include": None, "exclude_none": 0}),
])
def test_unusual_calls_get_fastapis_answer(encoder, args, kwargs):
    """Calls the fast path does not take, invalid ones included: FastAPI's
    result, or its TypeError with its message."""
    check_args = args[1:] if args else ()
    document = args[0] if args else None
    if args:
        check(encoder, document, *check_args, **kwargs)
    else:
        assert _outcome(encoder, **kwargs) == _outcome(FASTAPI, **kwargs)


#: Tests that drive the interpreter to its recursion limit. On PyPy that limit
#: is not a count of Python frames (the JIT inlines them), so the one-frame
#: rule cannot be checked there, and unwinding a RecursionError through
#: thousands of JIT frames took minutes, now and then, in CI (the same tests
#: passed in seconds on other runs). CPython checks all of them.
at_recursion_limit = pytest.mark.skipif(
    sys.implementation.name == "pypy",
    reason="PyPy's recursion limit is not a frame count, and unwinding it through JIT frames can take minutes")


def _nested(depth, leaf=1, kind=list):
    document = leaf
    for _ in range(depth):
        document = kind([document]) if kind is not dict else {"k": document}
    return document


@pytest.mark.parametrize("kind", [list, tuple, dict])
@pytest.mark.parametrize("depth", [1, JSONABLE_MAX_DEPTH - 1, JSONABLE_MAX_DEPTH,
                                   JSONABLE_MAX_DEPTH + 1, 300,
                                   pytest.param(5000, marks=at_recursion_limit)])
def test_deep_documents(encoder, depth, kind):
    """Below the bound on the fast path, above it FastAPI's (a RecursionError when
    FastAPI raises one)."""
    check(encoder, _nested(depth, "leaf", kind), identical=True)


def test_deep_document_with_odd_leaf_at_the_bottom(encoder):
    check(encoder, _nested(JSONABLE_MAX_DEPTH - 5, Text("bottom")))
    check(encoder, _nested(JSONABLE_MAX_DEPTH - 5, date(2020, 1, 2), dict))


@at_recursion_limit
def test_cycles(encoder):
    cyclic_list = [1]
    cyclic_list.append(cyclic_list)
    cyclic_dict = {"a": 1}
    cyclic_dict["self"] = cyclic_dict
    through = {"rows": [{"id": 1}]}
    through["rows"][0]["up"] = (through,)
    for document in (cyclic_list, cyclic_dict, through):
        got = check(encoder, document)
        assert got[0] == "err" and got[1] is RecursionError


def test_shared_subtrees_are_copied_each_time(encoder):
    shared = [1, 2]
    document = {"a": shared, "b": shared, "c": (shared, shared)}
    got = check(encoder, document, identical=True)
    assert got["a"] is not got["b"] and got["c"][0] is not got["c"][1]


# ------------------------------------------------------- no user code runs

class Counted:
    """Counts calls of every special method a container subclass may have."""

    calls = 0

    @classmethod
    def bump(cls):
        Counted.calls += 1


class CountedKey(str):
    def __hash__(self):
        Counted.bump()
        return str.__hash__(self)

    def __eq__(self, other):
        Counted.bump()
        return str.__eq__(self, other)

    def startswith(self, *args):
        Counted.bump()
        return str.startswith(self, *args)


class CountedList(list):
    def __iter__(self):
        Counted.bump()
        return list.__iter__(self)

    def __len__(self):
        Counted.bump()
        return list.__len__(self)


class CountedDict(dict):
    def items(self):
        Counted.bump()
        return dict.items(self)

    def keys(self):
        Counted.bump()
        return dict.keys(self)

    def __iter__(self):
        Counted.bump()
        return dict.__iter__(self)


class CountedFloat(float):
    def __eq__(self, other):
        Counted.bump()
        return float.__eq__(self, other)

    __hash__ = float.__hash__


@pytest.mark.parametrize("make", [
    lambda: {CountedKey("k"): 1, "rest": [1, 2]},
    lambda: {"rows": [{"a": 1}, CountedList([1, 2])]},
    lambda: [(1, 2), {"d": CountedDict(x=1, _sa_y=2)}],
    lambda: {"v": [1.5, CountedFloat(2.5)], "w": CountedKey("_sa_hidden")},
    lambda: ({"ok": 1}, [CountedKey("late")]),
])
def test_user_code_runs_as_under_fastapi(encoder, make):
    """The fast path gives up on meeting a subclass without calling it: the user
    code that runs is exactly what FastAPI's own function runs."""
    Counted.calls = 0
    expected = FASTAPI(make())
    fastapi_calls = Counted.calls
    Counted.calls = 0
    got = encoder(make())
    assert Counted.calls == fastapi_calls
    assert_same_tree(got, expected, identical=False)


# ------------------------------------------------------------ the wrapper

def test_signature_and_identity(impl, encoder):
    assert jsonable_signature_known(FASTAPI), "this FastAPI's jsonable_encoder has another signature"
    assert inspect.signature(encoder) == inspect.signature(FASTAPI)
    assert encoder.__wrapped__ is FASTAPI
    assert encoder.__name__ == "jsonable_encoder" and encoder.__doc__ == FASTAPI.__doc__
    assert encoder.__module__.startswith("fastresp")
    assert encoder is not FASTAPI
    assert impl.encoders.wrap(FASTAPI) is not encoder          # a new wrapper per call


def test_known_signature_is_fastapis():
    params = list(inspect.signature(FASTAPI).parameters.values())
    assert [(p.name, p.default) for p in params[1:]] == list(JSONABLE_DEFAULTS)

    def other(obj, include=None, exclude=None, by_alias=False, exclude_unset=False,
              exclude_defaults=False, exclude_none=False, custom_encoder=None, sqlalchemy_safe=True):
        pass

    def wrapper(*args, **kwargs):
        pass

    assert not jsonable_signature_known(other)
    assert not jsonable_signature_known(wrapper)
    assert not jsonable_signature_known(len)
    assert not jsonable_signature_known(object())


def test_wraps_the_function_it_is_given(impl):
    """Calls go to the original it wrapped (kept by reference), not to whatever
    fastapi.encoders holds later."""
    calls = []

    def original(obj, include=None, exclude=None, by_alias=True, exclude_unset=False,
                 exclude_defaults=False, exclude_none=False, custom_encoder=None,
                 sqlalchemy_safe=True):
        calls.append((obj, include, exclude_none))
        return "original"

    wrapped = impl.encoders.wrap(original)
    assert wrapped({"a": [1]}) == {"a": [1]} and calls == []
    marker = Text("x")
    assert wrapped(marker) == "original" and calls == [(marker, None, False)]
    assert wrapped([1], exclude_none=True) == "original"
    assert calls[-1] == ([1], None, True)


def test_fast_path_result_is_fastapis_for_benchmark_rows(encoder):
    rows = [{"id": i, "name": f"item {i}", "price": i * 1.25, "active": i % 2 == 0,
             "note": None, "tags": ["a", "b"]} for i in range(20)]
    check(encoder, rows, identical=True)


@at_recursion_limit
def test_recursion_limit_of_the_caller(encoder):
    """Called near the recursion limit: FastAPI's answer for the same call (the
    reference's own recursion hitting the limit hands over to FastAPI).

    The pure-Python wrapper is itself one Python frame, so the FastAPI function
    it hands over to starts one frame deeper than when called directly: where
    FastAPI's function fits with exactly no frame to spare, the wrapper may
    raise RecursionError instead. Wherever FastAPI's function would also succeed
    one frame deeper, the wrapper's answer is FastAPI's, exactly; where FastAPI's
    function fails, the wrapper fails the same way or succeeds (its own fast
    path needs no more frames than FastAPI's function)."""
    document = _nested(60, 1)
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    limit = sys.getrecursionlimit() - depth

    def at_depth(remaining, function):
        if remaining:
            return at_depth(remaining - 1, function)
        return _outcome(function, document)

    for margin in range(20, 200):
        expected = at_depth(limit - margin, FASTAPI)
        one_deeper = at_depth(limit - margin + 1, FASTAPI)
        got = at_depth(limit - margin, encoder)
        if one_deeper[0] == "ok":
            assert got == expected == one_deeper
        elif expected[0] == "ok":
            assert got == expected or got[1] is RecursionError
        else:
            assert got[0] == "ok" or got[1] is RecursionError


# ------------------------------------------------------------------ leaks

@pytest.mark.skipif(not hasattr(sys, "getrefcount"), reason="no reference counts (PyPy)")
def test_no_references_left_behind(encoder):
    """Fast path, "_sa" deletion and giving up half-way (in a dict, a list, a
    tuple, deep): every object of the document holds exactly the references it
    held before, and the traced heap does not grow."""
    import gc
    import tracemalloc

    leaf, key, odd = "leaf text", "key text", Text("odd")
    inner = [leaf, 1.5, None]
    documents = [
        {key: inner, "_sa_state": inner, "t": (leaf, inner)},
        {key: inner, "later": [leaf, odd]},                 # gives up in a nested list
        [inner, (leaf, {key: odd})],                        # gives up in a nested dict
        ({key: leaf}, inner, odd),                          # gives up in a tuple
        _nested(JSONABLE_MAX_DEPTH + 2, leaf),              # gives up on depth
    ]
    watched = [leaf, key, odd, inner, *documents]

    def run(rounds):                                        # no loop variable outlives it
        for _ in range(rounds):
            for document in documents:
                encoder(document)
        gc.collect()

    run(2)                                                  # warm-up
    before = [sys.getrefcount(obj) for obj in watched]
    tracemalloc.start()
    try:
        run(300)
        first = tracemalloc.get_traced_memory()[0]
        run(300)
        growth = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert [sys.getrefcount(obj) for obj in watched] == before
    assert growth < 16 * 1024, growth
