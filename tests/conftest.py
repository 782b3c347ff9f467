"""Shared fixtures: both implementations of fastresp, side by side.

In the style of multidict's conftest: every behaviour test takes the ``impl``
fixture and so runs once against the compiled modules (``fastresp._headers``,
``fastresp._cookie``, ``fastresp._json``, id "cython") and once against the
pure-Python fallback (``fastresp._headers_py``, ``fastresp._cookie_py``,
``fastresp._json_py``, id "python"), whichever
implementation ``import fastresp`` picked for the process.

* When the compiled modules do not import (PyPy, a pure-Python install, not built
  yet), the "cython" runs are skipped with the import error as the reason.
* When ``FASTRESP_REQUIRE_COMPILED`` is set to a non-empty value (CI's compiled
  environment sets it), a missing compiled module is a hard error instead: the
  run stops at collection, so a broken build can never pass as skips.
* ``@pytest.mark.compiled`` marks a test only meaningful for the compiled
  implementation: its "python" runs are deselected (and a test marked so that
  does not take ``impl`` is skipped when the compiled modules are missing). The
  "cython" runs of every test carry the marker too, so ``-m compiled`` selects
  exactly the compiled runs and ``-m "not compiled"`` the pure-Python ones.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Callable, Optional

import pytest
import starlette
import starlette.datastructures
import starlette.responses

import fastresp
from fastresp import _asgi_py, _cookie_py, _encoders_py, _headers_py, _json_py
from fastresp.responses import make_classes
from helpers import added_cookie_header  # tests/ is on sys.path: see helpers.py

REQUIRE_COMPILED_VAR = "FASTRESP_REQUIRE_COMPILED"
IMPLEMENTATION_NAMES = ("cython", "python")

#: The float ``time.time`` is frozen to by the ``frozen_time`` fixture:
#: 2023-11-14 22:13:20.25 UTC (a fraction, so flooring is exercised).
FROZEN_NOW = 1_700_000_000.25


def _import_compiled() -> tuple[Optional[tuple[ModuleType, ...]], str]:
    """(headers, cookie, json, encoders, asgi) compiled modules and "" or None and
    why they are missing."""
    try:
        from fastresp import _asgi, _cookie, _encoders, _headers, _json
    except ImportError as error:
        return None, (
            f"compiled modules fastresp._headers/_cookie/_json/_encoders/_asgi do not import on "
            f"{platform.python_implementation()} {platform.python_version()} ({error}); "
            f"build them with `python setup.py build_ext --inplace`")
    return (_headers, _cookie, _json, _encoders, _asgi), ""


_COMPILED, _MISSING = _import_compiled()
COMPILED_AVAILABLE = _COMPILED is not None
REQUIRE_COMPILED = bool(os.environ.get(REQUIRE_COMPILED_VAR, ""))
#: The skip reason of every compiled run when the compiled modules are missing.
COMPILED_MISSING_REASON = f"{_MISSING} (set {REQUIRE_COMPILED_VAR}=1 to make this an error)"


@dataclass(frozen=True)
class Implementation:
    """One implementation of fastresp: its modules and the classes built on them."""

    name: str
    headers: ModuleType
    cookie: ModuleType
    json: ModuleType
    encoders: ModuleType   # the jsonable_encoder fast path (wrap)
    asgi: ModuleType
    classes: SimpleNamespace = field(repr=False)
    compiled: bool

    @property
    def Response(self) -> type:
        return self.classes.Response

    @property
    def HTMLResponse(self) -> type:
        return self.classes.HTMLResponse

    @property
    def PlainTextResponse(self) -> type:
        return self.classes.PlainTextResponse

    @property
    def JSONResponse(self) -> type:
        return self.classes.JSONResponse

    @property
    def RedirectResponse(self) -> type:
        return self.classes.RedirectResponse

    def __str__(self) -> str:
        return self.name


_implementations: dict[str, Implementation] = {}


def get_implementation(name: str) -> Implementation:
    """The implementation called name ("cython" or "python"), built once."""
    if name not in _implementations:
        if name == "python":
            headers, cookie, json, encoders, asgi = (
                _headers_py, _cookie_py, _json_py, _encoders_py, _asgi_py)
        elif name == "cython":
            if _COMPILED is None:
                pytest.skip(COMPILED_MISSING_REASON)
            headers, cookie, json, encoders, asgi = _COMPILED
        else:  # pragma: no cover - a typo in a test
            raise ValueError(name)
        _implementations[name] = Implementation(
            name=name, headers=headers, cookie=cookie, json=json, encoders=encoders, asgi=asgi,
            classes=make_classes(SimpleNamespace(headers=headers, cookie=cookie, json=json, asgi=asgi),
                                 f"fastresp_test_{name}"),
            compiled=name == "cython")
    return _implementations[name]


def _impl_params() -> list:
    compiled_marks = [pytest.mark.compiled]
    if not COMPILED_AVAILABLE:
        compiled_marks.append(pytest.mark.skip(reason=COMPILED_MISSING_REASON))
    return [pytest.param("cython", marks=compiled_marks, id="cython"),
            pytest.param("python", id="python")]


@pytest.fixture(scope="session", params=_impl_params())
def impl(request: pytest.FixtureRequest) -> Implementation:
    """Each implementation in turn (ids "cython" and "python")."""
    return get_implementation(request.param)


@pytest.fixture(scope="session")
def python_impl() -> Implementation:
    """The pure-Python implementation: the reference both must agree with."""
    return get_implementation("python")


@pytest.fixture(scope="session")
def compiled_impl() -> Implementation:
    """The compiled implementation (skips when it is missing)."""
    return get_implementation("cython")


@pytest.fixture(scope="session")
def all_impls() -> list[Implementation]:
    """Every implementation that imports here, compiled first."""
    return [get_implementation(name) for name in IMPLEMENTATION_NAMES
            if name == "python" or COMPILED_AVAILABLE]


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> float:
    """``time.time`` returns FROZEN_NOW for the whole test (for int ``expires``:
    starlette, http.cookies and both implementations look it up per call)."""
    monkeypatch.setattr(time, "time", lambda: FROZEN_NOW)
    return FROZEN_NOW


def _active_description() -> str:
    return f"{fastresp.IMPLEMENTATION} ({fastresp.REASON})"


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_COMPILED and not COMPILED_AVAILABLE:
        raise pytest.UsageError(
            f"{REQUIRE_COMPILED_VAR} is set but the compiled implementation is missing: "
            f"{_MISSING}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    if COMPILED_AVAILABLE:
        under_test = "cython, python"
    else:
        under_test = f"python only (cython skipped: {COMPILED_MISSING_REASON})"
    try:
        import fastapi
        fastapi_version = fastapi.__version__
    except ImportError:
        fastapi_version = "not installed"
    return [
        f"fastresp implementations under test: {under_test}",
        f"fastresp.IMPLEMENTATION: {_active_description()}",
        f"Python {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable}); starlette {starlette.__version__}; fastapi {fastapi_version}",
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if REQUIRE_COMPILED and not COMPILED_AVAILABLE:  # pragma: no cover - configure stops first
        raise pytest.UsageError(_MISSING)
    kept, dropped = [], []
    for item in items:
        if item.get_closest_marker("compiled") is not None:
            callspec = getattr(item, "callspec", None)
            if callspec is not None and callspec.params.get("impl") == "python":
                # The marker came from the test itself (the "cython" param carries
                # it too): a compiled-only test has no pure-Python run at all.
                dropped.append(item)
                continue
            if not COMPILED_AVAILABLE:
                item.add_marker(pytest.mark.skip(reason=COMPILED_MISSING_REASON))
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# ------------------------------------------------------------------ helpers
# Shared by the test modules as fixtures (tests/ is not a package).


def outcome(function: Callable[..., object], *args: object, **kwargs: object) -> tuple:
    """("ok", value) or ("err", exception type, str(exception))."""
    try:
        return ("ok", function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every exception is a result here
        return ("err", type(error), str(error))


@pytest.fixture(scope="session")
def run() -> Callable[..., tuple]:
    """The ``outcome`` helper: ("ok", value) or ("err", type, message)."""
    return outcome


#: Every starlette response class's own attributes as they were when the tests
#: started, before any install(): what uninstall() must restore, and what the
#: oracle classes are built from.
STARLETTE_CLASSES = tuple(
    obj for obj in vars(starlette.responses).values()
    if isinstance(obj, type) and issubclass(obj, starlette.responses.Response)
) + (starlette.datastructures.MutableHeaders,)
ORIGINAL_DICTS = {cls: dict(vars(cls)) for cls in STARLETTE_CLASSES}
assert not fastresp.installed(), "fastresp was installed before the tests started"

_ORACLE_METHODS = ("__init__", "render", "init_headers", "set_cookie", "delete_cookie",
                   "headers", "__call__")


def _pristine(name: str, *bases: type) -> type:
    original = ORIGINAL_DICTS[getattr(starlette.responses, name)]
    methods = {key: original[key] for key in _ORACLE_METHODS if key in original}
    return type(name, bases, {**methods, "__module__": "starlette_oracle"})


def make_oracle() -> SimpleNamespace:
    """starlette's five classes with the methods they had before any install(),
    so the oracle stays starlette even if a test elsewhere leaves fastresp
    installed."""
    sr = starlette.responses
    response = _pristine("Response", sr.Response)
    return SimpleNamespace(
        Response=response,
        HTMLResponse=_pristine("HTMLResponse", sr.HTMLResponse, response),
        PlainTextResponse=_pristine("PlainTextResponse", sr.PlainTextResponse, response),
        JSONResponse=_pristine("JSONResponse", sr.JSONResponse, response),
        RedirectResponse=_pristine("RedirectResponse", sr.RedirectResponse, response),
    )


ORACLE = make_oracle()


@pytest.fixture(scope="session")
def oracle() -> SimpleNamespace:
    """starlette's classes as they are without fastresp (the oracle)."""
    return ORACLE


