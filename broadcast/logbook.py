"""The as-run log: an append-only, hash-chained SQLite record of every broadcast attempt.

Storage format (format version 1, `PRAGMA user_version = 1`), table `asrun`, one row per attempt:

- ``id``: 1, 2, 3, ... assigned by the logbook inside the writing transaction (no gaps by design,
  so a gap means a deleted row).
- times: each of scheduled / start / end is stored twice: ``*_utc`` is UTC ISO-8601 with a fixed
  width (``2024-05-06T22:30:00.000000+00:00``) so text order is time order and filters use it;
  ``*_local`` is the time as the scheduler gave it, ISO-8601 with its UTC offset. ``tz`` is the
  IANA zone name of the scheduled time when it had one (the station's zone), else ''. Reading back
  rebuilds the aware datetime in that zone. ``recorded_utc`` is when the row was written.
- ``zones`` is a JSON array; ``corrects`` the id of the earlier row this one corrects, or NULL.
- ``prev_hash`` is the previous row's ``row_hash`` (64 zeros for row 1) and
  ``row_hash = sha256(prev_hash + canonical_json(content))`` where content is every other column,
  ``id`` included, and canonical JSON is sorted keys, no spaces, UTF-8 (``ensure_ascii=False``).
  There are no floats in the content, so the encoding is exact.

Append-only: the code has no UPDATE or DELETE, and triggers abort any that a hand edit tries.
Dropping the triggers and editing, deleting, inserting or reordering rows breaks the chain, and
`Logbook.verify` names the first broken row. What a bare hash chain cannot show is a truncated
tail or a forged row appended with a correctly computed hash: for that, compare against a head
hash recorded earlier (a printed report, an evidence zip) with ``verify(anchor=(id, hash))``.
Every append also rewrites a head witness beside the file (``asrun.sqlite.head``: the last row's id
and hash), and `verify` uses it as the anchor when none is given, so cutting rows off the end with
the sqlite3 tool is caught unless the witness is forged too. A witness that lags the log (a crash
between the commit and its rewrite) is fine: only one naming a row the log no longer has, or another
hash, breaks the chain.

Durability: WAL journal with ``synchronous=FULL``, one transaction per append; a killed writer
loses at most the row it was writing. One writer process (many threads: a lock serialises them)
plus any number of readers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcast.asrun import AsRunRecord, Outcome
from broadcast.atomic import staged
from broadcast.errors import UserError

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64
DEFAULT_FILENAME = "asrun.sqlite"
WITNESS_SUFFIX = ".head"  # asrun.sqlite.head: the last row's id and hash, rewritten at every append

log = logging.getLogger(__name__)

# The hashed content columns, in table order. `prev_hash` and `row_hash` follow them.
CONTENT_COLUMNS: tuple[str, ...] = (
    "id",
    "recorded_utc",
    "scheduled_utc",
    "scheduled_local",
    "start_utc",
    "start_local",
    "end_utc",
    "end_local",
    "tz",
    "session",
    "zones",
    "sink",
    "bulletin_id",
    "title",
    "topic",
    "priority",
    "outcome",
    "reason",
    "audio_sha256",
    "text_sha256",
    "spoken_text",
    "engine",
    "voice",
    "host",
    "corrects",
)
COLUMNS: tuple[str, ...] = CONTENT_COLUMNS + ("prev_hash", "row_hash")

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


# --- encoding ---------------------------------------------------------------------------------


def _utc_text(value: datetime | None) -> str | None:
    # Fixed width (always microseconds, always +00:00) keeps text order equal to time order.
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _local_text(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def _zone_name(value: datetime) -> str:
    return value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else ""


def _decode_time(local: str | None, tz: str) -> datetime | None:
    if local is None:
        return None
    value = datetime.fromisoformat(local)
    if tz:
        try:
            return value.astimezone(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown zone on this machine: the fixed offset is still exact
    return value


# What json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds on every
# call, built once: verifying a busy year's chain encodes tens of thousands of rows.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


# verify_rows builds each row's content in sorted key order already: the same text, without the sort.
_SORTED_CONTENT = tuple(sorted(CONTENT_COLUMNS))
_PRESORTED = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def canonical_json(content: Mapping) -> str:
    return _CANONICAL(content if type(content) is dict else dict(content))


def row_hash(prev_hash: str, content: Mapping) -> str:
    """The chain's hash of one row: sha256 over the previous hash and the row's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


