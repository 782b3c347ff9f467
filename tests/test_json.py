"""JSONResponse.render: starlette's bytes (json.dumps with its flags), on both
implementations, with starlette's own render as the oracle.

``impl.json.dumps`` / ``impl.json.render`` / ``impl.classes.JSONResponse`` are compared
with starlette's ``JSONResponse.render`` as it was before any install(): the same
bytes, or the same exception type and message. For the compiled implementation
the tests also check which path a document took (``_json.written`` is None when
the document was handed to json), so a document the fast path should write is
really written by it, not by the reference it falls back to.
"""

from __future__ import annotations

import math
import sys

import pytest
import starlette.responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastresp._common import JSON_MAX_DEPTH
from oracle import DictSub, ListSub, TupleSub

# Taken at collection, before any test can install() fastresp.
_STARLETTE_RENDER = starlette.responses.JSONResponse.__dict__["render"]
assert _STARLETTE_RENDER.__module__ == "starlette.responses", _STARLETTE_RENDER


def outcome(function, *args):
    """("ok", value) or ("err", exception type, str(exception))."""
    try:
        return ("ok", function(*args))
    except Exception as error:  # noqa: BLE001 - every exception is a result here
        return ("err", type(error), str(error))


def oracle(content):
    """starlette's outcome for content: ("ok", bytes) or ("err", type, message)."""
    return outcome(_STARLETTE_RENDER, None, content)


PLAIN_TYPES = (str, int, float, bool, type(None))


def plain(content, depth=0):
    """True when the compiled encoder must write content itself: only exact
    dict (str keys), list, tuple, str, int, float, bool and None, no NaN or
    infinity, no surrogate, ints json can print, nesting at most JSON_MAX_DEPTH."""
    kind = type(content)
    if kind is str:
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in content)
    if kind is float:
        return math.isfinite(content)
    if kind is int:
        try:
            str(content)
        except ValueError:   # past sys.get_int_max_str_digits()
            return False
        return True
    if kind in (bool, type(None)):
        return True
    if kind in (list, tuple):
        return depth < JSON_MAX_DEPTH and all(plain(item, depth + 1) for item in content)
    if kind is dict:
        return depth < JSON_MAX_DEPTH and all(
            type(key) is str and plain(key) and plain(value, depth + 1)
            for key, value in content.items())
    return False


def check(impl, content, fast=None):
    """Every way impl renders content gives starlette's outcome; fast: whether the
    compiled implementation must write it itself (default: plain(content))."""
    expected = oracle(content)
    assert outcome(impl.json.dumps, content) == expected
    assert outcome(impl.json.render, None, content) == expected
    got = outcome(lambda: impl.classes.JSONResponse(content).body)
    assert got == expected
    if impl.compiled:
        if fast is None:
            fast = plain(content)
        written = impl.json.written(content)
        if fast:
            assert written is not None, "handed over a document the compiled path must write"
            assert ("ok", written) == expected
        else:
            assert written is None, "wrote a document that must go to json"
    return expected


# ----------------------------------------------------------------- examples

FLOATS = [0.0, -0.0, 1.0, -1.5, 1e-07, 1e-05, 0.0001, 1e16, 1e+16, 9999999999999998.0,
          1e15, 123456789012345.6, 5e-324, -5e-324, 2.2250738585072014e-308,
          1.7976931348623157e308, -1.7976931348623157e308, 1e22, 1e21, 1e23, 0.1 + 0.2,
          1 / 3, 2 ** 53 + 0.0, float(2 ** 63), 1.25, 100.0, 1e100, 3.14159]
INTS = [0, 1, -1, 9, 10, 99, 100, -100, 12345, 2 ** 31, 2 ** 32 - 1, 2 ** 63 - 1, -(2 ** 63),
        -(2 ** 63) - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, -(2 ** 64), 10 ** 30, -(10 ** 40),
        10 ** 4299, 10 ** 4300, -(10 ** 5000)]
TEXTS = ["", "a", "Not Found", '"', "\\", "/", "\x7f", "caf\xe9", "\xff" * 3, "\u0100",
         "\u20ac", "\u2028\u2029", "\ufeff", "\uffff", "\U0001f600", "\U0010ffff",
         "a\U0001f600\xe9\u20ac\n", "".join(map(chr, range(0x20))), "tab\there",
         "\ud800", "\udfff", "x\ud83d", "\U0001f600\udc00", "\ud83d\ude00"]


@pytest.mark.parametrize("value", FLOATS, ids=repr)
def test_float(impl, value):
    check(impl, value)
    check(impl, [value, {"f": value}])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_float(impl, value):
    expected = check(impl, [1, {"x": value}])
    assert expected[:2] == ("err", ValueError)


