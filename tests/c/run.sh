#!/usr/bin/env bash
# Runs the C tests built in BIN_DIR (by `make test-c`), each in its own process under a
# timeout; the echo and description tests run once more under valgrind (invalid reads and
# definite leaks are errors); the examples run against each other. Prints one line per test and then "N passed, N failed";
# exits non-zero if any failed.
#
#   tests/c/run.sh BIN_DIR [NAME...]     (names select tests, e.g. test_echo valgrind)
set -uo pipefail

bin=${1:?usage: run.sh BIN_DIR [NAME...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
per_test_timeout=${C_TEST_TIMEOUT:-60}
valgrind_timeout=${C_VALGRIND_TIMEOUT:-300}
log_dir=$bin/logs
mkdir -p "$log_dir"

passed=0
failed=0
failed_names=()

wanted() { # wanted NAME: true if no names were given or NAME is among them
    local name=$1
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$name" ] && return 0; done
    return 1
}
want=("$@")

# run NAME COMMAND...: runs one test, output to its log, shown when it fails.
run() {
    local name=$1
    shift
    wanted "$name" || return 0
    local log=$log_dir/$name.log start end rc
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS %-32s %6ss\n' "$name" "$secs"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        local why="exit $rc"
        [ $rc -eq 124 ] && why="timed out"
        printf 'FAIL %-32s %6ss (%s)\n' "$name" "$secs" "$why"
        sed 's/^/    | /' "$log" | tail -n 40
    fi
}

shopt -s nullglob
tests=("$bin"/test_*)
if [ ${#tests[@]} -eq 0 ]; then
    echo "run.sh: no test programs in $bin" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

for t in "${tests[@]}"; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" timeout -k 5 "$per_test_timeout" "$t"
done

# Under valgrind: invalid reads (e.g. of a freed description string) and definite leaks fail
# (test_thread_pool: every socket task and its buffer is freed exactly once).
for t in test_echo test_last_error_desc test_thread_pool; do
    if command -v valgrind >/dev/null; then
        run "valgrind_$t" timeout -k 5 "$valgrind_timeout" \
            valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
            --show-leak-kinds=definite --num-callers=30 "$bin/$t"
    else
        run "valgrind_$t" sh -c 'echo "valgrind is not installed (make deps)"; exit 1'
    fi
done

run examples timeout -k 5 "$per_test_timeout" "$here/examples.sh" "$bin/examples"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
