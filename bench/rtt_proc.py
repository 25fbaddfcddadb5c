"""The physical floor of the drift-scan benchmark: a minimal server that answers each request after LATENCY_MS.

`python -m bench.rtt_proc PORT LATENCY_MS`

No HTTP stack, no JSON: HTTP/1.1 framing read from the bytes (headers end, Content-Length), a fixed 2-byte
answer written by a timer LATENCY_MS after the request's last byte arrived. The event loop polls with select()
for microsecond timers, as bench.graph_proc does. Paired with `bench.scan --floor`'s raw client (4 keep-alive
connections, one request in flight on each), it measures what a loopback round trip between two event loops
costs on this machine beyond the latency itself: the part of the bound that no client and no server can
recover. Prints nothing; stopped by a signal.
"""

from __future__ import annotations

import asyncio
import selectors
import sys

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


def content_length(head: bytes) -> int:
    """The Content-Length of an HTTP/1.1 message head (start line + header lines, CRLF-separated); 0 if none."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class DelayedAnswer(asyncio.Protocol):
    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = content_length(self.buffer[:end])
            if len(self.buffer) < end + 4 + length:
                return  # the body is still coming
            self.buffer = self.buffer[end + 4 + length :]
            assert self.transport is not None
            asyncio.get_running_loop().call_later(self.latency_s, self.transport.write, ANSWER)


def main() -> None:
    port, latency_s = int(sys.argv[1]), float(sys.argv[2]) / 1000
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    server = loop.run_until_complete(loop.create_server(lambda: DelayedAnswer(latency_s), "127.0.0.1", port))
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


if __name__ == "__main__":
    main()
