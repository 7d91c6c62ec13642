"""The desk's SQLite file: its schema and one way to open it (WAL, waits for a busy writer)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

from broadcast.errors import UserError

DESK_FILE = "desk.sqlite"
FORMAT_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    csrf TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    seen_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    bulletin_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    by_user TEXT NOT NULL,
    at_utc TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
"""


def desk_path(data_dir: Path) -> Path:
    return Path(data_dir) / DESK_FILE


def utc_text(when: datetime) -> str:
    """Fixed-width UTC ISO-8601, so text order is time order."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def utc_now() -> datetime:
    return datetime.now(UTC)


_EXTRA_SCHEMA: list[str] = []
_READY: set[tuple[Path, int]] = set()  # files whose schema this process has checked


def add_schema(ddl: str) -> None:
    """Tables a module keeps in the desk file beside the base ones (the audit trail's); idempotent DDL."""
    _EXTRA_SCHEMA.append(ddl)


@contextmanager
def connect(data_dir: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """An open connection to the desk file (created on first use). With `write`, one immediate
    transaction (writers queue instead of failing), committed when the block succeeds."""
    path = desk_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"{path}: cannot open the desk database ({exc})") from None
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        key = (path, len(_EXTRA_SCHEMA))
        if key not in _READY or conn.execute("PRAGMA user_version").fetchone()[0] != FORMAT_VERSION:
            conn.executescript(_SCHEMA + "".join(_EXTRA_SCHEMA))
            conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
            _READY.add(key)
        if not write:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: the desk database cannot be used ({exc})") from None
    finally:
        conn.close()