# ------------------------------------------------------------- cookie oracle

#: Control characters the hardening refuses in every cookie field.
COOKIE_CONTROL = frozenset([chr(code) for code in range(0x20)] + ["\x7f"])
#: Characters the hardening refuses in header names and values and media_type.
HEADER_FORBIDDEN = frozenset("\r\n\0")


def starlette_parameters(method: str) -> list[str]:
    """The parameter names of the installed starlette's Response.<method>, self
    left out (set_cookie takes partitioned from 0.47, delete_cookie from 1.7)."""
    import inspect
    return list(inspect.signature(getattr(ORACLE.Response, method)).parameters)[1:]


def _oracle_cookie(method: str, kwargs: dict) -> bytes:
    return added_cookie_header(ORACLE.Response(), method, kwargs)


def starlette_cookie(kwargs: dict, method: str = "set_cookie") -> tuple:
    """The outcome of starlette's ``set_cookie(**kwargs)`` (or ``delete_cookie``):
    ("ok", header value bytes) or ("err", type, message), without hardening.

    A release without a ``partitioned`` parameter raises its TypeError for it.
    Where it has one, ``partitioned=True`` is refused by starlette below Python 3.14, where fastresp
    must still emit what starlette emits on 3.14: the header for the same call
    without it, with "; Partitioned" where SimpleCookie sorts it (after Max-Age,
    before Path, SameSite and Secure). The split point is found with starlette
    too: the tail "; Path=...; SameSite=...; Secure" is what starlette writes
    after "a=b" for those three attributes alone, and the head is taken from a
    call with Secure forced on, so the head is never stripped of trailing white
    space that a following "; Partitioned" would keep.
    """
    if "partitioned" in kwargs and "partitioned" not in starlette_parameters(method):
        # This release has no partitioned argument (set_cookie before 0.47,
        # delete_cookie before 1.7): starlette's own TypeError.
        return outcome(_oracle_cookie, method, kwargs)
    if method == "delete_cookie":
        kwargs = dict(kwargs)
        key = kwargs.pop("key")
        if "partitioned" in kwargs:
            # What starlette's delete_cookie does with it: set_cookie with
            # max_age=0 and expires=0, partitioned placed as below.
            return starlette_cookie({"key": key, "max_age": 0, "expires": 0, **kwargs})
        return outcome(_oracle_cookie, method, {"key": key, **kwargs})
    partitioned = kwargs.get("partitioned", False)
    if not partitioned or sys.version_info >= (3, 14):
        return outcome(_oracle_cookie, method, kwargs)
    plain = {name: value for name, value in kwargs.items() if name != "partitioned"}
    full = outcome(_oracle_cookie, method, plain)
    if full[0] == "err":
        return full
    tail_args = {name: plain[name] for name in ("path", "samesite") if name in plain}

    def tail(secure: object) -> bytes:
        value = _oracle_cookie("set_cookie", {"key": "a", "value": "b", "secure": secure, **tail_args})
        assert value.startswith(b"a=b"), value
        return value[3:]

    forced = _oracle_cookie(method, {**plain, "secure": True})
    forced_tail = tail(True)
    assert forced_tail and forced.endswith(forced_tail), (forced, forced_tail)
    head = forced[:-len(forced_tail)]
    return ("ok", head + b"; Partitioned" + tail(plain.get("secure", False)))


