"""When the log itself cannot be written: a store wrapper that keeps every row until the log takes it.

`SpoolingStore` wraps the station's store. A row the store refuses (disk full, a read-only or missing
folder, a locked or damaged file) is kept in memory and in a spool file in another folder
(`log.spool`, default <cache folder>/asrun-spool/asrun-spool.jsonl, flushed to disk), and every
later row queues behind it, so the log keeps the order things happened in. The rows are tried again
every `retry_s` seconds, at every append and at `drain()`, and go into the log in order, in one
transaction, once it is writable again. A spool left by a process that died while the log was
unwritable is read when the next one starts, and drained first (rows that had already reached the
log are not written twice).

For the service (how to use it):

    store = open_log(settings, spool=True)   # a SpoolingStore around the station's log
    runner = Runner(..., log=store, ...)      # append() never raises: it returns None when spooled
    store.status()                            # SpoolStatus: ok, pending, error, since, spool file, ...
    store.drain()                             # try now (e.g. on `reload`); True when nothing waits
    store.close()                             # one last try; what still waits stays in the spool file

`status().pending` is what `status`, the dashboard and the exit code report: rows that are not in
the log yet. `status().spool_error` says when the spool file could not be written either (the rows
are then in memory only, and lost if the process dies).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from broadcast.asrun.chain import CONTENT_COLUMNS, LoggedRow, VerifyResult, decode_record, encode_record
from broadcast.asrun.record import AsRunRecord, Outcome
from broadcast.asrun.store import Head, IssuedHead, LogStore
from broadcast.errors import UserError

log = logging.getLogger(__name__)

SPOOL_FILE = "asrun-spool.jsonl"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# What a spooled row is compared and kept by: its content without the id and write time the log gives it.
_KEPT = tuple(c for c in CONTENT_COLUMNS if c not in ("id", "recorded_utc"))
# What "the log cannot be written" looks like; anything else is a bug and is raised.
LOG_FAILURES = (OSError, sqlite3.Error, UserError)


def _kept(record: AsRunRecord) -> dict:
    content = encode_record(record, 0, _EPOCH)
    return {c: content[c] for c in _KEPT}


def _from_kept(kept: dict) -> AsRunRecord:
    return decode_record(kept)


@dataclass(frozen=True)
class SpoolStatus:
    """The log's health as the service reports it."""

    pending: int  # rows not in the log yet (in memory, and in the spool file unless spool_error)
    error: str | None  # why the log refused the latest attempt (None: it is being written)
    since: datetime | None  # when the log first refused the rows now waiting
    spool_file: Path
    spool_error: str | None = None  # why the spool file could not be written (rows in memory only)

    @property
    def ok(self) -> bool:
        return self.pending == 0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "pending": self.pending, "error": self.error,
                "since": self.since.isoformat(timespec="seconds") if self.since else None,
                "spool_file": str(self.spool_file), "spool_error": self.spool_error}


