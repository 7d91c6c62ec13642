"""All-or-nothing file writes: write beside the target, then rename over it.

A reader (the scheduler, an inspector, the next build) sees the old file or the new one, never half
of one; a failure leaves the old file as it was and no temp file behind. A process killed mid-write
(kill -9, power cut) cannot clean up: its temp file (`.<name>.<pid>-<random>.tmp`) names the
process that made it, and the next writer in that folder removes temp files whose process is gone
(`staged` and `ensure_writable` remove them from the folder they write in). Temp files of a process
still running are left alone: the service and a `broadcast build` may write in one folder at once.

A full disk, a read-only folder or missing rights are the user's to fix: `writing_into(folder)`
turns them into one UserError line naming the folder.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from broadcast.errors import UserError
from broadcast.problems import coded

_UMASK = os.umask(0o022)
os.umask(_UMASK)
_TEMP = re.compile(r"^\..+\.(?:(?P<pid>\d+)-)?[^.]+\.tmp$")  # staged(): .<name>.<pid>-<random>.tmp
_PROBE = re.compile(r"^\.probe-(?:(?P<pid>\d+)-)?[^.]+$")
_UNOWNED_AFTER_S = 3600  # a temp file without a pid (older versions) is stale after this long


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _stale(path: Path, pid: str | None) -> bool:
    if pid is not None:
        return not _process_alive(int(pid))
    try:
        return time.time() - path.stat().st_mtime > _UNOWNED_AFTER_S
    except OSError:
        return False


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temp files in `folder` left by writers that were killed; returns what went."""
    removed = []
    try:
        entries = [p for p in Path(folder).iterdir() if p.name.startswith(".")]
    except OSError:
        return removed
    for path in entries:
        match = _TEMP.match(path.name) or _PROBE.match(path.name)
        if not match:
            continue
        if _stale(path, match.group("pid")):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass  # vanished meanwhile, or not ours to remove: the next writer tries again
    return removed


@contextmanager
def staged(final: Path) -> Iterator[Path]:
    """A temp path beside `final`, flushed to disk and renamed over `final` only if the block succeeds."""
    with staged_all(final) as (tmp,):
        yield tmp


@contextmanager
def staged_all(*finals: Path) -> Iterator[tuple[Path, ...]]:
    """Temp paths beside each of `finals`; if the block succeeds, all are flushed to disk first, then
    renamed in the order given (a full disk shows at the flush, before any file is replaced)."""
    finals = tuple(Path(f) for f in finals)
    temps: list[str] = []
    try:
        for final in finals:
            remove_stale_temps(final.parent)
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.{os.getpid()}-", suffix=".tmp")
            os.close(fd)
            temps.append(tmp)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; what we write is for the station's other users too
        yield tuple(Path(t) for t in temps)
        for tmp in temps:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        for tmp, final in zip(temps, finals):
            os.replace(tmp, final)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def ensure_writable(folder: Path) -> None:
    """Create `folder` if needed, remove what killed writers left in it, and prove a file can be made
    in it; else a UserError naming it."""
    folder = Path(folder)
    with writing_into(folder, "output folder is not writable"):
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".probe-{os.getpid()}-")
        os.close(fd)
        os.unlink(probe)


_FULL = (errno.ENOSPC, errno.EDQUOT)


def disk_full(folder: Path) -> UserError:
    return UserError(coded(f"{folder}: disk full (no space left on the device): free some space there; "
                           f"nothing in it was replaced", "disk.full", folder=str(folder)))


@contextmanager
def writing_into(folder: Path, what: str = "cannot write") -> Iterator[None]:
    """OS errors of writing into `folder` as one UserError line: "disk full" when it is."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise disk_full(folder) from None
        if exc.errno == errno.EROFS:
            raise UserError(coded(f"{folder}: {what} (read-only file system)", "disk.read_only", folder=str(folder))) from None
        raise UserError(coded(f"{folder}: {what} ({exc.strerror or exc})", "disk.cannot_write", folder=str(folder),
                              reason=str(exc.strerror or exc))) from None


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a temp file beside `path`, then rename it into place; OS errors are the
    user's (an unwritable folder, a full disk), reported as UserError."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with staged(path) as tmp:
            write(tmp)
    except OSError as exc:
        if exc.errno in _FULL:
            raise disk_full(path.parent) from None
        where = path.parent if not path.parent.is_dir() or not os.access(path.parent, os.W_OK) else path
        raise UserError(coded(f"{where}: cannot write ({exc.strerror or exc})", "disk.cannot_write", folder=str(where),
                              reason=str(exc.strerror or exc))) from None
    return path
