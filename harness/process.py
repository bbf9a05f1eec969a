"""Resident memory and CPU time of running processes, read from Linux /proc, and a sampler."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def rss_kib(pid: int) -> int | None:
    """Resident memory (VmRSS) of process `pid` in KiB, None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time process `pid` (all its threads) has used so far, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of `pid` (nginx's workers under its master), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Sample:
    """One reading: seconds since the sampler started, then per process RSS (KiB) and CPU (s).

    A process that has gone reads as 0 KiB and its last CPU time.
    """

    t: float
    rss_kib: tuple[int, ...]
    cpu_s: tuple[float, ...]


class Sampler:
    """Reads the RSS and CPU time of `pids` every `every_s` seconds in a background thread.

    ``with Sampler([pid]) as s: ...``; `sample()` takes a reading at once (for the exact start
    and end of a measured window); `peak_rss_kib(since)` is the largest total RSS since `since`.
    """

    def __init__(self, pids: Sequence[int], every_s: float = 0.5):
        self.pids = tuple(pids)
        self.every_s = every_s
        self.started = time.monotonic()
        self.samples: list[Sample] = []
        self._last_cpu = [0.0] * len(self.pids)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sampler")

    def now(self) -> float:
        """Seconds since the sampler started (the clock of its samples)."""
        return time.monotonic() - self.started

    def sample(self) -> Sample:
        with self._lock:
            rss, cpu = [], []
            for i, pid in enumerate(self.pids):
                rss.append(rss_kib(pid) or 0)
                used = cpu_seconds(pid)
                self._last_cpu[i] = used if used is not None else self._last_cpu[i]
                cpu.append(self._last_cpu[i])
            reading = Sample(self.now(), tuple(rss), tuple(cpu))
            self.samples.append(reading)
            return reading

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every_s)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def peak_rss_kib(self, since: float = 0.0) -> int:
        """Largest total RSS of the processes in the samples taken at or after `since`."""
        return max((sum(s.rss_kib) for s in self.samples if s.t >= since), default=0)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (a server's decode workers and their helpers), from /proc."""
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_kib(pid: int) -> int:
    """Resident memory of `pid` and all its descendants together, in KiB (what a pod counts)."""
    return sum(rss_kib(p) or 0 for p in [pid, *descendants(pid)])
