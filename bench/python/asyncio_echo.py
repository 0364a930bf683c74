"""L1: the idiomatic Python peers: an asyncio Protocol echo server; `--uvloop` runs the same
Protocol on uvloop's event loop. `python asyncio_echo.py [--uvloop] [port]` prints
`listening <addr>`, runs until killed."""
import asyncio
import socket
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=4096)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening {host}:{port}", flush=True)
    await server.serve_forever()


args = sys.argv[1:]
if "--uvloop" in args:
    args.remove("--uvloop")
    import uvloop
    uvloop.install()
port = int(args[0]) if args else 0
try:
    asyncio.run(main(port))
except KeyboardInterrupt:
    pass