class SpoolingStore:
    """A `LogStore` that never loses an appended row (see the module's docstring). Thread-safe."""

    def __init__(self, open_store: Callable[[], LogStore], spool_dir: Path | str, *, retry_s: float = 60.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        self._open = open_store
        self._store: LogStore | None = None
        self.spool_file = Path(spool_dir) / SPOOL_FILE
        self.retry_s = retry_s
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._pending: list[dict] = []  # _kept() of each waiting row, oldest first
        self._in_file = 0  # how many of _pending the spool file holds
        self._error: str | None = None
        self._since: datetime | None = None
        self._spool_error: str | None = None
        self._closed = threading.Event()
        self._timer: threading.Thread | None = None
        self._load_spool()
        if self._pending:
            self.drain()

    # -- the wrapped store --

    @property
    def name(self) -> str:
        with self._lock:
            return self._store.name if self._store is not None else str(self.spool_file)

    def _inner(self) -> LogStore:
        if self._store is None:
            self._store = self._open()
        return self._store

    def _drop_inner(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # noqa: BLE001 - a connection to a broken file may fail to close too
                pass

    # -- writing --

    def append(self, record: AsRunRecord) -> int | None:
        """The new row's id, or None when the log cannot take it now (it waits in the spool)."""
        ids = self.append_many([record])
        return ids[0] if ids else None

    def append_many(self, records: Iterable[AsRunRecord]) -> list[int]:
        """Ids of the rows written, or [] when they wait in the spool (behind any rows already waiting)."""
        kept = [_kept(r) for r in records]
        if not kept:
            return []
        with self._lock:
            self._pending += kept
            written = self._flush()
            return written[-len(kept):] if written else []

    def drain(self) -> bool:
        """Try to write the waiting rows now; True when none is left waiting."""
        with self._lock:
            if self._pending:
                self._flush()
            return not self._pending

    def _flush(self) -> list[int]:
        """Write every waiting row in one transaction; on failure keep them and spool them."""
        try:
            ids = self._inner().append_many([_from_kept(k) for k in self._pending])
        except LOG_FAILURES as exc:
            self._drop_inner()
            error = f"{type(exc).__name__}: {exc}"
            if self._error != error:
                log.error("the as-run log cannot be written (%s): %d row(s) wait in memory and in %s, retried every "
                          "%g s", error, len(self._pending), self.spool_file, self.retry_s)
            self._error = error
            self._since = self._since or self._clock()
            self._spool()
            self._retry_later()
            return []
        waited = len(self._pending) - 1
        self._pending, self._in_file = [], 0
        if self._error is not None:
            log.warning("the as-run log is written again (refused since %s: %s); %d waiting row(s) written",
                        self._since, self._error, waited + 1)
        self._error = self._since = None
        self._clear_spool()
        return ids

    # -- the spool file --

    def _spool(self) -> None:
        new = self._pending[self._in_file:]
        if not new:
            return
        try:
            self.spool_file.parent.mkdir(parents=True, exist_ok=True)
            with open(self.spool_file, "a", encoding="utf-8") as fh:
                fh.write("".join(json.dumps(k, ensure_ascii=False) + "\n" for k in new))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            if self._spool_error is None:
                log.error("the as-run spool %s cannot be written either (%s): %d row(s) are in memory only",
                          self.spool_file, exc, len(self._pending))
            self._spool_error = f"{type(exc).__name__}: {exc}"
            return
        self._in_file = len(self._pending)
        self._spool_error = None

    def _clear_spool(self) -> None:
        try:
            self.spool_file.unlink(missing_ok=True)
            self._spool_error = None
        except OSError as exc:  # rows already in the log: the next start finds them there and skips them
            log.warning("could not remove the drained spool %s: %s", self.spool_file, exc)

    def _load_spool(self) -> None:
        """Rows a previous process left waiting, minus those that reached the log before it stopped."""
        try:
            lines = self.spool_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            self._spool_error = f"{type(exc).__name__}: {exc}"
            log.error("cannot read the as-run spool %s: %s", self.spool_file, exc)
            return
        kept = []
        for line in lines:
            try:
                row = json.loads(line)
                _from_kept(row)  # readable?
                kept.append({c: row[c] for c in _KEPT})
            except (ValueError, KeyError, TypeError):
                log.error("the as-run spool %s has an unreadable line (a crash while writing it?): %r",
                          self.spool_file, line[:120])
        self._pending = kept[self._already_logged(kept):]
        self._in_file = len(kept)
        self._since = self._clock() if self._pending else None
        if self._pending:
            log.warning("%d as-run row(s) left waiting in %s by an earlier run", len(self._pending), self.spool_file)

    def _already_logged(self, kept: list[dict]) -> int:
        """How many leading spooled rows are the log's last rows already (drained, then the process died
        before it removed the spool)."""
        try:
            store = self._inner()
            head = store.head()
            tail = store.raw_rows() if head is None else [
                r for r in (store.get(i) for i in range(max(1, head[0] - len(kept) + 1), head[0] + 1)) if r]
        except LOG_FAILURES:
            self._drop_inner()
            return 0
        logged = [_kept(r.record) if isinstance(r, LoggedRow) else {c: r[c] for c in _KEPT} for r in tail]
        for n in range(min(len(kept), len(logged)), 0, -1):
            if logged[-n:] == kept[:n]:
                return n
        return 0

    def _retry_later(self) -> None:
        if self._timer is not None and self._timer.is_alive():
            return

        def retry() -> None:
            while not self._closed.wait(self.retry_s):
                if self.drain():
                    return

        self._timer = threading.Thread(target=retry, name="asrun-spool-retry", daemon=True)
        self._timer.start()

    # -- the service's view --

    def status(self) -> SpoolStatus:
        with self._lock:
            return SpoolStatus(len(self._pending), self._error, self._since, self.spool_file, self._spool_error)

    @property
    def pending(self) -> int:
        return self.status().pending

    @property
    def last_error(self) -> str | None:
        return self.status().error

    # -- reading: the wrapped store's (waiting rows are not in it yet) --

    def _read(self, method: str, *args, **kwargs):
        with self._lock:
            return getattr(self._inner(), method)(*args, **kwargs)

    def correct(self, row_id: int, *, reason: str, outcome: Outcome | str | None = None) -> int:
        return self._read("correct", row_id, reason=reason, outcome=outcome)

    def rows(self, *args, **kwargs) -> list[LoggedRow]:
        return self._read("rows", *args, **kwargs)

    def raw_rows(self, *args, **kwargs) -> list[dict]:
        return self._read("raw_rows", *args, **kwargs)

    def get(self, row_id: int) -> LoggedRow | None:
        return self._read("get", row_id)

    def corrections(self) -> dict[int, int]:
        return self._read("corrections")

    def slots_logged(self, since: datetime, until: datetime) -> set[tuple[datetime, str]]:
        """What the runner already handled: the log's slots and the waiting rows'."""
        with self._lock:
            waiting = {(r.scheduled, r.session) for r in map(_from_kept, self._pending) if since <= r.scheduled < until}
            try:
                return self._inner().slots_logged(since, until) | waiting
            except LOG_FAILURES:
                self._drop_inner()
                return waiting

    def time_span(self):
        return self._read("time_span")

    def head(self) -> Head | None:
        return self._read("head")

    def verify(self, anchor: Head | None = None, *, journal: bool = False) -> VerifyResult:
        return self._read("verify", anchor, journal=journal)

    def issued(self) -> list[IssuedHead]:
        return self._read("issued")

    def record_issued(self, entry: IssuedHead) -> None:
        self._read("record_issued", entry)

    def __len__(self) -> int:
        return self._read("__len__")

    def close(self) -> None:
        """One last try; rows still waiting stay in the spool file for the next start."""
        self.drain()
        self._closed.set()
        with self._lock:
            self._drop_inner()
            if self._pending and self._in_file < len(self._pending):
                self._spool()

    def __enter__(self) -> SpoolingStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