def encode_record(record: AsRunRecord, row_id: int, recorded: datetime) -> dict:
    """The content columns (everything hashed) for `record` stored as row `row_id`."""
    return {
        "id": row_id,
        "recorded_utc": _utc_text(recorded),
        "scheduled_utc": _utc_text(record.scheduled),
        "scheduled_local": _local_text(record.scheduled),
        "start_utc": _utc_text(record.start),
        "start_local": _local_text(record.start),
        "end_utc": _utc_text(record.end),
        "end_local": _local_text(record.end),
        "tz": _zone_name(record.scheduled),
        "session": record.session,
        "zones": json.dumps(list(record.zones), ensure_ascii=False),
        "sink": record.sink,
        "bulletin_id": record.bulletin_id,
        "title": record.title,
        "topic": record.topic,
        "priority": str(getattr(record.priority, "value", record.priority)),
        "outcome": Outcome(record.outcome).value,
        "reason": record.reason,
        "audio_sha256": record.audio_sha256,
        "text_sha256": record.text_sha256,
        "spoken_text": record.spoken_text,
        "engine": record.engine,
        "voice": record.voice,
        "host": record.host,
        "corrects": record.corrects,
    }


def decode_record(row: Mapping) -> AsRunRecord:
    tz = row["tz"]
    return AsRunRecord(
        scheduled=_decode_time(row["scheduled_local"], tz),
        outcome=Outcome(row["outcome"]),
        bulletin_id=row["bulletin_id"],
        title=row["title"],
        topic=row["topic"],
        priority=row["priority"],
        session=row["session"],
        zones=tuple(json.loads(row["zones"])),
        sink=row["sink"],
        start=_decode_time(row["start_local"], tz),
        end=_decode_time(row["end_local"], tz),
        reason=row["reason"],
        audio_sha256=row["audio_sha256"],
        text_sha256=row["text_sha256"],
        spoken_text=row["spoken_text"],
        engine=row["engine"],
        voice=row["voice"],
        host=row["host"],
        corrects=row["corrects"],
    )


@dataclass(frozen=True)
class LoggedRow:
    """One stored row: its id, the record, when it was written and its place in the chain."""

    id: int
    record: AsRunRecord
    recorded: datetime
    prev_hash: str
    row_hash: str

    @classmethod
    def from_stored(cls, row: Mapping) -> LoggedRow:
        return cls(
            id=row["id"],
            record=decode_record(row),
            recorded=datetime.fromisoformat(row["recorded_utc"]),
            prev_hash=row["prev_hash"],
            row_hash=row["row_hash"],
        )


# --- verification (pure: works on the database and on an export alike) -----------------------


