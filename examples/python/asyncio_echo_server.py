"""asyncio echo server, as in the asyncio streams documentation, on hpsocket's TcpServer.

Usage: python asyncio_echo_server.py [port] [--uvloop]   (port 0: any free one; Ctrl+C stops)
"""
import asyncio
import sys

from hpsocket import aio


async def handle_echo(reader, writer):
    data = await reader.read(100)
    message = data.decode()
    addr = writer.get_extra_info("peername")

    print(f"Received {message!r} from {addr!r}")
    print(f"Send: {message!r}")
    writer.write(data)
    await writer.drain()

    print("Close the connection")
    writer.close()
    await writer.wait_closed()


async def main(port):
    server = await aio.start_server(handle_echo, "127.0.0.1", port)
    print(f"Serving on {server.address}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--uvloop"]
    port = int(args[0]) if args else 8888
    run = asyncio.run
    if "--uvloop" in sys.argv:
        import uvloop

        run = uvloop.run
    try:
        run(main(port))
    except KeyboardInterrupt:
        print("Server closed")
