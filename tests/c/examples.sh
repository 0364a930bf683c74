#!/usr/bin/env bash
# The C examples against each other, on loopback with free ports: the PUSH echo server with
# echo_client and echo_agent, and the same echo offloaded to a thread pool
# (pool_echo_server); small perf_demo runs; the PACK echo (testecho-pack's flag and size, a
# client with the wrong flag cut off, HP-Socket's defaults); the PULL echo; the SSL
# echo with certificates made here by the openssl CLI (mutual TLS, a client without a
# certificate and one trusting another CA refused). Every server must stop cleanly on SIGTERM
# and report what it echoed.
#
#   tests/c/examples.sh EXAMPLES_BIN_DIR
set -euo pipefail

bin=${1:?usage: examples.sh EXAMPLES_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap 'cleanup_servers; rm -rf "$work"' EXIT

fail() {
    echo "FAILED: $*"
    [ -n "$server_log" ] && [ -f "$server_log" ] && sed 's/^/    server| /' "$server_log"
    exit 1
}

# ---- PUSH ----------------------------------------------------------------------------------
start_server echo_server "$bin/echo_server" 0 127.0.0.1
"$bin/echo_client" 127.0.0.1 "$port" 25
"$bin/echo_agent" 127.0.0.1 "$port" 8
! "$bin/echo_client" 127.0.0.1 1 1 2>/dev/null || fail "echo_client succeeded without a server"
stop_server || fail "echo_server"
grep -q '^echo_server: stopping$' "$server_log" || fail "echo_server did not say it stopped"

# The echo offloaded to a thread pool: OnReceive submits a socket task that sends from a
# pool thread.
start_server pool_echo_server "$bin/pool_echo_server" 0 127.0.0.1 3
"$bin/echo_client" 127.0.0.1 "$port" 200 || fail "echo_client against pool_echo_server"
"$bin/echo_agent" 127.0.0.1 "$port" 8 || fail "echo_agent against pool_echo_server"
stop_server || fail "pool_echo_server"
grep -q '^pool_echo_server: stopping: [1-9][0-9]* tasks echoed$' "$server_log" ||
    fail "pool_echo_server did not report its echoes"

# perf_demo, small: clients and agent, PUSH and PACK, every byte verified.
"$bin/perf_demo" -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -a -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -M pack -c 8 -e 20 -l 3000 -t 2
"$bin/perf_demo" -M pack -a -N -c 8 -e 20 -l 70000 -t 2
! "$bin/perf_demo" -M nosuchmodel 2>/dev/null || fail "perf_demo accepted a bad model"

# ---- PACK ----------------------------------------------------------------------------------
start_server pack_echo_server "$bin/pack_echo_server" 0 127.0.0.1
"$bin/pack_echo_client" 127.0.0.1 "$port" 2000 || fail "pack_echo_client 0x169/0x7FF"
# The wrong header flag: the server closes the connection (EBADMSG), the client fails.
if "$bin/pack_echo_client" 127.0.0.1 "$port" 10 0x16A; then
    fail "pack_echo_client with flag 0x16A was served by a 0x169 server"
fi
stop_server || fail "pack_echo_server"
grep -q 'stopping: 2 connections, 2000 messages echoed' "$server_log" ||
    fail "pack_echo_server's count"
grep -q 'closed: operation 4, error 74' "$server_log" ||
    fail "pack_echo_server did not close the wrong flag with SO_RECEIVE/EBADMSG"

# HP-Socket's defaults: flag 0 (not checked), max pack size 0x40000.
start_server pack_echo_server_defaults "$bin/pack_echo_server" 0 127.0.0.1 0 0x40000
"$bin/pack_echo_client" 127.0.0.1 "$port" 500 0 0x40000 || fail "pack_echo_client 0/0x40000"
stop_server || fail "pack_echo_server (defaults)"
grep -q 'stopping: 1 connections, 500 messages echoed' "$server_log" ||
    fail "pack_echo_server's count (defaults)"

# ---- PULL ----------------------------------------------------------------------------------
start_server pull_echo_server "$bin/pull_echo_server" 0 127.0.0.1
"$bin/pull_echo_client" 127.0.0.1 "$port" 2000 || fail "pull_echo_client"
"$bin/pull_echo_client" 127.0.0.1 "$port" 1 || fail "pull_echo_client, one package"
stop_server || fail "pull_echo_server"
grep -q 'stopping: 2001 packages echoed' "$server_log" || fail "pull_echo_server's count"

# ---- SSL -----------------------------------------------------------------------------------
pki=$work/pki
make_pki "$pki" || fail "openssl could not make the test certificates"
start_server ssl_echo_server "$bin/ssl_echo_server" "$pki/server.crt" "$pki/server.key" \
    "$pki/ca.crt" 0 127.0.0.1
"$bin/ssl_echo_client" "$pki/ca.crt" 127.0.0.1 "$port" 20 "$pki/client.crt" "$pki/client.key" ||
    fail "ssl_echo_client (mutual TLS)"
if "$bin/ssl_echo_client" "$pki/ca.crt" 127.0.0.1 "$port" 3; then
    fail "ssl_echo_client without a certificate was served by a server that requires one"
fi
if "$bin/ssl_echo_client" "$pki/other-ca.crt" 127.0.0.1 "$port" 3 "$pki/client.crt" \
    "$pki/client.key"; then
    fail "ssl_echo_client accepted a server its CA did not sign"
fi
stop_server || fail "ssl_echo_server"
grep -q 'TLS handshake done (TLSv1\.[23])' "$server_log" || fail "ssl_echo_server's handshake"
grep -q '^ssl_echo_server: stopping$' "$server_log" || fail "ssl_echo_server did not stop"

# Without client certificates: any client trusting the CA is served.
start_server ssl_echo_server_plain "$bin/ssl_echo_server" "$pki/server.crt" "$pki/server.key" \
    - 0 127.0.0.1
"$bin/ssl_echo_client" "$pki/ca.crt" localhost "$port" 20 || fail "ssl_echo_client (server auth)"
stop_server || fail "ssl_echo_server (no client certificates)"

# ---- HTTP (curl as the client) --------------------------------------------------------------
start_server http_server "$bin/http_server" 0 127.0.0.1
url="http://127.0.0.1:$port"
[ "$(curl -sS "$url/a/b?x=1&y=2")" = "Hello, World!" ] || fail "GET with a query"
[ "$(curl -sS -d 'posted body' "$url/p")" = "posted body" ] || fail "POST"
head -c 300000 /dev/urandom >"$work/upload"
curl -sS -T "$work/upload" -H 'Transfer-Encoding: chunked' "$url/up" -o "$work/echoed"
cmp -s "$work/upload" "$work/echoed" || fail "chunked upload of 300000 bytes echoed"
reuse=$(curl -sS -v "$url/1" "$url/2" 2>&1)
grep -q 'Re-using existing connection' <<<"$reuse" || fail "keep-alive: curl did not reuse the connection"
probe=$(curl -sS "$url/headers" -H 'X-Probe: 42')
grep -qx 'X-Probe: 42' <<<"$probe" || fail "request headers: $probe"
[ "$(curl -sS -0 "$url/old")" = "Hello, World!" ] || fail "HTTP/1.0"
[ "$(curl -sS -o /dev/null -w '%{http_code}' -I "$url/head")" = "200" ] || fail "HEAD"
printf 'GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' \
    | curl -sS --max-time 5 telnet://127.0.0.1:"$port" >/dev/null 2>&1 || true
stop_server || fail "http_server"
grep -q 'bad request' "$server_log" || fail "http_server did not report the smuggling attempt"

# ---- HTTP sync client against Python's http.server ------------------------------------------
mkdir -p "$work/www"
head -c 100000 /dev/urandom | base64 >"$work/www/data.txt"
start_server pyhttp python3 -u -c '
import http.server, socketserver, sys, os
os.chdir(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet) as s:
    print("pyhttp: listening on 127.0.0.1:%d" % s.server_address[1], flush=True)
    s.serve_forever()
' "$work/www"
out=$("$bin/http_get" "http://127.0.0.1:$port/data.txt") || fail "http_get against http.server"
[ "$out" = "$(printf 'status 200\n'; cat "$work/www/data.txt")" ] || fail "http_get: wrong body"
out=$("$bin/http_get" "http://127.0.0.1:$port/missing") || fail "http_get of a missing file"
[ "$(head -1 <<<"$out")" = "status 404" ] || fail "http_get: $out"
stop_server || true

echo "examples: ok"
