"""Replace a file or a folder with another in one step.

``write_atomic`` is how Rota writes every file: a temporary file in the same
folder, flushed to disk, then renamed over the target, so a reader (and a full
disk) sees the old file or the new one, never half of one.

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
import tempfile
from pathlib import Path

from generator.errors import CannotWrite

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


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def inside_links(path: Path, root: Path) -> Path | None:
    """The first folder or file from ``root`` down to ``path`` that is a symbolic link."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    at = root
    for part in rel.parts:
        at = at / part
        if at.is_symlink():
            return at
    return None


def write_atomic(path: Path, data: str | bytes, root: Path | None = None) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, fsync, rename.

    Any failure (disk full, read-only folder) raises ``CannotWrite`` naming the file,
    and leaves neither a temporary file nor a partial ``path`` behind. With ``root``,
    a symbolic link on the way from ``root`` to ``path`` is refused: Rota writes only
    inside the repository. A file that exists keeps its permissions."""
    if root is not None:
        link = inside_links(path, root)
        if link is not None:
            raise CannotWrite(path, f"{link} is a symbolic link; Rota writes only real folders")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = _new_file_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise CannotWrite(path, exc.strerror or exc) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
