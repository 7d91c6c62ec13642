"""The schedule's calendar: which sessions air on which date (skips applied, one-offs added) as
timezone-aware slots, and each slot's turn (its ordinal, which rotates items competing for a capped
session). Pure: the current time is always an argument."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from broadcast.schedule.model import Schedule, Skip


@dataclass(frozen=True, order=True)
class Slot:
    """One session on one date: when it airs (timezone-aware, station zone) and where."""

    when: datetime
    session: str
    zones: tuple[str, ...] = ()
    one_off: bool = False

    @property
    def key(self) -> str:
        """Stable identity of the slot: names programme files and scheduler jobs."""
        return f"{self.when.strftime('%Y%m%dT%H%M')}-{slug(self.session)}"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "session"


def schedule_tz(schedule: Schedule, station_tz: tzinfo) -> tzinfo:
    return ZoneInfo(schedule.timezone) if schedule.timezone else station_tz


def is_skipped(schedule: Schedule, day: date, session: str) -> Skip | None:
    for skip in schedule.skip:
        if skip.date == day and (skip.sessions is None or session in skip.sessions):
            return skip
    return None


def day_sessions(schedule: Schedule, day: date) -> list[tuple[str, time, list[str], bool]]:
    """(name, time, zones, one_off) of the sessions airing on `day`, skips applied."""
    out = [(s.name, s.time, s.zones, False) for s in schedule.sessions
           if day.weekday() in s.weekdays and not is_skipped(schedule, day, s.name)]
    out += [(o.name, o.time, o.zones, True) for o in schedule.one_off if o.date == day]
    return out


def expand(schedule: Schedule, start: datetime, end: datetime, tz: tzinfo) -> list[Slot]:
    """Slots with start <= when < end, in time order (then session name)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("expand() needs timezone-aware bounds")
    slots = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        for name, at, zones, one_off in day_sessions(schedule, day):
            when = datetime.combine(day, at, tzinfo=tz)
            if start <= when < end:
                slots.append(Slot(when, name, schedule.zone_ids(zones), one_off))
        day += timedelta(days=1)
    return sorted(slots)


def next_slots(schedule: Schedule, after: datetime, n: int, tz: tzinfo, horizon_days: int = 400) -> list[Slot]:
    """The next `n` slots at or after `after`."""
    out: list[Slot] = []
    start = after
    while len(out) < n and start < after + timedelta(days=horizon_days):
        stop = start + timedelta(days=14)
        out += expand(schedule, start, stop, tz)
        start = stop
    return out[:n]


def skipped_on(schedule: Schedule, day: date) -> list[Skip]:
    return [s for s in schedule.skip if s.date == day]


TURN_EPOCH = date(2000, 1, 3)  # a Monday: slot turns are counted from here


def slot_turn(schedule: Schedule, slot: Slot) -> int:
    """The slot's ordinal among all the schedule's slots since `TURN_EPOCH`: consecutive slots, consecutive turns.

    Computed arithmetically (weekly sessions per weekday, minus skips, plus one-offs), so it is cheap
    for any date; it rotates the items competing for a capped session (`plan_programme`)."""
    day = slot.when.date()
    if day < TURN_EPOCH:
        return 0
    weeks, rest = divmod((day - TURN_EPOCH).days, 7)  # TURN_EPOCH + k has weekday k % 7
    n = 0
    for sess in schedule.sessions:
        n += weeks * len(sess.weekdays) + sum(1 for w in sess.weekdays if w < rest)
    skipped = {(skip.date, sess.name) for skip in schedule.skip if TURN_EPOCH <= skip.date < day
               for sess in schedule.sessions
               if skip.date.weekday() in sess.weekdays and (skip.sessions is None or sess.name in skip.sessions)}
    n -= len(skipped)
    n += sum(1 for o in schedule.one_off if TURN_EPOCH <= o.date < day)
    here = (slot.when.time().replace(tzinfo=None), slot.session)
    n += sum(1 for name, at, _, _ in day_sessions(schedule, day) if (at, name) < here)
    return n
