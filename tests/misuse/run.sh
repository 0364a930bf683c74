#!/usr/bin/env bash
# Runs the hardening C tests built by `make test-misuse` (hardening.mk), each in its own process
# under a timeout: the ASan/UBSan builds in OUT/bin, and the plain builds in OUT/plain once more
# under valgrind (invalid accesses and definite leaks are errors). Prints one line per test and
# then "N passed, N failed"; exits non-zero if any failed.
#
#   tests/misuse/run.sh OUT [NAME...]     (names select tests, e.g. test_misuse_matrix)
set -uo pipefail

out=${1:?usage: run.sh OUT [NAME...]}
shift
per_test_timeout=${MISUSE_TEST_TIMEOUT:-180}
valgrind_timeout=${MISUSE_VALGRIND_TIMEOUT:-400}
log_dir=$out/logs
mkdir -p "$log_dir"
want=("$@")
passed=0
failed=0

# ASan: report every error and fail; leaks in this process are the library's too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export RUST_BACKTRACE=${RUST_BACKTRACE:-0}

wanted() {
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

run() {
    local name=$1
    shift
    wanted "$name" || return 0
    local log=$log_dir/$name.log start rc secs
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1
    rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    # A program's own closing line, e.g. "misuse matrix: 1089 passed, 0 failed".
    local detail
    detail=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/^.*: //')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS %-28s %7ss  %s\n' "$name" "$secs" "$detail"
    else
        failed=$((failed + 1))
        local why="exit $rc"
        [ $rc -eq 124 ] && why="timed out"
        printf 'FAIL %-28s %7ss (%s) %s\n' "$name" "$secs" "$why" "$detail"
        grep -E '^FAIL|ERROR|error|check failed|timed out|died' "$log" | head -n 40 | sed 's/^/    | /'
        tail -n 15 "$log" | sed 's/^/    > /'
    fi
}

shopt -s nullglob
tests=("$out"/bin/test_*)
if [ ${#tests[@]} -eq 0 ]; then
    echo "run.sh: no test programs in $out/bin"
    echo "0 passed, 1 failed"
    exit 1
fi
for t in "${tests[@]}"; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" timeout -k 5 "$per_test_timeout" "$t"
done

for t in "$out"/plain/test_*; do
    [ -x "$t" ] || continue
    name=valgrind_$(basename "$t")
    if command -v valgrind >/dev/null; then
        run "$name" env HARD_UNDER_VALGRIND=1 timeout -k 5 "$valgrind_timeout" \
            valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite --num-callers=30 --fair-sched=yes "$t"
    else
        run "$name" sh -c 'echo "valgrind is not installed (make deps)"; exit 1'
    fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
