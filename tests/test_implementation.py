"""Which implementation ``import fastresp`` loads, checked in fresh interpreters.

* With a clean environment the compiled modules are active whenever they exist
  (skipped when they are missing; a hard failure when FASTRESP_REQUIRE_COMPILED is set).
* FASTRESP_NO_EXTENSIONS=1 selects "python", and REASON names the variable.
* FASTRESP_NO_EXTENSIONS="" (empty) does not.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

import fastresp

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))
_PROBE = """
import json, fastresp
from fastresp import _impl
print(json.dumps({
    "implementation": fastresp.IMPLEMENTATION,
    "reason": fastresp.REASON,
    "headers": _impl.headers.__name__,
    "cookie": _impl.cookie.__name__,
    "json": _impl.json.__name__,
    "encoders": _impl.encoders.__name__,
    "asgi": _impl.asgi.__name__,
    "request": _impl.request.__name__,
}))
"""

def _clean_env(**extra: str) -> dict:
    """The current environment without fastresp's variables, plus extra; the same
    fastresp importable."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("FASTRESP_") and name != "PYTHONOPTIMIZE"}
    paths = [_ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env


def _probe(**extra: str) -> dict:
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                            env=_clean_env(**extra), cwd=_ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


#: The implementation's modules, in fastresp._impl.Modules' order.
MODULES = ("headers", "cookie", "json", "encoders", "asgi", "request")


def _module_names(suffix: str) -> list:
    return [f"fastresp._{name}{suffix}" for name in MODULES]


def _compiled_importable() -> tuple[bool, str]:
    result = subprocess.run(
        [sys.executable, "-c", "from fastresp._impl import load_compiled; load_compiled()"],
        capture_output=True, text=True, env=_clean_env(), cwd=_ROOT)
    lines = result.stderr.strip().splitlines()
    return result.returncode == 0, lines[-1] if lines else ""


@pytest.mark.compiled
def test_compiled_is_default_when_built():
    importable, error = _compiled_importable()
    if not importable:
        if os.environ.get("FASTRESP_REQUIRE_COMPILED"):
            pytest.fail(f"FASTRESP_REQUIRE_COMPILED is set but the compiled modules do not "
                        f"import: {error}")
        pytest.skip(f"compiled modules not importable here: {error}")
    state = _probe()
    assert state["implementation"] == "cython", state
    assert [state[name] for name in MODULES] == _module_names("")
    assert state["reason"]


def test_python_implementation_when_compiled_missing_or_not_cpython():
    importable, _ = _compiled_importable()
    if importable and platform.python_implementation() == "CPython":
        pytest.skip("the compiled modules are importable: covered by test_compiled_is_default_when_built")
    state = _probe()
    assert state["implementation"] == "python", state
    assert [state[name] for name in MODULES] == _module_names("_py")
    assert state["reason"]


@pytest.mark.parametrize("value", ["1", "yes", "0", "false", " "])
def test_no_extensions_selects_python(value):
    """Any non-empty value, even "0": the variable is a switch, not a boolean."""
    state = _probe(FASTRESP_NO_EXTENSIONS=value)
    assert state["implementation"] == "python", state
    assert [state[name] for name in MODULES] == _module_names("_py")
    if platform.python_implementation() == "CPython":
        assert "FASTRESP_NO_EXTENSIONS" in state["reason"], state["reason"]


def test_empty_no_extensions_does_not_select_python():
    importable, error = _compiled_importable()
    state = _probe(FASTRESP_NO_EXTENSIONS="")
    default = _probe()
    assert state == default
    assert "FASTRESP_NO_EXTENSIONS" not in state["reason"]
    if importable and platform.python_implementation() == "CPython":
        assert state["implementation"] == "cython", state
    elif os.environ.get("FASTRESP_REQUIRE_COMPILED"):
        pytest.fail(f"FASTRESP_REQUIRE_COMPILED is set but the compiled modules do not import: {error}")


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


def test_active_implementation_in_this_process():
    """The compiled modules exactly when they import and nothing asks for Python."""
    from fastresp import _env, _impl

    try:
        _impl.load_compiled()
    except ImportError:
        importable = False
    else:
        importable = True
    wanted = "cython" if importable and _env.why_python() is None else "python"
    assert fastresp.IMPLEMENTATION == wanted, fastresp.REASON
    expected = "fastresp._headers" if wanted == "cython" else "fastresp._headers_py"
    assert _impl.headers.__name__ == expected
    assert isinstance(fastresp.REASON, str) and fastresp.REASON


@pytest.mark.compiled
def test_compiled_modules_are_extension_modules(impl):
    """Runs for "cython" only: the compiled implementation really is compiled."""
    import importlib.machinery

    assert impl.compiled is True
    for module in (impl.headers, impl.cookie, impl.json, impl.encoders, impl.asgi,
                   impl.request):
        assert module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), module
        # Same API as the reference modules.
    from fastresp import _cookie_py, _headers_py

    for module, reference in ((impl.headers, _headers_py), (impl.cookie, _cookie_py)):
        for name in ("response_init", "render", "init_headers", "redirect_init") \
                if reference is _headers_py else ("cookie_value", "set_cookie", "delete_cookie"):
            assert callable(getattr(module, name)), name


def test_loaders_name_their_modules():
    from fastresp import _impl

    assert [module.__name__ for module in _impl.load_python()] == _module_names("_py")
    try:
        compiled = _impl.load_compiled()
    except ImportError as error:
        assert "fastresp" in str(error) or "_" in str(error)
    else:
        assert [module.__name__ for module in compiled] == _module_names("")
