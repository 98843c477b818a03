#!/usr/bin/env python3
"""The reference for bench/net/run: the same three HTTP endpoints as BenchServer.java, on CPython's asyncio with the
standard library only (HTTP/1.1 keep-alive, parsed by hand as a minimal server does).

  /hello   -> "Hello, World!"
  /fanout  -> three concurrent sub-tasks (asyncio.gather): each waits 1 ms, one also sums squares; answers JSON
  /stream  -> 100 chunks (chunked transfer encoding), each written as produced

Usage: asyncio_server.py PORT
"""
import asyncio
import json
import sys

HELLO = b"Hello, World!"
CHUNKS = [("chunk %03d of the stream\n" % i).encode() for i in range(100)]


def head(status, ctype, length=None):
    h = "HTTP/1.1 %s\r\nContent-Type: %s\r\n" % (status, ctype)
    h += ("Content-Length: %d\r\n" % length) if length is not None else "Transfer-Encoding: chunked\r\n"
    return (h + "\r\n").encode()


async def sub(n, compute):
    await asyncio.sleep(0.001)
    if compute:
        return sum(i * i for i in range(1000))
    return n


async def handle(reader, writer):
    try:
        while True:
            try:
                data = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            line = data.split(b"\r\n", 1)[0].split(b" ")
            path = line[1] if len(line) > 1 else b"/"
            if path == b"/hello":
                writer.write(head("200 OK", "text/plain", len(HELLO)) + HELLO)
            elif path == b"/fanout":
                parts = await asyncio.gather(sub(1, False), sub(2, False), sub(3, True))
                body = json.dumps({"parts": parts}).encode()
                writer.write(head("200 OK", "application/json", len(body)) + body)
            elif path == b"/stream":
                writer.write(head("200 OK", "text/plain"))
                for c in CHUNKS:
                    writer.write(b"%x\r\n%s\r\n" % (len(c), c))
                    await writer.drain()
                writer.write(b"0\r\n\r\n")
            else:
                writer.write(head("404 Not Found", "text/plain", 0))
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
