"""A class on one server: many visitors busy on one page, one bystander clicking elsewhere.

    python -m bench.classroom --scenario deconvolution --visitors 30 --seconds 50
    python -m bench.classroom --scenario matching --visitors 30 --seconds 50
    python -m bench.classroom --scenario descent --visitors 30 --seconds 60
    python -m bench.classroom --scenario bank-tour --visitors 12 --after 180
    python -m bench.classroom --scenario compose --visitors 5
    python -m bench.classroom --scenario downloads --visitors 1
    python -m bench.classroom --scenario loops --visitors 3 --seconds 60 --every 5
    python -m bench.classroom --scenario deconvolution --url http://127.0.0.1:8501 --pid 1234

Each visitor opens the scenario's page and changes one setting every `--every` seconds (0.5 by
default), each time to a value it has not sent before, and waits for the run of that setting
to finish: the time from its change to its result is the visitor's wait. Meanwhile one
bystander on the pixel inspector moves the picked pixel every 0.5 s (a fragment run, as a
student clicking on another page), `/_stcore/health` is asked every 0.5 s as a liveness probe
asks, and the server's resident memory, worker processes included (what a pod counts), is
sampled every 0.5 s, before, during and after the visitors.

The ``bank-tour`` scenario is a class's heaviest ordinary hour instead: each visitor uploads a
12 MP phone photo of its own (JPEG), works in colour at 2048 px, chooses every bank kernel on
the kernel bank, then opens every other page once. Its wait is the whole tour. In
``compose`` each visitor uploads such a photo (colour, 2048 px), makes a 31 x 31 Gaussian of
its own in the kernel lab, then all at once apply it 10 times (one 301 x 301 kernel); the wait
is that last change's. In ``downloads`` one visitor saves a 31 x 31 Gaussian in the lab, shows
it with every bank kernel on the kernel bank (colour, 2048 px) and clicks every download
button once, each time waiting for its file (the wait), then clicks them all again at once and
leaves with them in the making: the server's CPU from 5 to 10 s after it left says whether
the work it left behind was dropped.

Printed: the bystander's click p50/p95/max, the health answers' p95/max and how many took over
1 s, the visitors' waits p50/p95/max, the wait for each visitor's last change (the result a
visitor sees at the end: the largest, and how many of them came within 10 s), errors, and peak
RSS against RSS before and after. The figures go to
bench/results/classroom-<scenario>-<time>.json (and -latest.json). Loopback only, and visitors
(60), duration (300 s) and the pace are capped: this is a test of our own server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import harness
from bench import common
from harness.process import rss_kib, tree_rss_kib

MAX_VISITORS = 60
MAX_SECONDS = 300
PROBE_EVERY_S = 0.5
#: Longest wait for one run before it counts as an error (seconds).
RUN_TIMEOUT_S = 120.0
#: The longest a visitor should wait for the result of its latest change (issue #20).
LATEST_WITHIN_S = 10.0
TOUR_SCENARIO = "bank-tour"
#: The lab's Gaussian every compose and downloads visitor makes, and how often compose applies it.
OWN_KERNEL_SIDE = 31
COMPOSE_TIMES = 10
#: Answers the downloads visitor waits for in its second round before it leaves.
ANSWERS_BEFORE_LEAVING = 3
#: When the server's CPU is read after the downloads visitor left (seconds after, from, to).
CPU_WINDOW_S = (5.0, 10.0)


def _slider(value: float):
    from streamlit.proto.Common_pb2 import DoubleArray

    array = DoubleArray()
    array.data.append(value)
    return array


@dataclass(frozen=True)
class Scenario:
    """A page and how a visitor changes it: ``change(visitor, step)`` -> (key, field, value);
    `setup` are changes sent once, before the loop."""

    page: str
    query: str
    change: Callable[[int, int], tuple[str, str, object]]
    setup: tuple[tuple[str, str, object], ...] = ()
    #: Widget states sent with every change (the browser sends every widget's state).
    keep: tuple[tuple[str, str, object], ...] = ()


#: The tour of the bank-tour scenario: every page after the kernel bank, by URL path.
TOUR = ("pixel_inspector", "kernel_lab", "padding_modes", "deep_learning", "deconvolution",
        "template_matching", "home")


def phone_photo(index: int) -> bytes:
    """A 4000 x 3000 JPEG (12 MP, as a phone takes), photo-like and different per visitor."""
    import io

    import cv2
    from PIL import Image
    from skimage import data

    picture = cv2.resize(data.astronaut(), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    picture[: 1 + index, :] = (37 * index) % 256  # other bytes, other pixels, other caches
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def every_bank_kernel() -> tuple:
    """The kernel bank's multiselect state with every bank kernel chosen (its labels)."""
    from streamlit.proto.Common_pb2 import StringArray

    from convkit import BANK
    from pages.ui.render import kernel_label  # the very text the multiselect shows

    labels = [kernel_label(name, k) for name, k in BANK.items()]
    return ("bank_kernels", "string_array_value", StringArray(data=labels))


