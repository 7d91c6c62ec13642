"""The station's schedule (schedule.yaml) and the pure decisions made from it: slots, programmes, misfires.

Everything here is data in, data out: the current time is always an argument (the clock is the
caller's), nothing plays, builds or writes. Loading validates the whole file at once and names the
line and the entry (`sessions[sáng].days`, `one_off[Ngày Chuyển đổi số quốc gia].date`,
`skip[2024-09-02].sessions`) of every problem, with a "did you mean" for unknown keys.

Policies decided here (the README repeats them):
- Programme order: bulletins whose air window covers the date, by priority (emergency, priority,
  normal), then topic in the order of `broadcast.topics.TOPICS`, then id. The input order never
  matters.
- Caps and rotation: when everything fits the session's minutes cap, every on-air bulletin airs, in
  programme order. When it does not, the items are chosen priority class by priority class
  (emergency, then priority, then normal); inside a class that does not fit whole, the class's
  items (in programme order) are rotated by the slot's *turn* — its ordinal among all the
  schedule's slots, counted from a fixed epoch, so consecutive sessions have consecutive turns —
  and taken in that rotated order, each kept if it still fits (a short item after a long one that
  overflowed may still air). The items kept then air in programme order. So each session starts the
  class one item further along: an item held over at one session moves towards the front at the
  next ones and does get air, instead of the same items winning every time. What is not kept is
  *held over* (logged `held_over` with the reason). The turn is derived from the schedule alone
  (`slot_turn`), so the plan stays a pure function and `schedule check` shows what will air.
  `schedule check` warns about a bulletin that will not air at all within its air window (or within
  the next sessions, for an open window) under the caps.
- Overlaps: two sessions (weekly or one-off, not skipped that date) that share a zone and start less
  than `caps.minutes_per_session` apart are a validation error: a session may last that long, so
  they could be on air at once on that zone.
- Misfire: a slot is played on time if started within `on_time_tolerance_s`, late (logged `late`)
  within `grace_minutes`, otherwise not played (logged `missed`). Several slots missed while the
  service was down coalesce: at most the latest one within grace plays late, the rest are missed.

Reasons that go into the as-run log (held over, missed) are Vietnamese: they are evidence copied into
the Vietnamese reports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from pathlib import Path
from typing import Annotated, Iterable, Literal, Mapping, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from broadcast.bulletin import Bulletin
from broadcast.errors import UserError
from broadcast.problems import Problem, did_you_mean
from broadcast.topics import TOPICS
from broadcast.yamlio import YamlDoc, check, load_yaml

# Day names accepted in `days:`: English abbreviations and the Vietnamese ones the editor uses.
WEEKDAYS: dict[str, int] = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6,
}
ALL_ZONES = "all"
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*(?:p|phút)?\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _parse_time(value):
    # YAML 1.1 reads an unquoted 05:30 as the sexagesimal integer 330 (5*60+30): undo that.
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 24 * 60:
            raise ValueError(f"not a time of day: {value}")
        return time(value // 60, value % 60)
    if isinstance(value, str):
        m = _TIME.match(value)
        if not m:
            raise ValueError(f"'{value}' is not a time of day; write it as HH:MM, e.g. 05:30 or 17:00")
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"'{value}' is not a time of day (hours 0-23, minutes 0-59)")
        return time(hour, minute)
    return value


class DeviceSink(_Model):
    """A sound card through PulseAudio (the wired loudspeakers of older stations)."""

    type: Literal["device"]
    device: str | None = Field(None, description="PulseAudio sink name; empty means the default sink")


class IcecastSink(_Model):
    """One Icecast mount per zone: the IP loudspeaker cluster listens to it."""

    type: Literal["icecast"]
    url: str = Field(description="the Icecast server, e.g. http://127.0.0.1:8000")
    mount: str
    password: str = Field(repr=False)
    user: str = "source"
    bitrate_kbps: Literal[64, 96, 128, 160, 192] = 128

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(:\d+)?/?$", value):
            raise ValueError(f"'{value}' is not a server address like http://127.0.0.1:8000")
        return value.rstrip("/")

    @field_validator("mount")
    @classmethod
    def _mount(cls, value: str) -> str:
        if not re.match(r"^/[A-Za-z0-9._/-]+$", value):
            raise ValueError(f"'{value}' is not a mount point like /thon-1 (ASCII letters, digits, '-', '_', '.')")
        return value


class FileSink(_Model):
    """Writes what would have aired, with timestamps: dry runs and the demo."""

    type: Literal["file"]
    folder: Path


SinkSpec = Annotated[Union[DeviceSink, IcecastSink, FileSink], Field(discriminator="type")]


def sink_label(spec: SinkSpec) -> str:
    """How a sink is named in the log (no secrets)."""
    if isinstance(spec, DeviceSink):
        return f"device:{spec.device or 'default'}"
    if isinstance(spec, IcecastSink):
        return f"icecast:{spec.url}{spec.mount}"
    return f"file:{spec.folder}"


class Zone(_Model):
    """A loudspeaker cluster (cụm loa) and the sink that reaches it."""

    name: str = Field(min_length=1)
    sink: SinkSpec


def _check_days(value):
    if isinstance(value, str):
        value = [value]
    out = []
    for day in value:
        key = str(day).strip().lower().replace(" ", "")
        if key not in WEEKDAYS:
            raise ValueError(f"unknown day '{day}'; use mon..sun or t2..t7, cn")
        out.append(key)
    return out


class Session(_Model):
    """A recurring session: the same time on the given days of the week."""

    name: str = Field(min_length=1)
    time: time
    days: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat"])
    zones: list[str] = Field(default_factory=lambda: [ALL_ZONES])

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        return _parse_time(value)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value):
        return _check_days(value)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS[d] for d in self.days)


class OneOff(_Model):
    """A session on one date only (a campaign day, a special broadcast)."""

    name: str = Field(min_length=1)
    date: date
    time: time
    zones: list[str] = Field(default_factory=lambda: [ALL_ZONES])

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        return _parse_time(value)


class Skip(_Model):
    """A date with no broadcast (a holiday), for every session or only the named ones."""

    date: date
    reason: str = Field(min_length=1)
    sessions: list[str] | None = None


class Caps(_Model):
    """Local limits (Hà Nội's example: 2 sessions a day, 5 days a week, 15 min urban / 45 min rural)."""

    sessions_per_day: int = Field(2, ge=1, le=12)
    minutes_per_session: float = Field(45, gt=0, le=240)
    days_per_week: int = Field(7, ge=1, le=7)


class Playout(_Model):
    """How the runner turns slots into sound; every policy value in one place."""

    preroll_minutes: float = Field(30, ge=0, le=24 * 60, description="build the programme this long before air")
    grace_minutes: float = Field(10, ge=0, le=180, description="a late slot still plays within this")
    on_time_tolerance_s: float = Field(5, ge=0, le=120, description="a start later than this is logged late")
    sink_tries: int = Field(3, ge=1, le=10)
    sink_retry_within_s: float = Field(10, gt=0, le=120)
    fade_s: float = Field(0.5, ge=0, le=3)


class Schedule(_Model):
    timezone: str | None = Field(None, description="default: the station's timezone from station.yaml")
    zones: dict[str, Zone] = Field(min_length=1)
    sessions: list[Session] = Field(default_factory=list)
    one_off: list[OneOff] = Field(default_factory=list)
    skip: list[Skip] = Field(default_factory=list)
    caps: Caps = Field(default_factory=Caps)
    playout: Playout = Field(default_factory=Playout)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value):
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone '{value}' (use an IANA name such as Asia/Ho_Chi_Minh)") from None
        return value

    @field_validator("zones")
    @classmethod
    def _zone_ids(cls, value):
        for key in value:
            if not re.match(r"^[a-z0-9][a-z0-9_-]*$", key) or key == ALL_ZONES:
                raise ValueError(f"zone id '{key}': use lower-case ASCII letters, digits, '-' or '_' (not '{ALL_ZONES}')")
        return value

    def zone_ids(self, wanted: Iterable[str]) -> tuple[str, ...]:
        wanted = list(wanted)
        return tuple(self.zones) if ALL_ZONES in wanted else tuple(dict.fromkeys(wanted))


