"""The runner: plays slots and instant requests on the zones' sinks, with the station's named policies, and logs every item.

It knows nothing of APScheduler or sockets (`service` wires those); time comes from an injected
clock, so the same code runs on the wall clock (`broadcast run`) and on a simulated one (`simulate`).

Policies (the README repeats them):
- Pre-roll: `preroll(slot)` builds the programme `playout.preroll_minutes` before air; at air time
  the built audio is used, so a slow or failing speech engine never delays a slot. If the pre-roll
  did not happen (service just started), the slot builds at air time and may start late.
- Misfire: a slot starting within `on_time_tolerance_s` is `played`; within `grace_minutes` it plays
  from the beginning (never mid-file) and its items are logged `late`; beyond, they are logged
  `missed` with the reason. Slots missed while the service was down are found on start from the state
  file (data/playout-state.json: the last slot handled): at most one late run — the latest slot
  within grace — and every other one is logged `missed` (coalescing). On the very first start (no state
  file) only the grace period is looked back over: a slot in it that the log does not hold airs late.
- Priority: the programme puts emergency, then priority, then normal bulletins first (schedule.py).
- Emergency: `play(..., priority="emergency")` stops what is airing within 1 s with a short fade
  (the item in progress is logged `interrupted`), then airs on every zone. The interrupted session
  is NOT resumed: its items not yet started are logged `missed` ("chưa đến lượt phát: …; phiên
  không phát tiếp"); being still on air, they air at their next session. Other instant plays wait for the
  air to be free.
- Sink failure: a sink that fails before 2 s of audio is retried up to `sink_tries` times within
  `sink_retry_within_s`, then its items are logged `failed` with every reason. A sink that fails later
  is not restarted (that would repeat the start): items already out are `played`, the one in
  progress `interrupted`, the rest `failed`. Whatever a sink raises (SinkError, a raw OSError such as
  a full disk, a bug) counts as a failure: no exception leaves a sink thread without its rows.
- Log failure: a row the as-run log refuses (disk full, read-only) is kept in memory with the rows
  after it, in order, and retried (at the next row and by `flush_log`); an ALERT goes to the journal
  once per error, and `status()["log"]` says how many rows wait and why. Air never stops for it.
- Shutdown (SIGTERM): like an emergency stop with reason "dịch vụ phát thanh dừng (SIGTERM)": fade,
  `interrupted`, the rest `missed`. A crash mid-session leaves a "playing" mark in the state file; on start its
  items are logged `interrupted` (progress unknown).
- Overlap: a scheduled slot never airs on a zone where another slot aired less than
  `caps.minutes_per_session` earlier (validation forbids such schedules); those zones get `missed`
  rows saying so, and the same slot run twice airs and logs nothing the second time.
- Every reason written into the log is Vietnamese (evidence for the reports); technical detail (an
  ffmpeg or pacat message) follows a Vietnamese lead as it is.
- Priority logged for an instant play is the one requested (`play(..., priority=)`), not the build's.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Mapping, Sequence

from broadcast.asrun import AsRunLog, AsRunRecord, Outcome, reasons
from broadcast.asrun.reasons import STOPPED_SIGTERM
from broadcast.atomic import staged
from broadcast.playout.clock import Clock, sleep_until
from broadcast.playout.programme import ItemInfo, Prepared, Preparer, Take
from broadcast.playout.sinks import PlayReport, Sink, SinkError, StopSignal
from broadcast.schedule.misfire import Timing, recover, timing
from broadcast.schedule.model import Schedule
from broadcast.schedule.planning import SlotPlan
from broadcast.schedule.slots import Slot, expand

log = logging.getLogger(__name__)

LEAD_S = 2.0  # slot jobs fire this early so sinks are ready (decoded, connected) at the slot
RESTART_LIMIT_S = 2.0  # a sink failing before this much audio is retried from the start
EMERGENCY_SESSION = "khẩn cấp"
INSTANT_SESSION = "phát ngay"
STATE_FILE = "playout-state.json"
BUILD_NICE = 10  # the pre-roll build's niceness (per thread on Linux): air first, building second

# Reasons written into the as-run log are Vietnamese: inspectors read them and the reports copy them.


@dataclass(frozen=True)
class GroupResult:
    """What one sink did with the slot's takes."""

    sink: str
    zones: tuple[str, ...]
    records: list[AsRunRecord]


