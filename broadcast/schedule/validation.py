"""Reading and validating schedule.yaml: every problem at once, each with its line and its entry named
(`sessions[sáng].days`, `one_off[Ngày Chuyển đổi số quốc gia].date`, `skip[2024-09-02].sessions`).

The schema, the references between sections (zones, session names) and duplicate names are checked
side by side on the raw YAML, so one wrong value does not hide the others; the caps and overlapping
sessions need the whole schedule typed and are checked once the rest is valid. Two sessions sharing a
zone and starting less than `caps.minutes_per_session` apart could be on air at once: an error.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from broadcast.errors import UserError
from broadcast.problems import Problem, did_you_mean
from broadcast.schedule.model import ALL_ZONES, WEEKDAYS, Schedule
from broadcast.schedule.slots import day_sessions, is_skipped
from broadcast.yamlio import YamlDoc, check, load_yaml


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

    def problem(loc, first: str, second: str, zones: list[str], detail: str, detail_vi: str) -> None:
        add(loc, f"{first} and {second} can be on air at the same time on {', '.join(zones)} ({detail}): "
                 f"sessions on one zone must start at least caps.minutes_per_session = {cap:g} min apart; "
                 f"move one, give them different zones, or skip the weekly session on that date",
            code="schedule.overlap", params={"first": _name_of(first), "second": _name_of(second), "cap": f"{cap:g}",
                                             "zones": ", ".join(s.zones[z].name for z in zones), "detail": detail_vi})

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
                    detail_vi = (f"{a.time:%H:%M} {_weekday_vi(wa)} và {b.time:%H:%M} {_weekday_vi(hit)}"
                                 if wa != hit else f"{a.time:%H:%M} và {b.time:%H:%M} {_weekday_vi(wa)}")
                    problem(("sessions", j), label("sessions", i), label("sessions", j), zones, detail, detail_vi)
                    break

    # A one-off against every session airing around its date (skips applied).
    for i, one in enumerate(s.one_off):
        at = datetime.combine(one.date, one.time)
        for k in (-1, 0, 1):
            day = one.date + timedelta(days=k)
            for j, sess in enumerate(s.sessions):
                if day.weekday() not in sess.weekdays or is_skipped(s, day, sess.name):
                    continue
                other = datetime.combine(day, sess.time)
                zones = shared(one.zones, sess.zones)
                if zones and abs((other - at).total_seconds()) < cap * 60:
                    problem(("one_off", i), label("one_off", i), label("sessions", j), zones,
                            f"{one.date} {one.time:%H:%M} and {other:%Y-%m-%d %H:%M}",
                            f"{one.time:%H:%M} {one.date:%d/%m/%Y} và {other:%H:%M %d/%m/%Y}")
            for j, two in enumerate(s.one_off):
                if j <= i or two.date != day:
                    continue
                other = datetime.combine(two.date, two.time)
                zones = shared(one.zones, two.zones)
                if zones and abs((other - at).total_seconds()) < cap * 60:
                    problem(("one_off", j), label("one_off", i), label("one_off", j), zones,
                            f"{one.date} {one.time:%H:%M} and {other:%Y-%m-%d %H:%M}",
                            f"{one.time:%H:%M} {one.date:%d/%m/%Y} và {other:%H:%M %d/%m/%Y}")


def _name_of(label: str) -> str:
    """`sessions[sáng]` → `sáng` (the name inside an entry's label)."""
    return label[label.index("[") + 1:-1] if label.endswith("]") and "[" in label else label


def _weekday_vi(weekday: int) -> str:
    return ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"][weekday]


def _reference_problems(doc: YamlDoc) -> list[Problem]:
    """References between sections and duplicate names, read from the raw YAML so that they are
    reported even when the schema check fails elsewhere. A section too malformed to read (zones not a
    mapping, a session without a name) is the schema's problem: the references into it are not judged."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Problem] = []

    def add(loc: tuple, message: str, hint: str = "", code: str = "", **params) -> None:
        problems.append(doc.problem(loc, message, hint=hint, path=key_label(data, loc), code=code, params=params))

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
            add(loc, f"no zones; list zone ids or '{ALL_ZONES}'", code="schedule.no_zones")
        for i, z in enumerate(listed):
            if known is not None and isinstance(z, str) and z != ALL_ZONES and z not in known:
                add(loc + (i,), f"unknown zone '{z}'",
                    did_you_mean(z, known, f"known zones: {', '.join(known)}, or '{ALL_ZONES}'"), "schedule.unknown_zone", zone=z)

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
                                         + (f" on line {first}" if first else ""), code="schedule.session_name_taken", name=name)
        names.setdefault(name, i)
    for i, one in enumerate(entries("one_off")):
        check_zones(("one_off", i, "zones"), one)
    # A skip's session names are judged only against a sessions list whose every name could be read.
    readable = isinstance(sessions, list) and all(isinstance(x, dict) and isinstance(x.get("name"), str) for x in sessions)
    for i, skip in enumerate(entries("skip")):
        listed = skip.get("sessions") if isinstance(skip, dict) else None
        for j, name in enumerate(listed if isinstance(listed, list) and readable else []):
            if isinstance(name, str) and name not in names:
                add(("skip", i, "sessions", j), f"unknown session '{name}'", did_you_mean(name, names),
                    "schedule.unknown_session", name=name)
    return problems


def _cross_problems(doc: YamlDoc, s: Schedule) -> list[Problem]:
    """What needs the whole schedule typed and valid: caps per day and week, overlapping sessions."""
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}

    def add(loc: tuple, message: str, code: str = "", params: dict | None = None) -> None:
        problems.append(doc.problem(loc, message, path=key_label(data, loc), code=code, params=params))

    def label(section: str, index: int) -> str:
        return f"{section}[{_entry_label(data, section, index)}]"

    caps = s.caps
    per_weekday = [sum(1 for x in s.sessions if wd in x.weekdays) for wd in range(7)]
    for wd, count in enumerate(per_weekday):
        if count > caps.sessions_per_day:
            day = [k for k, v in WEEKDAYS.items() if v == wd][0]
            add(("sessions",), f"{count} sessions on {day}, above caps.sessions_per_day = {caps.sessions_per_day}",
                "schedule.sessions_per_day", {"day": day, "count": count, "cap": caps.sessions_per_day})
    days_used = sum(1 for c in per_weekday if c)
    if days_used > caps.days_per_week:
        add(("sessions",), f"sessions on {days_used} days a week, above caps.days_per_week = {caps.days_per_week}",
            "schedule.days_per_week", {"count": days_used, "cap": caps.days_per_week})
    for i, one in enumerate(s.one_off):
        day = one.date
        count = len([x for x in day_sessions(s, day)])
        if count > caps.sessions_per_day:
            add(("one_off", i), f"{count} sessions on {day}, above caps.sessions_per_day = {caps.sessions_per_day}",
                "schedule.sessions_per_day", {"day": day.isoformat(), "count": count, "cap": caps.sessions_per_day})
        monday = day - timedelta(days=day.weekday())
        week_days = sum(1 for k in range(7) if day_sessions(s, monday + timedelta(days=k)))
        if week_days > caps.days_per_week:
            add(("one_off", i), f"the week of {monday} has sessions on {week_days} days, above caps.days_per_week = {caps.days_per_week}",
                "schedule.week_days", {"monday": monday.isoformat(), "count": week_days, "cap": caps.days_per_week})
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
