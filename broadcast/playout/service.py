"""`broadcast run`: the runner on APScheduler in the station's timezone, the control socket, and a clean stop.

APScheduler only triggers: each slot gets a DateTrigger job `LEAD_S` before air (the runner waits
for the exact instant) and a pre-roll job `preroll_minutes` before; jobs are planned two days ahead
and re-planned hourly, from schedule.py's expansion (so skipped dates and one-offs have one home).
Scheduler settings are explicit: timezone = the station's (machines run in UTC), coalesce = True,
max_instances = 1, misfire_grace_time = the schedule's grace. A job the scheduler itself misses is
logged `missed` through the runner; slots missed while the service was down are found by
`Runner.recover` on start.

Reload: schedule.yaml and station.yaml are re-read when their modification time changes, checked at
the hourly re-plan, and always on a `{"cmd": "reload"}` control request (and SIGHUP, which `broadcast
run` turns into a reload). Each file is validated first, on its own; an invalid edit keeps the old
schedule (or the old station settings) and the problems are logged (and returned to the control
client, which gets ok=false when either file was refused). A valid schedule.yaml replaces the
schedule, the caps, the playout policy and the zones' sinks; slots of the next two days that are gone
or changed have their jobs removed or replaced, new ones are planned. A valid station.yaml replaces
the settings the pre-roll builds with (speech engine, voice, rate, fallback, lexicon, loudness and
peak targets, jingle, greeting and sign-off, station name): the next pre-roll uses them; the reply
and the log name the keys that changed. What is on air carries on.

Two kinds of station.yaml change need a restart and are refused on reload, keeping the old settings
whole (like a timezone change in schedule.yaml): `station.timezone` (every planned job, the recovery
of missed slots and the log's local times are in the timezone the service started with; replanning
them live is not worth the risk of a slot firing at the wrong hour) and `paths` (the as-run log, the
control socket, the state file and the schedule file are open or watched where they were). The
message says "restart the service" (systemctl restart broadcast).

Which station.yaml: the one given as `settings_file` (`broadcast run` passes its --settings); else
$BROADCAST_SETTINGS; else ./station.yaml, as load_settings finds it. The settings reloaded are those of the runner's preparer (or `settings`); a
service without either (tests with a fixed take) reloads only schedule.yaml.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Callable

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from broadcast.config import SETTINGS_ENV, SETTINGS_FILE, Settings, load_settings
from broadcast.playout.clock import Clock
from broadcast.playout.control import SOCKET_NAME, ControlServer
from broadcast.playout.instant import LiveCopy, LiveTake, prepare_emergency
from broadcast.playout.live import StandbyDecoder
from broadcast.playout.programme import take_from_file
from broadcast.asrun import reasons
from broadcast.asrun.reasons import STOPPED_SIGTERM
from broadcast.playout.runner import LEAD_S, Runner
from broadcast.playout.sinks import Sink, make_sink
from broadcast.errors import UserError
from broadcast.schedule.model import Schedule
from broadcast.schedule.slots import Slot, expand
from broadcast.schedule.validation import load_schedule

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


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        st = path.stat() if path else None
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if st else None


def _changes(old, new) -> list[str]:
    """The dotted keys whose values differ between two settings models (e.g. 'speech.engine')."""
    def flat(doc, prefix=""):
        out = {}
        for key, value in doc.items():
            if isinstance(value, dict) and value:
                out.update(flat(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    a, b = flat(old.model_dump(mode="json")), flat(new.model_dump(mode="json"))
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


class Service:
    def __init__(self, runner: Runner, tz, data_dir: Path, control: bool = True, *,
                 schedule_file: Path | None = None, make_sinks: Callable[[Schedule], dict[str, Sink]] | None = None,
                 settings: Settings | None = None, settings_file: Path | str | None = None) -> None:
        self.runner = runner
        self.tz = tz
        self.data_dir = Path(data_dir)
        self.schedule_file = Path(schedule_file) if schedule_file else None
        self.make_sinks = make_sinks
        self._stamp = self._file_stamp()
        self.settings: Settings | None = settings or getattr(runner.preparer, "settings", None)
        self.settings_file, self._settings_explicit = self._find_settings_file(settings_file)
        self._settings_stamp = _stamp(self.settings_file)
        self._reload_lock = threading.RLock()
        self._slots: dict[str, Slot] = {}
        self._planned: set[str] = set()
        self._threads: list[threading.Thread] = []
        grace = max(1, int(runner.playout.grace_minutes * 60))
        self.scheduler = BackgroundScheduler(
            timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace})
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.control = ControlServer(self.data_dir / SOCKET_NAME, self.handle) if control else None
        # An ffmpeg waiting for the next emergency's file: its start is not paid when every ms counts.
        self.standby = StandbyDecoder(self.settings.audio.sample_rate) if self.settings is not None else None

    def start(self) -> None:
        if self.standby is not None:
            self.standby.warm()
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
        self.scheduler.add_job(self.hourly, IntervalTrigger(hours=1, timezone=self.tz), id="replan",
                               misfire_grace_time=None)
        # Rows the as-run log refused (disk full, ...) are retried even when nothing airs.
        self.scheduler.add_job(self.runner.flush_log, IntervalTrigger(minutes=1, timezone=self.tz), id="flush-log",
                               misfire_grace_time=None)

    def hourly(self) -> None:
        """The hourly re-plan: re-read schedule.yaml if it changed, then plan the next two days."""
        self.reload(force=False)
        self.plan_jobs()

    # -- reloading schedule.yaml ---------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int] | None:
        return _stamp(self.schedule_file)

    def reload(self, force: bool = True) -> dict:
        """Re-read station.yaml and schedule.yaml (if `force` or they changed); validate, then apply
        each. Returns the control reply: the schedule's keys at the top, the station's under "station"."""
        if self.schedule_file is None and self.settings_file is None:
            return {"ok": False, "error": "this service was not started from a schedule file; nothing to reload"}
        with self._reload_lock:
            station = self._reload_station(force) if self.settings_file is not None else None
            reply = self._reload_schedule(force) if self.schedule_file is not None else {"ok": True, "reloaded": False}
            if station is None:
                return reply
            reply["station"] = station
            if not station["reloaded"] and station.get("error"):
                errors = [reply["error"]] if not reply["ok"] else []
                reply.update(ok=False, error="; ".join(errors + [station["error"]]),
                             problems=reply.get("problems", []) + station["problems"])
            return reply

    def _reload_schedule(self, force: bool) -> dict:
        stamp = self._file_stamp()
        if not force and stamp == self._stamp:
            return {"ok": True, "reloaded": False}
        self._stamp = stamp  # an invalid edit is reported once, not every hour
        try:
            schedule = load_schedule(self.schedule_file)
            if schedule.timezone and schedule.timezone != str(self.tz):
                raise UserError(f"{self.schedule_file}: timezone changed to {schedule.timezone}: restart the service for that")
        except UserError as exc:
            for problem in exc.problems:
                log.error("schedule.yaml not reloaded, the old schedule stays: %s", problem)
            return {"ok": False, "error": f"{self.schedule_file} has errors; the old schedule stays",
                    "problems": exc.problems}
        sinks = self.make_sinks(schedule) if self.make_sinks else None
        self.runner.apply_schedule(schedule, sinks)
        removed, changed = self._drop_stale_jobs()
        added = self.plan_jobs()
        log.info("schedule.yaml reloaded: %d slots planned, %d removed, %d changed in the next two days",
                 len(added), len(removed), len(changed))
        return {"ok": True, "reloaded": True, "added": [s.key for s in added if s.key not in changed],
                "removed": removed, "changed": changed}

    # -- reloading station.yaml ------------------------------------------------------------------

    def _find_settings_file(self, given: Path | str | None) -> tuple[Path | None, bool]:
        """(the station.yaml to watch, whether it was named explicitly); None when there are no station
        settings to reload or the file cannot be told for sure."""
        if self.settings is None:
            return None, False
        explicit = given or os.environ.get(SETTINGS_ENV)
        file = Path(explicit) if explicit else Path.cwd() / SETTINGS_FILE
        file = file.expanduser().absolute()
        if file.resolve().parent != Path(self.settings.base_dir).resolve():
            log.warning("station.yaml will not be reloaded: %s is not the file these settings came from "
                        "(their folder is %s); restart the service after editing station settings",
                        file, self.settings.base_dir)
            return None, False
        return file, bool(explicit)

    def _load_station(self) -> Settings:
        if self._settings_explicit or self.settings_file.exists():
            return load_settings(self.settings_file)
        return Settings(base_dir=self.settings_file.parent)  # no station.yaml (any more): the defaults, as at start

    def _reload_station(self, force: bool) -> dict | None:
        """None when the file did not change (and not `force`); else what happened, for the reply."""
        stamp = _stamp(self.settings_file)
        if not force and stamp == self._settings_stamp:
            return None
        self._settings_stamp = stamp  # an invalid edit is reported once, not every hour
        old = self.settings
        name = self.settings_file
        try:
            new = self._load_station()
            problems = []
            if new.station.timezone != old.station.timezone:
                problems.append(f"{name}: station.timezone changed from {old.station.timezone} to "
                                f"{new.station.timezone}: restart the service for that (systemctl restart broadcast)")
            if new.paths != old.paths or Path(new.base_dir).resolve() != Path(old.base_dir).resolve():
                problems.append(f"{name}: paths changed ({', '.join(_changes(old.paths, new.paths)) or 'base folder'}): "
                                f"restart the service for that (systemctl restart broadcast)")
            if problems:
                raise UserError(problems)
        except UserError as exc:
            for problem in exc.problems:
                log.error("station.yaml not reloaded, the old settings stay: %s", problem)
            return {"reloaded": False, "error": f"{name} has errors; the old station settings stay",
                    "problems": exc.problems}
        changed = _changes(old, new)
        self.settings = new
        if hasattr(self.runner.preparer, "settings"):
            self.runner.preparer.settings = new  # the next pre-roll builds with them
        log.info("station.yaml reloaded: %s", ", ".join(changed) + " changed" if changed else "no change")
        return {"reloaded": True, "changed": changed}

    def _drop_stale_jobs(self) -> tuple[list[str], list[str]]:
        """Unplan the future slots the new schedule no longer has (or has changed); `plan_jobs` re-adds changed ones."""
        now = self.runner.clock.now()
        fresh = {s.key: s for s in expand(self.runner.schedule, now, now + HORIZON, self.tz)}
        removed, changed = [], []
        for key, slot in list(self._slots.items()):
            if slot.when <= now + timedelta(seconds=LEAD_S) or fresh.get(key) == slot:
                continue
            try:
                self.scheduler.remove_job(f"air:{key}")
            except JobLookupError:
                continue  # already firing: it airs as planned
            try:
                self.scheduler.remove_job(f"pre:{key}")
            except JobLookupError:
                pass
            self._planned.discard(key)
            self._slots.pop(key, None)
            (changed if key in fresh else removed).append(key)
        return removed, changed

    def plan_jobs(self) -> list[Slot]:
        """Add jobs for the slots of the next two days not yet planned."""
        with self._reload_lock:
            return self._plan_jobs()

    def _plan_jobs(self) -> list[Slot]:
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
            self.runner.log_missed(slot, reasons.timer_beyond_grace(late, self.runner.playout.grace_minutes))

    # -- control requests ------------------------------------------------------------------------

    def next_slots(self, n: int = 5) -> list[dict]:
        """The next sessions on the air jobs, at their slot time (the jobs themselves fire a little early)."""
        jobs = sorted((j for j in self.scheduler.get_jobs() if j.id.startswith("air:")), key=lambda j: j.next_run_time)
        return [{"slot": j.args[0].when.isoformat(timespec="seconds"), "session": j.args[0].session, "job": j.name}
                for j in jobs[:n]]

    def probe_sinks(self) -> dict[str, dict]:
        """Each distinct sink: can it be reached now (a quick look: sound server, Icecast port, folder)."""
        out = {}
        for sink in {id(s): s for s in self.runner.sinks.values()}.values():
            try:
                why = sink.probe() if hasattr(sink, "probe") else None
            except Exception as exc:  # noqa: BLE001 - a probe must not break the status reply
                why = f"{type(exc).__name__}: {exc}"
            out[sink.label] = {"reachable": why is None, "detail": why or ""}
        return out

    def handle(self, message: dict) -> dict:
        cmd = message.get("cmd")
        if cmd == "status":
            status = self.runner.status()
            status["next"] = self.next_slots()
            status["sinks"] = self.probe_sinks()
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
                return {"ok": False, "error": f"unknown zones: {', '.join(unknown)} "
                                              f"(the service's zones: {', '.join(self.runner.sinks)})"}
            levelling = None
            try:
                if message.get("level"):
                    take, levelling = self._levelled_take(path, message.get("title"))
                else:
                    take = take_from_file(path, title=message.get("title"), priority=priority)
            except UserError as exc:
                return {"ok": False, "error": "; ".join(exc.problems)}
            on_air = self.runner.on_air_session()
            t = threading.Thread(target=self.runner.play, args=(take, priority, zones), name=f"play {path.name}")
            t.start()
            self._threads.append(t)
            return {"ok": True, "accepted": True, "levelling": levelling,
                    "interrupting": on_air if priority == "emergency" else None}
        if cmd == "reload":
            return self.reload(force=True)
        return {"ok": False, "error": f"unknown cmd '{cmd}'; use status, play or reload"}

    def _levelled_take(self, path: Path, title: str | None):
        """`level: true` (an emergency sent as the user's file): the kept copy or the station's own audio as
        they are, else the file levelled as it airs (broadcast.playout.instant.prepare_emergency)."""
        if self.settings is None:
            raise UserError("this service has no station settings to level audio with; send a levelled file")
        if self.standby is not None and self.standby.rate != self.settings.audio.sample_rate:  # station.yaml reloaded
            self.standby.close()
            self.standby = StandbyDecoder(self.settings.audio.sample_rate)
        prepared = prepare_emergency(path, self.settings, self.standby)
        if isinstance(prepared, LiveCopy):
            for problem in [prepared.storage_problem] if prepared.storage_problem else []:
                log.warning("%s", problem)
            kept = prepared.files.wav if prepared.files else None
            return LiveTake.of(prepared, title), {"live": True, "copy": str(kept) if kept else None,
                                                  "first_audio_s": round(prepared.started_s, 3),
                                                  "warning": prepared.storage_problem}
        return take_from_file(prepared.path, title=title), {"live": False, "copy": str(prepared.path),
                                                             "made": prepared.made}

    def stop(self, reason: str = STOPPED_SIGTERM) -> None:
        """Fade out what airs, log it, stop scheduling; returns when the log rows are written."""
        self.runner.stop(reason)
        if self.control:
            self.control.stop()
        self.scheduler.shutdown(wait=True)
        for t in self._threads:
            t.join(10)
        if self.standby is not None:
            self.standby.close()
        self.runner.flush_log()  # a last try; what is still refused is in log_status() for the exit code
