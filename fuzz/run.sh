#!/usr/bin/env bash
# Runs each fuzz target for a set time on its committed seed corpus (fuzz/corpus/TARGET, read
# only) plus a work corpus under the target directory (new inputs go there, so the checkout is
# not touched). Prints one line per target with its executions, then "N passed, N failed";
# exits non-zero if a target crashed, leaked or timed out (the input is kept under
# FUZZ_DIR/artifacts/TARGET/).
#
#   fuzz/run.sh FUZZ_DIR SECONDS JOBS TARGET...
set -uo pipefail

fuzz_dir=${1:?usage: run.sh FUZZ_DIR SECONDS JOBS TARGET...}
seconds=${2:?}
jobs=${3:?}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=$fuzz_dir/x86_64-unknown-linux-gnu/release
passed=0
failed=0

for t in "$@"; do
    bin=$bin_dir/$t
    work=$fuzz_dir/corpus/$t
    art=$fuzz_dir/artifacts/$t
    log=$fuzz_dir/logs/$t.log
    mkdir -p "$work" "$art" "$(dirname "$log")"
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: $bin is not built"
        failed=$((failed + 1))
        continue
    fi
    # -timeout: one input may take 30 s at most (a hang is a failure); -rss_limit_mb: memory.
    opts=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=4096
          -artifact_prefix="$art/" -print_final_stats=1)
    if [ "$jobs" -gt 1 ]; then
        opts+=(-jobs="$jobs" -workers="$jobs")
    fi
    start=$(date +%s)
    timeout -k 10 $((seconds + 120)) "$bin" "${opts[@]}" "$work" "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    corpus=$(ls "$work" | wc -l)
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'PASS %-14s %10s execs in %4ss (%s/s), coverage %s, corpus %s\n' \
            "$t" "$runs" "$secs" "$(( runs / (secs > 0 ? secs : 1) ))" "${cov:-?}" "$corpus"
    else
        failed=$((failed + 1))
        printf 'FAIL %-14s exit %s after %s execs in %ss; artifacts in %s\n' \
            "$t" "$rc" "$runs" "$secs" "$art"
        grep -v '^#[0-9]' "$log" | grep -A40 -m1 -E 'ERROR|panicked|deadly|timeout' | sed 's/^/    | /'
    fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