def _rendered(value: object) -> Optional[str]:
    """str() of an attribute value as SimpleCookie writes it, None when left out."""
    if value is None or value == "":
        return None
    return str(value)


def cookie_has_control(kwargs: dict, method: str = "set_cookie") -> bool:
    """True when the hardening must refuse the call: a control character in the
    str() of the name, the value or an attribute that is written."""
    if method == "delete_cookie":
        kwargs = {**kwargs, "value": "", "max_age": 0, "expires": 0}
    texts = []
    key = kwargs["key"]
    if isinstance(key, str):
        texts.append(str(key))
    texts.append(str(kwargs.get("value", "")))
    for name in ("domain", "path"):
        texts.append(_rendered(kwargs.get(name, "/" if name == "path" else None)))
    for name in ("expires", "max_age"):
        value = kwargs.get(name)
        if not isinstance(value, (int, __import__("datetime").datetime)):
            texts.append(_rendered(value))
    samesite = kwargs.get("samesite", "lax")
    if samesite is not None:
        texts.append(str(samesite))
    return any(text is not None and not COOKIE_CONTROL.isdisjoint(text) for text in texts)


def expected_cookie(kwargs: dict, method: str = "set_cookie") -> tuple:
    """What fastresp must give: starlette's outcome with the hardening on top.

    ("ok", bytes), ("err", type, message) as starlette raises, or
    ("refuse", allowed exception types) when the hardening applies (CookieError,
    or starlette's own error when starlette refuses the call anyway)."""
    from http.cookies import CookieError
    expected = starlette_cookie(kwargs, method)
    samesite = kwargs.get("samesite", "lax")
    if (expected[0] == "ok" and sys.flags.optimize and samesite is not None
            and samesite.lower() not in ("strict", "lax", "none")):
        # starlette's assert is gone under -O; fastresp raises anyway.
        expected = ("err", AssertionError, "samesite must be either 'strict', 'lax' or 'none'")
    if cookie_has_control(kwargs, method):
        if expected[0] == "ok":
            return ("refuse", (CookieError,))
        from fastresp._common import SameSiteError
        return ("refuse", (CookieError, SameSiteError if expected[1] is AssertionError else expected[1]))
    return expected


