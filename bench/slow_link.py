"""A phone's slow link on loopback: one pipe of fixed bandwidth and round trip between a
browser and a server, shared by every connection through it.

DevTools' network emulation (and Lighthouse's simulation) share the bandwidth equally among
the responses in flight, whatever their priority: over HTTP/2, where a page asks for sixty
files at once, a render-blocking style sheet then gets a sixtieth of the link. On a real link
a connection's bytes go in the order the server writes them, and the connections through a
slow link share it. This relay passes TCP through unchanged (TLS, HTTP/2 and the WebSocket
included); each direction is one link of fixed bandwidth that serves the connections with
bytes waiting in turn, a chunk each, every connection's bytes in the order they were written,
and delivers each chunk half a round trip after it has crossed.

The server's writes are read as they come, as a server's large socket send buffer takes them:
the order on the link is the order the server wrote, not one it could still change; or, with
a `window`, at most that many bytes of a connection wait to cross (a send buffer kept to what
is in flight), and the server holds the rest, in the order its priorities choose. A new
connection costs one round trip before its first byte (TCP's handshake).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator, Mapping
from itertools import count

#: Bytes read at once from either side: the link's grain (8 KiB is 40 ms at 1.6 Mbit/s).
CHUNK = 8192


class Direction:
    """One direction of the link: `bytes_per_s`, shared by the connections with bytes waiting
    in turn, a chunk each (as TCP flows share a bottleneck), each connection's bytes in the
    order they were written. A delivered chunk reaches its far end `delay_s` later."""

    def __init__(self, bytes_per_s: float, delay_s: float) -> None:
        self.bytes_per_s, self.delay_s = bytes_per_s, delay_s
        self.waiting: OrderedDict[int, deque[bytes]] = OrderedDict()
        self.unsent: dict[int, int] = {}
        self.crossed = asyncio.Event()
        self.far_ends: dict[int, asyncio.Queue[tuple[float, bytes]]] = {}
        self.woken = asyncio.Event()

    def send(self, flow: int, data: bytes, far_end: asyncio.Queue[tuple[float, bytes]]) -> None:
        """Queue `data` of connection `flow` (b"": its end, after its last bytes)."""
        self.far_ends[flow] = far_end
        self.waiting.setdefault(flow, deque()).append(data)
        self.unsent[flow] = self.unsent.get(flow, 0) + len(data)
        self.woken.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        free_at = loop.time()
        while True:
            if not self.waiting:
                self.woken.clear()
                await self.woken.wait()
                free_at = max(free_at, loop.time())
                continue
            flow, chunks = next(iter(self.waiting.items()))
            data = chunks.popleft()
            if chunks:
                self.waiting.move_to_end(flow)
            else:
                del self.waiting[flow]
            free_at = max(free_at, loop.time()) + len(data) / self.bytes_per_s
            await asyncio.sleep(free_at - loop.time())
            self.far_ends[flow].put_nowait((free_at + self.delay_s, data))
            self.unsent[flow] -= len(data)
            self.crossed.set()
            if not data:
                del self.far_ends[flow], self.unsent[flow]

    async def room(self, flow: int, window: int) -> None:
        """Until connection `flow` has at most `window` bytes waiting to cross."""
        while self.unsent.get(flow, 0) > window:
            self.crossed.clear()
            await self.crossed.wait()


class SlowLink:
    """Relays on loopback, one per target port, sharing one link of `down`/`up` bytes a second
    and `rtt_s` round trip. Use as a context manager: `ports` maps each target to its relay."""

    def __init__(self, targets: Mapping[str, int], *, down: float, up: float,
                 rtt_s: float, window: int | None = None) -> None:
        if down <= 0 or up <= 0 or rtt_s < 0:
            raise ValueError(f"a link needs positive bandwidths and a round trip of 0 or more; "
                             f"got down={down}, up={up}, rtt_s={rtt_s}")
        self.targets = dict(targets)
        self.rtt_s = rtt_s
        self.window = window
        self.bandwidths = (down, up)
        self.down: Direction | None = None
        self.up: Direction | None = None
        self._flows = count()
        self.ports: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def __enter__(self) -> SlowLink:
        self._thread.start()

        async def directions() -> None:
            # Made in the loop's thread: their events belong to it.
            self.down, self.up = (Direction(rate, self.rtt_s / 2) for rate in self.bandwidths)
            for direction in (self.down, self.up):
                asyncio.get_running_loop().create_task(direction.run())

        asyncio.run_coroutine_threadsafe(directions(), self._loop).result(timeout=10)
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
            others = asyncio.all_tasks() - {asyncio.current_task()}
            for task in others:
                task.cancel()
            await asyncio.wait(others, timeout=5) if others else None
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _relay(self, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter, port: int) -> None:
        await asyncio.sleep(self.rtt_s)  # TCP's handshake over the link
        try:
            upstream = socket.socket()
            upstream.setblocking(False)
            if self.window is not None:
                # The kernel's own buffer would take the server's writes beyond the window.
                upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.window)
            await asyncio.get_running_loop().sock_connect(upstream, ("127.0.0.1", port))
            server_reader, server_writer = await asyncio.open_connection(sock=upstream)
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
        flow = next(self._flows)
        far_end: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                arrive_at, data = await far_end.get()
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
                direction.send(flow, data, far_end)
                if self.window is not None:
                    await direction.room(flow, self.window)
        except OSError:
            pass
        finally:
            direction.send(flow, b"", far_end)
            with contextlib.suppress(OSError):
                await delivering


@contextlib.contextmanager
def slow_link(targets: Mapping[str, int], *, down: float, up: float, rtt_s: float,
              window: int | None = None) -> Iterator[dict[str, int]]:
    """`SlowLink` as a context: yields the relay's port for each target."""
    with SlowLink(targets, down=down, up=up, rtt_s=rtt_s, window=window) as link:
        yield link.ports
