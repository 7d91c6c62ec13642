"""`broadcast schedule check`: validate schedule.yaml and show the next sessions with their programmes."""

from __future__ import annotations

import json
from datetime import datetime

import click

WEEKDAY_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def _settings():
    return click.get_current_context().obj.settings


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(round(seconds % 60)):02d} s"


def built_warnings(settings, bulletin_id: str) -> list[str]:
    """Warnings of the bulletin's built audio (e.g. a lesser voice stood in), from its manifest."""
    try:
        manifest = json.loads((settings.audio_out / f"{bulletin_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(manifest.get("warnings", []))


OPEN_WINDOW_SESSIONS = 60  # an item without an end date is checked over this many sessions (at least)


def _window_slots(schedule, bulletin, start: datetime, tz, bulletins_count: int):
    """The slots from `start` on which `bulletin` is on air: to its window's end, or enough sessions to see a full rotation."""
    from datetime import time as dtime, timedelta

    from broadcast.schedule import expand, next_slots

    begin = start
    if bulletin.air is not None and bulletin.air.start > start.date():
        begin = datetime.combine(bulletin.air.start, dtime(0, 0), tzinfo=tz)
    if bulletin.air is not None and bulletin.air.end is not None:
        end = datetime.combine(bulletin.air.end + timedelta(days=1), dtime(0, 0), tzinfo=tz)
        return expand(schedule, begin, min(end, begin + timedelta(days=400)), tz) if end > begin else []
    return next_slots(schedule, begin, max(OPEN_WINDOW_SESSIONS, 2 * bulletins_count + 2), tz)


def never_airing(schedule, preparer, bulletins, durations, wrapper, start: datetime, tz) -> list[str]:
    """Bulletins that will not air at all within their air window (from `start`) under the caps."""
    out = []
    for b in bulletins:
        slots = _window_slots(schedule, b, start, tz, len(bulletins))
        if not slots:
            continue
        if any(b.id in {p.bulletin.id for p in preparer.plan(s, bulletins, durations=durations, wrapper=wrapper).items}
               for s in slots):
            continue
        window = (f"its air window {slots[0].when:%d/%m/%Y} – {b.air.end:%d/%m/%Y}"
                  if b.air is not None and b.air.end is not None else f"the next {len(slots)} sessions")
        cap_s = schedule.caps.minutes_per_session * 60
        need = durations[b.id].seconds
        if wrapper.seconds + need > cap_s:
            why = f"it needs {need:.0f} s and a whole session leaves {cap_s - wrapper.seconds:.0f} s for items"
        else:
            why = f"it needs {need:.0f} s; higher-priority and other items take the room every time"
        out.append(f"{b.id} will not air at all within {window} under the "
                   f"{schedule.caps.minutes_per_session:g}-minute cap ({why}): "
                   f"shorten it, widen its air window, or raise caps.minutes_per_session")
    return out


def next_airing(schedule, preparer, bulletins, durations, wrapper, after, bulletin, tz) -> str:
    """When a held-over bulletin airs next (weekday, date, time, session), or "" if not within its window."""
    from datetime import timedelta

    for s in _window_slots(schedule, bulletin, after.when + timedelta(seconds=1), tz, len(bulletins)):
        if bulletin.id in {p.bulletin.id for p in preparer.plan(s, bulletins, durations=durations, wrapper=wrapper).items}:
            return f"{WEEKDAY_VI[s.when.weekday()]} {s.when:%d/%m/%Y %H:%M} {s.session}"
    return ""


def check_report(settings, count: int, start: datetime | None) -> str:
    """The text `schedule check` prints: the next `count` slots, each with its planned programme."""
    from broadcast.playout.programme import StationPreparer
    from broadcast.schedule import load_schedule, next_slots, schedule_tz, skipped_on

    schedule = load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    start = (start.replace(tzinfo=tz) if start and start.tzinfo is None else start) or datetime.now(tz)
    preparer = StationPreparer(settings, schedule)
    bulletins, bad = preparer.load()
    lines = [f"{settings.schedule_file}: valid — {plural(len(schedule.zones), 'zone')}, "
             f"{plural(len(schedule.sessions), 'weekly session')}, {plural(len(schedule.one_off), 'one-off session')}, "
             f"{plural(len(schedule.skip), 'skipped date')}; caps: "
             f"{schedule.caps.sessions_per_day}/day, {schedule.caps.minutes_per_session:g} min/session, "
             f"{schedule.caps.days_per_week} days/week"]
    for b in bad:
        lines.append(f"warning: {b.reason}")
    durations = {b.id: preparer.duration(b) for b in bulletins}
    wrapper = preparer.wrapper()
    lines += [f"warning: {w}" for w in never_airing(schedule, preparer, bulletins, durations, wrapper, start, tz)]
    slots = next_slots(schedule, start, count, tz)
    skips: list[tuple] = []  # (date, text), printed in date order among the slots
    if slots:
        day, last = start.date(), slots[-1].when.date()
        while day <= last:
            for skip in skipped_on(schedule, day):
                which = ", ".join(skip.sessions) if skip.sessions else "all sessions"
                skips.append((day, f"\n{WEEKDAY_VI[day.weekday()]} {day:%d/%m/%Y}: no broadcast ({which}) — {skip.reason}"))
            day = day.fromordinal(day.toordinal() + 1)
    for slot in slots:
        while skips and skips[0][0] <= slot.when.date():
            lines.append(skips.pop(0)[1])
        plan = preparer.plan(slot, bulletins, durations=durations, wrapper=wrapper)
        when = slot.when
        lines.append(f"\n{WEEKDAY_VI[when.weekday()]} {when:%d/%m/%Y %H:%M}  {slot.session}"
                     f"{'  (one-off)' if slot.one_off else ''}  → {', '.join(slot.zones)}")
        lines.append(f"  jingle, greeting, sign-off, jingle: {plan.wrapper.seconds:5.1f} s ({plan.wrapper.source})")
        for n, item in enumerate(plan.items, 1):
            b = item.bulletin
            label = "" if b.priority.value == "normal" else f"  [{b.priority.label}]"
            lines.append(f"  {n:2}. {b.id:28} {item.duration.seconds:6.1f} s ({item.duration.source})  {b.title}{label}")
            for w in built_warnings(settings, b.id):
                lines.append(f"      warning: built audio fell back to a lesser voice: {w}")
        if not plan.items:
            lines.append("  (no bulletin's air window covers this date: nothing to air)")
        lines.append(f"  total {_minutes(plan.total_s)} of the {plan.cap_s / 60:g}-minute cap")
        for h in plan.held_over:
            lines.append(f"  held over: {h.bulletin.id} — {h.reason}")
            after = next_airing(schedule, preparer, bulletins, durations, wrapper, slot, h.bulletin, tz)
            lines.append(f"      next airs: {after}" if after else "      will not air again within its air window under the caps")
    return "\n".join(lines)


@click.group("schedule")
def schedule() -> None:
    """The broadcast schedule (schedule.yaml)."""


@schedule.command("check")
@click.option("--next", "count", type=click.IntRange(1, 200), default=4, show_default=True, help="How many sessions to show.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              help="Start from this local date/time instead of now.")
def check(count: int, start: datetime | None) -> None:
    """Validate schedule.yaml; show the next sessions, their programmes, durations and caps."""
    click.echo(check_report(_settings(), count, start))


COMMANDS = [schedule]
