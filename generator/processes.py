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
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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


class LimitExceeded(Exception):
    """The limited work needed more memory or time than it was given."""


def run_limited(work: Callable[[], T], memory: int, seconds: int) -> T:
    """``work()`` in a forked process with at most ``memory`` more bytes of address space
    and ``seconds`` of CPU time; its result (or exception) comes back pickled. Where
    forking is unsafe or impossible (no ``fork``, other threads), it runs here unlimited.
    LimitExceeded when the process ran out of either."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return work()
    import pickle
    import resource

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limit, work, send, leave without cleanup of the parent's
        status = 0
        try:
            os.close(read_end)
            used = _address_space()
            if used is not None:
                resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
            try:
                outcome: tuple[bool, object] = (True, work())
            except MemoryError:
                outcome = (False, LimitExceeded("memory"))
            except Exception as exc:
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome)
            except Exception as exc:
                data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as got:
        data = got.read()
    _, wait_status = os.waitpid(pid, 0)
    if not data:
        raise LimitExceeded("memory or time" if os.WIFSIGNALED(wait_status) else "unknown")
    ok, value = pickle.loads(data)
    if ok:
        return value
    raise value


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