_NAMED_LISTS = ("sessions", "one_off", "skip")


def _entry_label(data, section: str, index: int) -> str:
    """How an entry of a list section is named in messages: its name (a skip: its date), else #n (1-based)."""
    try:
        entry = data[section][index]
    except (KeyError, IndexError, TypeError):
        return f"#{index + 1}"
    if isinstance(entry, dict):
        value = entry.get("date") if section == "skip" else entry.get("name")
        if isinstance(value, (str, date)) and str(value).strip():
            return str(value).strip()
    return f"#{index + 1}"


def key_label(data, loc: tuple) -> str:
    """A location as the editor reads it: `sessions[sáng].days` rather than `sessions.0.days`.

    Entries of `sessions`, `one_off` and `skip` are named; positions inside inner lists (a zone in
    `zones`, a day in `days`) are left out: the message quotes the value and the line points at it."""
    parts: list[str] = []
    for n, part in enumerate(loc):
        if isinstance(part, int):
            if n == 1 and loc[0] in _NAMED_LISTS:
                parts[-1] += f"[{_entry_label(data, loc[0], part)}]"
            continue
        parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _validate(doc: YamlDoc) -> tuple[Schedule | None, list[Problem]]:
    """The schema check, with entries named instead of numbered: (the schedule or None, its problems)."""
    return check(doc, Schedule, label=lambda loc: key_label(doc.data, loc))


