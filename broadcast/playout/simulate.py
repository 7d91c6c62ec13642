"""One broadcast day on a simulated clock, through the real runner, into file sinks and an as-run log — the demo.

The clock jumps over idle time and runs `speedup` times faster while audio plays; building audio
takes no simulated time (the pre-roll would have done it half an hour earlier anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from broadcast.asrun import AsRunLog, AsRunRecord, open_log
from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.playout.clock import SimClock
from broadcast.playout.programme import StationPreparer
from broadcast.playout.runner import Runner
from broadcast.playout.sinks.file import FileSink
from broadcast.schedule.model import Schedule
from broadcast.schedule.slots import expand, schedule_tz
from broadcast.schedule.validation import load_schedule


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


@dataclass
class SimulatedDay:
    """What a simulated day did: the sessions it had, every attempt, and whether the log holds them all."""

    day: date
    sessions: int  # slots of the day in the schedule
    items: list[AiredItem]
    log_path: Path | None  # None when the caller gave its own log
    log: dict  # Runner.log_status(): ok, unwritten, error, since

    @property
    def cut_short(self) -> list[AiredItem]:
        """Attempts that failed or stopped part way."""
        return [i for i in self.items if i.outcome in ("failed", "interrupted")]


def simulate_day(settings: Settings, day: date, speedup: float = 600.0, out_dir: Path | None = None, *,
                 schedule: Schedule | None = None, log: AsRunLog | None = None) -> SimulatedDay:
    """Run `day`'s slots with every zone on a file sink under `out_dir`; log into `out_dir`/asrun.sqlite
    (or `log`). Every attempt is in the result, in log order, whether or not the log could be written."""
    schedule = schedule or load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    out_dir = Path(out_dir or settings.data_dir / "simulate" / day.isoformat())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot write the simulated day here ({exc.strerror or exc})") from None
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    clock = SimClock(start, speedup)
    sinks, by_spec = {}, {}
    for zone_id, zone in schedule.zones.items():
        key = zone.sink.model_dump_json()
        if key not in by_spec:
            by_spec[key] = FileSink(out_dir / zone_id, clock=clock, fade_s=schedule.playout.fade_s)
        sinks[zone_id] = by_spec[key]
    own_log = None
    log_path = None
    if log is None:
        log_path = out_dir / "asrun.sqlite"
        log = own_log = open_log(settings, path=log_path)
    slots = expand(schedule, start, start + timedelta(days=1), tz)
    try:
        runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule), sinks=sinks, log=log,
                        clock=clock, state_path=None, tz=tz)
        for slot in slots:
            # The clock stands still while the slot is prepared and started (see SimClock.set): what the log
            # says of a slot's timing is then what the service would do, not how busy this machine is.
            clock.set(slot.when - timedelta(minutes=schedule.playout.preroll_minutes), hold=True)
            runner.preroll(slot)
            clock.set(slot.when, hold=True)
            runner.run_slot(slot)
        runner.flush_log()  # one last try for rows the log refused
    finally:
        if own_log is not None:
            own_log.close()
    items = [AiredItem.from_record(r) for r in runner.history]
    items.sort(key=lambda i: (i.scheduled, i.zones, i.start or i.scheduled))
    return SimulatedDay(day, len(slots), items, log_path, runner.log_status())


def format_table(items: list[AiredItem]) -> str:
    rows = [("slot", "start", "end", "session", "zones", "outcome", "bulletin", "title / reason")]
    for i in items:
        hm = lambda t: t.strftime("%H:%M:%S") if t else "—"  # noqa: E731
        text = i.title if i.outcome in ("played", "late") else f"{i.title} — {i.reason}"
        rows.append((i.scheduled.strftime("%H:%M"), hm(i.start), hm(i.end), i.session, ",".join(i.zones),
                     i.outcome, i.bulletin_id, text[:90]))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(r, widths)), r[-1]]).rstrip() for r in rows)


def day_problems(result: SimulatedDay) -> tuple[list[str], list[str]]:
    """(warnings, errors) to print under the table: attempts that failed, and rows the log could not keep."""
    warnings, errors = [], []
    if result.cut_short:
        reasons = list(dict.fromkeys(i.reason for i in result.cut_short))
        warnings.append(f"{len(result.cut_short)} of {len(result.items)} attempts failed or were cut short: "
                        + " | ".join(reasons[:3])
                        + (f" (and {len(reasons) - 3} other reasons)" if len(reasons) > 3 else ""))
    if not result.log["ok"]:
        where = result.log_path or "the as-run log"
        errors.append(f"{where}: {result.log['unwritten']} of {len(result.items)} rows could not be written to the "
                      f"as-run log ({result.log['error']}); they are shown above but are not in the evidence")
    return warnings, errors

