"""The as-run log's hash chain, pure: how a row is encoded and hashed, and how a chain is verified.

Every store (SQLite, memory, a PostgreSQL one later) keeps rows in this encoding and verifies them with
`verify_rows`, so an export checked away from any database gives the same verdict.

A row is the content columns (`CONTENT_COLUMNS`) plus ``prev_hash`` and ``row_hash``:

- ``id``: 1, 2, 3, ... assigned by the store inside the writing transaction (no gaps by design,
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

Editing, deleting, inserting or reordering rows breaks the chain and `verify_rows` names the first
broken row. What a bare chain cannot show is a cut-off tail, or rows re-hashed from some point on:
for that, heads recorded outside the log (`Anchor`s: the head witness, the system journal, earlier
reports, a hash someone wrote down) must still be in the chain.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcast.asrun.record import AsRunRecord, Outcome

GENESIS_HASH = "0" * 64

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


# --- encoding ---------------------------------------------------------------------------------


def utc_text(value: datetime | None) -> str | None:
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

# A row handed to verify_rows may carry its content already encoded (text, or its UTF-8 bytes) by the store's
# database, under this key (with id, prev_hash and row_hash beside it) instead of the content columns. It is
# a fast path only: a row whose hash does not match that text is decoded and checked with `canonical_json`,
# which decides.
ENCODED_CONTENT = "content_json"


def canonical_json(content: Mapping) -> str:
    return _CANONICAL(content if type(content) is dict else dict(content))


def row_hash(prev_hash: str, content: Mapping) -> str:
    """The chain's hash of one row: sha256 over the previous hash and the row's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


