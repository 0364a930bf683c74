#!/usr/bin/env bash
# Interop with HP-Socket itself: the same example sources (examples/c/{pack,pull}_echo_*.c,
# http_server.c and http_get.c),
# built once against our libhpsocket.so (OURS) and once against HP-Socket 5.2.2's
# libhpsocket4c (THEIRS, tests/interop/fetch_hp522.sh), paired across the two on loopback.
# Every pair runs in its own processes under a timeout: a server on a free port, a client
# that sends N messages and verifies each echo, then the server stops on SIGTERM and its
# count of echoed messages must be N. Prints one line per pair, then "N passed, N failed";
# exits non-zero if any failed (or if the 5.2.2 builds are missing: never skipped).
#
#   tests/interop/run.sh OURS_BIN_DIR THEIRS_BIN_DIR [PAIR...]     (names select pairs)
set -uo pipefail

ours=${1:?usage: run.sh OURS_BIN_DIR THEIRS_BIN_DIR [PAIR...]}
theirs=${2:?usage: run.sh OURS_BIN_DIR THEIRS_BIN_DIR [PAIR...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
pair_timeout=${INTEROP_TIMEOUT:-60}

# ---- one pair, run in its own process (the runner re-invokes itself with --pair) ---------
if [ "${1:-}" = --pair ]; then
    name=$2
    work=$(mktemp -d)
    # shellcheck source=../c/lib.sh
    . "$here/../c/lib.sh"
    trap 'cleanup_servers; rm -rf "$work"' EXIT
    fail() {
        echo "FAILED: $*"
        [ -n "$server_log" ] && [ -f "$server_log" ] && sed 's/^/    server| /' "$server_log"
        exit 1
    }

    # echo_pair MODEL SERVER_DIR CLIENT_DIR COUNT [FLAG MAX-PACK-SIZE]
    echo_pair() {
        local model=$1 sdir=$2 cdir=$3 count=$4
        shift 4
        start_server server "$sdir/${model}_echo_server" 0 127.0.0.1 "$@" || fail "server start"
        "$cdir/${model}_echo_client" 127.0.0.1 "$port" "$count" "$@" || fail "client"
        stop_server || fail "server stop"
        grep -q "[^0-9]$count \(messages\|packages\) echoed" "$server_log" ||
            fail "the server did not echo $count messages"
        grep 'stopping' "$server_log"
    }

    # wrong_flag SERVER_DIR CLIENT_DIR: a client with flag 0x16A is cut off by a 0x169 server.
    wrong_flag() {
        local sdir=$1 cdir=$2
        start_server server "$sdir/pack_echo_server" 0 127.0.0.1 0x169 0x7FF ||
            fail "server start"
        if "$cdir/pack_echo_client" 127.0.0.1 "$port" 10 0x16A 0x7FF; then
            fail "a client with flag 0x16A was served by a 0x169 server"
        fi
        stop_server || fail "server stop"
        # SO_RECEIVE (4) with EBADMSG (74): HP-Socket's ERROR_INVALID_DATA.
        grep -q 'closed: operation 4, error 74' "$server_log" ||
            fail "the server did not close the connection with SO_RECEIVE/EBADMSG"
        echo "cut off by the server: $(grep -m 1 'closed:' "$server_log")"
    }

    # http_pair SERVER_DIR CLIENT_DIR: examples/c/http_server answers examples/c/http_get (the
    # sync client): a GET with a query, a POST echoed, a keep-alive HTTP/1.1 exchange each.
    http_pair() {
        local sdir=$1 cdir=$2 out
        start_server server "$sdir/http_server" 0 127.0.0.1 || fail "server start"
        out=$("$cdir/http_get" "http://127.0.0.1:$port/a/b?x=1") || fail "GET"
        [ "$out" = $'status 200\nHello, World!' ] || fail "GET answered: $out"
        out=$("$cdir/http_get" "http://127.0.0.1:$port/p" POST 'posted by the other side') ||
            fail "POST"
        [ "$out" = $'status 200\nposted by the other side' ] || fail "POST answered: $out"
        stop_server || fail "server stop"
        echo "GET and POST answered"
    }

    case $name in
    http-theirs-server-ours-client) http_pair "$theirs" "$ours" ;;
    http-ours-server-theirs-client) http_pair "$ours" "$theirs" ;;
    control-http-theirs-both) http_pair "$theirs" "$theirs" ;;
    pack-0x169-theirs-server-ours-client) echo_pair pack "$theirs" "$ours" 5000 0x169 0x7FF ;;
    pack-0x169-ours-server-theirs-client) echo_pair pack "$ours" "$theirs" 5000 0x169 0x7FF ;;
    pack-default-theirs-server-ours-client) echo_pair pack "$theirs" "$ours" 2000 0 0x40000 ;;
    pack-default-ours-server-theirs-client) echo_pair pack "$ours" "$theirs" 2000 0 0x40000 ;;
    pack-wrong-flag-theirs-server-ours-client) wrong_flag "$theirs" "$ours" ;;
    pack-wrong-flag-ours-server-theirs-client) wrong_flag "$ours" "$theirs" ;;
    pull-theirs-server-ours-client) echo_pair pull "$theirs" "$ours" 3000 ;;
    pull-ours-server-theirs-client) echo_pair pull "$ours" "$theirs" 3000 ;;
    # Controls: HP-Socket 5.2.2 with itself (the examples and the harness are right).
    control-pack-theirs-both) echo_pair pack "$theirs" "$theirs" 2000 0x169 0x7FF ;;
    control-pull-theirs-both) echo_pair pull "$theirs" "$theirs" 2000 ;;
    *)
        echo "unknown pair $name"
        exit 1
        ;;
    esac
    exit 0
