"""How many processes a stage may fork: the one rule planning and the feeds share.

``ROTA_JOBS`` sets it (``1``: always in this process; a larger number is used
whatever the size of the work); by default it is the number of usable cores
once the work is large enough that starting a process pays for itself. Never
more than one without ``fork`` or while other threads run (``rota serve``):
forking a process with threads can copy a lock another thread holds.
"""

from __future__ import annotations

import os
import threading


def processes(most: int, large_enough: bool) -> int:
    """The number of processes (1 to ``most``) for work that can use ``most``."""
    if most < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    wanted = os.environ.get("ROTA_JOBS", "").strip()
    if wanted:
        return max(1, min(int(wanted), most)) if wanted.isdigit() else 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not cores or cores < 2 or not large_enough:
        return 1
    return min(cores, most)
