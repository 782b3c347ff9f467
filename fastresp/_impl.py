"""The implementation of fastresp: what one is, and which one runs.

An ``Implementation`` is one side's modules, by role (``headers``, ``cookie``,
``json``, ``encoders``, ``asgi``: ``fastresp._<role>`` compiled,
``fastresp._<role>_py`` in pure Python), and the classes built on them.
``load_compiled()`` and ``load_python()`` return one; ``ACTIVE`` is the one
chosen once, at import: compiled where allowed (``_env.why_python()``) and
importable, pure Python otherwise. The public classes, ``install()``, the
tests and the benchmarks all take an Implementation.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, fields
from types import ModuleType, SimpleNamespace

from ._classes import make_classes
from ._env import import_failure, why_python


@dataclass(frozen=True, eq=False)
class Implementation:
    """One implementation: its name, whether it is compiled, its modules (every
    field typed ``ModuleType`` is a role, loaded as ``fastresp._<role>`` or
    ``fastresp._<role>_py``) and its classes (``make_classes(self)``)."""

    name: str          # "cython" or "python"
    compiled: bool
    headers: ModuleType
    cookie: ModuleType
    json: ModuleType
    encoders: ModuleType
    asgi: ModuleType
    request: ModuleType
    #: ``fastresp._slots``, the CPython type-slot switches: compiled only.
    slots: ModuleType | None = field(default=None, repr=False)
    #: Response, HTMLResponse, PlainTextResponse, JSONResponse, RedirectResponse
    #: and MutableHeaders built on these modules, once (``__module__`` "fastresp").
    classes: SimpleNamespace = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "classes", make_classes(self, "fastresp"))

    def __str__(self) -> str:
        return self.name


#: The roles, in field order ("ModuleType" is the annotation's text: see the
#: ``from __future__`` import above).
ROLES = tuple(item.name for item in fields(Implementation) if item.type == "ModuleType")


def load_python() -> Implementation:
    """The pure-Python implementation (the reference)."""
    modules = {role: importlib.import_module(f"{__package__}._{role}_py") for role in ROLES}
    return Implementation("python", False, **modules)


def load_compiled() -> Implementation:
    """The compiled implementation, whatever FASTRESP_NO_EXTENSIONS says; raises
    ImportError, naming the module and why, when one does not import."""
    modules = {}
    for role in [*ROLES, "slots"]:
        name = f"{__package__}._{role}"
        try:
            modules[role] = importlib.import_module(name)
        except ImportError as error:
            raise ImportError(f"{name} does not import: {error}", name=name) from error
    return Implementation("cython", True, **modules)


def _choose() -> tuple[Implementation, str]:
    reason = why_python()
    if reason is not None:
        return load_python(), reason
    try:
        return load_compiled(), "the compiled modules are built and allowed"
    except ImportError as error:
        return load_python(), import_failure(error, __file__)


ACTIVE, REASON = _choose()
#: "cython" or "python": what actually loaded (``ACTIVE.name``).
IMPLEMENTATION = ACTIVE.name
