"""The misfire policy: a slot started within `on_time_tolerance_s` is on time, within `grace_minutes`
late (it plays from the beginning, logged `late`), later missed. Slots missed while the service was
down coalesce: at most the latest one within grace plays late, every other is logged `missed` with
the reason in Vietnamese (it is evidence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Iterable

from broadcast.asrun import reasons
from broadcast.schedule.model import Playout
from broadcast.schedule.slots import Slot


class Timing(str, Enum):
    on_time = "on_time"
    late = "late"
    missed = "missed"


def timing(slot_when: datetime, now: datetime, playout: Playout) -> Timing:
    """Whether a slot starting `now` is on time, late within grace, or missed."""
    lateness = (now - slot_when).total_seconds()
    if lateness <= playout.on_time_tolerance_s:
        return Timing.on_time
    if lateness <= playout.grace_minutes * 60:
        return Timing.late
    return Timing.missed


@dataclass(frozen=True)
class Recovery:
    """What to do, on start, about slots that passed while the service was down."""

    play_late: Slot | None
    missed: tuple[tuple[Slot, str], ...] = field(default=())


def recover(due: Iterable[Slot], now: datetime, playout: Playout) -> Recovery:
    """Coalesce slots missed while down: the latest within grace plays late, every other is missed."""
    due = sorted(due)
    within = [s for s in due if timing(s.when, now, playout) != Timing.missed]
    late = within[-1] if within else None
    missed = []
    for s in due:
        if s is late:
            continue
        if s in within:
            reason = reasons.down_coalesced(late.session, late.when)
        else:
            minutes = (now - s.when).total_seconds() / 60
            reason = reasons.down_beyond_grace(minutes, playout.grace_minutes)
        missed.append((s, reason))
    return Recovery(late, tuple(missed))
