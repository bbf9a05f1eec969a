"""The first-load bench's own choices (bench/first_load.py), without a server or a browser."""

from __future__ import annotations

import statistics

import pytest

from bench.first_load import (
    PROTOCOLS,
    choices,
    lighthouse_rows,
    main,
    median_run,
    phone_rows,
    seconds_spread,
)


def lighthouse_run(score: int, fcp_s: float, lcp_s: float, tbt_ms: float) -> dict:
    return {"preset": "mobile", "protocol": "http2", "performance": score, "fcp_s": fcp_s,
            "lcp_s": lcp_s, "tbt_ms": tbt_ms, "speed_index_s": 4.0, "cls": 0.0,
            "transfer_bytes": 1.4e6}


def test_the_median_run_is_kept_whole_with_every_runs_score_beside_it() -> None:
    runs = [lighthouse_run(52, 2.9, 9.6, 630), lighthouse_run(46, 3.1, 9.7, 920),
            lighthouse_run(49, 2.3, 9.4, 940), lighthouse_run(58, 5.8, 7.3, 170)]
    kept = median_run(runs)
    assert kept["performance"] == statistics.median_high(r["performance"] for r in runs)
    # The paints are that run's own, not medians taken metric by metric.
    assert (kept["fcp_s"], kept["lcp_s"]) == (2.9, 9.6)
    assert kept["scores"] == [46, 49, 52, 58] and kept["runs"] == 4
    assert kept["lcp_range_s"] == [7.3, 9.7] and kept["tbt_range_ms"] == [170, 940]
    row = lighthouse_rows([{"page": "Home", **kept}])[0]
    assert row[:5] == ["Home", "mobile", "HTTP/2", 52, "46, 49, 52, 58"]
    assert row[-1] == "no"  # 52 is under the mobile target of 60
    with pytest.raises(ValueError, match="at least one run"):
        median_run([])


def test_protocol_choices_keep_the_bench_order_and_refuse_unknown_names() -> None:
    assert choices("http2,http1", PROTOCOLS, "--protocols") == ["http1", "http2"]
    assert choices(" http2 ", PROTOCOLS, "--protocols") == ["http2"]
    for wrong in ("http3", "", ","):
        with pytest.raises(ValueError, match="--protocols takes one or more of http1, http2"):
            choices(wrong, PROTOCOLS, "--protocols")


def test_the_command_line_refuses_an_unknown_page_before_starting_anything(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--pages", "Nowhere"])
    assert stopped.value.code == 2
    assert "--pages takes one or more of Home, Pixel inspector" in capsys.readouterr().err


def phone_run(fp_ms: float, lcp_ms: float | None, css_end_ms: float, protocol: str) -> dict:
    return {"fp_ms": fp_ms, "fcp_ms": fp_ms, "lcp_ms": lcp_ms, "grid_ms": lcp_ms,
            "protocol": protocol, "blocking": [{"end": css_end_ms - 300}, {"end": css_end_ms}]}


def test_the_phone_table_gives_each_protocols_median_and_range_in_seconds() -> None:
    runs = {"http1": [phone_run(1200, 8000, 900, "http/1.1"), phone_run(1000, 8200, 700,
                                                                        "http/1.1"),
                      phone_run(1500, 9100, 1400, "http/1.1")],
            "http2": [phone_run(1700, 6800, 1600, "h2"), phone_run(2100, None, 2000, "h2")]}
    http1, http2 = phone_rows(runs)
    assert http1[:3] == ["HTTP/1.1", 3, "http/1.1"]
    assert http1[3] == "1.2 s (1.0-1.5)"  # the middle of 1.0, 1.2, 1.5
    assert http1[-1] == "0.9 s (0.7-1.4)"  # the last render-blocking file of each run
    assert http2[3] == "1.9 s (1.7-2.1)"  # an even count: the mean of the middle two
    assert http2[5] == "n/a"  # a run that never had a largest paint is not hidden
    with pytest.raises(ValueError, match="at least one figure"):
        seconds_spread([])


def test_the_real_browser_option_only_takes_a_known_throttle() -> None:
    with pytest.raises(SystemExit):
        main(["--real-browser", "--throttle", "wifi"])


def test_a_shaped_link_delivers_every_byte_in_order_no_sooner_than_its_bandwidth_allows(
        ) -> None:
    import socket
    import threading
    import time

    from bench.slow_link import SlowLink

    payload = bytes(range(256)) * 160  # 40 KiB
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def serve_once() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(16)
                connection.sendall(payload)

        server = threading.Thread(target=serve_once, daemon=True)
        server.start()
        bytes_per_s, rtt_s = 200_000, 0.1
        with SlowLink({"echo": listener.getsockname()[1]}, down=bytes_per_s, up=bytes_per_s,
                      rtt_s=rtt_s) as link:
            began = time.perf_counter()
            with socket.create_connection(("127.0.0.1", link.ports["echo"]), timeout=10) as c:
                c.sendall(b"GET")
                received = bytearray()
                while chunk := c.recv(65536):
                    received += chunk
            elapsed = time.perf_counter() - began
        server.join(timeout=5)
    assert bytes(received) == payload
    # The handshake's round trip, the request's way there, the response's way back and its
    # bytes at the link's rate: 0.1 + 0.05 + 0.05 + 40960 / 200000 s.
    assert elapsed >= 2 * rtt_s + len(payload) / bytes_per_s - 0.01
    assert elapsed < 2.0
    with pytest.raises(ValueError, match="positive bandwidths"):
        SlowLink({}, down=0, up=1, rtt_s=0.1)


def test_connections_share_the_link_in_turn_so_a_small_answer_is_not_stuck_behind_a_large_one(
        ) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from bench.slow_link import CHUNK, Direction

    async def deliveries() -> dict[str, float]:
        link = Direction(bytes_per_s=10 * CHUNK, delay_s=0.0)  # a chunk every 0.1 s
        runner = asyncio.create_task(link.run())
        large, small = asyncio.Queue(), asyncio.Queue()
        for _ in range(5):
            link.send(1, b"L" * CHUNK, large)
        link.send(2, b"S" * CHUNK, small)  # written after all of the large one
        arrivals = [await large.get() for _ in range(5)], [await small.get()]
        runner.cancel()
        return {"large": max(t for t, _ in arrivals[0]), "small": arrivals[1][0][0]}

    # In a thread of its own: when a browser test ran earlier in this worker, Playwright keeps
    # an event loop running in the main thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        arrived = pool.submit(asyncio.run, deliveries()).result()
    # In turn: the small answer crosses second (0.2 s), not after the five large chunks (0.6 s),
    # as it would through one queue.
    assert arrived["small"] < arrived["large"] - 0.25