@pytest.mark.parametrize("value", INTS, ids=lambda v: f"{v:x}"[:20])
def test_int(impl, value):
    check(impl, value)
    check(impl, {"n": [value, -value]})


def test_int_digit_limit(impl):
    if not hasattr(sys, "set_int_max_str_digits"):
        pytest.skip("no integer string conversion limit on this interpreter")
    expected = check(impl, [1, 10 ** 5000], fast=False)
    assert expected[:2] == ("err", ValueError)
    limit = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)
        check(impl, [1, 10 ** 5000], fast=True)
    finally:
        sys.set_int_max_str_digits(limit)


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_text(impl, text):
    check(impl, text)
    check(impl, {text: [text]})


@pytest.mark.parametrize("code", range(0x20))
def test_every_control_character(impl, code):
    text = "a" + chr(code) + "\xe9" + chr(code) + "\u20ac" + chr(code) + "\U0001f600"
    expected = check(impl, [text, text[:2]])
    assert b"\\u00" in expected[1] or code in (8, 9, 10, 12, 13)


def test_escapes_are_lower_case_hex(impl):
    assert impl.json.dumps("\x1f\x0b") == b'"\\u001f\\u000b"'


@pytest.mark.parametrize("content", [
    None, True, False, {}, [], (), [[]], {"a": {}}, ((1, 2), [3, (4,)]),
    {"a": 1, "b": [1, 2, 3]}, {"detail": "Not Found"},
    {"z": 1, "a": 2, "m": [None, True, False, 1.5, "x"]},
], ids=repr)
def test_documents(impl, content):
    check(impl, content)


# -------------------------------------------------------- handed to json

class Str(str):
    pass


class Int(int):
    def __repr__(self):
        return "int-repr"


class Float(float):
    def __repr__(self):
        return "float-repr"


class Reprs:
    def __repr__(self):
        return "Reprs()"


@pytest.mark.parametrize("content", [
    Str("s"), Int(5), Float(1.5), DictSub(a=1), ListSub([1]), TupleSub((1,)), [1, Str("s")],
    {"a": Int(3)}, [Float(2.5)], {"k": DictSub(b=[ListSub()])}, {1: 2}, {1.5: 2}, {True: 1},
    {None: 1}, {False: 0, "a": 1}, {"a": 1, 2: "b"}, {Str("k"): 1}, {(1, 2): 3},
    {b"k": 1}, b"bytes", bytearray(b"x"), {1, 2}, frozenset(), Reprs(), [1, Reprs()],
    range(3), 1 + 2j, object,
], ids=lambda c: type(c).__name__ + ":" + repr(c)[:30])
def test_handed_to_json(impl, content):
    check(impl, content, fast=False)


def test_cycles(impl):
    items = [1]
    items.append(items)
    mapping = {"a": 1}
    mapping["self"] = [mapping]
    for content in (items, mapping, {"ok": [1, 2], "loop": items}):
        expected = check(impl, content, fast=False)
        assert expected == ("err", ValueError, "Circular reference detected")


@pytest.mark.parametrize("kind", ["list", "dict", "tuple", "mixed"])
@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH, JSON_MAX_DEPTH + 1, 900, 5000])
def test_depth(impl, kind, depth):
    content = "leaf"
    for level in range(depth):
        if kind == "list" or kind == "mixed" and level % 2:
            content = [content]
        elif kind == "tuple":
            content = (content,)
        else:
            content = {"k": content}
    # Whether json manages 5000 levels depends on the interpreter's recursion
    # limits (RecursionError on 3.11, the document on 3.13): either way, the same.
    check(impl, content, fast=depth <= JSON_MAX_DEPTH)


def test_user_code_runs_as_in_json(impl):
    """A subclass's own methods run exactly as often as under starlette: the
    compiled path hands the document over before touching them."""
    calls = []

    class Items(dict):
        def items(self):
            calls.append("items")
            return super().items()

    content = [1, "a", {"x": 1.5}, Items(k=[2])]
    expected = oracle(content)
    oracle_calls, calls[:] = list(calls), []
    assert outcome(impl.json.dumps, content) == expected
    assert calls == oracle_calls


# ----------------------------------------------------------- big documents

def test_buffer_grows_many_times(impl):
    rows = [{"id": index, "name": "row \xe9\u20ac\U0001f600 %d" % index, "value": index / 7,
             "flags": [True, False, None], "nested": {"deep": [index, -index, str(index)]}}
            for index in range(20_000)]
    expected = check(impl, {"rows": rows})
    assert len(expected[1]) > 2_000_000


