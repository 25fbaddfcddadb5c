"""Forward TCP connections between a loopback port and a unix socket, byte for byte (websockets included).

A unix socket is a file, so it is shared between network namespaces: `scripts/playground` uses two of these
to let a browser on this machine reach the Playground that runs inside a loopback-only namespace.

    python scripts/loopback_bridge.py listen-tcp 127.0.0.1:56150 /tmp/x/ui.sock    # this machine -> socket
    python scripts/loopback_bridge.py listen-unix /tmp/x/ui.sock 127.0.0.1:56150   # socket -> the namespace
"""

from __future__ import annotations

import asyncio
import contextlib
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def joined(connect: object) -> object:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            far_reader, far_writer = await connect()  # type: ignore[operator]
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, far_writer), pipe(far_reader, writer))

    return handle


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def main(mode: str, source: str, target: str) -> None:
    if mode == "listen-tcp":  # loopback port here -> unix socket
        host, port = host_port(source)
        server = await asyncio.start_server(
            joined(lambda: asyncio.open_unix_connection(target)),
            host,
            port,  # type: ignore[arg-type]
        )
    elif mode == "listen-unix":  # unix socket -> loopback port (inside the namespace)
        host, port = host_port(target)
        server = await asyncio.start_unix_server(
            joined(lambda: asyncio.open_connection(host, port)),
            source,  # type: ignore[arg-type]
        )
    else:
        raise SystemExit(f"unknown mode {mode!r}: listen-tcp or listen-unix")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(*sys.argv[1:]))
