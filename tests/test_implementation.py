"""Which implementation ``import fastresp`` loads, seen from fresh interpreters.

* With a clean environment the compiled modules are active whenever they exist.
* FASTRESP_NO_EXTENSIONS (any non-empty value) selects "python", and REASON
  names the variable; an empty value does not; the pure-Python side then imports
  no extension module at all.
* A compiled module that does not import: "python", and REASON (like
  ``load_compiled()``'s ImportError) names the module.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import platform
import subprocess
import sys

import pytest

import fastresp
from fastresp import _impl

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))
#: Run before the probe to make one module fail to import, as a broken build would.
_BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == {name!r}:
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
"""
_PROBE = """
import importlib.machinery, json, sys
import fastresp
from fastresp import _impl
extension = tuple(importlib.machinery.EXTENSION_SUFFIXES)
print(json.dumps({
    "implementation": fastresp.IMPLEMENTATION,
    "reason": fastresp.REASON,
    "modules": [getattr(_impl.ACTIVE, role).__name__ for role in _impl.ROLES],
    "public": fastresp.Response is _impl.ACTIVE.classes.Response,
    "extensions": sorted(name for name, module in list(sys.modules.items())
                         if name.startswith("fastresp.")
                         and (getattr(module, "__file__", "") or "").endswith(extension)),
}))
"""
#: The compiled modules, each with a pure-Python twin but _slots.
COMPILED = [f"fastresp._{role}" for role in _impl.ROLES] + ["fastresp._slots"]


def _clean_env(**extra: str) -> dict:
    """The current environment without fastresp's variables, plus extra; the same
    fastresp importable."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("FASTRESP_") and name != "PYTHONOPTIMIZE"}
    paths = [_ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def _probe(block: str | None = None, **extra: str) -> dict:
    """The probe's findings in a fresh interpreter (environment: _clean_env);
    block: a module made to fail to import."""
    code = (_BLOCK.format(name=block) if block else "") + _PROBE
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=_clean_env(**extra), cwd=_ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.compiled
def test_compiled_is_default_when_built():
    state = _probe()
    assert state["implementation"] == "cython", state
    assert state["reason"] == "the compiled modules are built and allowed"
    assert state["modules"] == [f"fastresp._{role}" for role in _impl.ROLES]
    assert state["extensions"] == sorted(COMPILED)
    assert state["public"]


@pytest.mark.parametrize("value", ["1", "yes", "0", "false", " "])
def test_no_extensions_selects_python(value):
    """Any non-empty value, even "0": the variable is a switch, not a boolean."""
    state = _probe(FASTRESP_NO_EXTENSIONS=value)
    assert state["implementation"] == "python", state
    assert state["modules"] == [f"fastresp._{role}_py" for role in _impl.ROLES]
    assert state["extensions"] == []          # the pure-Python side imports none
    assert state["public"]
    if platform.python_implementation() == "CPython":
        assert "FASTRESP_NO_EXTENSIONS" in state["reason"]


def test_empty_no_extensions_does_not_select_python():
    state = _probe(FASTRESP_NO_EXTENSIONS="")
    assert state == _probe()
    assert "FASTRESP_NO_EXTENSIONS" not in state["reason"]


@pytest.mark.compiled
@pytest.mark.parametrize("module", COMPILED)
def test_a_broken_compiled_module_means_python(module):
    state = _probe(block=module)
    assert state["implementation"] == "python", state
    assert state["modules"] == [f"fastresp._{role}_py" for role in _impl.ROLES]
    assert state["reason"].startswith("the compiled modules failed to import (fastresp._")
    assert f"blocked {module}" in state["reason"]
    assert state["public"]


def test_env_module_parsing():
    from fastresp import _env

    assert _env.extensions_disabled({}) is False
    assert _env.extensions_disabled({"FASTRESP_NO_EXTENSIONS": ""}) is False
    assert _env.extensions_disabled({"FASTRESP_NO_EXTENSIONS": "1"}) is True
    assert _env.extensions_disabled({"FASTRESP_NO_EXTENSIONS": "0"}) is True
    reason = _env.why_python({"FASTRESP_NO_EXTENSIONS": "1"})
    assert reason is not None
    if platform.python_implementation() == "CPython":
        assert "FASTRESP_NO_EXTENSIONS" in reason
        assert _env.why_python({}) is None
        assert _env.why_python({"FASTRESP_NO_EXTENSIONS": ""}) is None
    else:
        assert platform.python_implementation() in _env.why_python({})


@pytest.mark.compiled
def test_compiled_modules_are_extension_modules(impl):
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for module in [getattr(impl, role) for role in _impl.ROLES] + [impl.slots]:
        assert module.__file__.endswith(suffixes), module


def test_load_python():
    python = _impl.load_python()
    assert (python.name, python.compiled, python.slots) == ("python", False, None)
    assert [getattr(python, role).__name__ for role in _impl.ROLES] == [
        f"fastresp._{role}_py" for role in _impl.ROLES]
    assert python.classes.Response.render is python.headers.render
