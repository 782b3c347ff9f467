"""``python -m fastresp``: the report, ``--version``, ``--help`` and a wrong command,
each in a fresh interpreter (the exit status and the streams are what a user sees)."""

from __future__ import annotations

import os
import subprocess
import sys

import fastresp

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fastresp.__file__)))


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([_ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, "-m", "fastresp", *args], capture_output=True, text=True,
                          env=env, cwd=_ROOT, timeout=120)


def test_report():
    result = _run()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"fastresp {fastresp.__version__}"
    assert lines[1].startswith(f"implementation: {fastresp.IMPLEMENTATION} (")


def test_version():
    for flag in ("--version", "-V"):
        result = _run(flag)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"fastresp {fastresp.__version__}\n", "")


def test_help():
    result = _run("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: python -m fastresp")
    assert "--version" in result.stdout


def test_unknown_command_says_what_was_wrong():
    result = _run("x")
    assert result.returncode == 2 and result.stdout == ""
    first, *rest = result.stderr.splitlines()
    assert first == "python -m fastresp: unknown command 'x'"
    assert rest[0].startswith("usage: python -m fastresp")
