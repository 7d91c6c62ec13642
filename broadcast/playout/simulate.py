"""One broadcast day on a simulated clock, through the real runner, into file sinks and a Logbook — the demo.

The clock jumps over idle time and runs `speedup` times faster while audio plays; building audio
takes no simulated time (the pre-roll would have done it half an hour earlier anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from broadcast.asrun import AsRunLog, AsRunRecord
from broadcast.config import Settings
from broadcast.playout.clock import SimClock
from broadcast.playout.programme import StationPreparer
from broadcast.playout.runner import LEAD_S, Runner
from broadcast.playout.sinks.file import FileSink
from broadcast.schedule import Schedule, expand, load_schedule, schedule_tz


@dataclass(frozen=True)
class AiredItem:
    """One row of what the day aired (or did not), for printing."""

    scheduled: datetime
    start: datetime | None
    end: datetime | None
    session: str
    zones: tuple[str, ...]
    sink: str
    bulletin_id: str
    title: str
    priority: str
    outcome: str
    reason: str

    @classmethod
    def from_record(cls, r: AsRunRecord) -> AiredItem:
        return cls(r.scheduled, r.start, r.end, r.session, r.zones, r.sink, r.bulletin_id, r.title, r.priority,
                   r.outcome.value, r.reason)


def simulate_day(settings: Settings, day: date, speedup: float = 600.0, out_dir: Path | None = None, *,
                 schedule: Schedule | None = None, log: AsRunLog | None = None) -> list[AiredItem]:
    """Run `day`'s slots with every zone on a file sink under `out_dir`; log into `out_dir`/asrun.sqlite
    (or `log`). Returns what aired, in log order."""
    schedule = schedule or load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    out_dir = Path(out_dir or settings.data_dir / "simulate" / day.isoformat())
    out_dir.mkdir(parents=True, exist_ok=True)
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    clock = SimClock(start, speedup)
    sinks, by_spec = {}, {}
    for zone_id, zone in schedule.zones.items():
        key = zone.sink.model_dump_json()
        if key not in by_spec:
            by_spec[key] = FileSink(out_dir / zone_id, clock=clock, fade_s=schedule.playout.fade_s)
        sinks[zone_id] = by_spec[key]
    own_log = None
    if log is None:
        from broadcast.logbook import Logbook

        log = own_log = Logbook(out_dir / "asrun.sqlite")
    try:
        runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule), sinks=sinks, log=log,
                        clock=clock, state_path=None, tz=tz)
        for slot in expand(schedule, start, start + timedelta(days=1), tz):
            clock.set(slot.when - timedelta(minutes=schedule.playout.preroll_minutes))
            runner.preroll(slot)
            clock.set(slot.when - timedelta(seconds=LEAD_S))
            runner.run_slot(slot)
    finally:
        if own_log is not None:
            own_log.close()
    items = [AiredItem.from_record(r) for r in runner.history]
    return sorted(items, key=lambda i: (i.scheduled, i.zones, i.start or i.scheduled))


def format_table(items: list[AiredItem]) -> str:
    rows = [("slot", "start", "end", "session", "zones", "outcome", "bulletin", "title / reason")]
    for i in items:
        hm = lambda t: t.strftime("%H:%M:%S") if t else "—"  # noqa: E731
        text = i.title if i.outcome in ("played", "late") else f"{i.title} — {i.reason}"
        rows.append((i.scheduled.strftime("%H:%M"), hm(i.start), hm(i.end), i.session, ",".join(i.zones),
                     i.outcome, i.bulletin_id, text[:90]))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(r, widths)), r[-1]]).rstrip() for r in rows)