@pytest.mark.parametrize("size", [511, 512, 513, 4096, 65537])
def test_around_the_stack_buffer(impl, size):
    check(impl, "x" * size)
    check(impl, ["x" * (size - 10), "\u20ac" * 3])
    check(impl, "\xe9" * size)


@pytest.mark.slow
@pytest.mark.parametrize("tail", ["", "\xe9", "\u20ac", "\U0001f600", "\n", "\ud800"])
def test_100_mb_string(impl, tail):
    text = "a" * 100_000_000 + tail
    expected = oracle([text])
    got = outcome(impl.json.dumps, [text])
    assert got == expected
    if impl.compiled:
        assert (impl.json.written([text]) is None) == (tail == "\ud800")


# ---------------------------------------------------------------- classes

def test_response_headers_and_status(impl, oracle):
    got = impl.classes.JSONResponse({"detail": "Not Found"}, status_code=404, headers={"x-a": "1"})
    want = oracle.JSONResponse({"detail": "Not Found"}, status_code=404, headers={"x-a": "1"})
    assert (got.body, got.raw_headers, got.status_code) == (want.body, want.raw_headers, want.status_code)


def test_render_overridden_by_a_subclass_is_kept(impl):
    class Custom(impl.classes.JSONResponse):
        def render(self, content):
            return b"custom:" + super().render(content)

    assert Custom({"a": 1}).body == b'custom:{"a":1}'
    assert impl.classes.JSONResponse.render is impl.json.render


def test_fastapi_json_subclasses_keep_their_render(impl):
    responses = pytest.importorskip("fastapi.responses")
    for name in ("ORJSONResponse", "UJSONResponse"):
        cls = getattr(responses, name, None)
        if cls is not None:
            assert vars(cls)["render"] is not impl.json.render


# ------------------------------------------------------------- hypothesis

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
CHARACTERS = st.one_of(
    st.characters(max_codepoint=0x7F),
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.sampled_from("\"\\\x7f\xe9\xff\u0100\u07ff\u0800\u2028\u2029\ufeff\uffff\U00010000\U0010ffff"),
    st.characters(codec="utf-8"),
)
TEXT = st.one_of(st.text(CHARACTERS, max_size=40), st.text(st.one_of(CHARACTERS, SURROGATES), max_size=8))
EDGE_FLOATS = st.sampled_from(FLOATS + [math.nan, math.inf, -math.inf])
#: Floats as APIs hold them: a few digits after the point, at any scale.
DECIMAL_FLOATS = st.builds(lambda m, d, e: m / 10 ** d * 10.0 ** e,
                           st.integers(-(10 ** 17), 10 ** 17), st.integers(0, 22), st.integers(-8, 8))
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from(INTS[:-3]), st.floats(), EDGE_FLOATS, DECIMAL_FLOATS)
SUBCLASSED = st.one_of(TEXT.map(Str), st.integers().map(Int), st.floats().map(Float))
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.just(Reprs()))
KEYS = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none())


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=6),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(TEXT, children, max_size=6),
        st.dictionaries(KEYS, children, max_size=3),
        st.lists(children, max_size=3).map(ListSub),
        st.dictionaries(TEXT, children, max_size=3).map(DictSub),
    )


DOCUMENTS = st.recursive(st.one_of(LEAVES, SUBCLASSED), _containers, max_leaves=40)
PLAIN_DOCUMENTS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              EDGE_FLOATS.filter(math.isfinite), DECIMAL_FLOATS, st.text(CHARACTERS, max_size=40)),
    lambda children: st.one_of(st.lists(children, max_size=6), st.lists(children, max_size=4).map(tuple),
                               st.dictionaries(st.text(CHARACTERS, max_size=10), children, max_size=6)),
    max_leaves=60)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(DECIMAL_FLOATS, st.floats(allow_nan=False, allow_infinity=False)),
                       max_size=50))
def test_floats_as_repr(impl, values):
    """Every finite float is written as float.__repr__ (the compiled path writes
    short ones itself, the rest with the call float.__repr__ makes)."""
    expected = check(impl, values)
    assert expected == ("ok", ("[" + ",".join(map(float.__repr__, values)) + "]").encode())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=DOCUMENTS)
def test_differential(impl, content):
    check(impl, content)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=PLAIN_DOCUMENTS)
def test_differential_plain(impl, content):
    """Documents the compiled path writes itself, every one of them."""
    assert plain(content)
    check(impl, content, fast=True)
