"""The server's settings that come from the environment: whole numbers, kept within bounds.

A replica is tuned by its environment (deploy/k8s.yaml), never by editing code; a value that
is not a whole number falls back to the default rather than stopping the server.
"""

from __future__ import annotations

import os


def whole_number(name: str, default: int, low: int, high: int) -> int:
    """The environment variable `name` as a whole number within [low, high]; the default
    when it is unset or unreadable."""
    try:
        return min(high, max(low, int(os.environ.get(name, default))))
    except ValueError:
        return default


#: Seconds with nobody connected after which the server empties its shared stores
#: (CONVKIT_IDLE_AFTER_S): the memory the visitors' work held goes back to the system.
IDLE_AFTER_S = whole_number("CONVKIT_IDLE_AFTER_S", 60, 1, 3600)

#: Redis holding the class poll's rooms, for several replicas (CONVKIT_ROOMS_REDIS_URL, e.g.
#: ``redis://convkit-redis:6379/0``); unset or empty: the rooms live in the server's process.
ROOMS_REDIS_URL = os.environ.get("CONVKIT_ROOMS_REDIS_URL", "").strip()