@dataclass(frozen=True)
class VerifyResult:
    """What `verify` found. `kind` is edited | deleted | inserted | reordered | anchor | damaged | None.

    `message` says it in English (the command line), `message_vi` in Vietnamese (reports, evidence).
    `secured` is False when the append-only triggers are gone: the chain may still verify, but the
    file was opened for hand editing and nothing stopped a change (reports say so).
    """

    ok: bool
    rows: int
    head_id: int | None
    head_hash: str
    first_bad_id: int | None = None
    kind: str | None = None
    message: str = ""
    warnings: tuple[str, ...] = field(default=())
    message_vi: str = ""
    secured: bool = True

    def __bool__(self) -> bool:
        return self.ok

    @property
    def trustworthy(self) -> bool:
        """The chain verifies and the append-only triggers are in place."""
        return self.ok and self.secured

    def summary(self) -> str:
        """One line for people: OK with the count and head hash, or the first broken row."""
        if self.ok:
            return f"OK: {self.rows} rows, chain head {self.head_hash} (row {self.head_id})"
        if self.kind == "damaged":
            return f"BROKEN (damaged): {self.message}"
        return f"BROKEN at row {self.first_bad_id} ({self.kind}): {self.message}"

    def summary_vi(self) -> str:
        """The same, entirely in Vietnamese, for the reports and the evidence bundle."""
        if self.ok:
            text = (
                f"Chuỗi băm hợp lệ: {self.rows} bản ghi, mã băm cuối {self.head_hash} "
                f"(bản ghi số {self.head_id})."
            )
            if not self.secured:
                text += (
                    " Tuy nhiên nhật ký CHƯA ĐƯỢC BẢO ĐẢM: cơ chế chặn sửa, xóa bản ghi (trigger) đã bị gỡ bỏ, "
                    "tệp đã bị mở để sửa tay; số liệu cần được đối chiếu với bản sao hoặc mã băm đã ghi nhận trước."
                )
            return text
        if self.kind == "damaged":
            return f"Nhật ký KHÔNG hợp lệ: {self.message_vi or 'tệp nhật ký bị hỏng, không đọc được'}."
        kinds = {
            "edited": "bị sửa",
            "deleted": "bị xóa bớt bản ghi",
            "inserted": "bị chèn bản ghi",
            "reordered": "bị đảo thứ tự",
            "anchor": "không khớp mã băm đã ghi nhận trước",
        }
        detail = self.message_vi or f"bản ghi số {self.first_bad_id}"
        return (
            f"Chuỗi băm KHÔNG hợp lệ từ bản ghi số {self.first_bad_id} "
            f"({kinds.get(self.kind or '', 'không hợp lệ')}): {detail}."
        )

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "first_bad_id": self.first_bad_id,
            "kind": self.kind,
            "message": self.message,
            "message_vi": self.message_vi,
            "secured": self.secured,
            "warnings": list(self.warnings),
        }


def damaged_result(message: str) -> VerifyResult:
    """The verdict on a log file SQLite cannot read: broken, as evidence goes."""
    return VerifyResult(
        ok=False,
        rows=0,
        head_id=None,
        head_hash=GENESIS_HASH,
        kind="damaged",
        message=f"the log file is damaged and cannot be read ({message})",
        message_vi="tệp nhật ký bị hỏng, không đọc được (tệp bị cắt cụt hoặc bị ghi đè)",
    )


