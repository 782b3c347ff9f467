"""The seam between the two implementations, declared and checked.

* Each compiled module ``_X`` reads from its pure-Python reference ``_X_py``
  (and ``_headers`` from ``_asgi_py``) only the names that reference lists in
  ``COMPILED_USES`` and in its docstring: public names, defined there. Renaming
  one in the reference then fails here, not only in the compiled build.
* ``responses.hot_methods()`` and ``make_classes()`` read the same names from
  either implementation's modules, and both implementations have them all.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

import fastresp
from fastresp.responses import hot_methods, make_classes

COMPILED = ("_headers", "_cookie", "_json", "_encoders", "_asgi")
REFERENCES = tuple(f"{name}_py" for name in COMPILED)
ROLES = ("headers", "cookie", "json", "asgi")
#: ``<reference>.<name>`` in a .pyx file.
READ = re.compile(r"\b(_[a-z]+_py)\.([A-Za-z_]\w*)")


def _pyx_sources() -> dict[str, str]:
    """The .pyx text of each compiled module (the wheel ships them beside the package)."""
    directory = Path(fastresp.__file__).parent
    sources = {name: directory / f"{name}.pyx" for name in COMPILED}
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        pytest.skip(f"no .pyx sources here: {', '.join(missing)}")
    return {name: path.read_text(encoding="utf-8") for name, path in sources.items()}


def _names_read() -> dict[str, set[str]]:
    """reference module -> the names the .pyx files read from it."""
    read: dict[str, set[str]] = {reference: set() for reference in REFERENCES}
    for text in _pyx_sources().values():
        for reference, name in READ.findall(text):
            read[reference].add(name)
    return read


@pytest.mark.parametrize("reference", REFERENCES)
def test_reference_declares_its_interface(reference):
    module = importlib.import_module(f"fastresp.{reference}")
    uses = module.COMPILED_USES
    assert len(set(uses)) == len(uses) and uses, uses
    assert [name for name in uses if name.startswith("_")] == []
    assert [name for name in uses if not hasattr(module, name)] == []
    # Defined in the reference, not imported into it from elsewhere.
    for name in uses:
        value = getattr(module, name)
        owner = getattr(value, "__module__", None)
        if owner is not None and not isinstance(value, (ModuleType, property)) and callable(value):
            assert owner in (module.__name__, "starlette.responses", "starlette.datastructures"), (
                name, owner)
    doc = module.__doc__ or ""
    assert [name for name in uses if f"``{name}``" not in doc] == []


@pytest.mark.parametrize("reference", REFERENCES)
def test_compiled_modules_read_exactly_the_interface(reference):
    module = importlib.import_module(f"fastresp.{reference}")
    assert _names_read()[reference] == set(module.COMPILED_USES)


@pytest.mark.parametrize("name", COMPILED)
def test_compiled_modules_take_names_only_through_the_module(name):
    """``from ._X_py import name`` would hide a read from the check above."""
    text = _pyx_sources()[name]
    assert re.findall(r"from\s+\.?_[a-z]+_py\s+c?import", text) == []
    assert re.findall(r"^from fastresp\._[a-z]+_py", text, re.M) == []


class _Recorder:
    """A module stand-in that notes every attribute read from it."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        self.read: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.read.append(name)
        return getattr(self._module, name)


def _read_by_make_classes(impl) -> dict[str, list[str]]:
    recorders = {role: _Recorder(getattr(impl, role)) for role in ROLES}
    make_classes(SimpleNamespace(**recorders), "fastresp_test_seam")
    return {role: sorted(set(recorder.read)) for role, recorder in recorders.items()}


def test_hot_methods_read_the_same_names_from_each_implementation(all_impls):
    read = {impl.name: _read_by_make_classes(impl) for impl in all_impls}
    assert all(names == read["python"] for names in read.values()), read
    assert all(read["python"][role] for role in ROLES)


def test_each_implementation_provides_what_hot_methods_reads(impl, python_impl):
    for role, names in _read_by_make_classes(python_impl).items():
        module = getattr(impl, role)
        assert [name for name in names if getattr(module, name, None) is None] == [], role


def test_each_implementation_replaces_the_same_methods(impl, python_impl):
    def shape(methods):
        return {cls: sorted(names) for cls, names in methods.items()}

    assert shape(hot_methods(impl)) == shape(hot_methods(python_impl))
