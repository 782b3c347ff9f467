"""Packaging: what the sdist and the wheels hold, and the install without a compiler.

* The sdist holds the .pyx and .pxd sources, _env.py (setup.py loads it) and
  every module, and nothing generated: no .c, no compiled module, no annotation
  report.
* A wheel built from that sdist on CPython holds both compiled modules; with
  FASTRESP_NO_EXTENSIONS=1 it holds none and is a pure-Python wheel.
* Installing the sdist with no working C compiler (CC=/bin/false) succeeds, prints
  the warning once and gives IMPLEMENTATION == "python".
* A compiled module never shares its name with a .py module (it would shadow it).
* Every .pyx states the same Cython directives in its first lines; setup.py adds none.
* Under tox the tests import the installed package, never the source tree.

The tests that build or install are marked ``slow`` (about a minute in all; they
need the package index for the isolated build environments).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import fastresp

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "fastresp"
HAVE_SOURCE = (ROOT / "setup.py").is_file() and (SOURCE / "_env.py").is_file()
CPYTHON = platform.python_implementation() == "CPython"
COMPILED = ("_headers", "_cookie", "_json", "_encoders", "_asgi", "_wire")
WARNING = "WARNING: fastresp's compiled modules could not be built"
#: Suffixes of compiled modules and of what must never be shipped.
BINARY = re.compile(r"\.(so|pyd|dylib)$")
GENERATED = re.compile(r"\.(c|so|pyd|html|pyc|pyo)$")

needs_source = pytest.mark.skipif(not HAVE_SOURCE, reason=f"no source tree at {ROOT} to build from")
cpython_only = pytest.mark.skipif(
    not CPYTHON, reason="PyPy never compiles the extensions; the build is checked on CPython")


def _run(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, timeout: float = 300) -> str:
    """Run a command; its output (stdout and stderr together), or a failure showing it."""
    process = subprocess.run(args, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=timeout)
    if process.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited with {process.returncode}:\n{process.stdout[-6000:]}")
    return process.stdout


def _build_env(**extra: str) -> Dict[str, str]:
    """The environment for a build: this one without fastresp's switches (each
    test sets what it means to test) and without PYTHONPATH."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("FASTRESP_NO_EXTENSIONS", "FASTRESP_REQUIRE_COMPILED", "PYTHONPATH")}
    env.update(extra)
    return env


def _members(archive: Path) -> List[str]:
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(str(archive)) as wheel:
            return wheel.namelist()
    with tarfile.open(str(archive)) as sdist:
        return [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]


def _shadowing(names: List[str]) -> List[str]:
    """Compiled modules among *names* (paths) that share a stem with a .py module."""
    python = {name[:-3] for name in names if name.endswith(".py")}
    return sorted(name for name in names if BINARY.search(name) and name.split(".")[0] in python)


# ----------------------------------------------------------------- no shadowing


def test_shadowing_check_catches_a_shadow():
    assert _shadowing(["fastresp/_headers.py", "fastresp/_headers.cpython-311-x86_64-linux-gnu.so"])
    assert not _shadowing(["fastresp/_headers_py.py", "fastresp/_headers.cpython-311-x86_64-linux-gnu.so"])


@pytest.mark.parametrize("where", ["installed", "source"])
def test_no_compiled_module_shadows_a_python_module(where):
    directory = Path(fastresp.__file__).parent if where == "installed" else SOURCE
    if not directory.is_dir():
        pytest.skip(f"no {where} package directory")
    names = [f"fastresp/{path.name}" for path in directory.iterdir()]
    assert _shadowing(names) == []
    # The only compiled modules are the two the fallback stands in for.
    stems = {name.split("/")[1].split(".")[0] for name in names if BINARY.search(name)}
    assert stems <= set(COMPILED)


@pytest.mark.skipif("TOX_ENV_NAME" not in os.environ, reason="only meaningful under tox, which installs a wheel")
def test_tests_import_the_installed_package():
    package = Path(fastresp.__file__).resolve().parent
    assert package != SOURCE.resolve(), (
        f"the tests imported the source tree ({package}), not the installed wheel: run `pytest`, "
        "not `python -m pytest`, and keep tests/ free of __init__.py")
    assert "site-packages" in package.parts


