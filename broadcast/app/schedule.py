"""Checking the schedule: is schedule.yaml valid, and what will the next sessions air — programmes,
durations against the cap, items held over and when they air next, fallback voices — as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from broadcast.audio.jingle import load_jingle
from broadcast.audio.layout import audio_out
from broadcast.audio.manifest import read_manifest
from broadcast.build import station_recording_problems
from broadcast.config import Settings
from broadcast.content.length import FIX, SpokenLength
from broadcast.errors import UserError
from broadcast.problems import Problem
from broadcast.content.bulletin import Bulletin
from broadcast.playout.programme import Skipped, StationPreparer
from broadcast.schedule.model import Schedule
from broadcast.schedule.planning import Duration
from broadcast.schedule.slots import Slot, expand, next_slots, schedule_tz, skipped_on
from broadcast.schedule.validation import load_schedule

OPEN_WINDOW_SESSIONS = 60  # an item without an end date is checked over this many sessions (at least)


@dataclass(frozen=True)
class Item:
    """A bulletin in a session's programme, with warnings of its built audio (a lesser voice stood in)."""

    bulletin: Bulletin
    duration: Duration
    fallback_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeldItem:
    """A bulletin that does not fit a session: why (Vietnamese, as logged), and the session where it airs next."""

    bulletin: Bulletin
    duration: Duration
    reason: str
    next_airs: Slot | None  # None: not again within its air window under the caps


@dataclass(frozen=True)
class PlannedSession:
    slot: Slot
    items: tuple[Item, ...]
    held_over: tuple[HeldItem, ...]
    wrapper: Duration  # jingles, greeting, sign-off
    total_s: float
    cap_s: float


@dataclass(frozen=True)
class NoBroadcast:
    """A skipped date (a holiday) among the sessions shown; `sessions` None means all of them."""

    day: date
    sessions: tuple[str, ...] | None
    reason: str


@dataclass(frozen=True)
class NeverAirs:
    """A bulletin that will not air at all within its air window (or the next sessions) under the caps."""

    bulletin: Bulletin
    first: Slot  # the first session it could air in
    sessions: int  # how many sessions were looked at
    need_s: float
    room_s: float  # what a whole session leaves for items
    cap_minutes: float

    @property
    def message(self) -> str:
        b = self.bulletin
        window = (f"its air window {self.first.when:%d/%m/%Y} – {b.air.end:%d/%m/%Y}"
                  if b.air is not None and b.air.end is not None else f"the next {self.sessions} sessions")
        if self.need_s > self.room_s:
            why = f"it needs {self.need_s:.0f} s and a whole session leaves {self.room_s:.0f} s for items"
        else:
            why = f"it needs {self.need_s:.0f} s; higher-priority and other items take the room every time"
        return (f"{b.id} will not air at all within {window} under the {self.cap_minutes:g}-minute cap ({why}): "
                f"shorten it, widen its air window, or raise caps.minutes_per_session")


@dataclass(frozen=True)
class LongBulletin:
    """A bulletin that speaks longer than the station's warning limit (or its cap)."""

    bulletin: Bulletin
    length: SpokenLength

    @property
    def message(self) -> str:
        return f"{self.bulletin.id}: the bulletin {self.length.describe()}" + (f"; {FIX}" if self.length.too_long else "")


@dataclass(frozen=True)
class ScheduleCheck:
    """`broadcast schedule check` as data: the valid schedule and what its next sessions air."""

    schedule: Schedule
    invalid: tuple[Skipped, ...]  # bulletin files that do not load (reason in Vietnamese, as logged)
    long: tuple[LongBulletin, ...]
    never_airs: tuple[NeverAirs, ...]
    sessions: tuple[PlannedSession, ...]
    no_broadcast: tuple[NoBroadcast, ...]  # skipped dates from the start to the last session shown
    awaiting_approval: tuple[Bulletin, ...] = ()  # valid, but in no programme until a leader approves them


