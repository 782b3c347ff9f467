"""Calling a response class: the compiled module's stand-in for type.__call__.

The compiled module gives fastresp's Response, HTMLResponse, PlainTextResponse and
JSONResponse (and starlette's, while installed) a tp_vectorcall that makes the
instance and runs __init__ without packing and unpacking the arguments. CPython's
contract for that slot is that calling the class gives exactly what
``type.__call__(cls, *args, **kwargs)`` gives: these tests hold it to that, for
every shape of call, and check that it steps aside whenever __init__ or __new__
is no longer fastresp's.
"""

from __future__ import annotations

import pytest
import starlette.responses as sr

import fastresp
from fastresp._classes import CALLED_WITHOUT_TYPE_CALL
from fastresp.responses import make_classes

from helpers import skips_type_call
from oracle import outcome, snapshot

#: A keyword name that is equal to a parameter but not the interned string.
CONTENT = "".join(["con", "tent"])
STATUS = "".join(["status", "_code"])

CALLS = [
    ((), {}),
    ((b"x",), {}),
    (("text",), {}),
    ((b"x", 201), {}),
    ((b"x", 201, {"X-A": "1"}), {}),
    ((b"x", 201, {"X-A": "1"}, "text/csv"), {}),
    ((b"x", 201, None, "text/csv", None), {}),
    ((b"x", 201, None, None, None, "extra"), {}),           # too many
    ((), {"content": b"k"}),
    ((), {"content": "k", "media_type": "text/x", "status_code": 404}),
    ((b"x",), {"headers": {"a": "b"}, "background": None}),
    ((), {"background": None, "headers": None, "media_type": None, "status_code": 200,
          "content": None}),
    ((b"x",), {"content": b"y"}),                             # given twice
    ((b"x", 200), {"status_code": 201}),                      # given twice
    ((), {"nope": 1}),                                        # unknown
    ((b"x",), {"Content": 1}),
    ((), {CONTENT: b"not interned"}),
    ((b"x",), {STATUS: 202}),
    ((), {"status_code": 500}),                               # JSON: content missing
    ((None,), {"status_code": None}),                         # fails in __init__
    (("é",), {"media_type": "text/plain; charset=ascii"}),
]
#: Refused by fastresp's hardening (starlette sends it).
REFUSED = [((b"x",), {"headers": {"a": "b\r\nc"}})]


def _ids(calls):
    return [f"{len(args)}pos-{'-'.join(kwargs) or 'nokw'}" for args, kwargs in calls]


def _outcome(function, *args, **kwargs):
    try:
        response = function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the exception is the result
        return ("err", type(error), str(error))
    return ("ok", type(response), vars(response))


@pytest.mark.compiled
@pytest.mark.parametrize("name", CALLED_WITHOUT_TYPE_CALL)
@pytest.mark.parametrize(("args", "kwargs"), CALLS + REFUSED, ids=_ids(CALLS + REFUSED))
def test_call_is_type_call(impl, name, args, kwargs):
    """cls(...) and type.__call__(cls, ...): the same instance or the same error.
    Compiled only: the pure-Python classes have no construction of their own, so
    there cls(...) *is* type.__call__(cls, ...)."""
    cls = getattr(impl.classes, name)
    got = _outcome(cls, *args, **kwargs)
    assert got == _outcome(type.__call__, cls, *args, **kwargs)


@pytest.mark.parametrize(("args", "kwargs"), CALLS, ids=_ids(CALLS))
def test_call_matches_starlette(impl, oracle, args, kwargs):
    """Successful calls build what starlette builds; failed ones fail as it does
    (the type: the messages name different functions)."""
    got = _outcome(impl.classes.Response, *args, **kwargs)
    expected = _outcome(oracle.Response, *args, **kwargs)
    assert got[0] == expected[0]
    if got[0] == "ok":
        assert got[2] == expected[2]
    else:
        assert got[1] is expected[1]


@pytest.mark.compiled
def test_which_classes_construct_fast(impl):
    for name in CALLED_WITHOUT_TYPE_CALL:
        assert skips_type_call(impl, getattr(impl.classes, name)), name
    # RedirectResponse has its own __init__; subclasses never inherit the slot.
    assert not skips_type_call(impl, impl.classes.RedirectResponse)
    assert not skips_type_call(impl, type("Sub", (impl.classes.Response,), {}))
    assert not skips_type_call(impl, sr.Response)


