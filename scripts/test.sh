#!/usr/bin/env bash
# Run fastresp's whole test suite: compiled CPython, the pure-Python fallback
# (FASTRESP_NO_EXTENSIONS=1) and PyPy, each against a wheel built from the sdist.
#
# Works on a fresh Debian machine with Python 3.11 and pip, as root: it installs
# pypy3 and pypy3-venv with apt-get and tox with pip when they are missing, then
# runs `tox -e py311,py311-noext,pypy3`. Extra arguments go to tox (e.g. `-- -x`).
#
#   PYTHON=python3.11 scripts/test.sh       the interpreter tox runs on
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

have_pypy() {
    command -v pypy3 >/dev/null 2>&1 || return 1
    # On Debian, pypy3's venv support is the separate pypy3-venv package.
    if command -v dpkg >/dev/null 2>&1; then
        dpkg -s pypy3-venv >/dev/null 2>&1 || return 1
    fi
}
if ! have_pypy; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y pypy3 pypy3-venv
fi
if ! "$PYTHON" -m tox --version >/dev/null 2>&1; then
    # PIP_BREAK_SYSTEM_PACKAGES: Debian's own python3 refuses pip installs
    # (PEP 668) without it; other pythons ignore it.
    PIP_BREAK_SYSTEM_PACKAGES=1 "$PYTHON" -m pip install tox
fi

cd "$ROOT"
exec "$PYTHON" -m tox -e py311,py311-noext,pypy3 "$@"
