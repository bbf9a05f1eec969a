"""The load test's own arithmetic and guards (bench/load.py), without a server."""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pytest

from bench.load import (
    MAX_SESSIONS,
    LoadResult,
    Target,
    _check,
    _Start,
    _Visitor,
    check_loopback,
    main,
    rows,
    run_load,
)
from harness.process import Sample


def _samples(rows):
    """Samples from (t, [rss KiB per process], [CPU s per process]) rows."""
    return [Sample(t, tuple(rss), tuple(cpu)) for t, rss, cpu in rows]


@pytest.mark.parametrize("q", [50, 90, 95, 99, 100])
def test_percentile_is_nearest_rank(q):
    values = list(np.random.default_rng(q).exponential(size=37))
    result = LoadResult(sessions=1, seconds=1, latencies_s=values,
                        actions_kind=["kernel", "pixel"] * 18 + ["kernel"])
    assert result.percentile(q) == np.percentile(values, q, method="inverted_cdf")
    kernel_only = values[::2]
    assert result.percentile(q, "kernel") == np.percentile(kernel_only, q,
                                                           method="inverted_cdf")
    pixel_only = values[1::2]
    assert result.percentile(q, "pixel") == np.percentile(pixel_only, q, method="inverted_cdf")


def test_percentile_of_nothing_is_nan():
    assert np.isnan(LoadResult(sessions=1, seconds=1).percentile(95))


@pytest.mark.parametrize("url", ["http://example.org", "http://10.0.0.5:8501",
                                 "http://127.0.0.1.example.org"])
def test_only_this_machine_is_loaded(url):
    with pytest.raises(ValueError, match="only drives this machine; got host"):
        check_loopback(url)
    with pytest.raises(ValueError, match="only drives this machine"):
        run_load(url, sessions=1, seconds=1)


def test_loopback_urls_are_accepted():
    assert check_loopback("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    assert check_loopback("http://localhost:9") == "http://localhost:9"


@pytest.mark.parametrize(("args", "message"), [
    ((0, 10, "ws", 0), "sessions must be 1..200 for ws clients; got 0"),
    ((MAX_SESSIONS + 1, 10, "ws", 0), "sessions must be 1..200 for ws clients; got 201"),
    ((51, 10, "browser", 0), "sessions must be 1..50 for browser clients; got 51"),
    ((5, 601, "ws", 0), "seconds must be 1..600; got 601"),
    ((5, 10, "ws", -1), "think must be 0..60 seconds; got -1"),
    ((5, 10, "ws", 61), "think must be 0..60 seconds; got 61"),
    ((5, 10, "curl", 0), "clients must be 'ws' or 'browser'; got 'curl'"),
])
def test_every_load_is_bounded(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _check(*args)


def test_command_line_refuses_replicas_of_a_running_server(capsys):
    with pytest.raises(SystemExit):
        main(["--url", "http://127.0.0.1:9", "--replicas", "2"])
    assert "--replicas starts its own servers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--sessions", "500"])
    assert "sessions must be 1..200" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--replicas", "5"])
    assert "replicas must be 1..4; got 5" in capsys.readouterr().err


def test_profiling_needs_the_server_process():
    with pytest.raises(ValueError, match="profiling needs the server's process id"):
        run_load(Target("http://127.0.0.1:9"), sessions=1, seconds=1,
                 profile_to=Path("/tmp/never.txt"))


def test_think_time_is_jittered_around_its_mean():
    visitor = _Visitor(3, think_s=5.0)
    pauses = [visitor.pause_s() for _ in range(4000)]
    assert min(pauses) >= 2.5 and max(pauses) <= 7.5
    assert statistics.mean(pauses) == pytest.approx(5.0, abs=0.1)
    assert statistics.pstdev(pauses) == pytest.approx(5.0 / 12 ** 0.5, rel=0.05)  # uniform
    first = [visitor.pause_s(first=True) for _ in range(4000)]
    assert min(first) >= 0 and max(first) <= 5.0 and statistics.mean(first) < 2.7
    assert _Visitor(3).pause_s() == 0.0  # closed loop


def test_a_visitor_never_thinks_past_the_deadline():
    import asyncio
    import time

    async def go():
        start = _Start(1, 0.2)
        start.arrived()
        began = time.monotonic()
        going_on = await _Visitor(0, think_s=30).think(start)
        return going_on, time.monotonic() - began

    going_on, waited = asyncio.run(go())
    assert not going_on and waited < 1.0


def test_visitors_change_something_each_step_and_stay_in_the_image():
    visitor = _Visitor(5)
    seen = []
    for step in range(60):
        before = (visitor.kernel, visitor.x, visitor.y)
        kind, wanted = visitor.next_change(step)
        after = (visitor.kernel, visitor.x, visitor.y)
        assert kind == step % 3 and before[kind] != after[kind]
        assert wanted == {("kernel", "x", "y")[kind]: str(after[kind])}
        seen.append(after)
    assert all(0 <= x < visitor.width and 0 <= y < visitor.height for _, x, y in seen[2:])


