#!/usr/bin/env bash
# Run fastresp's microbenchmarks: starlette's responses against fastresp, on the
# compiled modules and on the pure-Python fallback.
#
# Works on a fresh Debian machine with Python 3.11 and pip (as root, it installs a
# C compiler, the Python headers and venv support with apt-get when they are
# missing). It installs fastresp with `pip install .` into its own virtual
# environment, outside the source tree, with FastAPI (for the whole-request
# section's FastAPI app and the jsonable_encoder case), and runs `python -m
# fastresp bench --impl both`; extra arguments go to that command (e.g. --quick,
# --json).
#
#   PYTHON=python3.11 scripts/bench.sh      choose the interpreter (default python3)
#   FASTRESP_BENCH_VENV=/path               where the virtual environment goes
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${FASTRESP_BENCH_VENV:-${TMPDIR:-/tmp}/fastresp-bench-venv}"

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
    else
        echo "bench.sh: missing $*; install it (or run as root on Debian)" >&2
    fi
}

# What compiling the extensions needs; without it fastresp still installs (with
# one warning) but only the pure-Python side can be measured.
if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
    apt_install gcc
fi
if ! "$PYTHON" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    apt_install python3-dev
fi

rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
fi
# pip shows a build's output only with -v: keep it in a log, show the warning if
# the compiled modules could not be built, and all of it if the install failed.
LOG="$VENV/pip-install.log"
if ! "$VENV/bin/python" -m pip install -v "$ROOT" fastapi >"$LOG" 2>&1; then
    cat "$LOG" >&2
    exit 1
fi
grep -A6 "WARNING: fastresp" "$LOG" >&2 || true

# Run from outside the source tree, so the installed (compiled) package is the
# one imported, not ./fastresp.
cd "$VENV"
"$VENV/bin/python" -m fastresp
exec "$VENV/bin/python" -m fastresp bench --impl both "$@"
