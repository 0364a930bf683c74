"""asyncio echo client, as in the asyncio streams documentation, on hpsocket's TcpAgent.

Usage: python asyncio_echo_client.py [port] [message] [--uvloop]
"""
import asyncio
import sys

from hpsocket import aio


async def tcp_echo_client(port, message):
    reader, writer = await aio.open_connection("127.0.0.1", port)

    print(f"Send: {message!r}")
    writer.write(message.encode())
    await writer.drain()

    data = await reader.read(100)
    print(f"Received: {data.decode()!r}")

    print("Close the connection")
    writer.close()
    await writer.wait_closed()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--uvloop"]
    port = int(args[0]) if args else 8888
    message = args[1] if len(args) > 1 else "Hello World!"
    run = asyncio.run
    if "--uvloop" in sys.argv:
        import uvloop

        run = uvloop.run
    run(tcp_echo_client(port, message))