class StateStore:
    """The last slot handled and the session on air, in a small JSON file written atomically."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def load(self) -> dict:
        if not self.path:
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def update(self, **changes) -> None:
        if not self.path:
            return
        with self._lock:
            state = self.load() | changes
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with staged(self.path) as tmp:
                tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")


def item_records(
    slot: Slot, item: ItemInfo, take: Take, *, outcome: Outcome, report: PlayReport | None, reason: str = "",
    error: str = "", zones: tuple[str, ...], sink: str,
) -> AsRunRecord:
    """The log row of one item of one take on one sink, from how far the sink got.

    `outcome` is what a fully aired item gets (played or late, with `reason` for late); `error` is
    the sink's failure, if any.
    """
    base = dict(scheduled=slot.when, bulletin_id=item.bulletin_id, title=item.title, topic=item.topic,
                priority=item.priority, session=slot.session, zones=zones, sink=sink,
                audio_sha256=take.audio_sha256, text_sha256=item.text_sha256, spoken_text=item.spoken_text,
                engine=item.engine, voice=item.voice)
    if report is None or report.start is None:
        if error:
            return AsRunRecord(outcome=Outcome.failed, reason=error, **base)
        why = (report.reason if report else "") or reason
        return AsRunRecord(outcome=Outcome.missed, reason=reasons.not_started(why), **base)
    start = report.start + timedelta(seconds=item.start_s)
    if report.completed or report.seconds >= item.end_s - 0.05:
        return AsRunRecord(outcome=outcome, start=start, end=report.start + timedelta(seconds=item.end_s),
                           reason=reason if outcome == Outcome.late else "", **base)
    why = error or report.reason or reason
    if report.seconds > item.start_s:
        return AsRunRecord(outcome=Outcome.interrupted, start=start,
                           end=report.start + timedelta(seconds=report.seconds), reason=why, **base)
    if error:
        return AsRunRecord(outcome=Outcome.failed, reason=error, **base)
    return AsRunRecord(outcome=Outcome.missed, reason=reasons.not_reached(why), **base)


class Runner:
    def __init__(
        self, *, schedule: Schedule, preparer: Preparer, sinks: Mapping[str, Sink], log: AsRunLog, clock: Clock,
        state_path: Path | None = None, tz=None,
    ) -> None:
        self.schedule = schedule
        self.playout = schedule.playout
        self.preparer = preparer
        self.sinks = dict(sinks)
        self.log = log
        self.clock = clock
        self.tz = tz
        self.state = StateStore(state_path)
        self._prepared: dict[str, Prepared] = {}
        self._air = threading.Lock()
        self._log_lock = threading.Lock()
        self._emergencies = 0
        self._emergency_lock = threading.Lock()
        self._current: tuple[Slot, StopSignal, datetime] | None = None
        self._zone_slots: dict[str, Slot] = {}  # the last scheduled slot aired on each zone
        self.stopping = StopSignal()
        self.history: list[AsRunRecord] = []  # what this runner logged (status, simulate)
        self._unwritten: list[AsRunRecord] = []  # rows the log refused (disk full, ...), retried in order
        self.log_trouble: dict | None = None  # the log's current failure: {"error", "since"}

    # -- logging -------------------------------------------------------------------------------

    def _append(self, records: Sequence[AsRunRecord]) -> None:
        with self._log_lock:
            for r in records:
                self.history.append(r)
                self._unwritten.append(r)
                # What did not air goes to the service's output (the journal) too, not only to the log:
                # a loudspeaker cluster that is down must be seen by whoever watches the station.
                if r.outcome in (Outcome.failed, Outcome.missed, Outcome.interrupted):
                    log.warning("%s %s %s on %s: %s — %s", r.outcome.value.upper(), r.session,
                                f"{r.scheduled:%Y-%m-%d %H:%M}", r.sink or ", ".join(r.zones),
                                r.bulletin_id or "-", r.reason)
            self._flush_locked()

    def flush_log(self) -> bool:
        """Write the rows the log refused earlier (the service retries this every minute); True when none is left."""
        with self._log_lock:
            done = self._flush_locked()
        if hasattr(self.log, "drain"):  # a SpoolingStore: its waiting rows too
            done = bool(self.log.drain()) and done
        return done

    def _flush_locked(self) -> bool:
        # Rows are written in the order they were made; after a failure the later ones wait behind it,
        # so the log never holds a row whose earlier neighbour is missing.
        while self._unwritten:
            try:
                self.log.append(self._unwritten[0])
            except Exception as exc:  # noqa: BLE001 - the log failing must not stop the air; say it loudly
                error = f"{type(exc).__name__}: {exc}"
                if self.log_trouble is None or self.log_trouble["error"] != error:
                    log.error("ALERT: the as-run log cannot be written (%s); %d row(s) kept in memory and retried "
                              "every minute: free space or fix the data folder", error, len(self._unwritten))
                    self.log_trouble = {"error": error, "since": self.clock.now().isoformat(timespec="seconds")}
                return False
            self._unwritten.pop(0)
        if self.log_trouble is not None:
            log.warning("the as-run log is written again (it failed from %s: %s)", self.log_trouble["since"],
                        self.log_trouble["error"])
            self.log_trouble = None
        return True

    @property
    def unwritten(self) -> list[AsRunRecord]:
        """Rows made but not (yet) in the log."""
        with self._log_lock:
            return list(self._unwritten)

    def log_status(self) -> dict:
        """The log's health for status and the dashboard: ok, rows waiting, the error and since when."""
        with self._log_lock:
            trouble = self.log_trouble
            health = {"ok": not self._unwritten, "unwritten": len(self._unwritten),
                      "error": trouble["error"] if trouble else None, "since": trouble["since"] if trouble else None}
        spool = self.log.status() if hasattr(self.log, "status") else None  # a SpoolingStore (broadcast.asrun.spool)
        if spool is not None and not spool.ok:
            health.update(ok=False, unwritten=health["unwritten"] + spool.pending,
                          error=health["error"] or spool.error or spool.spool_error,
                          since=health["since"] or (spool.since.isoformat(timespec="seconds") if spool.since else None),
                          spool_file=str(spool.spool_file), spool_error=spool.spool_error)
        return health

    def _rows_for_plan(self, slot: Slot, plan: SlotPlan | None, outcome: Outcome, reason: str) -> list[AsRunRecord]:
        zones = slot.zones
        sinks = ", ".join(dict.fromkeys(self.sinks[z].label for z in zones if z in self.sinks))
        if plan is None or not plan.items:
            return [AsRunRecord(scheduled=slot.when, outcome=outcome, bulletin_id="", title="(phiên không có tin)",
                                topic="", priority="normal", session=slot.session, zones=zones, sink=sinks,
                                reason=reason if plan is not None else reason + reasons.PROGRAMME_UNKNOWN)]
        return [AsRunRecord(scheduled=slot.when, outcome=outcome, bulletin_id=i.bulletin.id, title=i.bulletin.title,
                            topic=i.bulletin.topic, priority=i.bulletin.priority.value, session=slot.session,
                            zones=zones, sink=sinks, reason=reason) for i in plan.items]

    def _safe_plan(self, slot: Slot) -> SlotPlan | None:
        try:
            return self.preparer.plan(slot)
        except Exception:  # noqa: BLE001 - a missed slot is logged even if its plan cannot be made
            log.exception("could not plan %s", slot.key)
            return None

    def log_missed(self, slot: Slot, reason: str) -> None:
        """Record a slot that will not air, one row per item it would have carried."""
        self._append(self._rows_for_plan(slot, self._safe_plan(slot), Outcome.missed, reason))
        self._mark_handled(slot)

    def _mark_handled(self, slot: Slot) -> None:
        last = self.state.load().get("last_slot")
        if last is None or datetime.fromisoformat(last) < slot.when:
            self.state.update(last_slot=slot.when.isoformat(), last_session=slot.session)

    # -- pre-roll ------------------------------------------------------------------------------

    def preroll(self, slot: Slot) -> Prepared:
        """Build the slot's audio ahead of air; kept until the slot plays.

        The build runs in a thread of its own at a lower CPU priority (`BUILD_NICE`), so the sinks'
        threads and players (pacat) win the CPU while it synthesises and mixes."""
        result: list = []

        def build() -> None:
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICE)  # Linux: this thread only
            except OSError:
                pass
            try:
                result.append(self.preparer.prepare(slot))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
                result.append(exc)

        worker = threading.Thread(target=build, name=f"pre-roll {slot.key}", daemon=True)
        worker.start()
        worker.join()
        if isinstance(result[0], BaseException):
            raise result[0]
        prepared = result[0]
        self._prepared[slot.key] = prepared
        for w in prepared.warnings:
            log.warning("%s: %s", slot.key, w)
        return prepared

    # -- slots ---------------------------------------------------------------------------------

    def _acquire_air(self, emergency: bool) -> None:
        if emergency:
            self._air.acquire()
            return
        while True:  # an emergency waiting for the air goes first
            self._air.acquire()
            with self._emergency_lock:
                if self._emergencies == 0:
                    return
            self._air.release()
            time.sleep(0.02)

    def run_slot(self, slot: Slot) -> list[AsRunRecord]:
        """Air one scheduled slot (called `LEAD_S` early); returns its log rows."""
        self._acquire_air(False)
        try:
            if self.stopping.is_set():
                rows = self._rows_for_plan(slot, self._safe_plan(slot), Outcome.missed, self.stopping.reason)
                self._append(rows)
                return rows
            prepared = self._prepared.pop(slot.key, None)
            if prepared is None:
                prepared = self.preparer.prepare(slot)  # no pre-roll happened: build now, maybe late
            if sleep_until(self.clock, slot.when, self.stopping):
                rows = self._rows_for_plan(slot, prepared.plan, Outcome.missed, self.stopping.reason)
                self._append(rows)
                return rows
            now = self.clock.now()
            when = timing(slot.when, now, self.playout)
            if when == Timing.missed:
                minutes = (now - slot.when).total_seconds() / 60
                reason = reasons.start_beyond_grace(minutes, self.playout.grace_minutes)
                rows = self._rows_for_plan(slot, prepared.plan, Outcome.missed, reason)
                self._append(rows)
                self._mark_handled(slot)
                return rows
            slot, clash_rows = self._without_clashes(slot, prepared)
            if slot is None:
                return clash_rows
            outcome = Outcome.played if when == Timing.on_time else Outcome.late
            reason = "" if when == Timing.on_time else reasons.started_late((now - slot.when).total_seconds())
            return clash_rows + self._air_prepared(slot, prepared, outcome, reason)
        finally:
            self._air.release()

    def _without_clashes(self, slot: Slot, prepared: Prepared) -> tuple[Slot | None, list[AsRunRecord]]:
        """The slot minus the zones another slot already aired on within the minutes cap (schedule
        validation forbids such overlaps; this keeps a zone from airing, and the log from counting,
        the same programme twice). The zones dropped get `missed` rows (returned); slot None when nothing is left."""
        cap = timedelta(minutes=self.schedule.caps.minutes_per_session)
        clashes: dict[str, Slot] = {}
        rows: list[AsRunRecord] = []
        for z in slot.zones:
            other = self._zone_slots.get(z)
            if other is not None and abs(other.when - slot.when) < cap:
                clashes[z] = other
        if clashes:
            again = [z for z, o in clashes.items() if o.key == slot.key]
            other_slots = {o.key: o for z, o in clashes.items() if o.key != slot.key}
            for o in other_slots.values():
                zones = tuple(z for z, x in clashes.items() if x.key == o.key)
                rows += self._rows_for_plan(replace(slot, zones=zones), prepared.plan, Outcome.missed,
                                            reasons.overlapping(o.session, o.when, zones))
            self._append(rows)
            if again:  # the same slot run twice: nothing to air, nothing to log
                log.warning("%s already aired on %s; not aired or logged again", slot.key, ", ".join(again))
        left = tuple(z for z in slot.zones if z not in clashes)
        for z in left:
            self._zone_slots[z] = slot
        if not left:
            self._mark_handled(slot)
            return None, rows
        return (replace(slot, zones=left) if clashes else slot), rows

    def _air_prepared(self, slot: Slot, prepared: Prepared, outcome: Outcome, reason: str) -> list[AsRunRecord]:
        rows: list[AsRunRecord] = []
        sinks_label = ", ".join(dict.fromkeys(self.sinks[z].label for z in slot.zones if z in self.sinks))
        for h in prepared.plan.held_over:
            b = h.bulletin
            rows.append(AsRunRecord(scheduled=slot.when, outcome=Outcome.held_over, bulletin_id=b.id, title=b.title,
                                    topic=b.topic, priority=b.priority.value, session=slot.session, zones=slot.zones,
                                    sink=sinks_label, reason=h.reason))
        for s in prepared.skipped:
            rows.append(AsRunRecord(scheduled=slot.when, outcome=Outcome.failed, bulletin_id=s.bulletin_id, title=s.title,
                                    topic=s.topic, priority=s.priority, session=slot.session, zones=slot.zones,
                                    sink=sinks_label, reason=s.reason))
        if not prepared.takes and not prepared.plan.items:
            rows += self._rows_for_plan(slot, prepared.plan, Outcome.missed, reasons.NOTHING_ON_AIR)
        self._append(rows)
        rows += self._air_takes(slot, prepared.takes, outcome, reason, slot.when)
        self._mark_handled(slot)
        return rows

    def _air_takes(self, slot: Slot, takes: list[Take], outcome: Outcome, reason: str, start_at: datetime | None) -> list[AsRunRecord]:
        if not takes:
            return []
        stop = StopSignal()
        self._current = (slot, stop, self.clock.now())
        pending = [{"id": i.bulletin_id, "title": i.title, "topic": i.topic, "priority": i.priority}
                   for t in takes for i in t.items]
        self.state.update(playing={"slot": slot.when.isoformat(), "session": slot.session,
                                   "zones": list(slot.zones), "items": pending})
        # Zones sharing one sink (one sound card, one mount) are one play.
        groups: dict[int, tuple[Sink, list[str]]] = {}
        for z in slot.zones:
            sink = self.sinks.get(z)
            if sink is not None:
                groups.setdefault(id(sink), (sink, []))[1].append(z)
        results: list[GroupResult] = []
        if self.stopping.is_set():
            stop.stop(self.stopping.reason)
        watcher = threading.Thread(target=self._forward_stop, args=(stop,), daemon=True)
        watcher.start()
        threads = []
        for sink, zones in groups.values():
            t = threading.Thread(target=lambda s=sink, zs=tuple(zones): results.append(
                self._air_on_sink_safely(slot, takes, s, zs, stop, outcome, reason, start_at)), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        self._current = None
        stop.set()  # ends the watcher
        rows = [r for g in results for r in g.records]
        self._append(rows)
        self.state.update(playing=None)
        return rows

    def _forward_stop(self, stop: StopSignal) -> None:
        while not stop.is_set():
            if self.stopping.wait(0.05):
                stop.stop(self.stopping.reason)

    def _air_on_sink(self, slot, takes, sink: Sink, zones, stop: StopSignal, outcome, reason, start_at) -> GroupResult:
        records: list[AsRunRecord] = []
        for n, take in enumerate(takes):
            report, error = None, ""
            if stop.is_set():
                why = stop.reason
            else:
                why = reason
                try:
                    report = self._play_with_retry(sink, take.file_for(sink.wants), stop, start_at if n == 0 else None)
                except SinkError as exc:
                    report, error = exc.report, str(exc)
                except Exception as exc:  # noqa: BLE001 - the attempt is logged whatever went wrong
                    log.exception("playing %s on %s", take.mp3.name, sink.label)
                    report, error = None, f"{sink.label}: {reasons.describe_error(exc)}"
            take.settle()  # an emergency levelled as it aired keeps its copy: the rows name its hash
            for item in take.items:
                row = item_records(slot, item, take, outcome=outcome, report=report, reason=why, error=error,
                                   zones=zones, sink=sink.label)
                if take.note:  # a fallback file: say so in the evidence
                    row = replace(row, reason=(row.reason + "; " if row.reason else "") + take.note)
                records.append(row)
        return GroupResult(sink.label, zones, records)

    def _air_on_sink_safely(self, slot, takes, sink: Sink, zones, stop, outcome, reason, start_at) -> GroupResult:
        """`_air_on_sink`, and should even that fail, `failed` rows for every item: no attempt goes unlogged."""
        try:
            return self._air_on_sink(slot, takes, sink, zones, stop, outcome, reason, start_at)
        except Exception as exc:  # noqa: BLE001 - last line of defence of a sink thread
            log.exception("the play on %s failed", sink.label)
            why = f"{sink.label}: {reasons.describe_error(exc)}"
            rows = []
            for take in takes:
                base = dict(scheduled=slot.when, session=slot.session, zones=zones, sink=sink.label,
                            outcome=Outcome.failed, reason=why)
                try:
                    rows += [item_records(slot, i, take, outcome=Outcome.failed, report=None, error=why, zones=zones,
                                          sink=sink.label) for i in take.items]
                except Exception:  # noqa: BLE001 - a take whose manifest cannot even be read: one row for it
                    rows.append(AsRunRecord(bulletin_id=take.mp3.stem, title=take.mp3.name, topic="",
                                            priority=take.priority or "normal", **base))
            return GroupResult(sink.label, zones, rows)

    def _play_with_retry(self, sink: Sink, path: Path, stop: StopSignal, start_at) -> PlayReport:
        errors: list[str] = []
        first = self.clock.now()
        for attempt in range(self.playout.sink_tries):
            try:
                return sink.play(path, stop, start_at if attempt == 0 else None)
            except SinkError as exc:
                errors.append(str(exc))
                if exc.report and exc.report.seconds >= RESTART_LIMIT_S:
                    raise SinkError(f"{exc}{reasons.not_restarted(exc.report.seconds)}", exc.report) from None
            except Exception as exc:  # noqa: BLE001 - whatever a sink raises, the attempt is retried and logged
                log.exception("sink %s raised %s", sink.label, type(exc).__name__)
                errors.append(f"{sink.label}: {reasons.describe_error(exc)}")
            elapsed = (self.clock.now() - first).total_seconds()
            left = self.playout.sink_retry_within_s - elapsed
            if attempt + 1 >= self.playout.sink_tries or left <= 0 or stop.is_set():
                break
            if self.clock.sleep(min(left, self.playout.sink_retry_within_s / self.playout.sink_tries), stop):
                break
        elapsed = (self.clock.now() - first).total_seconds()
        raise SinkError(reasons.sink_gave_up(len(errors), elapsed) + " | ".join(errors))

    # -- instant plays and emergencies ---------------------------------------------------------

    def play(self, take: Take, priority: str = "normal", zones: Sequence[str] | None = None) -> list[AsRunRecord]:
        """Air a ready file now on `zones` (default all). An emergency interrupts what is airing."""
        emergency = priority == "emergency"
        zones = tuple(zones) if zones else tuple(self.sinks)
        if emergency:
            with self._emergency_lock:
                self._emergencies += 1
            current = self._current
            if current:
                current[1].stop(reasons.interrupted_by_emergency(take.manifest.title or take.mp3.name))
        try:
            self._acquire_air(emergency)
        finally:
            if emergency:
                with self._emergency_lock:
                    self._emergencies -= 1
        try:
            slot = Slot(self.clock.now(), EMERGENCY_SESSION if emergency else INSTANT_SESSION, zones)
            take = replace(take, priority=priority)  # the log says the priority it aired with
            return self._air_takes(slot, [take], Outcome.played, "", None)
        finally:
            self._air.release()

    def apply_schedule(self, schedule: Schedule, sinks: Mapping[str, Sink] | None = None) -> None:
        """Use a new (validated) schedule from now on; what is on air keeps its sinks."""
        self.schedule = schedule
        self.playout = schedule.playout
        if hasattr(self.preparer, "schedule"):
            self.preparer.schedule = schedule
        if sinks is not None:
            self.sinks = dict(sinks)

    # -- start and stop ------------------------------------------------------------------------

    def recover(self, now: datetime | None = None) -> Slot | None:
        """On start: log what a crash left unfinished and the slots missed while down; return the one to play late."""
        now = now or self.clock.now()
        state = self.state.load()
        playing = state.get("playing")
        if playing:
            when = datetime.fromisoformat(playing["slot"])
            rows = [AsRunRecord(scheduled=when, outcome=Outcome.interrupted, bulletin_id=i["id"], title=i["title"],
                                topic=i["topic"], priority=i["priority"], session=playing["session"],
                                zones=tuple(playing["zones"]),
                                reason=reasons.CRASHED)
                    for i in playing["items"]]
            self._append(rows)
            self.state.update(playing=None)
        last = state.get("last_slot")
        until = now + timedelta(microseconds=1)
        if last is None:
            # First start (or a lost state file): nothing says what was handled before, so look back only
            # over the grace period, where a slot can still air late, and skip what the log already holds.
            since = now - timedelta(minutes=self.playout.grace_minutes)
            self.state.update(last_slot=now.isoformat(), last_session="(first start)")
            logged = getattr(self.log, "slots_logged", lambda *_: set())(since, until)
            due = [s for s in expand(self.schedule, since, until, self.tz or now.tzinfo)
                   if (s.when, s.session) not in logged]
        else:
            since = datetime.fromisoformat(last) + timedelta(microseconds=1)
            due = expand(self.schedule, since, until, self.tz or now.tzinfo)
        decision = recover(due, now, self.playout)
        for slot, reason in decision.missed:
            self.log_missed(slot, reason)
        return decision.play_late

    def stop(self, reason: str = STOPPED_SIGTERM) -> None:
        """Fade out and log what is airing as interrupted; no slot starts after this."""
        self.stopping.stop(reason)

    def on_air_session(self) -> str | None:
        """The session airing now (None: nothing), without the rest of `status`."""
        current = self._current
        return current[0].session if current else None

    def status(self) -> dict:
        current = self._current
        return {
            "state": "playing" if current else ("stopping" if self.stopping.is_set() else "idle"),
            "now": self.clock.now().isoformat(timespec="seconds"),
            "on_air": None if not current else {
                "session": current[0].session, "slot": current[0].when.isoformat(timespec="seconds"),
                "zones": list(current[0].zones), "since": current[2].isoformat(timespec="seconds")},
            "on_air_by_zone": {z: (current[0].session if current and z in current[0].zones else None) for z in self.sinks},
            "prepared": sorted(self._prepared),
            "zones": {z: s.label for z, s in self.sinks.items()},
            "log": self.log_status(),
            "alerts": self.alerts(),
        }

    def alerts(self) -> list[str]:
        """What needs a person now (the dashboard shows these in red)."""
        health = self.log_status()
        if health["ok"]:
            return []
        return [f"the as-run log cannot be written since {health['since']} ({health['error']}): "
                f"{health['unwritten']} rows wait in memory; free space or fix the data folder"]
