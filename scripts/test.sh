#!/usr/bin/env bash
# Run fastresp's whole test suite: every tox environment of tox.ini's env_list
# (CPython 3.9-3.13 compiled, the pure-Python fallback, PyPy 3.9, and FastAPI
# 0.115 on starlette 0.46 and 0.40), each against a wheel built from the sdist,
# one environment after the other.
#
# Works on a fresh Debian machine with Python 3.11, pip and pyenv holding CPython
# 3.9-3.13, as root: it installs pypy3 and pypy3-venv with apt-get and tox with pip
# when they are missing. pyenv's shims only answer for the versions selected, so
# this finds the newest installed patch release of each minor version itself and
# puts its bin directory on PATH; nothing is downloaded. Extra arguments go to tox (e.g.
# `-e py312` or `-- -x`).
#
# With no environment chosen (CI) every interpreter of env_list must be there, and
# a missing one stops the run before anything starts. With `-e ENVS` (or TOXENV)
# only the chosen environments' interpreters are needed: tox itself fails an
# environment whose interpreter is missing (tox.ini: skip_missing_interpreters =
# false), and pypy3 is installed only when a chosen environment runs on it.
#
#   PYTHON=python3.11 scripts/test.sh       the interpreter tox runs on
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
MINORS="3.9 3.10 3.11 3.12 3.13"
# The interpreter tox runs on, resolved before PATH changes (python3 would then
# be the last version put on it).
PYTHON="$("$PYTHON" -c 'import sys; print(sys.executable)')"

if command -v pyenv >/dev/null 2>&1; then
    PYENV_ROOT="$(pyenv root)"
    selected=()
    for minor in $MINORS; do
        # The newest patch release of this minor version pyenv has (plain X.Y.Z
        # only, no "t" or "-dev" builds). Its own bin directory goes first on
        # PATH, so tox finds python3.X there without pyenv's shims.
        version="$(pyenv versions --bare 2>/dev/null \
                   | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -t. -k3,3n | tail -n 1 || true)"
        if [ -n "$version" ]; then
            selected+=("$version")
            PATH="$PYENV_ROOT/versions/$version/bin:$PATH"
        fi
    done
    export PATH
    echo "scripts/test.sh: CPython from pyenv: ${selected[*]:-none}"
fi
# The environments chosen on the command line (-e ENVS, -eENVS, --env ENVS,
# --env=ENVS, before any --) or in TOXENV; empty: all of env_list.
chosen="${TOXENV:-}"
previous=""
for arg in "$@"; do
    [ "$arg" = "--" ] && break
    case "$previous" in -e|--env) chosen="$chosen,$arg" ;; esac
    case "$arg" in
        --env=*) chosen="$chosen,${arg#--env=}" ;;
        -e?*) chosen="$chosen,${arg#-e}" ;;
    esac
    previous="$arg"
done
chosen="${chosen#,}"

if [ -z "$chosen" ]; then
    missing=()
    for minor in $MINORS; do
        command -v "python$minor" >/dev/null 2>&1 && "python$minor" -c "" 2>/dev/null \
            || missing+=("python$minor")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "scripts/test.sh: not found: ${missing[*]} (install them with pyenv)" >&2
        exit 1
    fi
fi

have_pypy() {
    command -v pypy3 >/dev/null 2>&1 || return 1
    # On Debian, pypy3's venv support is the separate pypy3-venv package.
    if command -v dpkg >/dev/null 2>&1; then
        dpkg -s pypy3-venv >/dev/null 2>&1 || return 1
    fi
}
if { [ -z "$chosen" ] || [[ "$chosen" == *pypy* ]]; } && ! have_pypy; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y pypy3 pypy3-venv
fi
if ! "$PYTHON" -m tox --version >/dev/null 2>&1; then
    # PIP_BREAK_SYSTEM_PACKAGES: Debian's own python3 refuses pip installs
    # (PEP 668) without it; other pythons ignore it.
    PIP_BREAK_SYSTEM_PACKAGES=1 "$PYTHON" -m pip install tox
fi

cd "$ROOT"
# Sequential: two cores, and each environment's pytest output (its closing
# summary line above all) stays readable, one after the other.
exec "$PYTHON" -m tox "$@"
