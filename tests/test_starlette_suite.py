"""starlette's own tests/test_responses.py, run against fastresp.

At test time the sdist of the installed starlette release is downloaded (never
vendored) with ``pip download --no-deps --no-binary :all: starlette==<version>``;
its tests/test_responses.py, the files it imports from starlette's tests package
(__init__.py, conftest.py with the ``test_client_factory`` fixture, types.py) and
its pyproject.toml (starlette's pytest settings: warnings are errors, strict
markers and config) are extracted into a temporary directory and run with pytest
in a subprocess, in two modes:

* ``install``: a plugin calls ``fastresp.install()`` before the tests import
  anything, so starlette's own classes run fastresp's code;
* ``swap``: the plugin replaces Response, HTMLResponse, PlainTextResponse,
  JSONResponse and RedirectResponse in ``starlette.responses`` with fastresp's
  classes, so the tests construct fastresp's classes themselves;

each on both implementations: the compiled modules, and the pure-Python fallback
(FASTRESP_NO_EXTENSIONS=1). The only tests left out are those asserting that
starlette refuses ``partitioned=True`` below Python 3.14, which fastresp
supports on every version by design (see the plugin below).

Needs the package index (pip download, and the sdist's build backend for its
metadata); marked ``slow``.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest
import fastresp
import starlette


MODES = ("install", "swap")
IMPLEMENTATIONS = ("cython", "python")
#: Files of the starlette sdist the suite needs, relative to its top directory.
SUITE_FILES = ("pyproject.toml", "tests/__init__.py", "tests/conftest.py", "tests/types.py",
               "tests/test_responses.py", "tests/test_datastructures.py", "tests/test_requests.py")
#: The request side's test files (Headers, Request.headers/.cookies, cookie_parser),
#: run under install() only (fastresp has no Request class to swap in).
REQUEST_TEST_FILES = ("tests/test_datastructures.py", "tests/test_requests.py")
#: Fewer tests than this passing in them means they were not really run.
MIN_PASSED_REQUESTS = 60
#: The tests the plugin leaves out below Python 3.14 (one run each), see PLUGIN.
REFUSAL_TESTS = ("test_set_cookie_raises_for_invalid_python_version", "test_delete_cookie_partitioned")
#: Fewer tests than this passing means the suite was not really run.
MIN_PASSED = 40

PLUGIN = textwrap.dedent('''
    """Loaded with -p before starlette's tests are imported: puts fastresp in place."""

    import os
    import sys

    import pytest
    import starlette.responses

    import fastresp

    MODE = os.environ["FASTRESP_SUITE_MODE"]
    EXPECTED = os.environ["FASTRESP_SUITE_IMPLEMENTATION"]
    NAMES = ("Response", "HTMLResponse", "PlainTextResponse", "JSONResponse", "RedirectResponse")

    if fastresp.IMPLEMENTATION != EXPECTED:
        raise RuntimeError(f"expected the {EXPECTED} implementation, got {fastresp.IMPLEMENTATION} "
                           f"({fastresp.REASON})")
    if MODE == "install":
        fastresp.install()
        assert fastresp.installed()
    elif MODE == "swap":
        for name in NAMES:
            setattr(starlette.responses, name, getattr(fastresp, name))
    else:
        raise RuntimeError(f"unknown mode {MODE!r}")

    #: Tests asserting that starlette refuses partitioned=True below Python 3.14
    #: (http.cookies only knows the attribute from 3.14 on). fastresp emits the
    #: Partitioned attribute on every Python version by design, so these two
    #: assertions are about starlette's limitation, not about the bytes; every
    #: other partitioned test runs.
    REFUSES_PARTITIONED = {
        "test_set_cookie_raises_for_invalid_python_version": None,
        "test_delete_cookie_partitioned": {"partitioned": True},
    }


    def pytest_report_header(config):
        return (f"fastresp {fastresp.__version__}, mode {MODE}, implementation "
                f"{fastresp.IMPLEMENTATION} ({fastresp.REASON})")


    def pytest_collection_modifyitems(config, items):
        if sys.version_info >= (3, 14):
            return
        keep, deselected = [], []
        for item in items:
            name = getattr(item, "originalname", item.name)
            params = getattr(getattr(item, "callspec", None), "params", {})
            if name in REFUSES_PARTITIONED and all(
                    params.get(key) == value for key, value in (REFUSES_PARTITIONED[name] or {}).items()):
                deselected.append(item)
            else:
                keep.append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = keep


    def pytest_collection_finish(session):
        if MODE == "install":
            import starlette.datastructures
            import starlette.requests
            if starlette.requests.cookie_parser is not fastresp.cookie_parser:
                raise RuntimeError("install() did not put fastresp's cookie_parser in place")
            if starlette.datastructures.Headers.getlist is not fastresp.Headers.getlist:
                raise RuntimeError("install() did not put fastresp's Headers reads in place")
        if os.environ.get("FASTRESP_SUITE_FILES") != "responses":
            return
        module = sys.modules.get("tests.test_responses")
        if module is None:
            raise RuntimeError("starlette's tests/test_responses.py was not imported")
        for name in ("Response", "JSONResponse", "RedirectResponse"):
            used = getattr(module, name)
            if MODE == "swap" and used is not getattr(fastresp, name):
                raise RuntimeError(f"the tests use {used!r}, not fastresp's {name}")
            if MODE == "install" and used is not getattr(starlette.responses, name):
                raise RuntimeError(f"the tests use {used!r}, not starlette's {name}")
