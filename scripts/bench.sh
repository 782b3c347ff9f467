#!/usr/bin/env bash
# Run fastresp's benchmarks: starlette's responses against fastresp, per object
# and whole requests, on the compiled modules and on the pure-Python fallback.
#
#   scripts/bench.sh [options of bench/run.py]      e.g. --quick, --json, --check
#
# Works on a fresh Debian machine with Python 3 and pip (as root, it installs a
# C compiler, the Python headers and venv support with apt-get when they are
# missing). Every run builds fastresp afresh from a clean copy of this checkout
# (the files git knows, tracked or new, as they are now; never build/,
# fastresp/*.c, *.so or anything else .gitignore leaves out), in a temporary
# directory, and installs it with FastAPI (for the whole-request section's
# FastAPI app and the jsonable_encoder case) into a virtual environment kept
# between runs; then it runs `python bench/run.py --impl both` from that copy.
#
# Environment:
#   FASTRESP_BENCH_VENV=/path   the virtual environment (default:
#                               ${TMPDIR:-/tmp}/fastresp-bench-venv). Made when
#                               missing or made by another interpreter, else
#                               reused; fastresp in it is rebuilt on every run.
#   PYTHON=python3.11           the interpreter (default python3)
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

# The clean copy: what git knows of the checkout (without git: everything but
# the build products), then any build product removed all the same.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fastresp-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
SRC="$WORK/src"
mkdir "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' file; do [ -f "$file" ] && printf '%s\0' "$file"; done \
        | tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
    tar -C "$ROOT" --exclude=./.git --exclude=./.tox --exclude=./build --exclude=./dist -cf - . \
        | tar -xf - -C "$SRC"
fi
rm -rf "$SRC/build" "$SRC"/*.egg-info
find "$SRC" \( -name '*.c' -o -name '*.so' -o -name '*.pyd' -o -name '*.html' \
    -o -name __pycache__ \) -prune -exec rm -rf {} +

# The venv: reused when the same interpreter made it.
if [ ! -x "$VENV/bin/python" ] \
    || [ "$("$VENV/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null)" \
         != "$("$PYTHON" -c 'import sys; print(sys.version)')" ]; then
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV"; then
        rm -rf "$VENV"
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV"
    fi
fi
echo "bench.sh: virtual environment $VENV (FASTRESP_BENCH_VENV to change it)" >&2
# pip shows a build's output only with -v: keep it in a log, show the warning if
# the compiled modules could not be built, and all of it if the install failed.
LOG="$WORK/pip-install.log"
if ! { "$VENV/bin/python" -m pip install fastapi \
       && "$VENV/bin/python" -m pip install -v --no-cache-dir --force-reinstall --no-deps "$SRC"; } \
       >"$LOG" 2>&1; then
    cat "$LOG" >&2
    exit 1
fi
grep -A6 "WARNING: fastresp" "$LOG" >&2 || true

# From outside the source tree, and bench/run.py by path, so the installed
# package is the one imported (Python puts bench/, not the copy's root, on
# sys.path).
cd "$WORK"
"$VENV/bin/python" -m fastresp
"$VENV/bin/python" "$SRC/bench/run.py" --impl both "$@"