def _minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def _overlap_problems(s: Schedule, add, label) -> None:
    """Two sessions sharing a zone and starting closer than the minutes cap could be on air at once."""
    cap = s.caps.minutes_per_session
    week = 7 * 24 * 60
    day_names = {v: k for k, v in WEEKDAYS.items() if k.startswith("t") or k == "cn"}

    def shared(a: list[str], b: list[str]) -> list[str]:
        zb = set(s.zone_ids(b))
        return [z for z in s.zone_ids(a) if z in zb and z in s.zones]

    def problem(loc, first: str, second: str, zones: list[str], detail: str) -> None:
        add(loc, f"{first} and {second} can be on air at the same time on {', '.join(zones)} ({detail}): "
                 f"sessions on one zone must start at least caps.minutes_per_session = {cap:g} min apart; "
                 f"move one, give them different zones, or skip the weekly session on that date")

    # Weekly against weekly: every week (a skip on some date does not remove the clash on the others).
    for i, a in enumerate(s.sessions):
        for j in range(i + 1, len(s.sessions)):
            b = s.sessions[j]
            zones = shared(a.zones, b.zones)
            if not zones:
                continue
            for wa in sorted(a.weekdays):
                hit = None
                for wb in sorted(b.weekdays):
                    d = (wb * 1440 + _minutes_of(b.time) - wa * 1440 - _minutes_of(a.time)) % week
                    if min(d, week - d) < cap:
                        hit = wb
                        break
                if hit is not None:
                    detail = (f"{a.time:%H:%M} {day_names[wa]} and {b.time:%H:%M} {day_names[hit]}"
                              if wa != hit else f"{a.time:%H:%M} and {b.time:%H:%M} on {day_names[wa]}")
                    problem(("sessions", j), label("sessions", i), label("sessions", j), zones, detail)
                    break

    # A one-off against every session airing around its date (skips applied).
    for i, one in enumerate(s.one_off):
        at = datetime.combine(one.date, one.time)
        for k in (-1, 0, 1):
            day = one.date + timedelta(days=k)
            for j, sess in enumerate(s.sessions):
                if day.weekday() not in sess.weekdays or _skipped(s, day, sess.name):
                    continue
                other = datetime.combine(day, sess.time)
                zones = shared(one.zones, sess.zones)
                if zones and abs((other - at).total_seconds()) < cap * 60:
                    problem(("one_off", i), label("one_off", i), label("sessions", j), zones,
                            f"{one.date} {one.time:%H:%M} and {other:%Y-%m-%d %H:%M}")
            for j, two in enumerate(s.one_off):
                if j <= i or two.date != day:
                    continue
                other = datetime.combine(two.date, two.time)
                zones = shared(one.zones, two.zones)
                if zones and abs((other - at).total_seconds()) < cap * 60:
                    problem(("one_off", j), label("one_off", i), label("one_off", j), zones,
                            f"{one.date} {one.time:%H:%M} and {other:%Y-%m-%d %H:%M}")


