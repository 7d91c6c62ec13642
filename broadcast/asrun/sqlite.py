"""The SQLite as-run log store: format version 1 of `data/asrun.sqlite`, its head witness and report register.

Storage (`PRAGMA user_version = 1`): table `asrun`, one row per attempt, the columns of
`broadcast.asrun.chain` (COLUMNS, in that order), an index on ``scheduled_utc``.

Append-only: the code has no UPDATE or DELETE, and triggers abort any that a hand edit tries; dropping
them is reported (the log is then "not secured"). Every append also rewrites a head witness beside the
file (``asrun.sqlite.head``: the last row's id and hash, JSON), so rows cut off the end with the sqlite3
tool are caught unless the witness is forged too. A witness that lags the log (a crash between the
commit and its rewrite) is fine: only one naming a row the log no longer has, or another hash, breaks
the chain. Opening the log for writing when it no longer holds its witness's head (a cut or restored
log) keeps that witness as ``asrun.sqlite.head.kept-<time>`` before any append could overwrite it;
every witness kept so stays an anchor for `verify`. The heads of the reports and evidence zips made
from the log are appended to ``asrun.sqlite.issued`` (JSON lines).

Durability: WAL journal with ``synchronous=FULL``, one transaction per append; a killed writer
loses at most the row it was writing. One writer process (many threads: a lock serialises them)
plus any number of readers.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from broadcast.asrun.chain import (
    COLUMNS,
    CONTENT_COLUMNS,
    ENCODED_CONTENT,
    Anchor,
    LoggedRow,
    VerifyResult,
    canonical_json,
    damaged_result,
    utc_text,
)
from broadcast.asrun.journal import Journal
from broadcast.asrun.record import Outcome
from broadcast.asrun.store import ChainStore, Head, IssuedHead
from broadcast.atomic import staged
from broadcast.errors import UserError
from broadcast.problems import coded

FORMAT_VERSION = 1
DEFAULT_FILENAME = "asrun.sqlite"
WITNESS_SUFFIX = ".head"  # asrun.sqlite.head: the last row's id and hash, rewritten at every append
KEPT_WITNESS = ".head.kept-"  # asrun.sqlite.head.kept-<time>: a witness the log no longer held when opened
ISSUED_SUFFIX = ".issued"  # asrun.sqlite.issued: heads of the reports and evidence zips, one JSON per line

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS asrun (
    id INTEGER PRIMARY KEY,
    recorded_utc TEXT NOT NULL,
    scheduled_utc TEXT NOT NULL,
    scheduled_local TEXT NOT NULL,
    start_utc TEXT,
    start_local TEXT,
    end_utc TEXT,
    end_local TEXT,
    tz TEXT NOT NULL,
    session TEXT NOT NULL,
    zones TEXT NOT NULL,
    sink TEXT NOT NULL,
    bulletin_id TEXT NOT NULL,
    title TEXT NOT NULL,
    topic TEXT NOT NULL,
    priority TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    audio_sha256 TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    spoken_text TEXT NOT NULL,
    engine TEXT NOT NULL,
    voice TEXT NOT NULL,
    host TEXT NOT NULL,
    corrects INTEGER,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS asrun_scheduled ON asrun (scheduled_utc);
CREATE TRIGGER IF NOT EXISTS asrun_no_update BEFORE UPDATE ON asrun
BEGIN SELECT RAISE(ABORT, 'the as-run log is append-only: rows cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS asrun_no_delete BEFORE DELETE ON asrun
BEGIN SELECT RAISE(ABORT, 'the as-run log is append-only: rows cannot be removed'); END;
"""
_TRIGGERS = ("asrun_no_update", "asrun_no_delete")


# Verifying: SQLite writes each row's canonical JSON itself (keys in sorted order), so the whole log is
# not turned into Python values first. A REAL is left to Python, which formats floats its own way: only
# `corrects` can hold one (TEXT columns turn numbers into text, `id` is the rowid), and no row the code
# writes does. A BLOB (a hand edit) makes json_object() fail: the rows are then read whole. The JSON comes
# back as its UTF-8 bytes (CAST AS BLOB), which is what is hashed: a year's spoken texts are not decoded
# into Python strings only to be encoded again (0.2 s of a busy year's report).
_ENCODED_SELECT = (
    "SELECT id, prev_hash, row_hash, CASE WHEN typeof(corrects) = 'real' THEN NULL ELSE CAST(json_object("
    + ", ".join(f"'{c}', {c}" for c in sorted(CONTENT_COLUMNS)) + ") AS BLOB) END FROM asrun ORDER BY id"
)
_COLUMNS_WITHOUT_TEXT = tuple("'' AS spoken_text" if c == "spoken_text" else c for c in COLUMNS)
_ENCODED_KEYS = ("id", "prev_hash", "row_hash", ENCODED_CONTENT)