#: The bystander: a student on the inspector, moving the picked pixel (a fragment run).
BYSTANDER = Scenario("pixel_inspector", "image=camera&x=10&y=10",
                     lambda visitor, step: ("inspector_x", "double_value",
                                            float(20 + step % 200)))

SCENARIOS = {
    # The noise slider: 0.0 to 30.0 in steps of 0.5; every change reruns every restoration.
    "deconvolution": Scenario(
        "deconvolution", "image=camera",
        lambda visitor, step: ("deconv_noise", "double_array_value",
                               _slider(0.5 * ((visitor * 7 + step) % 61)))),
    # A shifted, noisy copy; each change moves it, so both correlation maps are computed anew.
    "matching": Scenario(
        "template_matching", "image=camera",
        lambda visitor, step: ("match_dx", "double_array_value",
                               _slider(float((visitor * 13 + step * 7) % 121 - 60))),
        setup=(("match_target", "string_value", "the same image, shifted and noised"),)),
    # Gradient descent with a new number of steps each time (the descent is cached by them).
    # The tutorial's loop over every bank kernel in colour: the runs take turns in the loop
    # queue (tests/e2e/test_resource_limits.py checks they do; the bystander's p95 is here).
    "loops": Scenario(
        "kernel_bank", "image=astronaut&color=1",
        lambda visitor, step: ("bank_run_loop", "trigger_value", True),
        setup=(every_bank_kernel(),), keep=(every_bank_kernel(),)),
    "descent": Scenario(
        "deep_learning", "image=camera",
        lambda visitor, step: ("dl_steps", "double_array_value",
                               _slider(float(1000 + 10 * ((visitor * 31 + step) % 100))))),
}


class StartLine:
    """Where visitors wait for the start, counting who has arrived: the clock starts once
    every page has been opened, however long a loaded machine takes to open them."""

    def __init__(self) -> None:
        self.arrived = 0
        self._go = asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        await self._go.wait()

    async def start(self, expected: int, *, longest_s: float) -> None:
        """Start once `expected` visitors have arrived, or after `longest_s` (a visitor that
        failed to open its page never arrives: its error is counted)."""
        deadline = time.monotonic() + longest_s
        while self.arrived < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        self._go.set()