def verify_rows(
    rows: Iterable[Mapping],
    anchor: tuple[int, str] | None = None,
    warnings: Iterable[str] = (),
    *,
    secured: bool = True,
) -> VerifyResult:
    """Check the chain of stored rows (dicts of COLUMNS, any order): the first break wins.

    `anchor` is an (id, row_hash) pair recorded earlier; it must still be in the chain, which is
    what catches a truncated tail or rows re-hashed from some point on.
    """
    stored = sorted((r if type(r) is dict else dict(r) for r in rows), key=lambda r: r["id"])
    warnings = tuple(warnings)
    by_hash = {r["row_hash"]: r["id"] for r in stored}

    head = stored[-1] if stored else None
    # What every result says of the chain as stored: its length and its last row.
    chain = {"rows": len(stored), "head_id": head["id"] if head else None,
             "head_hash": head["row_hash"] if head else GENESIS_HASH, "warnings": warnings, "secured": secured}

    def broken(row_id: int, kind: str, message: str, message_vi: str) -> VerifyResult:
        return VerifyResult(
            ok=False,
            **chain,
            first_bad_id=row_id,
            kind=kind,
            message=message,
            message_vi=message_vi,
        )

    expected_id, expected_prev, previous_prev = 1, GENESIS_HASH, None
    for row in stored:
        row_id = row["id"]
        content = {name: row[name] for name in _SORTED_CONTENT}
        # row_hash(prev, content), inlined: the content is already in canonical (sorted) key order.
        digest = hashlib.sha256((row["prev_hash"] + _PRESORTED(content)).encode("utf-8")).hexdigest()
        self_ok = digest == row["row_hash"]
        linked = row["prev_hash"] == expected_prev
        if row_id < expected_id:
            return broken(row_id, "inserted", f"row {row_id} appears twice", f"bản ghi số {row_id} xuất hiện hai lần")
        if row_id > expected_id:
            if row_id == expected_id + 1:
                missing, missing_vi = f"row {expected_id}", f"thiếu bản ghi số {expected_id}"
            else:
                missing, missing_vi = f"rows {expected_id}-{row_id - 1}", f"thiếu các bản ghi số {expected_id}-{row_id - 1}"
            return broken(
                row_id, "deleted", f"{missing} missing before row {row_id}", f"{missing_vi} trước bản ghi số {row_id}"
            )
        if not self_ok:
            # Written right after the same row as its predecessor, one id lower: the predecessor
            # was spliced in and the rows after it renumbered.
            if row_id > 1 and row["prev_hash"] == previous_prev:
                if row_hash(row["prev_hash"], dict(content, id=row_id - 1)) == row["row_hash"]:
                    return broken(
                        row_id - 1,
                        "inserted",
                        f"row {row_id - 1} was inserted (row {row_id} was written as row {row_id - 1})",
                        f"bản ghi số {row_id - 1} bị chèn vào (bản ghi số {row_id} vốn được ghi là bản ghi số {row_id - 1})",
                    )
            # Does the content belong under another id? Then rows were moved, not written over.
            origin = by_hash.get(row["prev_hash"])
            if origin is not None and origin + 1 != row_id:
                moved = dict(content, id=origin + 1)
                if row_hash(row["prev_hash"], moved) == row["row_hash"]:
                    return broken(
                        row_id,
                        "reordered",
                        f"row {row_id} holds the content of row {origin + 1}",
                        f"bản ghi số {row_id} mang nội dung của bản ghi số {origin + 1}",
                    )
            if not linked:
                return broken(
                    row_id,
                    "inserted",
                    f"row {row_id} is not part of the chain (forged or spliced in)",
                    f"bản ghi số {row_id} không thuộc chuỗi (bị giả mạo hoặc chèn vào)",
                )
            return broken(
                row_id,
                "edited",
                f"row {row_id} does not match its hash (changed after it was written, or forged)",
                f"bản ghi số {row_id} không khớp mã băm của nó (bị sửa sau khi ghi, hoặc bị giả mạo)",
            )
        if not linked:
            return broken(
                row_id,
                "inserted",
                f"row {row_id} does not follow row {row_id - 1} (a row was inserted or replaced)",
                f"bản ghi số {row_id} không nối tiếp bản ghi số {row_id - 1} (có bản ghi bị chèn hoặc bị thay thế)",
            )
        expected_id, expected_prev, previous_prev = row_id + 1, row["row_hash"], row["prev_hash"]
    if anchor is not None:
        anchor_id, anchor_hash = anchor
        match = next((r for r in stored if r["id"] == anchor_id), None)
        if match is None or match["row_hash"] != anchor_hash:
            found = "is missing" if match is None else f"has hash {match['row_hash']}"
            found_vi = "nay không còn" if match is None else f"nay có mã băm {match['row_hash']}"
            return broken(
                anchor_id,
                "anchor",
                f"row {anchor_id} was recorded with hash {anchor_hash} but now {found}",
                f"bản ghi số {anchor_id} đã được ghi nhận với mã băm {anchor_hash} nhưng {found_vi}",
            )
    return VerifyResult(ok=True, **chain)


def export_rows(rows: list[dict], fmt: str, out) -> None:
    """Write stored rows (exactly as hashed, hashes included) as CSV or JSON to a text stream.

    Both keep every column, so `verify_rows` can check an export away from the database.
    """
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


