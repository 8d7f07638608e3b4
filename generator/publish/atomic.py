"""Replace a folder with another in one step.

On Linux the two folders are exchanged with ``renameat2(RENAME_EXCHANGE)``, so
a reader sees either the whole old site or the whole new one; elsewhere the old
folder is renamed aside first (two renames, a moment with no folder).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(rc == 0)


def replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old ``target`` (if any) is removed after."""
    if not target.exists():
        try:
            os.rename(new, target)
            return
        except OSError:
            if not target.exists():
                raise
            # another build put a site there meanwhile: swap with it instead
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old site
        return
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