fi

# ---- the runner -----------------------------------------------------------------------------
pairs=(
    pack-0x169-theirs-server-ours-client
    pack-0x169-ours-server-theirs-client
    pack-default-theirs-server-ours-client
    pack-default-ours-server-theirs-client
    pack-wrong-flag-theirs-server-ours-client
    pack-wrong-flag-ours-server-theirs-client
    pull-theirs-server-ours-client
    pull-ours-server-theirs-client
    control-pack-theirs-both
    control-pull-theirs-both
    http-theirs-server-ours-client
    http-ours-server-theirs-client
    control-http-theirs-both
)
want=("$@")
log_dir=$(dirname "$theirs")/logs
mkdir -p "$log_dir"
passed=0
failed=0

wanted() {
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

# The builds must all be there: a missing 5.2.2 build is a failure, not a skip.
for p in pack_echo_server pack_echo_client pull_echo_server pull_echo_client http_server http_get; do
    for d in "$ours" "$theirs"; do
        if [ ! -x "$d/$p" ]; then
            echo "FAIL missing build $d/$p (make test-interop builds it; HP-Socket 5.2.2 comes" \
                "from PyPI)"
            failed=$((failed + 1))
        fi
    done
done

if [ $failed -eq 0 ]; then
    for name in "${pairs[@]}"; do
        wanted "$name" || continue
        log=$log_dir/$name.log
        start=$(date +%s.%N)
        timeout -k 5 "$pair_timeout" "$0" "$ours" "$theirs" --pair "$name" >"$log" 2>&1
        rc=$?
        secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
        if [ $rc -eq 0 ]; then
            passed=$((passed + 1))
            summary=$(grep -h 'verified in\|^cut off' "$log" | head -n 1 |
                sed 's/^[a-z_]*: //')
            printf 'PASS %-44s %6ss  %s\n' "$name" "$secs" "$summary"
        else
            failed=$((failed + 1))
            why="exit $rc"
            [ $rc -eq 124 ] && why="timed out"
            printf 'FAIL %-44s %6ss (%s)\n' "$name" "$secs" "$why"
            sed 's/^/    | /' "$log" | tail -n 40
        fi
    done
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
