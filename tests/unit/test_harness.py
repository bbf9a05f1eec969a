"""The shared harness's own logic (harness/), without a server: /proc readings, profiles."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest

from harness import Sampler, check_loopback, cpu_seconds, profile, rss_kib


def test_memory_and_cpu_of_a_process_are_read_from_proc():
    # Independent source: resident pages in /proc/<pid>/statm, CPU time from os.times().
    resident_pages = int(Path(f"/proc/{os.getpid()}/statm").read_text().split()[1])
    expected_kib = resident_pages * os.sysconf("SC_PAGE_SIZE") / 1024
    assert rss_kib(os.getpid()) == pytest.approx(expected_kib, rel=0.1)
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # burn a little CPU
    after = cpu_seconds(os.getpid())
    assert after > before
    times = os.times()
    assert after == pytest.approx(times.user + times.system, abs=0.05)
    assert rss_kib(2**22 + 12345) is None and cpu_seconds(2**22 + 12345) is None


def test_sampler_reads_in_the_background_and_keeps_a_gone_process_last_cpu():
    gone = 2**22 + 12345
    with Sampler([os.getpid(), gone], every_s=0.02) as sampler:
        time.sleep(0.2)
        mark = sampler.now()
        time.sleep(0.1)
    assert len(sampler.samples) >= 5
    times = [s.t for s in sampler.samples]
    assert times == sorted(times)
    assert all(s.rss_kib[1] == 0 and s.cpu_s[1] == 0 for s in sampler.samples)
    assert sampler.peak_rss_kib(mark) == max(s.rss_kib[0] for s in sampler.samples
                                             if s.t >= mark)


def test_harness_drives_loopback_only():
    with pytest.raises(ValueError, match="only drives this machine; got host 'example.org'"):
        check_loopback("http://example.org/")


SOURCE = """\
import time
def run():
    work()
def work():
    total = sum(range(10))
    time.sleep(1)
"""


def collapsed(folder: Path) -> Path:
    """A py-spy raw file over a real source file, one stack sampled on its sleep line."""
    source = folder / "app.py"
    source.write_text(SOURCE)
    lines = [f"run ({source}:3);work ({source}:5);inner ({source}:5) 6",
             f"run ({source}:3);work ({source}:5) 2",
             f"run ({source}:3);other ({source}:3);work ({source}:5) 1",
             f"run ({source}:3);work ({source}:6) 11",  # asleep on time.sleep
             "bad line"]
    path = folder / "profile-1.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_collapsed_stacks_are_read_and_shared_out(tmp_path):
    stacks = profile.read_collapsed(collapsed(tmp_path))
    assert sum(stacks.values()) == 20
    busy = profile.by_function(profile.without_waits(stacks))
    assert sum(busy.values()) == 9
    shares = {f.function.split(" (")[0]: f for f in profile.top_functions(busy)}
    assert shares["run"].total_share == 1 and shares["run"].self_share == 0
    assert shares["work"].total_share == pytest.approx(9 / 9)
    assert shares["work"].self_share == pytest.approx(3 / 9)
    assert shares["inner"].self_share == pytest.approx(6 / 9)
    assert shares["other"].total_share == pytest.approx(1 / 9)


def test_waits_are_told_by_the_source_line(tmp_path):
    source = tmp_path / "waits.py"
    source.write_text("x = sum(range(9))\ntime.sleep(1)\nlock.acquire()\nq.get(timeout=1)\n"
                      "d.get(key)\n")
    told = [profile.is_wait(f"f ({source}:{line})") for line in range(1, 6)]
    assert told == [False, True, True, True, False]
    assert not profile.is_wait(f"f ({source})")  # no line number: nothing to read
    assert profile.short_name("f (/x/lib/python3.11/site-packages/streamlit/a.py:3)") == (
        "f (streamlit/a.py)")
    assert profile.short_name("Thread.run (/usr/lib/python3.11/threading.py:982)") == (
        "Thread.run (threading.py)")


def test_recursion_counts_once_in_a_functions_total():
    stacks = Counter({("f (x.py)", "f (x.py)", "f (x.py)"): 4, ("g (y.py)",): 4})
    shares = {f.function: f for f in profile.top_functions(stacks)}
    assert shares["f (x.py)"].total_share == 0.5 and shares["f (x.py)"].self_share == 0.5


def test_reports_are_written_beside_the_stacks(tmp_path):
    svg, top = profile.write_reports(collapsed(tmp_path), "a test")
    text = svg.read_text()
    assert text.startswith("<svg") and text.rstrip().endswith("</svg>")
    assert "11 samples in blocking waits left out" in text
    # run; work and other above it; inner above work, work above other; no wait box
    assert text.count("<rect") == 5
    assert f"inner ({tmp_path}/app.py): 6 samples (66.7%)" in text
    lines = top.read_text().splitlines()
    first = lines.index("by own time (innermost frame):") + 2
    assert lines[first].split()[:3] == ["66.7%", "66.7%", "inner"]