def encode_record(record: AsRunRecord, row_id: int, recorded: datetime) -> dict:
    """The content columns (everything hashed) for `record` stored as row `row_id`."""
    return {
        "id": row_id,
        "recorded_utc": utc_text(recorded),
        "scheduled_utc": utc_text(record.scheduled),
        "scheduled_local": _local_text(record.scheduled),
        "start_utc": utc_text(record.start),
        "start_local": _local_text(record.start),
        "end_utc": utc_text(record.end),
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
class Anchor:
    """A head recorded outside the log — row `id` had hash `row_hash` — that the chain must still hold.

    `source` says where it was recorded (the head witness, the system journal, an earlier report,
    --anchor), in English and in Vietnamese, for the verdict's message.
    """

    id: int
    row_hash: str
    source: str = "a head recorded earlier"
    source_vi: str = "mã băm đã ghi nhận trước"


@dataclass(frozen=True)
class VerifyResult:
    """What `verify` found. `kind` is edited | deleted | inserted | reordered | anchor | damaged | None.

    `message` says it in English (the command line), `message_vi` in Vietnamese (reports, evidence).
    `secured` is False when the append-only triggers are gone: the chain may still verify, but the
    file was opened for hand editing and nothing stopped a change (reports say so).
    `anchored` is False when the chain verifies but nothing recorded outside the log (the head witness,
    an anchor) tells where it should end, so rows cut off the end would not show; `message` says why.
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
    anchored: bool = True
    checked: tuple[str, ...] = field(default=())  # the anchors the chain was checked against, for people

    def __bool__(self) -> bool:
        return self.ok

    @property
    def sound(self) -> bool:
        """The chain verifies and its end was checked: what `log verify`, reports and evidence exit 0 on."""
        return self.ok and self.anchored

    @property
    def trustworthy(self) -> bool:
        """Sound, and the append-only triggers are in place."""
        return self.sound and self.secured

    @property
    def state(self) -> str:
        """broken | unchecked (the end not anchored) | not_secured (triggers gone) | ok: what a command
        or a page says first, and how it exits (1 for broken and unchecked)."""
        if not self.ok:
            return "broken"
        if not self.anchored:
            return "unchecked"
        return "ok" if self.secured else "not_secured"

    def summary(self) -> str:
        """One line for people: OK with the count and head hash, or the first broken row."""
        if self.ok and not self.anchored:
            return (f"UNCHECKED TAIL: {self.rows} rows chain up to row {self.head_id} ({self.head_hash}), "
                    f"but {self.message}")
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
            if not self.anchored:
                text += (f" Tuy nhiên KHÔNG kiểm tra được phần cuối của nhật ký: {self.message_vi}; các bản ghi "
                         "cuối nếu bị cắt bỏ sẽ không bị phát hiện.")
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
            "state": self.state,
            "rows": self.rows,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
            "first_bad_id": self.first_bad_id,
            "kind": self.kind,
            "message": self.message,
            "message_vi": self.message_vi,
            "secured": self.secured,
            "anchored": self.anchored,
            "checked": list(self.checked),
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
    anchor: Anchor | tuple[int, str] | None = None,
    warnings: Iterable[str] = (),
    *,
    secured: bool = True,
    anchors: Iterable[Anchor] = (),
    unanchored: tuple[str, str] | None = None,
    columns: tuple[str, ...] = CONTENT_COLUMNS,
) -> VerifyResult:
    """Check the chain of stored rows (dicts of COLUMNS, any order): the first break wins. `columns` are
    the hashed content columns of another chain kept the same way (the console's audit trail). A row may
    instead be id, prev_hash, row_hash and its content as the store encoded it (`ENCODED_CONTENT`).

    `anchor` and `anchors` are heads recorded earlier ((id, row_hash) pairs or `Anchor`s); each must
    still be in the chain, which is what catches a cut-off tail, an older copy of the log put back,
    or rows re-hashed from some point on. `unanchored` is (why, why in Vietnamese) when the caller
    had no anchor for the end of the chain (a missing head witness): a non-empty chain that
    verifies is then not `anchored`.
    """
    stored = sorted((r if type(r) is dict else dict(r) for r in rows), key=lambda r: r["id"])
    sorted_columns = _SORTED_CONTENT if columns is CONTENT_COLUMNS else tuple(sorted(columns))
    warnings = tuple(warnings)
    by_hash = {r["row_hash"]: r["id"] for r in stored}
    anchors = [*anchors, *([anchor if isinstance(anchor, Anchor) else Anchor(*anchor, "--anchor", "mã băm được cung cấp")]
                           if anchor is not None else [])]

    head = stored[-1] if stored else None
    # What every result says of the chain as stored: its length and its last row.
    chain = {"rows": len(stored), "head_id": head["id"] if head else None,
             "head_hash": head["row_hash"] if head else GENESIS_HASH, "warnings": warnings, "secured": secured,
             "checked": tuple(dict.fromkeys(a.source for a in anchors))}

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
        encoded = row.get(ENCODED_CONTENT)
        if encoded is None:
            content = {name: row[name] for name in sorted_columns}
            # row_hash(prev, content), inlined: the content is already in canonical (sorted) key order.
            try:
                encoded = _PRESORTED(content)
            except TypeError:  # bytes: no row is written with a value JSON cannot hold
                return broken(row_id, "edited", f"row {row_id} holds a value no row is written with (a hand edit)",
                              f"bản ghi số {row_id} chứa giá trị không bao giờ được ghi (bị sửa bằng tay)")
        else:
            content = None
        data = encoded if encoded.__class__ is bytes else encoded.encode("utf-8")
        self_ok = hashlib.sha256(row["prev_hash"].encode("utf-8") + data).hexdigest() == row["row_hash"]
        if content is None and not self_ok:
            # The database's text decides nothing: decode it and hash our own encoding of the same values.
            # (bytes that are not UTF-8 raise UnicodeDecodeError here: the store reports its file damaged)
            content = json.loads(encoded)
            self_ok = row_hash(row["prev_hash"], content) == row["row_hash"]
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
    if anchors:
        failed = _anchor_failure(anchors, {r["id"]: r["row_hash"] for r in stored}, chain["head_id"] or 0)
        if failed is not None:
            return broken(*failed)
    if unanchored is not None and stored:
        return VerifyResult(ok=True, **chain, anchored=False, message=unanchored[0], message_vi=unanchored[1])
    return VerifyResult(ok=True, **chain)


def _anchor_failure(anchors: list[Anchor], hashes: dict[int, str], head_id: int) -> tuple[int, str, str, str] | None:
    """The first anchor the chain no longer holds, as broken()'s arguments, or None.

    A row that now has another hash comes first (the lowest such id: where the rewrite starts);
    then a row that is gone (the highest such id: how far the log was cut, or rolled back).
    """
    changed = sorted((a for a in anchors if a.id in hashes and hashes[a.id] != a.row_hash), key=lambda a: a.id)
    if changed:
        a = changed[0]
        return (a.id, "anchor",
                f"row {a.id} was recorded with hash {a.row_hash} ({a.source}) but now has hash {hashes[a.id]}",
                f"bản ghi số {a.id} đã được ghi nhận với mã băm {a.row_hash} ({a.source_vi}) nhưng nay có "
                f"mã băm {hashes[a.id]}")
    gone = sorted((a for a in anchors if a.id not in hashes), key=lambda a: -a.id)
    if gone:
        a = gone[0]
        return (a.id, "anchor",
                f"row {a.id} was recorded with hash {a.row_hash} ({a.source}) but now is missing: the log ends at "
                f"row {head_id} (rows cut off the end, or an older copy of the log put back)",
                f"bản ghi số {a.id} đã được ghi nhận với mã băm {a.row_hash} ({a.source_vi}) nhưng nay không còn: "
                f"nhật ký chỉ còn đến bản ghi số {head_id} (các bản ghi cuối bị cắt bỏ, hoặc nhật ký bị thay "
                "bằng một bản sao cũ)")
    return None


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
