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
* ``references`` is what ``impl`` must agree with exactly: the pure-Python
  reference on the compiled run, nothing on the reference's own run.

Both implementations are loaded by ``fastresp._impl.load_compiled()`` /
``load_python()``; the starlette oracle is tests/oracle.py, which the
``oracle``, ``cookie_oracle``, ``response_oracle`` and ``run`` fixtures hand out.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Callable

import pytest
import starlette

import oracle as _oracle  # tests/ is on sys.path: see helpers.py
import fastresp
from fastresp import _impl
from fastresp.responses import make_classes

REQUIRE_COMPILED_VAR = "FASTRESP_REQUIRE_COMPILED"
IMPLEMENTATION_NAMES = ("cython", "python")

#: The float ``time.time`` is frozen to by the ``frozen_time`` fixture:
#: 2023-11-14 22:13:20.25 UTC (a fraction, so flooring is exercised).
FROZEN_NOW = 1_700_000_000.25

try:
    _COMPILED: _impl.Modules | None = _impl.load_compiled()
    _MISSING = ""
except ImportError as error:
    _COMPILED = None
    if platform.python_implementation() != "CPython":
        _MISSING = (f"{platform.python_implementation()} {platform.python_version()} has no "
                    f"compiled modules: it runs the pure-Python implementation only")
    else:
        _MISSING = (f"compiled modules fastresp._headers/_cookie/_json/_encoders/_asgi do not "
                    f"import on CPython {platform.python_version()} ({error}); build them with "
                    f"`python setup.py build_ext --inplace`")
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
    request: ModuleType    # the request side: Headers reads, cookies, cookie_parser
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
            modules = _impl.load_python()
        elif name == "cython":
            if _COMPILED is None:
                pytest.skip(COMPILED_MISSING_REASON)
            modules = _COMPILED
        else:  # pragma: no cover - a typo in a test
            raise ValueError(name)
        _implementations[name] = Implementation(
            name=name, **modules._asdict(), classes=make_classes(modules, f"fastresp_test_{name}"),
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
def references(impl: Implementation) -> tuple[Implementation, ...]:
    """What impl must agree with exactly (bytes, or exception type and message):
    the pure-Python reference on the compiled run; nothing on the reference's own
    run, where comparing it with itself could not fail."""
    return (get_implementation("python"),) if impl.compiled else ()


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


# ------------------------------------------------------------------ oracle
# The oracle is tests/oracle.py; these fixtures hand its parts to the tests.


@pytest.fixture(scope="session")
def run() -> Callable[..., tuple]:
    """oracle.outcome: ("ok", value) or ("err", type, message)."""
    return _oracle.outcome


assert not fastresp.installed(), "fastresp was installed before the tests started"


@pytest.fixture(scope="session")
def oracle() -> SimpleNamespace:
    """starlette's classes as they are without fastresp (oracle.ORACLE)."""
    return _oracle.ORACLE


@pytest.fixture(scope="session")
def cookie_oracle() -> SimpleNamespace:
    """The cookie oracle: starlette's outcome, what fastresp must give, the judge."""
    return SimpleNamespace(starlette=_oracle.starlette_cookie, expected=_oracle.expected_cookie,
                           parameters=_oracle.starlette_parameters, matches=_oracle.judge,
                           same=_oracle.same)


@pytest.fixture(scope="session")
def response_oracle() -> SimpleNamespace:
    """The response oracle: build(make, classes) is the outcome of snapshot(make(classes))."""
    return SimpleNamespace(snapshot=_oracle.snapshot,
                           build=lambda make, classes: _oracle.outcome(
                               lambda: _oracle.snapshot(make(classes))),
                           matches=_oracle.judge, same=_oracle.same)


@pytest.fixture(scope="session")
def original_starlette() -> dict:
    """{starlette response class: its own attributes before any install()}."""
    return _oracle.ORIGINAL_DICTS