@pytest.mark.compiled
@pytest.mark.parametrize("function", ["call_without_type_call", "call_without_type_call_is_on"])
def test_needs_a_class(impl, function):
    args = (True,) if function == "call_without_type_call" else ()
    with pytest.raises(TypeError) as raised:
        getattr(impl.slots, function)(object(), *args)
    assert str(raised.value) == f"{function}() needs a class"


@pytest.fixture
def fresh(impl):
    """Classes of our own to modify (the shared ones must stay intact)."""
    return make_classes(impl, "fresh")


def test_init_replaced_later(impl, fresh):
    calls = []

    def init(self, *args, **kwargs):
        calls.append((args, kwargs))

    fresh.Response.__init__ = init
    response = fresh.Response(b"x", status_code=201)
    assert calls == [((b"x",), {"status_code": 201})]
    assert vars(response) == {}
    assert not skips_type_call(impl, fresh.Response)
    # A subclass that inherits the new __init__ follows it too.
    fresh.PlainTextResponse("y")
    assert calls[-1] == (("y",), {})

    del fresh.Response.__init__           # starlette's own __init__ again
    assert not skips_type_call(impl, fresh.Response)
    assert fresh.Response(b"z").body == b"z"
    fresh.Response.__init__ = impl.headers.response_init
    assert skips_type_call(impl, fresh.Response) is impl.compiled
    assert fresh.Response(b"w").raw_headers == [(b"content-length", b"1")]


def test_json_init_replaced_by_response_init(impl, fresh):
    """JSONResponse(...) with content left out: json_init refuses, response_init
    (content optional) does not; whichever is in place decides."""
    with pytest.raises(TypeError):
        fresh.JSONResponse()
    fresh.JSONResponse.__init__ = impl.headers.response_init
    assert fresh.JSONResponse().body == b"null"
    assert skips_type_call(impl, fresh.JSONResponse) is impl.compiled


def test_new_replaced_later(impl, fresh):
    made = []

    def new(cls, *args, **kwargs):
        made.append((args, kwargs))
        return object.__new__(cls)

    fresh.HTMLResponse.__new__ = new
    response = fresh.HTMLResponse("<p>", status_code=202)
    assert made == [(("<p>",), {"status_code": 202})]
    assert (response.body, response.status_code) == (b"<p>", 202)
    assert not skips_type_call(impl, fresh.HTMLResponse)

    other = object()
    fresh.HTMLResponse.__new__ = lambda cls, *args, **kwargs: other
    assert fresh.HTMLResponse("<p>") is other      # not an instance: no __init__


def test_base_modified_later(impl, fresh):
    """A change to a base resets the version tag of every subclass."""
    fresh.Response.__init__ = lambda self, *args, **kwargs: setattr(self, "seen", args)
    assert vars(fresh.HTMLResponse("a")) == {"seen": ("a",)}
    assert vars(fresh.JSONResponse([1])) != {"seen": ([1],)}   # its own __init__
    del fresh.Response.__init__
    assert fresh.HTMLResponse("a").body == b"a"


@pytest.mark.compiled
def test_switching_off(impl, fresh):
    impl.slots.call_without_type_call(fresh.Response, False)
    assert not skips_type_call(impl, fresh.Response)
    assert fresh.Response(b"x").body == b"x"
    impl.slots.call_without_type_call(fresh.Response, True)
    assert skips_type_call(impl, fresh.Response)


def test_install_switches_starlette_classes(impl):
    """install() lets starlette's own classes construct fast with the active
    implementation; uninstall() puts type.__call__ back."""
    from fastresp import _impl

    assert not fastresp.installed()
    fastresp.install()
    try:
        active = _impl.ACTIVE
        for name in CALLED_WITHOUT_TYPE_CALL:
            assert skips_type_call(active, getattr(sr, name)) is active.compiled
        assert not skips_type_call(active, sr.RedirectResponse)
    finally:
        fastresp.uninstall()
    for name in CALLED_WITHOUT_TYPE_CALL:
        assert not skips_type_call(_impl.ACTIVE, getattr(sr, name))


def _construct_during_collection(cls):
    """Call cls(b"x") with a collection due at its allocation, whose finalizer
    replaces cls.__init__; the response, and whether the finalizer ran before
    the call returned."""
    import gc

    cls(b"warm")
    ran = []

    class Trap:
        def __del__(self):
            ran.append(True)
            cls.__init__ = lambda self, *args, **kwargs: setattr(self, "replaced", args)

    trap = Trap()
    trap.cycle = trap
    del trap
    threshold = gc.get_threshold()
    gc.set_threshold(1, 1000, 1000)
    try:
        response = cls(b"x")
        finished = bool(ran)
    finally:
        gc.set_threshold(*threshold)
    gc.collect()
    return response, finished