@pytest.fixture(scope="session")
def cookie_oracle() -> SimpleNamespace:
    """The cookie oracle helpers (tests/ is not a package, so they travel as a fixture)."""
    return SimpleNamespace(starlette=starlette_cookie, expected=expected_cookie,
                           parameters=starlette_parameters,
                           has_control=cookie_has_control, matches=assert_matches,
                           same=assert_same)


# ----------------------------------------------------------- response oracle


def response_snapshot(response: object) -> tuple:
    """What a response is on the wire: body type, body bytes, raw headers, status."""
    body = response.body  # type: ignore[attr-defined]
    return (type(body).__name__, bytes(body), list(response.raw_headers),  # type: ignore[attr-defined]
            response.status_code)  # type: ignore[attr-defined]


def build(make: Callable[[SimpleNamespace], object], classes: SimpleNamespace) -> tuple:
    """outcome() of building a response with make(classes), as a snapshot."""
    return outcome(lambda: response_snapshot(make(classes)))


def expected_response(make: Callable[[SimpleNamespace], object], forbidden_headers: bool,
                      forbidden_other: bool = False) -> tuple:
    """What fastresp must give for make(classes): starlette's outcome, with the
    hardening on top.

    * forbidden_headers: a header name or value given to the constructor holds
      CR, LF or NUL. It must be refused with ValueError, even where starlette
      would not write it (a RedirectResponse replaces a given location); when
      starlette refuses the call anyway, its error is right too.
    * A CR, LF or NUL that starlette would write into a header (from media_type
      or charset) must be refused with ValueError; forbidden_other says the
      media_type or charset holds one, so that when starlette refuses the call
      anyway either error is right.
    """
    expected = build(make, ORACLE)
    if forbidden_headers:
        return ("refuse", (ValueError,) if expected[0] == "ok" else (ValueError, expected[1]))
    if expected[0] == "ok":
        written = [part for header in expected[1][2] for part in header]
        if any(not HEADER_FORBIDDEN.isdisjoint(part.decode("latin-1")) for part in written):
            return ("refuse", (ValueError,))
        return expected
    if forbidden_other:
        return ("refuse", (ValueError, expected[1]))
    return expected


