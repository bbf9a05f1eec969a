"""Garbage collection for a busy server: a full collection at most every few seconds.

Each script run executes the page in a fresh namespace, and the functions a page defines point
back to that namespace: a reference cycle that keeps the run's arrays (the working image, every
response it computed) alive until Python's collector runs a full collection. Streamlit's own
answer, a full collection after every run (runner.postScriptGC), took half of the server's CPU
under twenty busy visitors; with it off, three visitors on the kernel bank at 2048 px in colour
left 1.9 GB resident. One collection every COLLECT_EVERY_S seconds, after whichever run ends
then, frees that garbage for a few per cent of one core (README, "Hosting").
"""

from __future__ import annotations

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
