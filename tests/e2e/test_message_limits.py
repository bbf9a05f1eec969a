"""What one WebSocket message from a visitor can make the server hold.

Every browser component sends its state over the app's WebSocket (a drawn digit, a frozen
video frame, a click). The largest a page needs is a frozen frame: a PNG of at most 10 MB,
13.4 MB as a data URL. The server takes messages up to 16 MB (``server.maxWidgetStateSize``)
and reads none above 32 MB (``server.maxMessageSize``, which uvicorn applies to each frame
from its header); Streamlit's default would have it hold 200 MB of one message before
refusing it. Its own messages stay far below the bound: the largest of a visitor touring every
page in colour at 2048 px was 0.18 MB.
"""

from __future__ import annotations

import asyncio
import tomllib

from e2e_helpers import REPO_ROOT, run_async, run_streamlit
from websockets.exceptions import ConnectionClosed

from harness import open_session
from harness.process import tree_rss_kib

#: Sizes of the hostile messages (bytes): between the two bounds, and far above both.
BETWEEN_BOUNDS, FAR_ABOVE = 24 * 10**6, 150 * 10**6
#: Most the server may grow while refusing each (MiB).
GROWTH_MIB = {BETWEEN_BOUNDS: 2 * 32 * 10**6 / 2**20, FAR_ABOVE: 16}


def test_the_configured_bounds_leave_room_for_a_frozen_frame():
    server = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())["server"]
    frame_url_mb = 10 * 4 / 3 + 0.1  # the 10 MB PNG as base64, with its JSON round it
    assert frame_url_mb < server["maxWidgetStateSize"] < server["maxMessageSize"] < 200


def test_an_oversized_message_is_refused_unread_and_the_server_serves_on():
    """Messages of 24 and 150 MB: the connection is closed as "message too big" (1009); the
    server grows by at most two copies of the 32 MB it reads for the first (the frame and the
    bytes handed on) and hardly at all for the second, whose header alone is read; then a new
    visitor is served."""
    with run_streamlit("app.py", log_name="streamlit-message-limits") as server:
        pid = server.proc.pid

        async def send(size: int) -> tuple[int | None, float]:
            async with open_session(server.url, "", "") as session:
                await session.run(None, 60)
                before = tree_rss_kib(pid)
                peak = [before]

                async def sample() -> None:
                    while True:
                        peak[0] = max(peak[0], tree_rss_kib(pid))
                        await asyncio.sleep(0.02)

                sampler = asyncio.create_task(sample())
                code = None
                try:
                    await session.socket.send(b"\0" * size)
                    await asyncio.wait_for(session.socket.recv(), 30)
                    await asyncio.wait_for(session.socket.recv(), 30)
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                finally:
                    await asyncio.sleep(0.3)
                    sampler.cancel()
                return code, (peak[0] - before) / 1024

        async def visitor_after() -> list[str]:
            async with open_session(server.url, "", "") as session:
                await session.run(None, 60)
                return session.problems

        for size in (BETWEEN_BOUNDS, FAR_ABOVE):
            code, grown_mib = run_async(send(size))
            print(f"{size / 1e6:.0f} MB message: closed with {code}, server grew "
                  f"{grown_mib:.1f} MiB")
            assert code == 1009, (size, code)
            assert grown_mib < GROWTH_MIB[size], (size, grown_mib)
        assert run_async(visitor_after()) == []
        assert "Traceback" not in server.log_tail(200_000)