def check_schedule(settings: Settings, count: int = 4, start: datetime | None = None) -> ScheduleCheck:
    """Validate schedule.yaml, the station's jingle and its greeting and sign-off recordings (every problem
    at once, as a UserError) and plan the next `count` sessions from `start` (station time; default now)
    with the station's bulletins."""
    try:
        schedule, problems = load_schedule(settings.schedule_file), []
    except UserError as exc:
        schedule, problems = None, exc.details
    problems += jingle_problems(settings) + station_recording_problems(settings)
    if problems:
        raise UserError(problems)
    tz = schedule_tz(schedule, settings.station.tz)
    start = (start.replace(tzinfo=tz) if start and start.tzinfo is None else start) or datetime.now(tz)
    preparer = StationPreparer(settings, schedule)
    bulletins, invalid = preparer.load()
    planner = _Planner(schedule, preparer, bulletins, tz)
    slots = next_slots(schedule, start, count, tz)
    no_broadcast = []
    if slots:
        day = start.date()
        while day <= slots[-1].when.date():
            no_broadcast += [NoBroadcast(day, tuple(s.sessions) if s.sessions else None, s.reason)
                             for s in skipped_on(schedule, day)]
            day += timedelta(days=1)
    limits = settings.bulletin_length
    lengths = [LongBulletin(b, SpokenLength(d.seconds, d.source == "built", limits.warn_minutes, limits.max_minutes))
               for b in bulletins for d in [planner.durations[b.id]]]
    return ScheduleCheck(schedule, tuple(invalid), tuple(x for x in lengths if x.length.long),
                         tuple(planner.never_airing(start)),
                         tuple(planner.session(slot, settings) for slot in slots), tuple(no_broadcast),
                         tuple(preparer.awaiting_approval))


def jingle_problems(settings: Settings) -> list[Problem]:
    """The station's own jingle must decode (and not be silent): a build, and so every session, needs it."""
    try:
        load_jingle(settings.jingle_file, settings.audio.sample_rate)
    except UserError as exc:
        return [settings.problem(("audio", "jingle"), p.message, code=p.code, params=p.params) for p in exc.details]
    return []


def fallback_warnings(settings: Settings, bulletin_id: str) -> tuple[str, ...]:
    """Warnings of the bulletin's built audio (e.g. a lesser voice stood in), from its manifest."""
    manifest = read_manifest(audio_out(settings).bulletin(bulletin_id).manifest)
    return tuple(manifest.warnings) if manifest else ()


class _Planner:
    """Plans many slots with the same bulletins, their durations and the wrapper measured once."""

    def __init__(self, schedule: Schedule, preparer: StationPreparer, bulletins: list[Bulletin], tz: tzinfo):
        self.schedule, self.preparer, self.bulletins, self.tz = schedule, preparer, bulletins, tz
        self.durations = {b.id: preparer.duration(b) for b in bulletins}
        self.wrapper = preparer.wrapper()

    def plan(self, slot: Slot):
        return self.preparer.plan(slot, self.bulletins, durations=self.durations, wrapper=self.wrapper)

    def airs(self, bulletin: Bulletin, slot: Slot) -> bool:
        return bulletin.id in {p.bulletin.id for p in self.plan(slot).items}

    def window_slots(self, bulletin: Bulletin, start: datetime) -> list[Slot]:
        """The slots from `start` on which `bulletin` is on air: to its window's end, or enough sessions
        to see a full rotation."""
        begin = start
        if bulletin.air is not None and bulletin.air.start > start.date():
            begin = datetime.combine(bulletin.air.start, time(0, 0), tzinfo=self.tz)
        if bulletin.air is not None and bulletin.air.end is not None:
            end = datetime.combine(bulletin.air.end + timedelta(days=1), time(0, 0), tzinfo=self.tz)
            return expand(self.schedule, begin, min(end, begin + timedelta(days=400)), self.tz) if end > begin else []
        return next_slots(self.schedule, begin, max(OPEN_WINDOW_SESSIONS, 2 * len(self.bulletins) + 2), self.tz)

    def never_airing(self, start: datetime) -> list[NeverAirs]:
        out = []
        cap_minutes = self.schedule.caps.minutes_per_session
        for b in self.bulletins:
            slots = self.window_slots(b, start)
            if slots and not any(self.airs(b, s) for s in slots):
                out.append(NeverAirs(b, slots[0], len(slots), self.durations[b.id].seconds,
                                     cap_minutes * 60 - self.wrapper.seconds, cap_minutes))
        return out

    def next_airing(self, bulletin: Bulletin, after: Slot) -> Slot | None:
        return next((s for s in self.window_slots(bulletin, after.when + timedelta(seconds=1)) if self.airs(bulletin, s)),
                    None)

    def session(self, slot: Slot, settings: Settings) -> PlannedSession:
        plan = self.plan(slot)
        items = tuple(Item(i.bulletin, i.duration, fallback_warnings(settings, i.bulletin.id)) for i in plan.items)
        held = tuple(HeldItem(h.bulletin, h.duration, h.reason, self.next_airing(h.bulletin, slot)) for h in plan.held_over)
        return PlannedSession(slot, items, held, plan.wrapper, plan.total_s, plan.cap_s)
