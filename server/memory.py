"""Memory housekeeping for a busy server: a full collection now and then, heap pages returned.

Each script run executes the page in a fresh namespace, and the functions a page defines point
back to that namespace: a reference cycle that keeps the run's arrays (the working image, every
response it computed) alive until Python's collector runs a full collection. Streamlit's own
answer, a full collection after every run (runner.postScriptGC), took half of the server's CPU
under twenty busy visitors; with it off, three visitors on the kernel bank at 2048 px in colour
left 1.9 GB resident. One collection every COLLECT_EVERY_S seconds, after whichever run ends
then, frees that garbage for a few per cent of one core (docs/performance.md).

glibc keeps the heap pages of freed arrays (a 2048 px colour response is 45 MB) for reuse;
`trim_heap` gives them back to the system, in the server and in its worker processes, and
`return_large_blocks` makes every block of a megabyte or more its own mapping, given back the
moment it is freed (the server's threads otherwise kept each other's freed arrays in eight
heaps per core, hundreds of megabytes after a class had left: docs/hosting.md, "Memory").
"""

from __future__ import annotations

import functools
import gc
import threading
import time

#: Seconds between two full collections at the most.
COLLECT_EVERY_S = 2.0

_lock = threading.Lock()
_last = 0.0


def collect_now_and_then(every_s: float = COLLECT_EVERY_S) -> bool:
    """Run a full garbage collection if none ran in the last `every_s` seconds.

    Called at the end of every script run; thread-safe, and never makes two runs wait for each
    other (a run that finds another one collecting goes on). Returns whether it collected.
    """
    global _last
    if time.monotonic() - _last < every_s or not _lock.acquire(blocking=False):
        return False
    try:
        gc.collect()
        _last = time.monotonic()
        return True
    finally:
        _lock.release()


def trim_heap() -> None:
    """Return free heap memory to the operating system (glibc only; elsewhere nothing).

    Costs next to nothing when there is nothing to trim.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


#: glibc's mallopt parameters (malloc.h) and the values used: blocks from 1 MiB up are
#: mapped on their own, and the script threads share two heaps instead of eight per core.
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8
MMAP_THRESHOLD_BYTES = 1 << 20
ARENAS = 2


def return_large_blocks() -> bool:
    """Make glibc map every block of MMAP_THRESHOLD_BYTES or more on its own (unmapped when
    freed) and keep at most ARENAS heaps; returns whether glibc took both settings.

    The environment variables MALLOC_MMAP_THRESHOLD_ and MALLOC_ARENA_MAX do the same, but
    only if whoever starts the server sets them; this is called once by the server itself.
    A fixed threshold also stops glibc from raising it after each freed mapping (up to
    32 MiB), which is what let arrays of a few megabytes pile up in the heaps.
    """
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
                and libc.mallopt(_M_ARENA_MAX, ARENAS))


@functools.cache
def _libc():
    """glibc, loaded once (ctypes.util.find_library runs ldconfig each time), or None."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - musl and others have no malloc_trim
    except (OSError, AttributeError):
        return None
    return libc
