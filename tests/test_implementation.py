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


# ------------------------------------------- why the compiled modules did not import


def _package(tmp_path, *files: str, checkout: bool = False) -> str:
    """A package directory holding empty *files*, inside a checkout (a setup.py
    beside it) or not; the path of a module in it, as _impl passes its __file__."""
    package = tmp_path / "fastresp"
    package.mkdir()
    for name in ("_impl.py", *files):
        (package / name).write_text("")
    if checkout:
        (tmp_path / "setup.py").write_text("")
    return str(package / "_impl.py")


_CIRCULAR = ImportError("cannot import name '_asgi' from partially initialized module 'fastresp' "
                        "(most likely due to a circular import)")


def test_import_failure_from_a_source_tree(tmp_path):
    from fastresp import _env

    module = _package(tmp_path, "_asgi.pyx", "_headers.pyx", checkout=True)
    reason = _env.import_failure(_CIRCULAR, module, {})
    assert reason.startswith("running from a source tree without built extensions ("), reason
    assert "python setup.py build_ext --inplace" in reason and "pip install ." in reason
    assert "circular" not in reason


def test_import_failure_without_compiled_modules(tmp_path):
    """An installed package built without them (FASTRESP_NO_EXTENSIONS at build time)."""
    from fastresp import _env

    reason = _env.import_failure(_CIRCULAR, _package(tmp_path, "_asgi.pyx"), {})
    assert reason.startswith("the compiled modules are not installed ("), reason
    assert "circular" not in reason


def test_import_failure_of_built_modules_gives_the_error(tmp_path):
    import importlib.machinery

    from fastresp import _env

    error = ImportError("undefined symbol: PyFoo")
    module = _package(tmp_path, "_asgi.pyx", "_asgi" + importlib.machinery.EXTENSION_SUFFIXES[0], checkout=True)
    assert _env.import_failure(error, module, {}) == "the compiled modules failed to import (undefined symbol: PyFoo)"


def test_import_failure_after_a_build_without_a_compiler(tmp_path):
    import warnings

    from fastresp import _env

    module = _package(tmp_path, "_asgi.pyx", _env.NO_COMPILER_MARKER)
    (tmp_path / "fastresp" / _env.NO_COMPILER_MARKER).write_text("command 'gcc' failed:\n No such file\n")
    with pytest.warns(fastresp.NoCompilerWarning) as caught:
        reason = _env.import_failure(_CIRCULAR, module, {})
    assert reason == "built without a C compiler (command 'gcc' failed: No such file)"
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("fastresp was built without a C compiler (command 'gcc' failed: No such file)")
    assert "FASTRESP_QUIET=1" in message
    assert issubclass(fastresp.NoCompilerWarning, RuntimeWarning)
    # FASTRESP_QUIET, or a filter on the message, silences it; REASON stays.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _env.import_failure(_CIRCULAR, module, {"FASTRESP_QUIET": "1"}) == reason
        warnings.filterwarnings("ignore", "fastresp was built without a C compiler")
        assert _env.import_failure(_CIRCULAR, module, {}) == reason


_HAVE_CHECKOUT = all(os.path.isfile(os.path.join(_ROOT, *parts))
                     for parts in (("setup.py",), ("fastresp", "_asgi.pyx")))


@pytest.mark.skipif(not _HAVE_CHECKOUT, reason="needs the source checkout (setup.py, the .pyx files)")
@pytest.mark.skipif(platform.python_implementation() != "CPython", reason="PyPy never loads the compiled modules")
def test_python_m_fastresp_in_a_checkout_without_built_extensions(tmp_path):
    """The newcomer's case: `python -m fastresp` in a fresh clone, nothing built."""
    import shutil

    tree = tmp_path / "checkout"
    shutil.copytree(os.path.join(_ROOT, "fastresp"), str(tree / "fastresp"),
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "*.html", "__pycache__", "_no_compiler.txt"))
    shutil.copy(os.path.join(_ROOT, "setup.py"), str(tree / "setup.py"))
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("FASTRESP_") and name != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-m", "fastresp"], capture_output=True, text=True, env=env,
                            cwd=str(tree), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "circular import" not in result.stdout
    assert (f"implementation: python (running from a source tree without built extensions "
            f"({tree / 'fastresp'}): build them in place with `python setup.py build_ext --inplace`") \
        in result.stdout, result.stdout
    assert result.stderr == ""     # no warning: nothing was built, nothing fell back