def assert_matches(got: tuple, expected: tuple) -> None:
    """got (an outcome) is what expected (from expected_cookie/expected_response) allows.

    Errors must be of starlette's exact type (its messages may differ: fastresp
    names the field), except starlette's samesite AssertionError, which fastresp
    raises as SameSiteError; a refusal must be of exactly one of the allowed types.
    """
    from fastresp._common import SameSiteError
    if expected[0] == "ok":
        assert got == expected, f"fastresp gave {got!r}, starlette {expected!r}"
    elif expected[0] == "refuse":
        assert got[0] == "err" and got[1] in expected[1], \
            f"fastresp gave {got!r}, expected one of {expected[1]!r} (hardening)"
    else:
        wanted = SameSiteError if expected[1] is AssertionError else expected[1]
        assert got[0] == "err" and got[1] is wanted, \
            f"fastresp gave {got!r}, starlette raised {expected[1].__name__}: {expected[2]}"


def assert_same(got: tuple, reference: tuple) -> None:
    """Both implementations agree exactly: the same bytes, or the same exception
    type and message."""
    assert got == reference, f"implementations differ: {got!r} vs reference {reference!r}"


@pytest.fixture(scope="session")
def response_oracle() -> SimpleNamespace:
    """The response oracle helpers (tests/ is not a package, so they travel as a fixture)."""
    return SimpleNamespace(snapshot=response_snapshot, build=build, expected=expected_response,
                           matches=assert_matches, same=assert_same)


@pytest.fixture(scope="session")
def original_starlette() -> dict:
    """{starlette response class: its own attributes before any install()}."""
    return ORIGINAL_DICTS
