# Shell helpers of the example and interop runners (sourced, bash).
#
#   start_server NAME CMD...   starts CMD (a server that prints "...listening on HOST:PORT..."
#                              as its first line) in the background, its output to
#                              $work/NAME.log; waits (bounded, no polling) for that line
#                              through a FIFO; sets server_pid and port. Fails if the server
#                              exits or says nothing within $start_timeout seconds.
#   stop_server                SIGTERM to the server, waits for it; fails unless it exits 0.
#   make_pki DIR               a CA, a server certificate (localhost, 127.0.0.1) and a client
#                              certificate, made with the openssl CLI: DIR/{ca,server,client}.{crt,key}
#
# The caller sets `work` (a scratch directory) and calls cleanup_servers from its EXIT trap.

start_timeout=${START_TIMEOUT:-10}
server_pid=
port=
server_log=
reader_pid=
all_server_pids=()

start_server() {
    local name=$1
    shift
    local fifo=$work/$name.fifo
    server_log=$work/$name.log
    rm -f "$fifo"
    mkfifo "$fifo"
    "$@" >"$fifo" 2>&1 &
    server_pid=$!
    all_server_pids+=("$server_pid")
    local fd line=
    exec {fd}<"$fifo"
    rm -f "$fifo"
    IFS= read -r -t "$start_timeout" -u "$fd" line || true
    # The rest of the output goes to the log, read by a background cat until the server exits.
    { printf '%s\n' "$line"; cat <&"$fd"; } >"$server_log" &
    reader_pid=$!
    exec {fd}<&-
    port=$(printf '%s\n' "$line" | sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p')
    if [ -z "$port" ]; then
        echo "$name did not report its port: ${line:-<nothing>}"
        return 1
    fi
    printf '%s\n' "$line"
}

stop_server() {
    local rc=0
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" || rc=$?
    wait "$reader_pid" 2>/dev/null || true # the log is complete
    if [ "$rc" -ne 0 ]; then
        echo "server exited with $rc:"
        cat "$server_log"
        return 1
    fi
    return 0
}

cleanup_servers() {
    local p
    for p in "${all_server_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
    done
}

make_pki() {
    local dir=$1
    mkdir -p "$dir"
    (
        cd "$dir" || exit 1
        set -e
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
            -subj "/CN=hpsocket test CA" -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        local who
        for who in server client; do
            openssl req -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.csr" \
                -subj "/CN=hpsocket test $who" 2>/dev/null
            printf '%s\n' "basicConstraints=CA:FALSE" \
                "subjectAltName=DNS:localhost,IP:127.0.0.1" \
                "extendedKeyUsage=$([ "$who" = server ] && echo serverAuth || echo clientAuth)" \
                >"$who.ext"
            openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
                -out "$who.crt" -days 2 -extfile "$who.ext" 2>/dev/null
        done
        # A second CA, which signed nothing the peers use.
        openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt \
            -days 2 -subj "/CN=another CA" 2>/dev/null
    )
}
