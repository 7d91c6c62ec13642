"""The audit trail of what console and CLI users did: append-only and hash-chained like the as-run log.

One row per action (created, edited, submitted, approved, returned, played now, settings changed, ...),
in the desk file. Rows are chained with the as-run log's own chain functions
(`row_hash = sha256(prev_hash + canonical JSON of the row)`), triggers refuse UPDATE and DELETE, and
`broadcast log verify` checks this chain beside the as-run log's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from broadcast.desk.store import add_schema, connect, utc_now, utc_text
from broadcast.asrun.chain import GENESIS_HASH, row_hash

CONTENT_COLUMNS = ("id", "at_utc", "user", "action", "target", "detail", "content_hash")
COLUMNS = CONTENT_COLUMNS + ("prev_hash", "row_hash")

ACTIONS = {
    "created": "Tạo bản tin",
    "edited": "Sửa bản tin",
    "submitted": "Gửi duyệt",
    "approved": "Duyệt",
    "returned": "Trả lại",
    "played": "Phát ngay",
    "emergency": "Phát khẩn cấp",
    "recorded": "Thu âm",
    "recording_removed": "Bỏ bản thu",
    "lexicon": "Sửa từ điển",
    "voice_added": "Thêm giọng đọc",
    "settings": "Đổi cài đặt",
    "schedule": "Sửa lịch phát",
    "user_added": "Thêm người dùng",
    "user_changed": "Sửa người dùng",
}

add_schema("""
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at_utc TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
""")


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    user: str
    action: str
    target: str
    detail: str
    content_hash: str
    row_hash: str

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def append(data_dir: Path, user: str, action: str, target: str = "", detail: str = "", content_hash: str = "",
           *, now: datetime | None = None, db=None) -> int:
    """One chained row; inside `db`'s transaction when given (so an action and its record commit together)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if db is None:
        with connect(data_dir, write=True) as conn:
            return append(data_dir, user, action, target, detail, content_hash, now=now, db=conn)
    last = db.execute("SELECT id, row_hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    row_id, prev = (last["id"] + 1, last["row_hash"]) if last else (1, GENESIS_HASH)
    content = {"id": row_id, "at_utc": utc_text(now or utc_now()), "user": user, "action": action,
               "target": target, "detail": detail, "content_hash": content_hash}
    db.execute(f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
               (*content.values(), prev, row_hash(prev, content)))
    return row_id


def entries(data_dir: Path, target: str | None = None, limit: int | None = None) -> list[Entry]:
    """Newest first; only those about `target` when given."""
    sql, args = "SELECT * FROM audit", []
    if target is not None:
        sql, args = sql + " WHERE target = ?", [target]
    sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    with connect(data_dir) as db:
        return [Entry(r["id"], datetime.fromisoformat(r["at_utc"]), r["user"], r["action"], r["target"], r["detail"],
                      r["content_hash"], r["row_hash"]) for r in db.execute(sql, args)]


def stored_rows(data_dir: Path) -> list[dict]:
    """Every row exactly as hashed, for verification and the evidence bundle."""
    with connect(data_dir) as db:
        return [dict(r) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id")]


def verify(data_dir: Path):
    """The audit trail's chain checked like the as-run log's (None when the station has no desk file yet)."""
    from broadcast.asrun.chain import verify_rows
    from broadcast.desk.store import desk_path

    if not desk_path(data_dir).exists():
        return None
    return verify_rows(stored_rows(data_dir), columns=CONTENT_COLUMNS)


def export_csv(data_dir: Path) -> str:
    """Every row with its hashes, as CSV (checkable away from the database, like the log's export)."""
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(stored_rows(data_dir))
    return out.getvalue()
