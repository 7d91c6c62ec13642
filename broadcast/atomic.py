"""All-or-nothing file writes: write beside the target, then rename over it.

A reader (the scheduler, an inspector, the next build) sees the old file or the new one, never half
of one; a failure or a crash leaves the old file as it was and no temp file behind.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from broadcast.errors import UserError

_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def staged(final: Path) -> Iterator[Path]:
    """A temp path beside `final`, flushed to disk and renamed over `final` only if the block succeeds."""
    final = Path(final)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; what we write is for the station's other users too
    try:
        yield Path(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def ensure_writable(folder: Path) -> None:
    """Create `folder` if needed and prove a file can be made in it, else a UserError naming it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UserError(f"{folder}: output folder is not writable ({exc.strerror})") from None


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a temp file beside `path`, then rename it into place; OS errors are the
    user's (an unwritable folder), reported as UserError."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged(path) as tmp:
            write(tmp)
    except OSError as exc:
        where = path.parent if not path.parent.is_dir() or not os.access(path.parent, os.W_OK) else path
        raise UserError(f"{where}: cannot write ({exc.strerror or exc})") from None
    return path
