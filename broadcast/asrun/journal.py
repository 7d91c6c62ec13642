"""Anchoring the log's head outside the station's data folder: the system journal (syslog), or a file.

After every append the station's log sends one line, `asrun-head at=… row=N hash=H log=PATH`, to the
system journal. Someone who cuts rows off the end of the log, puts back an older copy, or rewrites it
from some row on, can also rewrite the head witness beside it, but not the heads the journal already
holds (journald and rsyslog files belong to root; the service's user can only add to them), so
`broadcast log verify --journal` checks the log against every head the journal holds for it.

`SyslogJournal` is the real one: it writes to the syslog socket (/dev/log, which journald or rsyslog
listen on) and reads back with `journalctl` and from the syslog files. `FileJournal` keeps the same
lines in a plain file: for tests, and for a station that copies that file elsewhere itself.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

TAG = "broadcast-asrun"  # the syslog identifier: journalctl -t broadcast-asrun
SYSLOG_SOCKET = "/dev/log"
SYSLOG_FILES = ("/var/log/syslog", "/var/log/daemon.log", "/var/log/messages")
_PRIORITY = 3 * 8 + 5  # facility daemon, severity notice
_LINE = re.compile(r"asrun-head at=(\S+) row=(\d+) hash=([0-9a-f]{64}) log=(.+?)\s*$")


@dataclass(frozen=True)
class JournalHead:
    """One head the journal holds: the log had `row_hash` at row `id` at time `at`."""

    at: datetime | None
    id: int
    row_hash: str

    @property
    def label(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC" if self.at else "time unknown"


class Journal(Protocol):
    """Where heads are anchored. `record` never raises (a journal that cannot be reached is logged);
    `heads` returns what is there for one log, oldest first."""

    def record(self, log_name: str, row_id: int, row_hash: str) -> None: ...

    def heads(self, log_name: str) -> list[JournalHead]: ...

    def describe(self) -> str: ...


def head_line(log_name: str, row_id: int, row_hash: str, at: datetime) -> str:
    return f"asrun-head at={at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} row={row_id} hash={row_hash} log={log_name}"


def parse_heads(lines, log_name: str) -> list[JournalHead]:
    """The heads of `log_name` in text lines that may hold anything else (a syslog file, journalctl output)."""
    out = []
    for line in lines:
        m = _LINE.search(line)
        if m is None or m[4] != log_name:
            continue
        try:
            at = datetime.strptime(m[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            at = None
        out.append(JournalHead(at, int(m[2]), m[3]))
    return out


class _WarnOnce:
    """A journal that cannot be reached is said once per process and problem, not at every append;
    `last_error` is the latest failure of this journal (None after a success)."""

    _said: set[str] = set()

    def __init__(self) -> None:
        self.last_error: str | None = None

    def failed(self, what: str, exc: Exception) -> None:
        text = f"{what}: {exc}"
        if text not in _WarnOnce._said:
            _WarnOnce._said.add(text)
            log.warning("could not anchor the as-run log's head in %s", text)
        self.last_error = text


class SyslogJournal(_WarnOnce):
    """The system journal through the syslog socket; read back with journalctl and the syslog files."""

    def __init__(self, socket_path: str | Path = SYSLOG_SOCKET, *, files=SYSLOG_FILES,
                 journalctl: str | None = "journalctl", clock=None) -> None:
        super().__init__()
        self.socket_path = str(socket_path)
        self.files = [Path(f) for f in files]
        self.journalctl = journalctl
        self._clock = clock or (lambda: datetime.now(UTC))

    def describe(self) -> str:
        return f"syslog through {self.socket_path}"

    def record(self, log_name: str, row_id: int, row_hash: str) -> None:
        now = self._clock()
        message = head_line(log_name, row_id, row_hash, now)
        # RFC 3164, as logger(1) sends it; journald and rsyslog both parse it.
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(now.timestamp()))
        datagram = f"<{_PRIORITY}>{stamp} {TAG}[{os.getpid()}]: {message}".encode()
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                with socket.socket(socket.AF_UNIX, kind) as sock:
                    try:
                        sock.connect(self.socket_path)
                    except OSError as exc:
                        if kind == socket.SOCK_DGRAM and exc.errno == errno.EPROTOTYPE:  # a stream socket
                            continue
                        raise
                    sock.sendall(datagram + (b"\n" if kind == socket.SOCK_STREAM else b""))
                    self.last_error = None
                    return
        except OSError as exc:
            self.failed(self.describe(), exc)

    def heads(self, log_name: str) -> list[JournalHead]:
        found: dict[tuple[int, str], JournalHead] = {}
        for head in self._from_journalctl(log_name) + self._from_files(log_name):
            found.setdefault((head.id, head.row_hash), head)
        return sorted(found.values(), key=lambda h: (h.at or datetime.min.replace(tzinfo=UTC), h.id))

    def _from_journalctl(self, log_name: str) -> list[JournalHead]:
        if not self.journalctl:
            return []
        try:
            proc = subprocess.run([self.journalctl, "-t", TAG, "-o", "json", "--no-pager", "-q"],
                                  capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return []
        messages = []
        for line in proc.stdout.splitlines():
            try:
                message = json.loads(line).get("MESSAGE")
            except ValueError:
                continue
            if isinstance(message, str):
                messages.append(message)
        return parse_heads(messages, log_name)

    def _from_files(self, log_name: str) -> list[JournalHead]:
        heads = []
        for path in self.files:
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    heads += parse_heads((line for line in fh if TAG in line), log_name)
            except OSError:
                continue
        return heads


class FileJournal(_WarnOnce):
    """The same head lines appended to a plain file (flushed to disk): tests, or a copy kept elsewhere."""

    def __init__(self, path: str | Path, *, clock=None) -> None:
        super().__init__()
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))

    def describe(self) -> str:
        return f"file {self.path}"

    def record(self, log_name: str, row_id: int, row_hash: str) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(head_line(log_name, row_id, row_hash, self._clock()) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            self.last_error = None
        except OSError as exc:
            self.failed(self.describe(), exc)

    def heads(self, log_name: str) -> list[JournalHead]:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                return parse_heads(fh, log_name)
        except FileNotFoundError:
            return []