@pytest.mark.skipif("TOX_ENV_NAME" not in os.environ, reason="only meaningful under tox, which installs a wheel")
def test_installed_wheel_matches_the_environment():
    installed = sorted(path.name for path in Path(fastresp.__file__).parent.iterdir() if BINARY.search(path.name))
    if not CPYTHON or os.environ.get("FASTRESP_NO_EXTENSIONS"):
        # Built without extensions: nothing compiled may be installed at all.
        assert installed == []
        assert fastresp.IMPLEMENTATION == "python"
    elif os.environ.get("FASTRESP_REQUIRE_COMPILED"):
        assert sorted(name.split(".")[0] for name in installed) == sorted(COMPILED)
        assert fastresp.IMPLEMENTATION == "cython", fastresp.REASON


# ---------------------------------------------------------- Cython directives

#: What every .pyx states in its ``# cython:`` lines; setup.py adds nothing, so
#: this is all a module is compiled with, and all modules alike.
DIRECTIVES = {
    "language_level": "3", "boundscheck": "False", "wraparound": "False", "cdivision": "True",
    "initializedcheck": "False", "embedsignature": "True", "binding": "True",
    "freethreading_compatible": "False",
}


def _stated_directives(text: str) -> Dict[str, str]:
    """The directives of the ``# cython:`` lines in a .pyx file's leading comments."""
    stated: Dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# cython:"):
            for item in line[len("# cython:"):].split(","):
                name, value = (part.strip() for part in item.split("="))
                assert name not in stated, name
                stated[name] = value
    return stated


@needs_source
@pytest.mark.parametrize("name", COMPILED)
def test_pyx_states_every_directive_at_its_top(name):
    assert _stated_directives((SOURCE / f"{name}.pyx").read_text(encoding="utf-8")) == DIRECTIVES


@needs_source
def test_setup_adds_no_directive():
    assert "compiler_directives" not in (ROOT / "setup.py").read_text(encoding="utf-8")


# ------------------------------------------------------------- sdist and wheels


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    """An sdist built with ``python -m build --sdist`` from a copy of the source
    tree, in-place build products (.c, .so, build/) included, as a developer's
    checkout has them."""
    if not HAVE_SOURCE:
        pytest.skip(f"no source tree at {ROOT} to build from")
    if not CPYTHON:
        pytest.skip("the sdist does not depend on the interpreter; it is built and checked on CPython")
    work = tmp_path_factory.mktemp("sdist")
    tree = work / "src"
    shutil.copytree(str(ROOT), str(tree), ignore=shutil.ignore_patterns(
        ".git", ".tox", "dist", "*.egg-info", ".hypothesis", ".pytest_cache", ".benchmarks", "__pycache__",
        ".venv*", ".mypy_cache"))
    _run([sys.executable, "-m", "build", "--sdist", "--outdir", str(work / "dist"), str(tree)], work, _build_env())
    (archive,) = (work / "dist").glob("fastresp-*.tar.gz")
    return archive


@pytest.mark.slow
def test_sdist_holds_the_sources_and_nothing_generated(sdist):
    names = _members(sdist)
    for required in ("setup.py", "pyproject.toml", "README.md", "MANIFEST.in", "fastresp/py.typed",
                     "fastresp/_env.py", "fastresp/_headers.pyx", "fastresp/_cookie.pyx",
                     "fastresp/_json.pyx", "fastresp/_encoders.pyx", "fastresp/_asgi.pyx",
                     "fastresp/_tables.pxd", "fastresp/_capi.pxd"):
        assert required in names, required
    modules = sorted(f"fastresp/{path.name}" for path in SOURCE.glob("*.py"))
    assert sorted(name for name in names if name.startswith("fastresp/") and name.endswith(".py")) == modules
    assert [name for name in names if GENERATED.search(name)] == []
    # The checkout-only folders: the tests with their oracle, the benchmarks, the
    # fuzz and memcheck runners.
    assert [name for name in names if name.startswith(("build/", "tests/", "bench/", "scripts/"))] == []


@pytest.fixture(scope="module")
def unpacked_sdist(sdist, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(str(sdist)) as archive:
        # The "data" filter where tarfile has it (3.12, and the 3.9-3.11 security
        # releases): the default from 3.14, which warns when it is not given.
        archive.extractall(str(work), **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (tree,) = work.iterdir()
    return tree


def _wheel_from(tree: Path, outdir: Path, **env: str) -> Path:
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(tree)], outdir.parent,
         _build_env(**env))
    (wheel,) = outdir.glob("fastresp-*.whl")
    return wheel