''')


def _compiled_missing() -> str:
    """Why the compiled modules cannot run here, or "" when they can."""
    if platform.python_implementation() != "CPython":
        return f"{platform.python_implementation()} never uses the compiled modules"
    try:
        from fastresp import _cookie, _headers  # noqa: F401
    except ImportError as error:
        return f"the compiled modules are not installed here ({error})"
    return ""


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    """starlette's test files for the installed release, with fastresp's plugin."""
    work = tmp_path_factory.mktemp("starlette-suite")
    version = starlette.__version__
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         f"starlette=={version}", "--dest", str(work / "download")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
    if download.returncode != 0:
        pytest.fail(f"pip download of the starlette {version} sdist failed:\n{download.stdout[-4000:]}")
    (archive,) = (work / "download").glob("starlette-*.tar.gz")
    root = work / "suite"
    with tarfile.open(str(archive)) as sdist:
        members = {member.name.split("/", 1)[1]: member for member in sdist.getmembers() if "/" in member.name}
        missing = [name for name in SUITE_FILES if name not in members]
        assert not missing, f"starlette {version} sdist lacks {missing}"
        for name in SUITE_FILES:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sdist.extractfile(members[name])
            assert source is not None
            target.write_bytes(source.read())
    (root / "fastresp_suite_plugin.py").write_text(PLUGIN)
    return root


def _environment(mode: str, implementation: str) -> Dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("FASTRESP_NO_EXTENSIONS", "PYTHONPATH", "PYTEST_ADDOPTS")}
    env.update(FASTRESP_SUITE_MODE=mode, FASTRESP_SUITE_IMPLEMENTATION=implementation,
               FASTRESP_SUITE_FILES="responses")
    # The fastresp under test, whether installed (tox) or built in place.
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))
    if implementation == "python":
        env["FASTRESP_NO_EXTENSIONS"] = "1"
    return env


def _summary(output: str) -> Dict[str, int]:
    """The counts of pytest's closing line: {"passed": 60, "deselected": 1, ...}."""
    lines = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    if not lines:
        return {}
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", lines[-1])}


def _require(implementation: str) -> None:
    """Skip a compiled run without the compiled modules; fail it where
    FASTRESP_REQUIRE_COMPILED says they must be there."""
    missing = _compiled_missing() if implementation == "cython" else ""
    if missing and os.environ.get("FASTRESP_REQUIRE_COMPILED"):
        pytest.fail(f"FASTRESP_REQUIRE_COMPILED is set but {missing}")
    if missing:
        pytest.skip(missing)


@pytest.mark.slow
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("mode", MODES)
def test_starlette_test_responses(suite, mode, implementation):
    _require(implementation)
    args: List[str] = [sys.executable, "-m", "pytest", "-p", "fastresp_suite_plugin", "-p", "no:cacheprovider",
                       "-q", "-rfEs", "tests/test_responses.py"]
    process = subprocess.run(args, cwd=str(suite), env=_environment(mode, implementation),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                             timeout=900)
    counts = _summary(process.stdout)
    print(f"starlette {starlette.__version__} tests/test_responses.py, fastresp {implementation} "
          f"({mode}): {counts}")
    assert process.returncode == 0, process.stdout[-12000:]
    assert counts.get("passed", 0) >= MIN_PASSED, process.stdout[-4000:]
    if sys.version_info < (3, 14):
        # exactly the partitioned refusals this release has (none before 0.47,
        # whose set_cookie has no partitioned; delete_cookie's from 1.7), nothing else
        text = (suite / "tests/test_responses.py").read_text()
        expected = sum(f"def {name}(" in text for name in REFUSAL_TESTS)
        assert counts.get("deselected", 0) == expected, process.stdout[-4000:]


def _plain_failures(suite: Path, env: Dict[str, str]) -> List[str]:
    """The request tests that fail here without fastresp at all (e.g.
    test_request_headers expects "zstd" in httpx's accept-encoding, which only
    some httpx installs send; the form tests need python-multipart): they say
    nothing about fastresp."""
    plain = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf",
                            *REQUEST_TEST_FILES], cwd=str(suite), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    failures = re.findall(r"^(?:FAILED|ERROR) (\S+)", plain.stdout, re.M)
    assert len(failures) <= 8, plain.stdout[-4000:]    # the suite itself runs here
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_starlette_test_requests_and_datastructures(suite, implementation):
    """starlette's tests/test_datastructures.py and tests/test_requests.py under
    install(): Headers (and MutableHeaders, which inherits its reads),
    Request.headers, Request.cookies and cookie_parser are fastresp's."""
    _require(implementation)
    env = _environment("install", implementation)
    env["FASTRESP_SUITE_FILES"] = "requests"
    plain_failures = _plain_failures(suite, env)
    args: List[str] = [sys.executable, "-m", "pytest", "-p", "fastresp_suite_plugin", "-p",
                       "no:cacheprovider", "-q", "-rfEs", *REQUEST_TEST_FILES,
                       *[f"--deselect={test}" for test in plain_failures]]
    process = subprocess.run(args, cwd=str(suite), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    counts = _summary(process.stdout)
    print(f"starlette {starlette.__version__} {' '.join(REQUEST_TEST_FILES)}, fastresp "
          f"{implementation} (install): {counts}; failing without fastresp too, so left out: "
          f"{plain_failures}")
    assert process.returncode == 0, process.stdout[-12000:]
    assert counts.get("passed", 0) >= MIN_PASSED_REQUESTS, process.stdout[-4000:]