@functools.cache
def _sqlite_encodes_canonically() -> bool:
    """Does this SQLite's json_object() write text, integers and NULL exactly as `chain.canonical_json`
    does? Escaping is decided character by character, so one probe holding every ASCII character and
    non-ASCII ones of each kind (Vietnamese, line separators, a BOM, one beyond the BMP) answers it."""
    probe = {"a": "".join(map(chr, range(0x80))) + "Ủy ban – “xã” …\u2028\u2029\ufeff\U0001f4fb",
             "b": 12345678901234567, "c": None, "d": -1, "e": ""}
    try:
        db = sqlite3.connect(":memory:")
        try:
            sql = "SELECT json_object(" + ", ".join(f"'{key}', ?" for key in probe) + ")"
            text = db.execute(sql, list(probe.values())).fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # built without the JSON functions
        return False
    return text == canonical_json(probe)


class DamagedLog(UserError):
    """The file is not a readable as-run log (truncated, overwritten, emptied): as evidence, a broken
    log (exit code 1, like a broken chain), not a user's mistake. `detail` says what is wrong."""

    exit_code = 1

    def __init__(self, path: Path, detail: str) -> None:
        self.detail = detail
        super().__init__(coded(f"{path}: the as-run log is damaged and cannot be read ({detail})", "log.damaged",
                               detail=detail))


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _header_problem(path: Path) -> str | None:
    """Why the file at `path` cannot be an SQLite database, or None when its header says it is one."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not head:
        return "the file is empty (0 bytes)"
    if head != _SQLITE_MAGIC:
        return "the file does not start with the SQLite header (overwritten, or not a log)"
    return None


def _folder_trouble(folder: Path) -> str:
    """Why SQLite may not write in `folder`, as '; …' to add to its terse message, or ''."""
    try:
        fs = os.statvfs(folder)
    except OSError:
        return "; the folder is missing" if not folder.exists() else ""
    if fs.f_flag & os.ST_RDONLY:
        return "; the folder is on a read-only filesystem"
    if not os.access(folder, os.W_OK):
        return "; the folder is not writable"
    if fs.f_bavail == 0:
        return "; the disk is full"
    return ""


class SqliteStore(ChainStore):
    """The SQLite as-run log; safe to share across threads.

    `readonly=True` opens an existing file without touching it (verify, list, reports): a missing file
    is then a `UserError`, a file that is not a readable as-run log a `DamagedLog`.
    """

    def __init__(self, path: Path | str, *, readonly: bool = False, clock: Callable[[], datetime] | None = None,
                 journal: Journal | None = None) -> None:
        super().__init__(clock=clock, journal=journal, readonly=readonly)
        self.path = Path(path)
        self.name = str(self.path.resolve())
        self.witness_name = f"head witness {self.witness_path.name}"
        try:
            if readonly:
                if not self.path.is_file():
                    raise UserError(coded(f"{self.path}: no as-run log here", "log.missing"))
                problem = _header_problem(self.path)
                if problem:
                    raise DamagedLog(self.path, problem)
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = FULL")
                self._create_schema()
            self._check_format()
            if not readonly:
                self._keep_stale_witness()
        except sqlite3.OperationalError as exc:  # cannot open or write here (permissions, read-only, full, locked)
            raise UserError(coded(f"{self.path}: cannot open the as-run log ({exc}{_folder_trouble(self.path.parent)})",
                                  "log.unopenable", detail=str(exc))) from None
        except sqlite3.DatabaseError as exc:
            if readonly or _header_problem(self.path) is None:
                raise DamagedLog(self.path, str(exc)) from None
            raise UserError(coded(f"{self.path}: cannot open the as-run log ({exc})", "log.unopenable", detail=str(exc))) from None
        except OSError as exc:
            raise UserError(coded(f"{self.path}: cannot open the as-run log ({exc.strerror or exc})", "log.unopenable",
                                  detail=str(exc.strerror or exc))) from None

    def _create_schema(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # One statement at a time: executescript() would COMMIT our transaction.
                for statement in _SCHEMA.split(";\n"):
                    if statement.strip():
                        self._db.execute(statement)
                if self._db.execute("PRAGMA user_version").fetchone()[0] == 0:
                    self._db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _check_format(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        table = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'asrun'"
        ).fetchone()
        if table is None and version == 0:
            raise DamagedLog(self.path, "it holds no as-run table")
        if table is None or version != FORMAT_VERSION:
            raise UserError(
                f"{self.path}: not an as-run log of this version (format {version}, expected {FORMAT_VERSION})"
            )

    # -- the chain's storage --

    def _write_rows(self, build: Callable[[Head | None], list[dict]]) -> list[dict]:
        insert = f"INSERT INTO asrun ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        # IMMEDIATE takes the write lock first, so reading the head and writing after it is
        # atomic even if another process writes too.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            head = self._db.execute("SELECT id, row_hash FROM asrun ORDER BY id DESC LIMIT 1").fetchone()
            rows = build((head["id"], head["row_hash"]) if head else None)
            self._db.executemany(insert, [[r[c] for c in COLUMNS] for r in rows])
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return rows

    @property
    def witness_path(self) -> Path:
        return self.path.with_name(self.path.name + WITNESS_SUFFIX)

    def _write_witness(self, head: Head) -> None:
        text = json.dumps({"id": head[0], "row_hash": head[1]}) + "\n"
        with staged(self.witness_path) as tmp:
            tmp.write_text(text, encoding="utf-8")

    @staticmethod
    def _parse_witness(path: Path) -> Head:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["id"]), str(data["row_hash"])

    def _read_witness(self) -> tuple[Head | None, str | None]:
        try:
            return self._parse_witness(self.witness_path), None
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, f"head witness {self.witness_path.name} cannot be read ({exc}); the tail is unchecked"

    def _kept_witnesses(self) -> list[tuple[str, Head]]:
        kept = []
        for path in sorted(self.path.parent.glob(self.path.name + KEPT_WITNESS + "*")):
            try:
                kept.append((path.name, self._parse_witness(path)))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return kept

    def _keep_stale_witness(self) -> None:
        """Opened for writing, the log must still hold its witness's head; if not (rows cut off, an older
        copy put back), keep that witness under another name before an append overwrites it."""
        witness, _ = self._read_witness()
        if witness is None:
            return
        row = self._db.execute("SELECT row_hash FROM asrun WHERE id = ?", [witness[0]]).fetchone()
        if row is not None and row[0] == witness[1]:
            return
        kept = self.path.with_name(f"{self.path.name}{KEPT_WITNESS}{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
        os.replace(self.witness_path, kept)
        log.error("the as-run log %s no longer holds the head its witness names (row %s): rows were cut off or an "
                  "older copy was put back; the witness is kept as %s and `broadcast log verify` reports it",
                  self.path, witness[0], kept.name)

    def _trigger_warnings(self) -> list[str]:
        present = {r["name"] for r in self._query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = [t for t in _TRIGGERS if t not in present]
        if missing:
            return [f"append-only triggers missing ({', '.join(missing)}): the file was opened for hand editing"]
        return []

    # -- the register of issued reports --

    @property
    def issued_path(self) -> Path:
        return self.path.with_name(self.path.name + ISSUED_SUFFIX)

    def issued(self) -> list[IssuedHead]:
        try:
            lines = self.issued_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("cannot read %s: %s", self.issued_path, exc)
            return []
        out = []
        for line in lines:
            try:
                out.append(IssuedHead.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: an unreadable line is skipped: %r", self.issued_path.name, line[:80])
        return out

    def record_issued(self, entry: IssuedHead) -> None:
        with self._lock, open(self.issued_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry.as_dict()) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    # -- reading --

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, list(params)).fetchall()

    def raw_rows(self, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
        """Stored rows as dicts of COLUMNS, exactly as hashed (for export and verification)."""
        where, params = self._time_filter(since, until)
        with self._lock:
            cursor = self._db.cursor()
            cursor.row_factory = None  # plain tuples: zipping them into dicts is faster than dict(Row)
            rows = cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM asrun {where} ORDER BY id", params).fetchall()
        return [dict(zip(COLUMNS, r)) for r in rows]

    @staticmethod
    def _time_filter(since, until) -> tuple[str, list]:
        clauses, params = [], []
        for op, value in ((">=", since), ("<", until)):
            if value is not None:
                if value.tzinfo is None:
                    raise ValueError("since/until must be timezone-aware")
                clauses.append(f"scheduled_utc {op} ?")
                params.append(utc_text(value))
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def rows(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
        outcome: Outcome | str | None = None,
        zone: str | None = None,
        *,
        spoken_text: bool = True,
    ) -> list[LoggedRow]:
        """Rows whose scheduled time is in [since, until), optionally of one topic/outcome/zone; with
        `spoken_text=False` the records' spoken text is left empty, and not read."""
        where, params = self._time_filter(since, until)
        clauses = [where[len("WHERE ") :]] if where else []
        if topic is not None:
            clauses.append("topic = ?")
            params.append(topic)
        if outcome is not None:
            clauses.append("outcome = ?")
            params.append(Outcome(outcome).value)
        if zone is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(asrun.zones) WHERE value = ?)")
            params.append(zone)
        sql = f"SELECT {', '.join(COLUMNS if spoken_text else _COLUMNS_WITHOUT_TEXT)} FROM asrun"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [LoggedRow.from_stored(r) for r in self._query(sql + " ORDER BY id", params)]

    def slots_logged(self, since: datetime, until: datetime) -> set[tuple[datetime, str]]:
        """(scheduled time, session) of every row scheduled in [since, until): what the runner already handled."""
        where, params = self._time_filter(since, until)
        rows = self._query(f"SELECT DISTINCT scheduled_utc, session FROM asrun {where}", params)
        return {(datetime.fromisoformat(r[0]), r[1]) for r in rows}

    def corrections(self) -> dict[int, int]:
        """Every correction row's id -> the id it corrects (the whole log; cheap: few rows)."""
        rows = self._query("SELECT id, corrects FROM asrun WHERE corrects IS NOT NULL")
        return {r["id"]: r["corrects"] for r in rows}

    def get(self, row_id: int) -> LoggedRow | None:
        rows = self._query(f"SELECT {', '.join(COLUMNS)} FROM asrun WHERE id = ?", [row_id])
        return LoggedRow.from_stored(rows[0]) if rows else None

    def __len__(self) -> int:
        return self._query("SELECT count(*) FROM asrun")[0][0]

    def time_span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest scheduled times in the log (UTC), or None when it is empty."""
        row = self._query("SELECT min(scheduled_utc), max(scheduled_utc) FROM asrun")[0]
        return None if row[0] is None else (datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1]))

    def head(self) -> Head | None:
        rows = self._query("SELECT id, row_hash FROM asrun ORDER BY id DESC LIMIT 1")
        return (rows[0]["id"], rows[0]["row_hash"]) if rows else None

    def verify(self, anchor: Head | None = None, *, journal: bool = False) -> VerifyResult:
        """See `ChainStore.verify`; also against every kept witness, and a file SQLite cannot read
        part way is a broken log too (`kind="damaged"`)."""
        try:
            return super().verify(anchor, journal=journal)
        except sqlite3.DatabaseError as exc:
            return damaged_result(str(exc))
        except UnicodeDecodeError as exc:  # a row's text is not UTF-8: torn pages, or bytes put in by hand
            return damaged_result(f"a row holds text that is not UTF-8: {exc.reason}")

    def _chain_rows(self) -> list[dict]:
        """See `ChainStore._chain_rows`: the content as SQLite's json_object() writes it, when this SQLite
        writes it as `canonical_json` does (checked once per process); else, or when a row holds a REAL
        or a BLOB, the rows whole."""
        if not _sqlite_encodes_canonically():
            return self.raw_rows()
        try:
            with self._lock:
                cursor = self._db.cursor()
                cursor.row_factory = None
                rows = cursor.execute(_ENCODED_SELECT).fetchall()
        except sqlite3.OperationalError:  # a BLOB in a row
            return self.raw_rows()
        # A row SQLite cannot encode, or one with no hashes (what a torn file gives back): read whole.
        if any(r[3] is None or r[1].__class__ is not str or r[2].__class__ is not str for r in rows):
            return self.raw_rows()
        return [dict(zip(_ENCODED_KEYS, r)) for r in rows]

    def _extra_anchors(self) -> list[Anchor]:
        return [Anchor(*head, f"kept witness {name}", f"tệp chứng thực cũ {name}") for name, head in self._kept_witnesses()]

    def close(self) -> None:
        with self._lock:
            self._db.close()