def _reference_problems(doc: YamlDoc) -> list[Problem]:
    """References between sections and duplicate names, read from the raw YAML so that they are
    reported even when the schema check fails elsewhere. A section too malformed to read (zones not a
    mapping, a session without a name) is the schema's problem: the references into it are not judged."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Problem] = []

    def add(loc: tuple, message: str, hint: str = "") -> None:
        problems.append(doc.problem(loc, message, hint=hint, path=key_label(data, loc)))

    def entries(section: str) -> list:
        value = data.get(section, [])
        return value if isinstance(value, list) else []

    zones = data.get("zones")
    known = [str(z) for z in zones] if isinstance(zones, dict) and zones else None

    def check_zones(loc: tuple, entry) -> None:
        listed = entry.get("zones") if isinstance(entry, dict) else None
        if not isinstance(listed, list):
            return  # left out (every zone) or not a list (a schema error)
        if not listed:
            add(loc, f"no zones; list zone ids or '{ALL_ZONES}'")
        for i, z in enumerate(listed):
            if known is not None and isinstance(z, str) and z != ALL_ZONES and z not in known:
                add(loc + (i,), f"unknown zone '{z}'",
                    did_you_mean(z, known, f"known zones: {', '.join(known)}, or '{ALL_ZONES}'"))

    names: dict[str, int] = {}
    sessions = data.get("sessions", [])
    for i, sess in enumerate(entries("sessions")):
        check_zones(("sessions", i, "zones"), sess)
        name = sess.get("name") if isinstance(sess, dict) else None
        if not isinstance(name, str):
            continue
        if name in names:
            first = doc.line_of(("sessions", names[name]))
            add(("sessions", i, "name"), f"session name '{name}' is already used by the session"
                                         + (f" on line {first}" if first else ""))
        names.setdefault(name, i)
    for i, one in enumerate(entries("one_off")):
        check_zones(("one_off", i, "zones"), one)
    # A skip's session names are judged only against a sessions list whose every name could be read.
    readable = isinstance(sessions, list) and all(isinstance(x, dict) and isinstance(x.get("name"), str) for x in sessions)
    for i, skip in enumerate(entries("skip")):
        listed = skip.get("sessions") if isinstance(skip, dict) else None
        for j, name in enumerate(listed if isinstance(listed, list) and readable else []):
            if isinstance(name, str) and name not in names:
                add(("skip", i, "sessions", j), f"unknown session '{name}'", did_you_mean(name, names))
    return problems


def _cross_problems(doc: YamlDoc, s: Schedule) -> list[Problem]:
    """What needs the whole schedule typed and valid: caps per day and week, overlapping sessions."""
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}

    def add(loc: tuple, message: str) -> None:
        problems.append(doc.problem(loc, message, path=key_label(data, loc)))

    def label(section: str, index: int) -> str:
        return f"{section}[{_entry_label(data, section, index)}]"

    caps = s.caps
    per_weekday = [sum(1 for x in s.sessions if wd in x.weekdays) for wd in range(7)]
    for wd, count in enumerate(per_weekday):
        if count > caps.sessions_per_day:
            day = [k for k, v in WEEKDAYS.items() if v == wd][0]
            add(("sessions",), f"{count} sessions on {day}, above caps.sessions_per_day = {caps.sessions_per_day}")
    days_used = sum(1 for c in per_weekday if c)
    if days_used > caps.days_per_week:
        add(("sessions",), f"sessions on {days_used} days a week, above caps.days_per_week = {caps.days_per_week}")
    for i, one in enumerate(s.one_off):
        day = one.date
        count = len([x for x in day_sessions(s, day)])
        if count > caps.sessions_per_day:
            add(("one_off", i), f"{count} sessions on {day}, above caps.sessions_per_day = {caps.sessions_per_day}")
        monday = day - timedelta(days=day.weekday())
        week_days = sum(1 for k in range(7) if day_sessions(s, monday + timedelta(days=k)))
        if week_days > caps.days_per_week:
            add(("one_off", i), f"the week of {monday} has sessions on {week_days} days, above caps.days_per_week = {caps.days_per_week}")
    _overlap_problems(s, add, label)
    return problems


def load_schedule(path: Path) -> Schedule:
    """Read and validate schedule.yaml, reporting every problem (file:line, entry and key, fix) at once."""
    doc = load_yaml(Path(path))
    schedule, problems = _validate(doc)
    problems += _reference_problems(doc)
    if schedule is not None:
        problems += _cross_problems(doc, schedule)
    if problems:
        raise UserError(doc.in_order(problems))
    return schedule


# -- slots --------------------------------------------------------------------------------------


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


def _skipped(schedule: Schedule, day: date, session: str) -> Skip | None:
    for skip in schedule.skip:
        if skip.date == day and (skip.sessions is None or session in skip.sessions):
            return skip
    return None


def day_sessions(schedule: Schedule, day: date) -> list[tuple[str, time, list[str], bool]]:
    """(name, time, zones, one_off) of the sessions airing on `day`, skips applied."""
    out = [(s.name, s.time, s.zones, False) for s in schedule.sessions
           if day.weekday() in s.weekdays and not _skipped(schedule, day, s.name)]
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


# -- programmes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    seconds: float
    source: str  # "built" (from an audio manifest) or "estimated" (from text length)


@dataclass(frozen=True)
class PlannedItem:
    bulletin: Bulletin
    duration: Duration


@dataclass(frozen=True)
class HeldOver:
    bulletin: Bulletin
    duration: Duration
    reason: str


@dataclass(frozen=True)
class Programme:
    """What a slot will air: the wrapper (jingles, greeting, sign-off) around `items`."""

    slot: Slot
    items: tuple[PlannedItem, ...]
    held_over: tuple[HeldOver, ...]
    wrapper: Duration
    gap_s: float
    cap_s: float

    @property
    def total_s(self) -> float:
        return self.wrapper.seconds + sum(i.duration.seconds for i in self.items) + self.gap_s * max(0, len(self.items) - 1)

    @property
    def bulletins(self) -> list[Bulletin]:
        return [i.bulletin for i in self.items]


_TOPIC_ORDER = {t: i for i, t in enumerate(TOPICS)}


def programme_order(bulletin: Bulletin) -> tuple:
    return (bulletin.priority.rank, _TOPIC_ORDER.get(bulletin.topic, len(_TOPIC_ORDER)), bulletin.topic, bulletin.id)


SOURCE_VI = {"built": "theo âm thanh đã dựng", "estimated": "ước tính"}
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


def plan_programme(
    slot: Slot,
    bulletins: Iterable[Bulletin],
    durations: Mapping[str, Duration],
    wrapper: Duration,
    cap_s: float,
    gap_s: float = 0.0,
    turn: int = 0,
) -> Programme:
    """The slot's programme: on-air bulletins in programme order; beyond the cap, chosen by rotation and held over.

    Everything fits: every bulletin, in programme order. Otherwise each priority class is taken in
    turn; a class that does not fit whole is rotated by `turn` (see `slot_turn`) and its items kept
    while they fit. The kept items air in programme order; the rest are held over with the reason."""
    eligible = sorted((b for b in bulletins if b.on_air(slot.when.date())), key=programme_order)
    total = wrapper.seconds + sum(durations[b.id].seconds for b in eligible) + gap_s * max(0, len(eligible) - 1)
    if total <= cap_s:
        return Programme(slot, tuple(PlannedItem(b, durations[b.id]) for b in eligible), (), wrapper, gap_s, cap_s)
    used = wrapper.seconds
    kept: list[Bulletin] = []
    held: list[HeldOver] = []
    for rank in sorted({b.priority.rank for b in eligible}):
        group = [b for b in eligible if b.priority.rank == rank]
        free = cap_s - used - (gap_s if kept else 0.0)  # the most any item of this class can get
        whole = sum(durations[b.id].seconds + (gap_s if kept or k else 0.0) for k, b in enumerate(group))
        if used + whole > cap_s and len(group) > 1:
            shift = turn % len(group)
            group = group[shift:] + group[:shift]
        for b in group:
            d = durations[b.id]
            need = d.seconds + (gap_s if kept else 0.0)
            if used + need <= cap_s:
                kept.append(b)
                used += need
            else:
                held.append(HeldOver(b, d, _held_reason(d, need, used, free, wrapper, cap_s)))
    items = tuple(PlannedItem(b, durations[b.id]) for b in sorted(kept, key=programme_order))
    return Programme(slot, items, tuple(sorted(held, key=lambda h: programme_order(h.bulletin))), wrapper, gap_s, cap_s)


def _held_reason(d: Duration, need: float, used: float, free: float, wrapper: Duration, cap_s: float) -> str:
    """Why an item is held over, in Vietnamese (it goes into the as-run log and the reports)."""
    source = SOURCE_VI.get(d.source, d.source)
    if wrapper.seconds + d.seconds > cap_s:
        return (f"tin dài {d.seconds:.0f} giây ({source}), cộng nhạc hiệu, lời chào và lời kết "
                f"({wrapper.seconds:.0f} giây) vượt thời lượng tối đa {cap_s / 60:g} phút của một phiên: "
                f"tin không phát được ở phiên nào cho đến khi được rút ngắn hoặc nới giới hạn thời lượng phiên")
    if d.seconds > free:
        return (f"không đủ thời lượng phiên (tối đa {cap_s / 60:g} phút): sau nhạc hiệu, lời chào, lời kết và "
                f"các tin ưu tiên hơn chỉ còn {max(free, 0):.1f} giây, tin này cần {d.seconds:.1f} giây ({source}); "
                f"nếu các phiên sau cũng vậy thì tin không được phát — cần rút ngắn tin hoặc nới giới hạn thời lượng phiên")
    return (f"không đủ thời lượng phiên (tối đa {cap_s / 60:g} phút): đã xếp {used:.0f} giây, tin này cần "
            f"{need:.0f} giây ({source}); tin được dời sang phiên sau — các tin cùng mức ưu tiên được xếp "
            f"luân phiên qua các phiên")


# -- misfires -----------------------------------------------------------------------------------


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
            reason = f"dịch vụ không chạy vào giờ phát; gộp vào lần phát muộn của phiên {late.session} {late.when:%H:%M}"
        else:
            minutes = (now - s.when).total_seconds() / 60
            reason = (f"dịch vụ không chạy vào giờ phát; chạy lại sau {minutes:.0f} phút, quá thời gian cho phép "
                      f"phát muộn {playout.grace_minutes:g} phút")
        missed.append((s, reason))
    return Recovery(late, tuple(missed))