def test_cpu_figures_cover_the_loops_and_sum_the_replicas():
    # Two servers and one proxy process; the loops run from t=10 to t=30.
    result = LoadResult(sessions=4, seconds=20, replicas=2, actions=300,
                        loop_start_s=10, loop_end_s=30, samples=_samples([
                            (0, [1, 1, 1], [0.0, 0.0, 0.0]),
                            (10, [1, 1, 1], [5.0, 1.0, 0.1]),
                            (20, [1, 1, 1], [12.0, 9.0, 0.2]),
                            (30, [1, 1, 1], [20.0, 16.0, 0.5]),
                            (40, [1, 1, 1], [90.0, 90.0, 9.0])]))
    assert result.server_cpu_s == pytest.approx((20 - 5) + (16 - 1))
    assert result.server_cores_busy == pytest.approx(30 / 20)
    assert result.actions_per_core_s == pytest.approx(300 / 30)
    assert result.proxy_cores_busy == pytest.approx(0.4 / 20)
    assert np.isnan(LoadResult(sessions=1, seconds=1).server_cores_busy)
    assert np.isnan(LoadResult(sessions=1, seconds=1, replicas=1, samples=_samples(
        [(0, [1], [0.0]), (1, [1], [1.0])]), loop_end_s=1).proxy_cores_busy)


def test_memory_figures_and_flatness():
    # One server, loops from 0 to 300 s: the first and last minute are compared.
    mib = 1024
    flat = [(t, [(300 + (t % 7)) * mib], [0.0]) for t in range(0, 301, 5)]
    result = LoadResult(sessions=1, seconds=300, loop_start_s=0, loop_end_s=300,
                        samples=_samples(flat))
    rss = result.rss_mib
    assert rss["window_s"] == 60 and rss["flat"]
    first = [300 + (t % 7) for t in range(0, 61, 5)]
    last = [300 + (t % 7) for t in range(240, 301, 5)]
    assert rss["first_window"] == statistics.median(first)
    assert rss["last_window"] == statistics.median(last)
    growing = [(t, [(300 + t / 3) * mib], [0.0]) for t in range(0, 301, 5)]
    rss = LoadResult(sessions=1, seconds=300, loop_start_s=0, loop_end_s=300,
                     samples=_samples(growing)).rss_mib
    assert not rss["flat"] and rss["growth"] == pytest.approx(80, abs=2)


def test_memory_figures_take_the_warm_sample_after_a_quarter_of_the_loops():
    result = LoadResult(sessions=1, seconds=40, loop_start_s=10, loop_end_s=50,
                        samples=_samples([(0, [1024], [0]), (12, [2048], [0]),
                                          (20, [3072], [0]), (49, [4096], [0]),
                                          (50, [2048], [0])]))
    rss = result.rss_mib
    assert (rss["start"], rss["warm"], rss["peak"], rss["end"]) == (1.0, 3.0, 4.0, 2.0)


def test_memory_series_sums_replicas_and_keeps_each_slices_peak():
    rows = [(10 + t, [1024 * (100 + t), 1024 * 50], [0, 0]) for t in range(0, 61)]
    result = LoadResult(sessions=2, seconds=60, replicas=2, loop_start_s=10, loop_end_s=70,
                        samples=_samples(rows))
    series = result.rss_series(points=6)
    assert len(series) == 6
    for row in series:
        assert row[1] == pytest.approx(row[2] + row[3])  # total = sum of the replicas
        assert row[3] == 50
    assert [row[2] for row in series][:5] == [109, 119, 129, 139, 149]  # each slice's largest


def test_markdown_row_names_the_command_and_the_figures():
    """--markdown prints a run as one row of docs/performance.md's capacity table."""
    mib = 1024
    samples = _samples([(t, [300 * mib, 300 * mib, 10 * mib], [t / 2, t / 2, 0.0])
                        for t in range(0, 301, 5)])
    result = LoadResult(sessions=150, seconds=300, think_s=5, replicas=2, actions=9000,
                        latencies_s=[0.01, 0.02, 0.05], actions_kind=["kernel", "pixel", "pixel"],
                        loop_start_s=0, loop_end_s=300, samples=samples)
    headers, table = rows(result.summary())
    assert len(table) == 1 and len(table[0]) == len(headers)
    run, actions, errors, latency, per_core, memory = table[0]
    assert run == "`--sessions 150 --seconds 300 --think 5 --replicas 2`"
    assert (actions, errors) == ("9,000", "0")
    assert latency == "0.020 s / 0.050 s"
    assert per_core.startswith("30.0 (")  # 9000 actions over 300 server CPU seconds
    assert memory == "600 → 600 MiB from the first 60 s to the last: flat"
    closed = LoadResult(sessions=20, seconds=60)
    assert rows(closed.summary())[1][0][0] == "`--sessions 20 --seconds 60`"
