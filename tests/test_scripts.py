"""scripts/test.sh's preflight, run against stand-ins: a PATH holding only a fake
CPython 3.11 (whose ``-m tox`` records its arguments) and a fake apt-get, so no
environment is built, nothing is installed and the real tox never runs.

Running one environment needs only that environment's interpreter; running all of
them (no ``-e``: what CI does) still stops at once when one is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_SH = ROOT / "scripts" / "test.sh"

pytestmark = pytest.mark.skipif(not TEST_SH.is_file() or shutil.which("bash") is None,
                                reason="needs the checkout's scripts/test.sh and bash")

FAKE_PYTHON = """#!/bin/sh
# -c CODE: a probe (print sys.executable for the one that asks for it);
# -m tox ARGS: record ARGS.
if [ "$1" = -c ]; then
    case "$2" in *executable*) echo "$0" ;; esac
    exit 0
fi
if [ "$1" = -m ] && [ "$2" = tox ]; then
    shift 2
    echo "tox $*" >> "$CALLS"
    exit 0
fi
exit 3
"""

FAKE_APT = """#!/bin/sh
echo "apt-get $*" >> "$CALLS"
exit 1
"""


def _run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("python3.11", FAKE_PYTHON), ("apt-get", FAKE_APT)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    for tool in ("dirname", "sh"):     # what test.sh and the fakes run besides bash's builtins
        (bin_dir / tool).symlink_to(shutil.which(tool))
    calls = tmp_path / "calls"
    calls.touch()
    environ = {"PATH": str(bin_dir), "PYTHON": "python3.11", "CALLS": str(calls), "HOME": str(tmp_path)}
    environ.update(env)
    result = subprocess.run([shutil.which("bash"), str(TEST_SH), *args], env=environ, cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                            timeout=60)
    return result.returncode, result.stdout, calls.read_text().splitlines()


@pytest.mark.parametrize("args, env", [
    (["-e", "py311"], {}),
    (["-epy311"], {}),
    (["--env=py311", "--", "-x"], {}),
    (["--", "-x"], {"TOXENV": "py311"}),
])
def test_one_environment_needs_only_its_interpreter(tmp_path, args, env):
    status, output, calls = _run(tmp_path, *args, **env)
    assert status == 0, output
    # tox runs with the arguments as given; pypy3 is not installed for a CPython env.
    assert calls == ["tox --version", f"tox {' '.join(args)}"], output


def test_all_environments_need_every_interpreter(tmp_path):
    status, output, calls = _run(tmp_path, "--", "-x")
    assert status == 1
    assert "not found: python3.9 python3.10 python3.12 python3.13" in output
    assert calls == []


def test_a_pypy_environment_gets_pypy_installed(tmp_path):
    status, output, calls = _run(tmp_path, "-e", "py311,pypy3")
    assert status != 0     # the fake apt-get fails
    assert calls == ["apt-get update"], output