@dataclass
class Figures:
    bystander_s: list[float] = field(default_factory=list)
    health_s: list[float] = field(default_factory=list)
    waits_s: list[float] = field(default_factory=list)
    #: Each visitor's wait for its last change, by visitor (None: that change never came).
    last_waits_s: dict[int, float | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_mib: list[tuple[float, float]] = field(default_factory=list)
    #: With each RSS sample: the server's own RSS and what its stores hold (MiB).
    parts_mib: list[tuple[float, float | None]] = field(default_factory=list)
    #: When a visitor who leaves on purpose (downloads) left, on time.monotonic().
    left_at: float | None = None
    #: Figures only one scenario has (downloads: files, bytes, CPU after leaving).
    extra: dict = field(default_factory=dict)

    def rss_around(self, started: float, ended: float) -> tuple[float | None, float | None]:
        """The last RSS sample (MiB) before the class began and the last since it ended
        (None where there is none yet)."""
        before = [m for t, m in self.rss_mib if t < started]
        after = [m for t, m in self.rss_mib if t > ended]
        return (before[-1] if before else None), (after[-1] if after else None)

    def back_within(self, started: float, ended: float, margin_mib: float) -> bool:
        """Whether the last sample since the class ended is within `margin_mib` of the last
        one before it began."""
        before, after = self.rss_around(started, ended)
        return before is not None and after is not None and after <= before + margin_mib

    def summary(self, started: float, ended: float) -> dict:
        def spread(values: list[float]) -> dict:
            if not values:
                return {"n": 0}
            ordered = sorted(values)
            return {"n": len(values), "p50": round(statistics.median(ordered), 3),
                    "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
                    "max": round(ordered[-1], 3)}

        before, after = self.rss_around(started, ended)
        during = [(m, i) for i, (t, m) in enumerate(self.rss_mib) if started <= t <= ended]
        at_peak = {}
        if during:
            peak, index = max(during)
            server, stores = self.parts_mib[index]
            at_peak = {"seconds_in": round(self.rss_mib[index][0] - started),
                       "server": round(server), "workers": round(peak - server),
                       "stores": None if stores is None else round(stores)}
        return {"bystander_click_s": spread(self.bystander_s),
                "health_s": {**spread(self.health_s),
                             "over_1s": sum(s > 1 for s in self.health_s)},
                "visitor_wait_s": spread(self.waits_s),
                "last_change_s": {
                    **spread([w for w in self.last_waits_s.values() if w is not None]),
                    "visitors": len(self.last_waits_s),
                    "within_10s": sum(w is not None and w <= LATEST_WITHIN_S
                                      for w in self.last_waits_s.values())},
                "errors": len(self.errors), "first_errors": self.errors[:5],
                "rss_mib": {"before": None if before is None else round(before),
                            "peak": round(max(during, default=(0, 0))[0]),
                            "after": None if after is None else round(after),
                            "at_peak": at_peak},
                "rss_timeline_mib": [(round(t, 1), round(m)) for t, m in self.rss_mib]}


async def _visitor(url: str, scenario: Scenario, index: int, waits: list[float],
                   errors: list[str], every_s: float, go: StartLine,
                   stop_at: list[float], where: str,
                   last_waits: dict[int, float | None] | None = None) -> None:
    """Open the scenario's page, then change its setting every `every_s` seconds until
    `stop_at`, each change's wait for its run appended to `waits`, the last one kept in
    `last_waits[index]` (None when it never came)."""
    if last_waits is not None:
        last_waits[index] = None
    try:
        async with harness.open_session(url, scenario.page, scenario.query,
                                        timeout_s=RUN_TIMEOUT_S) as session:
            await session.run(None, RUN_TIMEOUT_S)
            for change in scenario.setup:
                await session.run(change, RUN_TIMEOUT_S)
            await go.wait()
            step = 0
            while time.monotonic() < stop_at[0]:
                began = time.monotonic()
                await session.run(scenario.change(index, step), RUN_TIMEOUT_S,
                                  also=scenario.keep)
                waits.append(time.monotonic() - began)
                if last_waits is not None:
                    last_waits[index] = waits[-1]
                errors.extend(f"{where}: {p}" for p in session.problems)
                step += 1
                await asyncio.sleep(max(0.0, every_s - (time.monotonic() - began)))
    except Exception as error:
        errors.append(f"{where}: {error!r:.200}")


async def _tourist(url: str, index: int, figures: Figures, go: StartLine,
                   photo: bytes, together: asyncio.Barrier | None = None) -> None:
    """The bank-tour visitor: upload, every bank kernel in colour at 2048 px, every page."""
    from harness.uploads import upload

    where = f"visitor {index}"
    try:
        async with harness.open_session(url, "kernel_bank", "color=1&res=2048",
                                        timeout_s=RUN_TIMEOUT_S) as session:
            await session.run(None, RUN_TIMEOUT_S)
            await go.wait()
            began = time.monotonic()
            status, uploaded = await upload(session, url, "upload", f"photo{index}.jpg", photo,
                                            timeout_s=RUN_TIMEOUT_S)
            if status != 204:
                raise RuntimeError(f"the upload was answered {status}")
            uploaded_at = time.monotonic()
            await session.run(every_bank_kernel(), RUN_TIMEOUT_S, also=(uploaded,))
            problems = list(session.problems)
            # When this visitor was done with each page, in seconds since it uploaded.
            done_with = {"upload": uploaded_at - began,
                         "kernel_bank": time.monotonic() - began}
            for page in TOUR:
                session.page = page
                await session.run(None, RUN_TIMEOUT_S, also=(uploaded,))
                problems += [f"{page}: {p}" for p in session.problems]
                done_with[page] = time.monotonic() - began
            figures.waits_s.append(time.monotonic() - began)
            for page, seconds in done_with.items():
                figures.extra.setdefault("done_with_s", {}).setdefault(page, []).append(
                    round(seconds, 1))
            figures.errors.extend(f"{where}: {p}" for p in problems)
    except Exception as error:
        figures.errors.append(f"{where}: {error!r:.200}")


async def _upload_photo(session, url: str, index: int, photo: bytes) -> tuple:
    """Upload the visitor's phone photo; the uploader's state, which every later run sends."""
    from harness.uploads import upload

    status, uploaded = await upload(session, url, "upload", f"photo{index}.jpg", photo,
                                    timeout_s=RUN_TIMEOUT_S)
    if status != 204:
        raise RuntimeError(f"the upload was answered {status}")
    return uploaded


async def _own_gaussian(session, index: int, uploaded: tuple) -> tuple:
    """Make a 31 x 31 Gaussian of the visitor's own (its sigma) in the kernel lab's editor;
    the widget states later runs send."""
    size = ("lab_gauss_size", "double_array_value", _slider(float(OWN_KERNEL_SIDE)))
    sigma = ("lab_gauss_sigma", "double_array_value", _slider(3.0 + 0.5 * index))
    await session.run(size, RUN_TIMEOUT_S, also=(uploaded,))
    await session.run(sigma, RUN_TIMEOUT_S, also=(uploaded, size))
    await session.run(("lab_load_gaussian", "trigger_value", True), RUN_TIMEOUT_S,
                      also=(uploaded, size, sigma))
    return uploaded, size, sigma


async def _composer(url: str, index: int, figures: Figures, go: StartLine, photo: bytes,
                    together: asyncio.Barrier) -> None:
    """The compose visitor: upload, a 31 x 31 Gaussian of its own, then, with the others at
    once, apply it 10 times (one 301 x 301 kernel) in colour at 2048 px."""
    where = f"visitor {index}"
    try:
        async with harness.open_session(url, "kernel_lab", "color=1&res=2048",
                                        timeout_s=RUN_TIMEOUT_S) as session:
            await session.run(None, RUN_TIMEOUT_S)
            await go.wait()
            states = await _own_gaussian(session, index, await _upload_photo(
                session, url, index, photo))
            problems = list(session.problems)
            await together.wait()
            began = time.monotonic()
            await session.run(("lab_times", "double_array_value",
                               _slider(float(COMPOSE_TIMES))), RUN_TIMEOUT_S, also=states)
            figures.waits_s.append(time.monotonic() - began)
            side = COMPOSE_TIMES * (OWN_KERNEL_SIDE - 1) + 1
            if not any(f"one {side} x {side} kernel" in text for text in session.markdown):
                problems.append(f"no {side} x {side} kernel was composed")
            figures.errors.extend(f"{where}: {p}" for p in problems + session.problems)
    except Exception as error:
        figures.errors.append(f"{where}: {error!r:.200}")


async def _downloader(url: str, index: int, figures: Figures, go: StartLine, photo: bytes,
                      together: asyncio.Barrier) -> None:
    """The downloads visitor: a 31 x 31 Gaussian saved in the lab, every kernel on the bank
    (colour, 2048 px), every download once, waiting for each, then every one at once, and
    gone after the first few answers."""
    from streamlit.proto.Common_pb2 import StringArray

    from pages.ui.render import kernel_label

    where = f"visitor {index}"
    name = f"gauss{OWN_KERNEL_SIDE}_{index}"
    try:
        async with harness.open_session(url, "kernel_lab", "color=1&res=2048",
                                        timeout_s=RUN_TIMEOUT_S) as session:
            await session.run(None, RUN_TIMEOUT_S)
            await go.wait()
            uploaded = await _upload_photo(session, url, index, photo)
            states = await _own_gaussian(session, index, uploaded)
            # The browser sends every text field's value with a click, the empty one too.
            named = (("lab_name", "string_value", name),
                     ("lab_description", "string_value", ""))
            await session.run(named[0], RUN_TIMEOUT_S, also=(*states, named[1]))
            await session.run(("lab_save", "trigger_value", True), RUN_TIMEOUT_S,
                              also=(*states, *named))
            problems = [f"saving: {p}" for p in session.problems]
            session.page = "kernel_bank"
            await session.run(None, RUN_TIMEOUT_S, also=(uploaded,))
            _, _, bank = every_bank_kernel()
            chosen = StringArray(data=[*bank.data, kernel_label(name, (OWN_KERNEL_SIDE,) * 2)])
            await session.run(("bank_kernels", "string_array_value", chosen), RUN_TIMEOUT_S,
                              also=(uploaded,))
            problems += session.problems
            keys = [key for key in session.deferred_files if key.startswith("bank_download_")]
            if len(keys) != 2 * len(chosen.data):
                problems.append(f"{len(keys)} download buttons for {len(chosen.data)} kernels")
            sizes = []
            for key in keys:
                began = time.monotonic()
                sizes.append(len(await session.download(key, RUN_TIMEOUT_S)))
                figures.waits_s.append(time.monotonic() - began)
            for key in keys:
                await session.ask_for_download(key)
            for _ in range(ANSWERS_BEFORE_LEAVING):
                await asyncio.wait_for(session.download_answer(), RUN_TIMEOUT_S)
            figures.extra.update(files=len(sizes), megabytes=round(sum(sizes) / 1e6, 1),
                                 left_in_the_making=len(keys) - ANSWERS_BEFORE_LEAVING)
            figures.errors.extend(f"{where}: {p}" for p in problems)
        figures.left_at = time.monotonic()
    except Exception as error:
        figures.errors.append(f"{where}: {error!r:.200}")


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds used so far by `pid` and every process below it."""
    from harness.process import cpu_seconds, descendants

    return sum(cpu_seconds(p) or 0.0 for p in [pid, *descendants(pid)])


#: The scenarios whose visitors do one thing each rather than change a setting in a loop.
ONE_SHOT = {TOUR_SCENARIO: _tourist, "compose": _composer, "downloads": _downloader}


def _store_mib(url: str) -> float | None:
    """What the server's shared stores hold now (its /_stcore/metrics), MiB; None if unread."""
    import re

    with contextlib.suppress(Exception):
        status, _, body = harness.http_get(f"{url}/_stcore/metrics", timeout_s=5)
        if status == 200:
            return sum(int(n) for n in re.findall(
                rb'cache_type="convkit_store"[^}]*}\s+(\d+)', body)) / 2**20
    return None


def _watch(url: str, pid: int | None, figures: Figures, stop: threading.Event,
           clock: Callable[[], float]) -> None:
    """Health probes and RSS samples every PROBE_EVERY_S, in a thread of its own; with each
    RSS sample, the server's own RSS (without its workers) and what its stores hold."""
    while not stop.is_set():
        began = time.monotonic()
        try:
            harness.http_get(f"{url}/_stcore/health", timeout_s=10)
            figures.health_s.append(time.monotonic() - began)
        except Exception:
            figures.health_s.append(10.0)
        if pid is not None:
            figures.rss_mib.append((clock(), tree_rss_kib(pid) / 1024))
            figures.parts_mib.append(((rss_kib(pid) or 0) / 1024, _store_mib(url)))
        stop.wait(max(0.0, PROBE_EVERY_S - (time.monotonic() - began)))


async def run_classroom(url: str, pid: int | None, scenario: str, *, visitors: int,
                        seconds: float, every_s: float = 0.5,
                        after_s: float = 10.0, back_within_mib: float | None = None) -> dict:
    """Run `scenario` with `visitors` on the server at `url` (loopback); returns the summary.

    After the visitors have gone the memory is watched for `after_s` seconds, or, with
    `back_within_mib`, until it is that close to its level before the class, if sooner.
    """
    harness.check_loopback(url)
    if scenario not in (*SCENARIOS, *ONE_SHOT):
        raise ValueError(f"scenario must be one of {sorted([*SCENARIOS, *ONE_SHOT])}; "
                         f"got {scenario!r}")
    if not 1 <= visitors <= MAX_VISITORS:
        raise ValueError(f"visitors must be 1..{MAX_VISITORS}; got {visitors}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1..{MAX_SECONDS}; got {seconds}")
    if not 0 <= after_s <= 600:
        raise ValueError(f"after must be 0..600 seconds; got {after_s}")
    if not 0.1 <= every_s <= 60:
        raise ValueError(f"every must be 0.1..60 seconds; got {every_s}")
    figures, stop, origin = Figures(), threading.Event(), time.monotonic()
    watcher = threading.Thread(target=_watch, daemon=True, args=(
        url, pid, figures, stop, lambda: time.monotonic() - origin))
    watcher.start()
    await asyncio.sleep(2.0)  # the memory before anyone arrives
    go, stop_at = StartLine(), [float("inf")]
    if scenario in ONE_SHOT:
        photos = await asyncio.to_thread(lambda: [phone_photo(i) for i in range(visitors)])
        together = asyncio.Barrier(visitors)
        tasks = [asyncio.create_task(ONE_SHOT[scenario](url, i, figures, go, photos[i],
                                                        together)) for i in range(visitors)]
        # The bystander clicks for as long as the visitors stay.
        tours = asyncio.gather(*tasks)
        tours.add_done_callback(lambda _: stop_at.__setitem__(0, 0.0))
        tasks = [tours]
    else:
        tasks = [asyncio.create_task(_visitor(
            url, SCENARIOS[scenario], i, figures.waits_s, figures.errors, every_s, go, stop_at,
            f"visitor {i}", figures.last_waits_s)) for i in range(visitors)]
    tasks.append(asyncio.create_task(_visitor(url, BYSTANDER, 0, figures.bystander_s,
                                              figures.errors, PROBE_EVERY_S, go, stop_at,
                                              "bystander")))
    # Every page opened (the visitors' and the bystander's) before the clock starts.
    await go.start(visitors + 1, longest_s=RUN_TIMEOUT_S)
    started = time.monotonic() - origin
    if scenario not in ONE_SHOT:
        stop_at[0] = time.monotonic() + seconds
    await asyncio.gather(*tasks)
    ended = time.monotonic() - origin
    if figures.left_at is not None and pid is not None:
        # Whatever runs now is work its visitor left behind (the bystander has stopped too).
        first, last = CPU_WINDOW_S
        await asyncio.sleep(max(0.0, figures.left_at + first - time.monotonic()))
        cpu_before = _tree_cpu_s(pid)
        await asyncio.sleep(last - first)
        figures.extra["cpu_after_leaving_pct"] = round(
            100 * (_tree_cpu_s(pid) - cpu_before) / (last - first), 1)
    settle_by = time.monotonic() + after_s
    while time.monotonic() < settle_by and not (
            back_within_mib is not None and figures.back_within(started, ended, back_within_mib)):
        await asyncio.sleep(min(PROBE_EVERY_S, max(0.0, settle_by - time.monotonic())))
    stop.set()
    watcher.join()
    summary = figures.summary(started, ended)
    return {"scenario": scenario, "visitors": visitors, "seconds": seconds, "every_s": every_s,
            **summary, **figures.extra}


def text(result: dict) -> str:
    b, h, w, m = (result[k] for k in ("bystander_click_s", "health_s", "visitor_wait_s",
                                       "rss_mib"))
    last = result["last_change_s"]
    return "\n".join([
        f"{result['scenario']}: {result['visitors']} visitors for {result['seconds']} s, "
        f"a change every {result['every_s']} s each",
        f"  bystander click  p50 {b.get('p50')} s  p95 {b.get('p95')} s  max {b.get('max')} s"
        f"  ({b['n']} clicks)",
        f"  health           p95 {h.get('p95')} s  max {h.get('max')} s  over 1 s: "
        f"{h['over_1s']} of {h['n']}",
        f"  visitors' waits  p50 {w.get('p50')} s  p95 {w.get('p95')} s  max {w.get('max')} s"
        f"  ({w['n']} results)",
        *([f"  last change's    p50 {last.get('p50')} s  max {last.get('max')} s  within "
           f"{LATEST_WITHIN_S:g} s: {last['within_10s']} of {last['visitors']} visitors"]
          if last["visitors"] else []),
        f"  errors {result['errors']}" + "".join(f"\n    {e}" for e in result["first_errors"]),
        f"  RSS (server + workers)  before {m['before']} MiB  peak {m['peak']} MiB  "
        f"after {m['after']} MiB",
        f"  at the peak ({m['at_peak'].get('seconds_in')} s in): server "
        f"{m['at_peak'].get('server')} MiB, of which stores {m['at_peak'].get('stores')} MiB; "
        f"workers {m['at_peak'].get('workers')} MiB",
        *([f"  downloads        {result['files']} files ({result['megabytes']} MB) waited "
           f"for, then {result['left_in_the_making']} left in the making"]
          if "files" in result else []),
        *([f"  server CPU {CPU_WINDOW_S[0]:g}-{CPU_WINDOW_S[1]:g} s after the visitor left: "
           f"{result['cpu_after_leaving_pct']} % of one core"]
          if "cpu_after_leaving_pct" in result else []),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.classroom",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=sorted([*SCENARIOS, *ONE_SHOT]),
                        default="deconvolution")
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=50)
    parser.add_argument("--every", type=float, default=0.5, metavar="S",
                        help="seconds between one visitor's changes (default 0.5)")
    parser.add_argument("--after", type=float, default=10, metavar="S",
                        help="seconds to keep sampling memory after the visitors left "
                             "(default 10; 180 to see what comes back)")
    parser.add_argument("--url", help="a running server on this machine (default: start one)")
    parser.add_argument("--pid", type=int, help="that server's process id, for its memory")
    args = parser.parse_args(argv)

    def run(url: str, pid: int | None) -> dict:
        return asyncio.run(run_classroom(url, pid, args.scenario, visitors=args.visitors,
                                         seconds=args.seconds, every_s=args.every,
                                         after_s=args.after))

    if args.url:
        result = run(args.url, args.pid)
    else:
        with harness.run_streamlit("app.py", log_name=f"classroom-{args.scenario}",
                                   log_dir=common.RESULTS_DIR) as server:
            result = run(server.url, server.proc.pid)
    result["machine"] = common.machine()
    print(text(result))
    print(f"figures: {common.save(result, f'classroom-{args.scenario}')}")
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