def test_finalizer_changes_init_during_allocation(impl, fresh, oracle):
    """A collection started by the allocation may run a finalizer that replaces
    __init__: whichever __init__ runs is the one type.__call__ runs on this
    interpreter. (Up to 3.11 the collection runs inside the allocation, before
    type.__call__ looks __init__ up, so the new one runs; from 3.12 it waits for
    the next eval-breaker check, and the old __init__ runs.)"""
    import gc

    if not hasattr(gc, "set_threshold"):
        pytest.skip("no generation thresholds to force a collection with (PyPy)")
    plain = type("Response", (oracle.Response,), {})
    expected, plain_ran = _construct_during_collection(plain)
    got, ran = _construct_during_collection(fresh.Response)
    if not (ran and plain_ran):
        pytest.skip("no collection ran before the call returned")
    assert vars(got) == vars(expected)


def test_unhashable_metaclass(impl, oracle):
    class Meta(type):
        def __eq__(cls, other):
            return cls is other

    mine = Meta("Sub", (impl.classes.Response,), {})
    theirs = Meta("Sub", (oracle.Response,), {})
    assert vars(mine(b"x")) == vars(theirs(b"x"))
    assert not skips_type_call(impl, mine)


@pytest.mark.parametrize("attribute", ["render", "init_headers"])
def test_method_set_on_the_instance_first(impl, oracle, attribute):
    """starlette calls self.render and self.init_headers: something a subclass
    sets on the instance before calling __init__ is what runs."""
    def make(base):
        def __init__(self, content):
            if attribute == "render":
                self.render = lambda content: b"custom"
            else:
                self.init_headers = lambda headers=None: setattr(self, "raw_headers", ["mine"])
            base.__init__(self, content)
        return type("Shadow", (base,), {"__init__": __init__})

    got, expected = make(impl.classes.Response)("x"), make(oracle.Response)("x")
    assert (got.body, got.raw_headers) == (expected.body, expected.raw_headers)
    assert (got.body, got.raw_headers) != (b"x", [(b"content-length", b"1")])


def test_class_attribute_becomes_a_data_descriptor(impl, oracle):
    """A Python object in the class under status_code whose own class gains
    __set__ later: the class's version tag does not change, the result must."""
    class Descriptor:
        def __get__(self, obj, cls=None):
            return 123

    classes = make_classes(impl, "descriptor")
    classes.Response.status_code = Descriptor()
    theirs = type("Theirs", (oracle.Response,), {"status_code": Descriptor()})
    assert vars(classes.Response(b"x")) == vars(theirs(b"x"))
    Descriptor.__set__ = lambda self, obj, value: None
    assert vars(classes.Response(b"x")) == vars(theirs(b"x"))
    assert classes.Response(b"x").raw_headers == theirs(b"x").raw_headers == []


@pytest.mark.compiled
def test_only_plain_classes_take_the_slot(impl):
    """Built-in types and classes of another metaclass are left alone."""
    impl.slots.call_without_type_call(object, True)
    assert not skips_type_call(impl, object)
    assert type(object()) is object

    class Meta(type):
        pass

    cls = Meta("Sub", (impl.classes.Response,), {})
    impl.slots.call_without_type_call(cls, True)
    assert not skips_type_call(impl, cls)
    assert cls(b"x").body == b"x"


class _Double:
    """A non-data descriptor of a Python class: doubles the class's _text."""

    def __get__(self, instance, owner=None):
        return owner._text * 2 if instance is not None else self


@pytest.mark.parametrize("attributes", [
    {"charset": property(lambda self: "latin-1")},
    {"charset": _Double(), "_text": "utf-"},      # "utf-utf-": LookupError on both
    {"media_type": property(lambda self: "text/x-prop")},
    {"media_type": _Double(), "_text": "text/x"},
    {"media_type": staticmethod(len)},           # a built-in non-data descriptor
    {"media_type": "text/html", "charset": "latin-1"},
], ids=["charset-property", "charset-descriptor", "media-property", "media-descriptor",
        "media-staticmethod", "plain-values"])
