#!/bin/sh
# Build fastresp's compiled modules in a scratch copy and run a workload through
# every path of _headers, _cookie, _json, _encoders, _asgi, _request, _slots and _wire under a memory
# checker (tests/memcheck_workload.py, which also replays tests/regressions/).
#
#   scripts/memcheck.sh                 # valgrind memcheck (default)
#   scripts/memcheck.sh asan            # AddressSanitizer (+ UBSan) build instead
#   PYTHON=/path/to/python ROUNDS=3 scripts/memcheck.sh
#
# valgrind: the extensions are built with -O1 -g, Python runs with
# PYTHONMALLOC=malloc (so every object is a malloc block valgrind can see), and
# memcheck reports invalid reads/writes, use of uninitialised memory and
# definitely lost blocks. Only reports with a frame in fastresp's modules count:
# the interpreter's own start-up allocations are not this project's.
#
# asan: the extensions are built with -fsanitize=address,undefined; CPython itself
# is not, so libasan is preloaded. Leak detection is off (the interpreter does not
# free everything at exit); the workload's ROUNDS make leaks visible to the
# valgrind run instead.
#
# The source tree is not touched: setup.py, pyproject.toml, README.md and
# fastresp/ are copied to a temporary directory and built there.
# Exit status: 0 when no error or definite leak is attributed to fastresp.
set -eu

MODE=${1:-valgrind}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PYTHON=${PYTHON:-python3}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fastresp-memcheck.XXXXXX")
KEEP=${KEEP:-}
cleanup() { if [ -z "$KEEP" ]; then rm -rf "$WORK"; else echo "memcheck: kept $WORK"; fi; }
trap cleanup EXIT

mkdir "$WORK/src"
cp -r "$ROOT/setup.py" "$ROOT/pyproject.toml" "$ROOT/README.md" "$ROOT/fastresp" "$WORK/src/"
rm -rf "$WORK/src/fastresp/__pycache__" "$WORK"/src/fastresp/*.so "$WORK"/src/fastresp/*.c

case "$MODE" in
    valgrind)
        CFLAGS="-O1 -g -fno-omit-frame-pointer"
        LDFLAGS="" ;;
    asan)
        CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined"
        LDFLAGS="-fsanitize=address,undefined" ;;
    *)
        echo "usage: $0 [valgrind|asan]" >&2; exit 2 ;;
esac

echo "memcheck: building in $WORK/src with CFLAGS=$CFLAGS"
(cd "$WORK/src" && CFLAGS="$CFLAGS" LDFLAGS="$LDFLAGS" FASTRESP_NO_EXTENSIONS= \
    "$PYTHON" setup.py build_ext --inplace --force >"$WORK/build.log" 2>&1) || {
    cat "$WORK/build.log"; echo "memcheck: build failed" >&2; exit 2; }
ls "$WORK"/src/fastresp/*.so

if [ "$MODE" = valgrind ]; then
    LOG="$WORK/valgrind.log"
    PYTHONPATH="$WORK/src" PYTHONMALLOC=malloc FASTRESP_NO_EXTENSIONS= \
        valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite --track-origins=yes --num-callers=40 --fullpath-after= \
        --log-file="$LOG" "$PYTHON" "$ROOT/tests/memcheck_workload.py" "$ROUNDS"
    # Each valgrind record is a block of lines starting with "==pid== <kind>" and
    # ending at a blank "==pid==" line: count those naming fastresp's modules.
    # Frames carry full source paths (--fullpath-after=), so fastresp/_json.c is
    # told apart from CPython's own Modules/_json.c: json.load of the saved fuzz
    # cases runs through it, and valgrind reports uninitialised reads in CPython
    # 3.11's PyLong_FromString under it that are not fastresp's.
    awk -v out="$WORK/fastresp-records.txt" '
        /^==[0-9]+== $/ { if (record != "" && record ~ /fastresp\/(_headers|_cookie|_json|_encoders|_asgi|_slots)\.(c|pyx|cpython)/) {
                              print record "\n" > out; ours++ }
                          record = ""; next }
        /^==[0-9]+== / { record = record $0 "\n";
                         if ($0 ~ /(Invalid|uninitialised|Conditional jump|definitely lost)/) kinds++ }
        END { print "records naming fastresp: " ours + 0 > "/dev/stderr" }
    ' "$LOG"
    echo "memcheck: valgrind summary:"
    grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:|still reachable:" "$LOG" | sed 's/^==[0-9]*== /  /'
    if [ -s "$WORK/fastresp-records.txt" ]; then
        echo "memcheck: records with a frame in fastresp's modules:"
        cat "$WORK/fastresp-records.txt"
        exit 1
    fi
    echo "memcheck: no error and no definitely lost block attributed to fastresp"
else
    LIBASAN=$(gcc -print-file-name=libasan.so)
    LIBUBSAN=$(gcc -print-file-name=libubsan.so)
    # ASan stops at the first error; UBSan reports every kind of undefined
    # behaviour once and carries on, and its reports fail the run below.
    LOG="$WORK/asan.log"
    status=0
    PYTHONPATH="$WORK/src" PYTHONMALLOC=malloc FASTRESP_NO_EXTENSIONS= \
        LD_PRELOAD="$LIBASAN $LIBUBSAN" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:report_error_type=1 \
        "$PYTHON" "$ROOT/tests/memcheck_workload.py" "$ROUNDS" >"$LOG" 2>&1 || status=$?
    grep -v "^    #[0-9]* 0x[0-9a-f]* in [^_]*\(Py\|py\|libc\|_start\)" "$LOG" || true
    if [ "$status" -ne 0 ] || grep -q "runtime error:\|ERROR: AddressSanitizer" "$LOG"; then
        echo "memcheck: AddressSanitizer/UBSan reported errors (exit status $status)"
        exit 1
    fi
    echo "memcheck: AddressSanitizer/UBSan found nothing"
fi
