"""The load test's own arithmetic and guards (bench/load.py), without a server."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from bench.load import LoadResult, check_loopback, cpu_seconds, rss_kib


@pytest.mark.parametrize("q", [50, 90, 95, 99, 100])
def test_percentile_is_nearest_rank(q):
    values = list(np.random.default_rng(q).exponential(size=37))
    result = LoadResult(sessions=1, seconds=1, latencies_s=values,
                        actions_kind=["kernel", "pixel"] * 18 + ["kernel"])
    assert result.percentile(q) == np.percentile(values, q, method="inverted_cdf")
    kernel_only = values[::2]
    assert result.percentile(q, "kernel") == np.percentile(kernel_only, q,
                                                           method="inverted_cdf")


def test_percentile_of_nothing_is_nan():
    assert np.isnan(LoadResult(sessions=1, seconds=1).percentile(95))


@pytest.mark.parametrize("url", ["http://example.org", "http://10.0.0.5:8501",
                                 "http://127.0.0.1.example.org"])
def test_only_this_machine_is_loaded(url):
    with pytest.raises(ValueError, match="only runs against this machine"):
        check_loopback(url)


def test_loopback_urls_are_accepted():
    assert check_loopback("http://127.0.0.1:8501/") == "http://127.0.0.1:8501"
    assert check_loopback("http://localhost:9") == "http://localhost:9"


def test_memory_and_cpu_of_a_process_are_read_from_proc():
    # Independent source: resident pages in /proc/<pid>/statm.
    resident_pages = int(Path(f"/proc/{os.getpid()}/statm").read_text().split()[1])
    expected_kib = resident_pages * os.sysconf("SC_PAGE_SIZE") / 1024
    assert rss_kib(os.getpid()) == pytest.approx(expected_kib, rel=0.1)
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # burn a little CPU
    assert cpu_seconds(os.getpid()) > before
    assert rss_kib(2**22 + 12345) is None


def test_memory_figures_take_the_warm_sample_after_a_quarter_of_the_loops():
    result = LoadResult(sessions=1, seconds=40, loop_start_s=10,
                        rss_kib=[(0, 1024), (12, 2048), (20, 3072), (49, 4096), (50, 2048)])
    assert result.rss_mib == {"start": 1.0, "warm": 3.0, "peak": 4.0, "end": 2.0}
