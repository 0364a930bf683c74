#!/usr/bin/env python3
"""Interop with stock ikcp: PyPI `kcp` (0.1.6 bundles skywind3000's ikcp.c) talks to
examples/c/echo_server in its ARQ mode over loopback. The script plays HP-Socket's 12-byte ARQ handshake
itself (it is not part of ikcp), then uses ikcp with the server's conversation id (stock
ikcp checks the id of what it receives; HP-Socket's side sends its own and accepts any), sends
messages of 1 B to 4000 B, and checks that every echo comes back whole and in order.

    arq_ikcp.py ECHO_SERVER_BINARY

Prints one line, then "1 passed, 0 failed" or "0 passed, 1 failed"; exits 0 on success.
"""
import os
import socket
import struct
import subprocess
import sys
import time

MAGIC, CMD_HANDSHAKE, FLAG_COMPLETE = 0xBB4F, 1, 1


def handshake(self_id, peer_id, flag=0):
    return struct.pack("<HBBII", MAGIC, CMD_HANDSHAKE, flag, self_id, peer_id)


def main():
    import kcp  # from the venv the Makefile made

    binary = sys.argv[1]
    server = subprocess.Popen([binary, "0", "127.0.0.1", "arq"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.rsplit(":", 1)[1])
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", port))
        sock.settimeout(0.02)
        my_id = 0x5EED1234
        # HP-Socket's handshake: ours with no peer id until we know the server's.
        server_id = 0
        deadline = time.time() + 10
        while server_id == 0:
            assert time.time() < deadline, "no handshake from the server"
            sock.send(handshake(my_id, 0))
            try:
                data = sock.recv(2048)
            except socket.timeout:
                continue
            if len(data) == 12:
                magic, cmd, flag, their_id, their_peer = struct.unpack("<HBBII", data)
                assert magic == MAGIC and cmd == CMD_HANDSHAKE, data
                server_id = their_id
        # Tell the server it is known and we are ready.
        sock.send(handshake(my_id, server_id, FLAG_COMPLETE))

        # The binding takes the id as a C int: the same 32 bits, signed.
        conv = server_id - (1 << 32) if server_id >= 1 << 31 else server_id
        k = kcp.KCP(conv, max_transmission=1400, no_delay=True, update_interval=10,
                    resend_count=2, no_congestion_control=True, send_window_size=128,
                    receive_window_size=128)
        k.include_outbound_handler(lambda _k, data: sock.send(bytes(data)))
        messages = [bytes((i * 7 + j) & 0xFF for j in range(1 + (i * 131) % 4000))
                    for i in range(100)]
        for m in messages:
            k.enqueue(m)
        got = []
        deadline = time.time() + 20
        while len(got) < len(messages):
            assert time.time() < deadline, "only %d of %d echoes" % (len(got), len(messages))
            k.update()
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            if len(data) == 12:
                # The server repeats its handshake until it sees ours complete: answer it.
                sock.send(handshake(my_id, server_id, FLAG_COMPLETE))
                continue
            k.receive(data)
            while True:
                try:
                    packet = k.get_received()
                except Exception:
                    break
                if not packet:
                    break
                got.append(bytes(packet))
        assert got == messages, "echoes differ"
        print("arq-ikcp: %d messages (1..4000 B) echoed by our ARQ server to stock ikcp"
              % len(got))
        print("1 passed, 0 failed")
        return 0
    except AssertionError as e:
        print("FAIL arq-ikcp: %s" % e)
        print("0 passed, 1 failed")
        return 1
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
