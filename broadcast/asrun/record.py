"""What one broadcast attempt leaves as evidence, and the one method the scheduler writes it through.

The runner needs only `AsRunLog.append`; the stores (`broadcast.asrun.store.LogStore`: SQLite, memory,
the spooling wrapper) offer it and everything the readers need.
"""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol


class Outcome(str, Enum):
    played = "played"
    late = "late"  # played, but after its slot (within the misfire grace period)
    missed = "missed"  # the slot passed and was not played (service down beyond grace, ...)
    failed = "failed"  # tried and could not play (sink gone, no audio)
    interrupted = "interrupted"  # started, stopped part way (emergency, shutdown)
    held_over = "held_over"  # did not fit the session's cap; moved to a later session


@dataclass(frozen=True)
class AsRunRecord:
    """One attempt to air one item. Times are timezone-aware; `end` is None when nothing aired."""

    scheduled: datetime
    outcome: Outcome
    bulletin_id: str
    title: str
    topic: str
    priority: str
    session: str = ""
    zones: tuple[str, ...] = ()
    sink: str = ""
    start: datetime | None = None
    end: datetime | None = None
    reason: str = ""
    audio_sha256: str = ""
    text_sha256: str = ""
    spoken_text: str = ""
    engine: str = ""
    voice: str = ""
    host: str = field(default_factory=socket.gethostname)
    corrects: int | None = None  # id of an earlier row this one corrects (the log is append-only)

    def __post_init__(self):
        for name in ("scheduled", "start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"AsRunRecord.{name} must be timezone-aware, got {value!r}")

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds() if self.start and self.end else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["outcome"] = self.outcome.value
        d["zones"] = list(self.zones)
        return d


class AsRunLog(Protocol):
    """Append-only: there is no update and no delete."""

    def append(self, record: AsRunRecord) -> int | None:
        """Store durably; return the new row's id (None: kept in a spool until the log can be written)."""
        ...