# --- corrections ----------------------------------------------------------------------------


def effective_ids(corrections: Mapping[int, int | None], ids: Iterable[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Which row is in effect for each broadcast, under the one rule: the latest correction wins.

    `corrections` maps a row id to the id it corrects (None or absent for an original row); `ids`
    are the rows to decide about. A correction chain is a row and every row that corrects it or
    corrects one of its corrections (`corrects` links followed back to the original); in each
    chain the row with the highest id (the last written) is in effect, and every other row of the
    chain, the original included, is superseded.

    Returns (superseded id -> the id in effect, row id -> its chain's original id).
    """
    root_of: dict[int, int] = {}

    def root(row_id: int) -> int:
        seen = []
        current = row_id
        while current not in root_of:
            target = corrections.get(current)
            if target is None or target in seen or target == current:
                root_of[current] = current
                break
            seen.append(current)
            current = target
        found = root_of[current]
        for visited in seen:
            root_of[visited] = found
        return found

    latest: dict[int, int] = {}
    ids = list(ids)
    for row_id in ids:
        r = root(row_id)
        if row_id > latest.get(r, -1):
            latest[r] = row_id
    superseded = {row_id: latest[root(row_id)] for row_id in ids if latest[root(row_id)] != row_id}
    return superseded, {row_id: root(row_id) for row_id in ids}


# --- the store --------------------------------------------------------------------------------


class DamagedLog(UserError):
    """The file is an SQLite database that SQLite cannot read (truncated, overwritten): as evidence,
    a broken log (exit code 1, like a broken chain), not a user's mistake."""

    exit_code = 1


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def default_path(settings) -> Path:
    return settings.data_dir / DEFAULT_FILENAME


class Logbook:
    """The SQLite as-run log. Implements `broadcast.asrun.AsRunLog`; safe to share across threads.

    `readonly=True` opens an existing file without touching it (verify, list, reports); a missing
    or non-SQLite file is then a `UserError`.
    """

    def __init__(self, path: Path | str, *, readonly: bool = False, clock=None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        try:
            if readonly:
                if not self.path.is_file():
                    raise UserError(f"{self.path}: no as-run log here")
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
        except sqlite3.DatabaseError as exc:
            if _looks_like_sqlite(self.path):
                raise DamagedLog(f"{self.path}: the as-run log is damaged and cannot be read ({exc})") from None
            raise UserError(f"{self.path}: cannot open the as-run log ({exc})") from None
        except OSError as exc:
            raise UserError(f"{self.path}: cannot open the as-run log ({exc.strerror or exc})") from None

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
        if table is None or version != FORMAT_VERSION:
            raise UserError(
                f"{self.path}: not an as-run log of this version (format {version}, expected {FORMAT_VERSION})"
            )

    # -- writing --

    def append(self, record: AsRunRecord) -> int:
        """Store `record` durably as the next row of the chain; return its id."""
        return self.append_many([record])[0]

    def append_many(self, records: Iterable[AsRunRecord]) -> list[int]:
        """Append records in one durable transaction (imports, samples): all or none are stored."""
        if self.readonly:
            raise UserError(f"{self.path}: opened read-only")
        records = list(records)
        for record in records:
            if not isinstance(record, AsRunRecord):
                raise TypeError(f"append() takes an AsRunRecord, got {type(record).__name__}")
        insert = f"INSERT INTO asrun ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        with self._lock:
            # IMMEDIATE takes the write lock first, so reading the head and writing after it is
            # atomic even if another process writes too.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                head = self._db.execute("SELECT id, row_hash FROM asrun ORDER BY id DESC LIMIT 1").fetchone()
                row_id, prev = (head["id"], head["row_hash"]) if head else (0, GENESIS_HASH)
                ids, values = [], []
                for record in records:
                    row_id += 1
                    content = encode_record(record, row_id, self._clock())
                    digest = row_hash(prev, content)
                    values.append([*(content[c] for c in CONTENT_COLUMNS), prev, digest])
                    ids.append(row_id)
                    prev = digest
                self._db.executemany(insert, values)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            if ids:
                self._write_witness(ids[-1], prev)
        return ids

    @property
    def witness_path(self) -> Path:
        return self.path.with_name(self.path.name + WITNESS_SUFFIX)

    def _write_witness(self, row_id: int, row_hash_: str) -> None:
        text = json.dumps({"id": row_id, "row_hash": row_hash_}) + "\n"
        try:
            with staged(self.witness_path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:  # the row is committed: a witness that lags is caught up by the next append
            log.warning("could not update the head witness %s: %s", self.witness_path, exc)

    def witness(self) -> tuple[tuple[int, str] | None, str | None]:
        """(id, hash) from the head witness, or None; and a warning when it exists but cannot be read."""
        try:
            data = json.loads(self.witness_path.read_text(encoding="utf-8"))
            return (int(data["id"]), str(data["row_hash"])), None
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, f"head witness {self.witness_path.name} cannot be read ({exc}); the tail is unchecked"

    def correct(self, row_id: int, *, reason: str, outcome: Outcome | str | None = None) -> int:
        """Append a correction of row `row_id`: a copy with `corrects` set, a new reason/outcome.

        Reports count the latest correction of a chain in place of every earlier row of it (see
        `effective_ids`). `reason` must say something: a blank one is a UserError.
        """
        if not (reason or "").strip():
            raise UserError("a correction needs a reason (--reason): say why the row is corrected")
        reason = reason.strip()
        original = self.get(row_id)
        if original is None:
            raise UserError(f"no row {row_id} in {self.path}")
        fixed = replace(
            original.record,
            corrects=row_id,
            reason=reason,
            outcome=Outcome(outcome) if outcome is not None else original.record.outcome,
        )
        return self.append(fixed)

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
                params.append(_utc_text(value))
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def records(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
        outcome: Outcome | str | None = None,
        zone: str | None = None,
    ) -> list[LoggedRow]:
        """Rows whose scheduled time is in [since, until), optionally of one topic/outcome/zone."""
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
        sql = f"SELECT {', '.join(COLUMNS)} FROM asrun"
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

    def __iter__(self) -> Iterator[LoggedRow]:
        return iter(self.records())

    def time_span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest scheduled times in the log (UTC), or None when it is empty."""
        row = self._query("SELECT min(scheduled_utc), max(scheduled_utc) FROM asrun")[0]
        return None if row[0] is None else (datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1]))

    def head(self) -> tuple[int, str] | None:
        rows = self._query("SELECT id, row_hash FROM asrun ORDER BY id DESC LIMIT 1")
        return (rows[0]["id"], rows[0]["row_hash"]) if rows else None

    def verify(self, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Walk the whole chain; name the first row that breaks it. See `verify_rows`.

        Without an `anchor`, the head witness beside the file is the anchor (see the module's docstring).

        A file SQLite cannot read part way is a broken log too (`kind="damaged"`).
        """
        try:
            present = {r["name"] for r in self._query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            missing = [t for t in _TRIGGERS if t not in present]
            warnings = (
                [f"append-only triggers missing ({', '.join(missing)}): the file was opened for hand editing"]
                if missing
                else []
            )
            if anchor is None:
                anchor, problem = self.witness()
                warnings += [problem] if problem else []
            return verify_rows(self.raw_rows(), anchor=anchor, warnings=warnings, secured=not missing)
        except sqlite3.DatabaseError as exc:
            return damaged_result(str(exc))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Logbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def verify_file(path: Path | str, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Verify the log file at `path`; a damaged file is a broken (`damaged`) result, not an error.

    A missing file or one that is not an SQLite as-run log at all stays a `UserError`.
    """
    try:
        with Logbook(path, readonly=True) as log:
            return log.verify(anchor=anchor)
    except DamagedLog as exc:
        return damaged_result(str(exc).split("(", 1)[-1].rstrip(")"))
