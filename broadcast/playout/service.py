"""`broadcast run`: the runner on APScheduler in the station's timezone, the control socket, and a clean stop.

APScheduler only triggers: each slot gets a DateTrigger job `LEAD_S` before air (the runner waits
for the exact instant) and a pre-roll job `preroll_minutes` before; jobs are planned two days ahead
and re-planned hourly, from schedule.py's expansion (so skipped dates and one-offs have one home).
Scheduler settings are explicit: timezone = the station's (machines run in UTC), coalesce = True,
max_instances = 1, misfire_grace_time = the schedule's grace. A job the scheduler itself misses is
logged `missed` through the runner; slots missed while the service was down are found by
`Runner.recover` on start.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from broadcast.playout.clock import Clock
from broadcast.playout.control import SOCKET_NAME, ControlServer
from broadcast.playout.programme import take_from_file
from broadcast.playout.runner import LEAD_S, Runner
from broadcast.playout.sinks import Sink, make_sink
from broadcast.schedule import Schedule, Slot, expand

log = logging.getLogger(__name__)
HORIZON = timedelta(days=2)


def build_sinks(schedule: Schedule, clock: Clock, base_dir: Path | None = None) -> dict[str, Sink]:
    """One sink per distinct `sink:` entry; zones with the same entry share it (one play)."""
    made: dict[str, Sink] = {}
    out = {}
    for zone_id, zone in schedule.zones.items():
        key = json.dumps(zone.sink.model_dump(mode="json"), sort_keys=True)
        if key not in made:
            made[key] = make_sink(zone.sink, clock, fade_s=schedule.playout.fade_s, base_dir=base_dir)
        out[zone_id] = made[key]
    return out


class Service:
    def __init__(self, runner: Runner, tz, data_dir: Path, control: bool = True) -> None:
        self.runner = runner
        self.tz = tz
        self.data_dir = Path(data_dir)
        self._slots: dict[str, Slot] = {}
        self._planned: set[str] = set()
        self._threads: list[threading.Thread] = []
        grace = max(1, int(runner.playout.grace_minutes * 60))
        self.scheduler = BackgroundScheduler(
            timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace})
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.control = ControlServer(self.data_dir / SOCKET_NAME, self.handle) if control else None

    def start(self) -> None:
        if self.control:
            self.control.start()
        self.scheduler.start()
        late = self.runner.recover()
        if late is not None:
            self._slots[late.key] = late
            self._planned.add(late.key)
            self.scheduler.add_job(self.runner.run_slot, args=[late], id=f"air:{late.key}", name=f"late {late.key}",
                                   misfire_grace_time=None)
        self.plan_jobs()
        self.scheduler.add_job(self.plan_jobs, IntervalTrigger(hours=1, timezone=self.tz), id="replan",
                               misfire_grace_time=None)

    def plan_jobs(self) -> list[Slot]:
        """Add jobs for the slots of the next two days not yet planned."""
        now = self.runner.clock.now()
        added = []
        for slot in expand(self.runner.schedule, now, now + HORIZON, self.tz):
            if slot.key in self._planned:
                continue
            self._planned.add(slot.key)
            self._slots[slot.key] = slot
            air_at = max(slot.when - timedelta(seconds=LEAD_S), now)
            pre_at = max(slot.when - timedelta(minutes=self.runner.playout.preroll_minutes), now)
            self.scheduler.add_job(self.runner.preroll, DateTrigger(pre_at, timezone=self.tz), args=[slot],
                                   id=f"pre:{slot.key}", name=f"pre-roll {slot.key}", misfire_grace_time=None,
                                   replace_existing=True)
            self.scheduler.add_job(self.runner.run_slot, DateTrigger(air_at, timezone=self.tz), args=[slot],
                                   id=f"air:{slot.key}", name=f"air {slot.key}", replace_existing=True)
            added.append(slot)
        return added

    def _on_missed(self, event: JobExecutionEvent) -> None:
        if not event.job_id.startswith("air:"):
            return
        slot = self._slots.get(event.job_id[4:])
        if slot:
            late = (self.runner.clock.now() - slot.when).total_seconds() / 60
            self.runner.log_missed(slot, f"the scheduler woke {late:.0f} min after the slot (machine asleep or "
                                         f"overloaded), beyond the {self.runner.playout.grace_minutes:g}-minute grace period")

    # -- control requests ------------------------------------------------------------------------

    def handle(self, message: dict) -> dict:
        cmd = message.get("cmd")
        if cmd == "status":
            status = self.runner.status()
            status["next"] = [{"slot": j.next_run_time.isoformat(timespec="seconds"), "job": j.name}
                              for j in sorted(self.scheduler.get_jobs(), key=lambda j: j.next_run_time)
                              if j.id.startswith("air:")][:5]
            return {"ok": True, "status": status}
        if cmd == "play":
            path = Path(message.get("path", ""))
            priority = message.get("priority", "normal")
            if priority not in ("normal", "priority", "emergency"):
                return {"ok": False, "error": f"unknown priority '{priority}'"}
            if not path.is_absolute() or not path.is_file():
                return {"ok": False, "error": f"{path}: not an absolute path to an audio file"}
            zones = message.get("zones") or None
            unknown = [z for z in zones or () if z not in self.runner.sinks]
            if unknown:
                return {"ok": False, "error": f"unknown zones: {', '.join(unknown)}"}
            take = take_from_file(path, title=message.get("title"), priority=priority)
            on_air = self.runner.status()["on_air"]
            t = threading.Thread(target=self.runner.play, args=(take, priority, zones), name=f"play {path.name}")
            t.start()
            self._threads.append(t)
            return {"ok": True, "accepted": True,
                    "interrupting": on_air["session"] if on_air and priority == "emergency" else None}
        return {"ok": False, "error": f"unknown cmd '{cmd}'; use status or play"}

    def stop(self, reason: str = "service stopped (SIGTERM)") -> None:
        """Fade out what airs, log it, stop scheduling; returns when the log rows are written."""
        self.runner.stop(reason)
        if self.control:
            self.control.stop()
        self.scheduler.shutdown(wait=True)
        for t in self._threads:
            t.join(10)
