"""The as-run log store interface, and what every store shares: the chain, corrections, verification.

A store keeps the rows of `broadcast.asrun.chain` and offers `LogStore`. `ChainStore` holds the logic
once — encoding and hashing on append, the head witness and the system journal after each append,
corrections, verifying against every anchor — and a backend (`sqlite.SqliteStore`,
`memory.MemoryStore`; a PostgreSQL one later) implements only the `_hooks` that touch its storage:
one transaction that reads the head and inserts after it, the reads, and where the witness and the
register of issued reports live.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from broadcast.asrun.chain import (
    GENESIS_HASH,
    Anchor,
    LoggedRow,
    VerifyResult,
    encode_record,
    row_hash,
    verify_rows,
)
from broadcast.asrun.corrections import correction_of, require_reason
from broadcast.asrun.journal import Journal
from broadcast.asrun.record import AsRunRecord, Outcome
from broadcast.errors import UserError

log = logging.getLogger(__name__)

Head = tuple[int, str]  # (row id, row hash) of a chain's last row


@dataclass(frozen=True)
class IssuedHead:
    """The head of the log a report or an evidence zip was made from, kept so the next report lists it
    and every verify checks the log still holds it (a rolled-back or cut log shows)."""

    kind: str  # report | evidence
    period: str  # e.g. 2024-H1
    issued_at: datetime  # UTC
    id: int
    row_hash: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "period": self.period, "issued_at": self.issued_at.isoformat(),
                "id": self.id, "row_hash": self.row_hash}

    @classmethod
    def from_dict(cls, d: dict) -> IssuedHead:
        return cls(str(d["kind"]), str(d["period"]), datetime.fromisoformat(d["issued_at"]), int(d["id"]),
                   str(d["row_hash"]))

    @property
    def label_vi(self) -> str:
        what = "báo cáo" if self.kind == "report" else "bộ hồ sơ minh chứng"
        return f"{what} kỳ {self.period} lập lúc {self.issued_at:%d/%m/%Y %H:%M} UTC"

    def anchor(self) -> Anchor:
        return Anchor(self.id, self.row_hash, f"{self.kind} {self.period} of {self.issued_at:%Y-%m-%d %H:%M} UTC",
                      self.label_vi)


class LogStore(Protocol):
    """An as-run log. Append-only (no update, no delete); rows come back as `LoggedRow`s in id order.

    Times given as `since`/`until` must be timezone-aware: rows whose scheduled time is in [since, until).
    """

    name: str  # where the log is, for messages (a file path, memory:NAME)

    def append(self, record: AsRunRecord) -> int | None: ...

    def append_many(self, records: Iterable[AsRunRecord]) -> list[int]: ...

    def correct(self, row_id: int, *, reason: str, outcome: Outcome | str | None = None) -> int: ...

    def rows(self, since: datetime | None = None, until: datetime | None = None, topic: str | None = None,
             outcome: Outcome | str | None = None, zone: str | None = None, *,
             spoken_text: bool = True) -> list[LoggedRow]:
        """Rows scheduled in [since, until), optionally of one topic/outcome/zone. `spoken_text=False`: a
        store may leave the records' spoken text empty (a report never shows it; a busy year of it is
        tens of megabytes)."""

    def raw_rows(self, since: datetime | None = None, until: datetime | None = None) -> list[dict]: ...

    def get(self, row_id: int) -> LoggedRow | None: ...

    def corrections(self) -> dict[int, int]: ...

    def slots_logged(self, since: datetime, until: datetime) -> set[tuple[datetime, str]]: ...

    def time_span(self) -> tuple[datetime, datetime] | None: ...

    def head(self) -> Head | None: ...

    def verify(self, anchor: Head | None = None, *, journal: bool = False) -> VerifyResult: ...

    def issued(self) -> list[IssuedHead]: ...

    def record_issued(self, entry: IssuedHead) -> None: ...

    def close(self) -> None: ...


class ChainStore:
    """The shared half of every store. Thread-safe: one lock serialises appends and reads."""

    name: str = "as-run log"
    witness_name: str = "head witness"  # how messages name where the witness lives

    def __init__(self, *, clock: Callable[[], datetime] | None = None, journal: Journal | None = None,
                 readonly: bool = False) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self.journal = journal
        self.readonly = readonly

    # -- what a backend implements --

    def _write_rows(self, build: Callable[[Head | None], list[dict]]) -> list[dict]:
        """In one transaction: read the head, insert build(head)'s rows (dicts of COLUMNS) after it; all or none."""
        raise NotImplementedError

    def _write_witness(self, head: Head) -> None:
        raise NotImplementedError

    def _read_witness(self) -> tuple[Head | None, str | None]:
        """(id, hash) from the head witness or None when there is none; and a problem reading it, if any."""
        raise NotImplementedError

    def _trigger_warnings(self) -> list[str]:
        """What guards against hand edits that is missing (empty: all in place)."""
        return []

    def _extra_anchors(self) -> list[Anchor]:
        """Other heads the backend keeps outside the rows (old witnesses)."""
        return []

    def _chain_rows(self) -> list[dict]:
        """Every row for `verify_rows`: dicts of COLUMNS, or with the content encoded by the backend
        (`chain.ENCODED_CONTENT`) when it can do that faster than Python."""
        return self.raw_rows()

    # -- writing --

    def append(self, record: AsRunRecord) -> int:
        """Store `record` durably as the next row of the chain; return its id."""
        return self.append_many([record])[0]

    def append_many(self, records: Iterable[AsRunRecord]) -> list[int]:
        """Append records in one durable transaction (imports, samples, a drained spool): all or none."""
        if self.readonly:
            raise UserError(f"{self.name}: opened read-only")
        records = list(records)
        for record in records:
            if not isinstance(record, AsRunRecord):
                raise TypeError(f"append() takes an AsRunRecord, got {type(record).__name__}")
        if not records:
            return []

        def build(head: Head | None) -> list[dict]:
            row_id, prev = head or (0, GENESIS_HASH)
            out = []
            for record in records:
                row_id += 1
                content = encode_record(record, row_id, self._clock())
                digest = row_hash(prev, content)
                out.append({**content, "prev_hash": prev, "row_hash": digest})
                prev = digest
            return out

        with self._lock:
            written = self._write_rows(build)
            last = (written[-1]["id"], written[-1]["row_hash"])
            self._anchor_head(last)
        return [r["id"] for r in written]

    def _anchor_head(self, head: Head) -> None:
        """After a committed append: the witness and the journal learn the new head. Neither failing
        undoes the rows (a lagging witness is caught up by the next append); both are logged."""
        try:
            self._write_witness(head)
        except OSError as exc:
            log.warning("could not update the %s of %s: %s", self.witness_name, self.name, exc)
        if self.journal is not None:
            self.journal.record(self.name, *head)

    def correct(self, row_id: int, *, reason: str, outcome: Outcome | str | None = None) -> int:
        """Append a correction of row `row_id` (see `broadcast.asrun.corrections`); return its id."""
        require_reason(reason)  # a blank reason fails before the row is looked up
        original = self.get(row_id)
        if original is None:
            raise UserError(f"no row {row_id} in {self.name}")
        return self.append(correction_of(original.record, row_id, reason=reason, outcome=outcome))

    # -- reading (a backend provides rows, raw_rows, get, corrections, slots_logged, time_span, head) --

    def __iter__(self) -> Iterator[LoggedRow]:
        return iter(self.rows())

    def witness(self) -> tuple[Head | None, str | None]:
        return self._read_witness()

    # -- verification --

    def verify(self, anchor: Head | None = None, *, journal: bool = False) -> VerifyResult:
        """Walk the whole chain; name the first row that breaks it (see `chain.verify_rows`).

        Checked against every head recorded outside the log: `anchor` (given by a person), the head
        witness, the heads of the reports and evidence zips issued from this log, and with `journal`
        the heads this log wrote to the system journal. A non-empty log with no witness and no
        `anchor` (or, with `journal`, no head in the journal) verifies only as far as its own chain
        goes: the result is not `anchored`, since rows cut off its end would not show.
        """
        warnings = self._trigger_warnings()
        secured = not warnings
        anchors: list[Anchor] = []
        witness, problem = self._read_witness()
        if problem:
            warnings.append(problem)
        if witness is not None:
            anchors.append(Anchor(*witness, self.witness_name, "tệp chứng thực mã băm cuối"))
        anchors += [entry.anchor() for entry in self.issued()] + self._extra_anchors()
        unanchored = None
        if journal:
            if self.journal is None:
                raise UserError(f"{self.name}: no system journal is set for this log (station.yaml log.journal)")
            heads = self.journal.heads(self.name)
            anchors += [Anchor(h.id, h.row_hash, f"system journal, {h.label}", f"nhật ký hệ thống, {h.label}")
                        for h in heads]
            if not heads:
                unanchored = (
                    f"the system journal ({self.journal.describe()}) holds no head of this log: it was cleared or "
                    "rotated, or the log was never anchored there",
                    f"nhật ký hệ thống ({self.journal.describe()}) không có mã băm cuối nào của nhật ký này",
                )
        elif witness is None and anchor is None:
            unanchored = (
                f"the {self.witness_name} is missing, so rows cut off the end would not show (deleted with them, or "
                "the log was copied without it); check against a head recorded earlier with --anchor ROW:HASH or "
                "--journal",
                f"tệp chứng thực mã băm cuối ({self.witness_name}) bị mất (bị xóa, hoặc nhật ký được sao chép mà "
                "không kèm tệp này)",
            )
        return verify_rows(self._chain_rows(), anchor=anchor, warnings=warnings, secured=secured, anchors=anchors,
                           unanchored=unanchored)

    # -- housekeeping --

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

