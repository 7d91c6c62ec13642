"""`broadcast schedule check`: validate schedule.yaml and show the next sessions with their programmes."""

from __future__ import annotations

from datetime import datetime

import click

WEEKDAY_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(round(seconds % 60)):02d} s"


def _day(when) -> str:
    return f"{WEEKDAY_VI[when.weekday()]} {when:%d/%m/%Y}"


def format_check(result, schedule_file) -> str:
    """The text `schedule check` prints: a summary, warnings, then each session with its programme."""
    s = result.schedule
    lines = [f"{schedule_file}: valid — {plural(len(s.zones), 'zone')}, "
             f"{plural(len(s.sessions), 'weekly session')}, {plural(len(s.one_off), 'one-off session')}, "
             f"{plural(len(s.skip), 'skipped date')}; caps: "
             f"{s.caps.sessions_per_day}/day, {s.caps.minutes_per_session:g} min/session, "
             f"{s.caps.days_per_week} days/week"]
    lines += [f"warning: {b.reason}" for b in result.invalid]
    lines += [f"warning: {n.message}" for n in result.long]
    lines += [f"waiting for approval (not in any programme until approved): {b.id} — {b.title}"
              for b in result.awaiting_approval]
    lines += [f"warning: {n.message}" for n in result.never_airs]
    skips = list(result.no_broadcast)  # printed in date order among the sessions
    for plan in result.sessions:
        slot = plan.slot
        while skips and skips[0].day <= slot.when.date():
            skip = skips.pop(0)
            which = ", ".join(skip.sessions) if skip.sessions else "all sessions"
            lines.append(f"\n{_day(skip.day)}: no broadcast ({which}) — {skip.reason}")
        lines.append(f"\n{_day(slot.when)} {slot.when:%H:%M}  {slot.session}"
                     f"{'  (one-off)' if slot.one_off else ''}  → {', '.join(slot.zones)}")
        lines.append(f"  jingle, greeting, sign-off, jingle: {plan.wrapper.seconds:5.1f} s ({plan.wrapper.source})")
        for n, item in enumerate(plan.items, 1):
            b = item.bulletin
            label = "" if b.priority.value == "normal" else f"  [{b.priority.label}]"
            lines.append(f"  {n:2}. {b.id:28} {item.duration.seconds:6.1f} s ({item.duration.source})  {b.title}{label}")
            lines += [f"      warning: built audio fell back to a lesser voice: {w}" for w in item.fallback_warnings]
        if not plan.items:
            lines.append("  (no bulletin's air window covers this date: nothing to air)")
        lines.append(f"  total {_minutes(plan.total_s)} of the {plan.cap_s / 60:g}-minute cap")
        for h in plan.held_over:
            lines.append(f"  held over: {h.bulletin.id} — {h.reason}")
            nxt = h.next_airs
            lines.append(f"      next airs: {_day(nxt.when)} {nxt.when:%H:%M} {nxt.session}" if nxt
                         else "      will not air again within its air window under the caps")
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
    from broadcast.app.schedule import check_schedule  # loads the audio stack (seconds): only when run

    settings = click.get_current_context().obj.settings
    click.echo(format_check(check_schedule(settings, count, start), settings.schedule_file))


COMMANDS = [schedule]