@pytest.mark.slow
@cpython_only
@pytest.mark.skipif(shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler on this machine")
def test_wheel_from_the_sdist_holds_both_compiled_modules(unpacked_sdist, tmp_path):
    wheel = _wheel_from(unpacked_sdist, tmp_path / "wheel")
    names = _members(wheel)
    compiled = sorted(name.split("/")[1].split(".")[0] for name in names if BINARY.search(name))
    assert compiled == sorted(COMPILED)
    assert _shadowing(names) == []
    assert [name for name in names if name.endswith((".c", ".html"))] == []
    assert "fastresp/py.typed" in names
    assert not wheel.name.endswith("-none-any.whl")


@pytest.mark.slow
@cpython_only
def test_wheel_without_extensions_is_pure_python(unpacked_sdist, tmp_path):
    wheel = _wheel_from(unpacked_sdist, tmp_path / "wheel", FASTRESP_NO_EXTENSIONS="1")
    names = _members(wheel)
    assert wheel.name.endswith("-py3-none-any.whl")
    assert [name for name in names if BINARY.search(name)] == []
    assert "fastresp/_headers.pyx" in names and "fastresp/_headers_py.py" in names
    assert "fastresp/_tables.pxd" in names and "fastresp/_capi.pxd" in names


@pytest.mark.slow
@cpython_only
@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false to stand for a broken compiler")
def test_sdist_installs_without_a_compiler(sdist, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    # -v: pip shows the build's output (and so the warning) only when asked.
    output = _run([str(python), "-m", "pip", "install", "-v", "--no-cache-dir", str(sdist)], tmp_path,
                  _build_env(CC="/bin/false", CXX="/bin/false"))
    assert output.count(WARNING) == 1, output[-6000:]
    assert "pure-Python implementation" in output

    script = ("import json, fastresp; r = fastresp.Response('hi'); "
              "print(json.dumps([fastresp.IMPLEMENTATION, fastresp.REASON, fastresp.__file__, "
              "r.body.decode(), [list(map(bytes.decode, h)) for h in r.raw_headers]]))")
    result = _run([str(python), "-c", script], tmp_path, _build_env())
    implementation, reason, location, body, headers = json.loads(result.strip().splitlines()[-1])
    assert implementation == "python", reason
    assert str(venv) in location
    assert body == "hi" and headers == [["content-length", "2"]]
    package = Path(location).parent
    assert [path.name for path in package.iterdir() if BINARY.search(path.name)] == []


#: What a file named in CONTRIBUTING.md's folder map looks like.
_MAPPED_FILE = re.compile(r"(?<![\w/.-])[\w.-]+\.(?:py|pyx|pxd|sh|md|toml|in|ini|typed)\b")
_MAPPED_DIR = re.compile(r"^\s*([\w.-]+/)", re.M)


@needs_source
def test_contributing_folder_map_matches_the_tree():
    """Every file and folder the map names exists where the map puts it, and
    every source file outside tests/test_*.py and tests/regressions/ is named."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("## Folder map", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    named = set()
    folder = ROOT
    for line in block.splitlines():
        if line and not line.startswith(" "):
            top = _MAPPED_DIR.match(line)
            folder = ROOT / top.group(1) if top else ROOT
            assert folder.is_dir(), line
        sub = _MAPPED_DIR.match(line) if line.startswith(" ") else None
        if sub:
            assert (folder / sub.group(1)).is_dir(), line
        for name in _MAPPED_FILE.findall(line):
            assert (folder / name).is_file() or (ROOT / name).is_file(), (name, line)
            named.add((folder / name) if (folder / name).is_file() else ROOT / name)
    sources = [path for pattern in ("fastresp/*.py", "fastresp/*.pyx", "fastresp/*.pxd",
                                    "fastresp/py.typed", "tests/*.py", "bench/*.py",
                                    "scripts/*")
               for path in ROOT.glob(pattern) if not path.name.startswith("test_")]
    assert sorted(str(path.relative_to(ROOT)) for path in sources if path not in named) == []
