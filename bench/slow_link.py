"""A phone's slow link on loopback: one pipe of fixed bandwidth and round trip between a
browser and a server, shared by every connection through it.

DevTools' network emulation (and Lighthouse's simulation) share the bandwidth equally among
the responses in flight, whatever their priority: over HTTP/2, where a page asks for sixty
files at once, a render-blocking style sheet then gets a sixtieth of the link. On a real link
the bytes go in the order the server writes them. This relay passes TCP through unchanged
(TLS, HTTP/2 and the WebSocket included) and delivers the server's bytes in the order it wrote
them, each direction through one queue of the link's bandwidth, after half the round trip.

The server's writes are read as they come, as a server's large socket send buffer takes them:
the order on the link is the order the server wrote, not one it could still change. A new
connection costs one round trip before its first byte (TCP's handshake).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

#: Bytes read at once from either side: the link's grain (8 KiB is 40 ms at 1.6 Mbit/s).
CHUNK = 8192


@dataclass
class Direction:
    """One direction of the link: its bandwidth and when it is next free (the loop's clock)."""

    bytes_per_s: float
    free_at: float = 0.0

    def departure(self, now: float, size: int) -> float:
        """When a chunk of `size` bytes that reached the link at `now` has left it."""
        self.free_at = max(now, self.free_at) + size / self.bytes_per_s
        return self.free_at


class SlowLink:
    """Relays on loopback, one per target port, sharing one link of `down`/`up` bytes a second
    and `rtt_s` round trip. Use as a context manager: `ports` maps each target to its relay."""

    def __init__(self, targets: Mapping[str, int], *, down: float, up: float,
                 rtt_s: float) -> None:
        if down <= 0 or up <= 0 or rtt_s < 0:
            raise ValueError(f"a link needs positive bandwidths and a round trip of 0 or more; "
                             f"got down={down}, up={up}, rtt_s={rtt_s}")
        self.targets = dict(targets)
        self.rtt_s = rtt_s
        self.down, self.up = Direction(down), Direction(up)
        self.ports: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def __enter__(self) -> SlowLink:
        self._thread.start()
        for name, port in self.targets.items():
            server = asyncio.run_coroutine_threadsafe(
                asyncio.start_server(lambda r, w, p=port: self._relay(r, w, p), "127.0.0.1", 0),
                self._loop).result(timeout=10)
            self._servers.append(server)
            self.ports[name] = server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _relay(self, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter, port: int) -> None:
        await asyncio.sleep(self.rtt_s)  # TCP's handshake over the link
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, server_writer, self.up),
                             self._pipe(server_reader, client_writer, self.down),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: Direction) -> None:
        """Bytes from `reader` to `writer` through `direction`, in order."""
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                arrive_at, data = await chunks.get()
                if not data:
                    break
                await asyncio.sleep(max(0.0, arrive_at - loop.time()))
                writer.write(data)
                await writer.drain()
            with contextlib.suppress(OSError):
                writer.write_eof()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(CHUNK):
                chunks.put_nowait((direction.departure(loop.time(), len(data))
                                   + self.rtt_s / 2, data))
        except OSError:
            pass
        finally:
            chunks.put_nowait((0.0, b""))
            with contextlib.suppress(OSError):
                await delivering


@contextlib.contextmanager
def slow_link(targets: Mapping[str, int], *, down: float, up: float,
              rtt_s: float) -> Iterator[dict[str, int]]:
    """`SlowLink` as a context: yields the relay's port for each target."""
    with SlowLink(targets, down=down, up=up, rtt_s=rtt_s) as link:
        yield link.ports
