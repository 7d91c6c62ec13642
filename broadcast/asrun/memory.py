"""The in-memory as-run log store: the same chain, corrections and verification as SQLite, kept in a list.

For unit tests (the runner's, the readers') and the fake beside the real store: `records` is every
record appended, in order. `MemoryStore.named(NAME)` is one store per name for the whole process, so
settings with ``log.store: memory:NAME`` let the CLI's readers and a test share it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from broadcast.asrun.chain import LoggedRow, utc_text
from broadcast.asrun.journal import Journal
from broadcast.asrun.record import AsRunRecord, Outcome
from broadcast.asrun.store import ChainStore, Head, IssuedHead


class MemoryStore(ChainStore):
    """An as-run log in memory. `witness_head` plays the head witness file (a test may set it to None)."""

    _named: dict[str, MemoryStore] = {}
    _named_lock = threading.Lock()

    def __init__(self, name: str = "memory", *, clock: Callable[[], datetime] | None = None,
                 journal: Journal | None = None) -> None:
        super().__init__(clock=clock, journal=journal)
        self.name = name if name.startswith("memory") else f"memory:{name}"
        self.witness_name = "head witness (in memory)"
        self.stored: list[dict] = []  # rows exactly as hashed, in id order
        self.witness_head: Head | None = None
        self._issued: list[IssuedHead] = []

    @classmethod
    def named(cls, name: str, **kwargs) -> MemoryStore:
        """The process's one store called `name` (made on first use)."""
        with cls._named_lock:
            if name not in cls._named:
                cls._named[name] = cls(f"memory:{name}", **kwargs)
            return cls._named[name]

    @classmethod
    def forget(cls, name: str) -> None:
        with cls._named_lock:
            cls._named.pop(name, None)

    @property
    def records(self) -> list[AsRunRecord]:
        """Every record appended, in order (what the runner's tests look at)."""
        return [r.record for r in self.rows()]

    # -- the chain's storage --

    def _write_rows(self, build: Callable[[Head | None], list[dict]]) -> list[dict]:
        last = self.stored[-1] if self.stored else None
        rows = build((last["id"], last["row_hash"]) if last else None)
        self.stored.extend(rows)
        return rows

    def _write_witness(self, head: Head) -> None:
        self.witness_head = head

    def _read_witness(self) -> tuple[Head | None, str | None]:
        return self.witness_head, None

    def issued(self) -> list[IssuedHead]:
        with self._lock:
            return list(self._issued)

    def record_issued(self, entry: IssuedHead) -> None:
        with self._lock:
            self._issued.append(entry)

    # -- reading --

    def _between(self, since: datetime | None, until: datetime | None) -> list[dict]:
        low, high = utc_text(since), utc_text(until)
        with self._lock:
            return [dict(r) for r in self.stored
                    if (low is None or r["scheduled_utc"] >= low) and (high is None or r["scheduled_utc"] < high)]

    def raw_rows(self, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
        return self._between(since, until)

    def rows(self, since: datetime | None = None, until: datetime | None = None, topic: str | None = None,
             outcome: Outcome | str | None = None, zone: str | None = None, *,
             spoken_text: bool = True) -> list[LoggedRow]:
        wanted = Outcome(outcome).value if outcome is not None else None
        out = []
        for raw in self._between(since, until):
            row = LoggedRow.from_stored(raw)
            if topic is not None and row.record.topic != topic:
                continue
            if wanted is not None and raw["outcome"] != wanted:
                continue
            if zone is not None and zone not in row.record.zones:
                continue
            out.append(row)
        return out

    def slots_logged(self, since: datetime, until: datetime) -> set[tuple[datetime, str]]:
        return {(datetime.fromisoformat(r["scheduled_utc"]), r["session"]) for r in self._between(since, until)}

    def corrections(self) -> dict[int, int]:
        with self._lock:
            return {r["id"]: r["corrects"] for r in self.stored if r["corrects"] is not None}

    def get(self, row_id: int) -> LoggedRow | None:
        with self._lock:
            found = next((r for r in self.stored if r["id"] == row_id), None)
        return LoggedRow.from_stored(found) if found else None

    def __len__(self) -> int:
        return len(self.stored)

    def time_span(self) -> tuple[datetime, datetime] | None:
        with self._lock:
            times = [r["scheduled_utc"] for r in self.stored]
        return (datetime.fromisoformat(min(times)), datetime.fromisoformat(max(times))) if times else None

    def head(self) -> Head | None:
        with self._lock:
            return (self.stored[-1]["id"], self.stored[-1]["row_hash"]) if self.stored else None