@pytest.mark.parametrize("content", ["é", b"x", None])
def test_class_media_type_and_charset_read_as_starlette(fresh, oracle, attributes, content):
    """A class's media_type and charset are read as starlette reads them: a
    descriptor is called, a plain value used as it is. (Constructing one of
    fastresp's classes, the compiled module takes them from its plan instead of
    reading them from the new instance; set on the class, they make a new plan.)"""
    got_cls = fresh.Response
    assert got_cls(b"warm").raw_headers == [(b"content-length", b"4")]   # a plan to replace
    for name, value in attributes.items():
        setattr(got_cls, name, value)
    expected_cls = type("Response", (oracle.Response,), dict(attributes))   # same name in errors
    for _ in range(2):      # the second construction runs on the plan made by the first
        got = outcome(lambda: snapshot(got_cls(content)))
        assert got == outcome(lambda: snapshot(expected_cls(content)))
        got = outcome(lambda: snapshot(got_cls(content, media_type="text/y")))
        assert got == outcome(lambda: snapshot(expected_cls(content, media_type="text/y")))


# ------------------------------------------------------------ the plan cache
#
# The compiled module keeps, per class, a plan of what construction may take
# for granted, valid while the class's version tag is unchanged. A class that
# changes (any attribute set on it or a base: install()/uninstall() do that to
# starlette's classes) must get one new plan, kept from then on, not one per
# construction; and a class that is gone must leave nothing behind (ids are
# reused). Counted with plans_made() (plans built, plans kept), not timed.

#: Changes to a class or its base after its first construction.
CHANGES = {
    "charset": lambda classes: setattr(classes.HTMLResponse, "charset", "latin-1"),
    "base-media-type": lambda classes: setattr(classes.Response, "media_type", "text/x"),
    "base-unrelated": lambda classes: setattr(classes.Response, "seen", 1),
    "same-render-again": lambda classes: setattr(classes.Response, "render",
                                                 vars(classes.Response)["render"]),
    "set-and-deleted": lambda classes: (setattr(classes.HTMLResponse, "extra", 1),
                                        delattr(classes.HTMLResponse, "extra")),
}


def _built(impl, call, times=50):
    """How many plans `times` calls of call() built."""
    first = impl.headers.plans_made()[0]
    for _ in range(times):
        call()
    return impl.headers.plans_made()[0] - first


@pytest.mark.compiled
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_class_gets_one_new_plan(impl, fresh, oracle, change):
    html, plain = fresh.HTMLResponse, fresh.PlainTextResponse
    assert _built(impl, lambda: html("<p>")) == 1
    CHANGES[change](fresh)
    assert _built(impl, lambda: html("<p>")) == 1          # the latest plan
    # Two classes in turn (a FastAPI request makes two): the one used before.
    assert _built(impl, lambda: (html("<p>"), plain("t"))) == 1
    CHANGES[change](fresh)
    assert _built(impl, lambda: (plain("t"), html("<p>"))) <= 2
    assert _built(impl, lambda: (plain("t"), html("<p>"))) == 0
    # And the plan in use is the changed class's.
    expected = {"charset": b"text/html; charset=latin-1"}.get(change, b"text/html; charset=utf-8")
    assert dict(html("\xe9").raw_headers).get(b"content-type") == expected


@pytest.mark.compiled
def test_install_cycles_rebuild_once_per_class(impl):
    """install()/uninstall() set methods on starlette's classes: afterwards each
    gets one new plan, not one per response."""
    from fastresp import _impl

    if _impl.ACTIVE.headers is not impl.headers:
        pytest.skip("install() takes the active implementation, which is not this one")
    for _ in range(3):
        fastresp.install()
        try:
            assert _built(impl, lambda: (sr.Response(b"x"), sr.JSONResponse([1]))) <= 2
            assert _built(impl, lambda: (sr.Response(b"x"), sr.JSONResponse([1]))) == 0
        finally:
            fastresp.uninstall()


@pytest.mark.compiled
def test_dead_classes_leave_no_plan(impl, fresh):
    """A plan keeps neither its class nor anything of it alive, and goes with
    it; a new class at a dead one's address gets a plan of its own."""
    import gc
    import weakref

    gc.collect()
    kept = impl.headers.plans_made()[1]
    refs = []
    for index in range(40):
        cls = type("Dying", (fresh.Response,), {
            "media_type": f"text/x{index}",
            "render": lambda self, content, index=index: b"r%d" % index})
        impl.slots.call_without_type_call(cls, True)
        response = cls("x")
        assert (response.body, response.raw_headers[-1]) == (
            b"r%d" % index, (b"content-type", b"text/x%d; charset=utf-8" % index))
        refs.append(weakref.ref(cls))
        del cls, response
        gc.collect()    # frees the class now: the next one may take its address
    assert [ref for ref in refs if ref() is not None] == []
    assert impl.headers.plans_made()[1] <= kept
