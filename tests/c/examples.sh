#!/usr/bin/env bash
# The C examples against each other: echo_server on a free loopback port, then echo_client
# and echo_agent against it, and small perf_demo runs; the server must stop cleanly on SIGTERM.
#
#   tests/c/examples.sh EXAMPLES_BIN_DIR
set -euo pipefail

bin=${1:?usage: examples.sh EXAMPLES_BIN_DIR}
out=$(mktemp)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -f "$out"
}
trap cleanup EXIT

"$bin/echo_server" 0 127.0.0.1 >"$out" 2>&1 &
server_pid=$!

# Poll (with a deadline) for the line that names the port.
port=
for _ in $(seq 1 500); do
    port=$(sed -n 's/^echo_server: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$out"; echo "echo_server exited early"; exit 1; }
    sleep 0.02
done
[ -n "$port" ] || { cat "$out"; echo "echo_server did not report its port"; exit 1; }
echo "echo_server on port $port"

"$bin/echo_client" 127.0.0.1 "$port" 25
"$bin/echo_agent" 127.0.0.1 "$port" 8
! "$bin/echo_client" 127.0.0.1 1 1 2>/dev/null || { echo "echo_client succeeded without a server"; exit 1; }

# perf_demo, small: clients and agent, PUSH and PACK, every byte verified.
"$bin/perf_demo" -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -a -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -M pack -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -M pack -a -N -c 8 -e 20 -l 70000 -t 2
! "$bin/perf_demo" -M nosuchmodel 2>/dev/null || { echo "perf_demo accepted a bad model"; exit 1; }

kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
cat "$out"
[ "$rc" -eq 0 ] || { echo "echo_server exited with $rc"; exit 1; }
grep -q '^echo_server: stopping$' "$out"
echo "examples: ok"
