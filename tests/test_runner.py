"""Runner policies with the fake sink and a controllable clock: on time, late, missed, coalescing, emergency, retries."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from playout_fixtures import TakePreparer, make_take, schedule_for

from broadcast.asrun import MemoryAsRunLog, Outcome
from broadcast.playout.clock import SimClock, SystemClock
from broadcast.playout.runner import Runner
from broadcast.playout.sinks.fake import FakeSink
from broadcast.schedule import Slot

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime(2024, 5, 6, tzinfo=TZ)  # a Monday


def make_runner(tmp_path, clock, sink=None, schedule=None, take=None, **playout):
    take = take or make_take(tmp_path / "audio", step_s=1.0)
    sink = sink or FakeSink("fake:z1", clock=clock)
    schedule = schedule or schedule_for(
        sessions=[{"name": "sáng", "time": "05:30", "days": ["mon", "tue"]},
                  {"name": "chiều", "time": "17:00", "days": ["mon", "tue"]}], **playout)
    log = MemoryAsRunLog()
    runner = Runner(schedule=schedule, preparer=TakePreparer(take), sinks={"z1": sink}, log=log, clock=clock,
                    state_path=tmp_path / "data" / "state.json", tz=TZ)
    return runner, log, sink


def slot_at(hour, minute, day=DAY, session="sáng"):
    return Slot(day.replace(hour=hour, minute=minute), session, ("z1",))


def test_on_time_slot_plays_at_the_slot_and_logs_each_item(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when - timedelta(seconds=2), speedup=20)
    runner, log, sink = make_runner(tmp_path, clock)
    runner.preroll(slot)
    rows = runner.run_slot(slot)
    assert [r.outcome for r in rows] == [Outcome.played] * 3
    assert abs((rows[0].start - slot.when).total_seconds()) < 0.5
    assert [round((r.end - r.start).total_seconds(), 2) for r in rows] == [1.0, 1.0, 1.0]
    assert rows[1].start - rows[0].start == timedelta(seconds=1)
    assert all(r.audio_sha256 and r.text_sha256 and r.spoken_text and r.engine == "fake" for r in rows)
    assert log.records == rows
    assert len(sink.plays) == 1


def test_late_within_grace_plays_from_the_start_and_logs_late(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when + timedelta(minutes=3), speedup=20)
    runner, log, sink = make_runner(tmp_path, clock)
    rows = runner.run_slot(slot)
    assert [r.outcome for r in rows] == [Outcome.late] * 3
    assert "after the slot" in rows[0].reason
    assert sink.plays[0][1].completed  # the whole file: never joined mid-file


def test_beyond_grace_is_missed_with_reason(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when + timedelta(minutes=11), speedup=20)
    runner, log, sink = make_runner(tmp_path, clock)
    rows = runner.run_slot(slot)
    assert [r.outcome for r in rows] == [Outcome.missed] * 3
    assert "beyond the 10-minute grace" in rows[0].reason
    assert sink.plays == []


def test_down_across_a_slot_and_back_within_grace_plays_late(tmp_path):
    clock = SimClock(DAY.replace(hour=5, minute=0), speedup=20)
    runner, log, _ = make_runner(tmp_path, clock)
    assert runner.recover() is None  # first start: the baseline
    # The service goes down at 05:00 and comes back at 05:34.
    clock.jump_to(DAY.replace(hour=5, minute=34))
    restarted, log2, _ = make_runner(tmp_path, clock)
    late = restarted.recover()
    assert late == slot_at(5, 30)
    assert log2.records == []
    rows = restarted.run_slot(late)
    assert {r.outcome for r in rows} == {Outcome.late}


def test_down_beyond_grace_logs_missed(tmp_path):
    clock = SimClock(DAY.replace(hour=5, minute=0), speedup=20)
    runner, _, _ = make_runner(tmp_path, clock)
    runner.recover()
    clock.jump_to(DAY.replace(hour=5, minute=45))
    restarted, log, _ = make_runner(tmp_path, clock)
    assert restarted.recover() is None
    assert [r.outcome for r in log.records] == [Outcome.missed] * 3
    assert "beyond the 10-minute grace" in log.records[0].reason
    assert {r.scheduled for r in log.records} == {slot_at(5, 30).when}


def test_two_missed_slots_give_at_most_one_late_run(tmp_path):
    # Grace of 12 hours so both 05:30 and 17:00 are within it: still only the latest plays.
    clock = SimClock(DAY.replace(hour=5, minute=0), speedup=20)
    runner, _, _ = make_runner(tmp_path, clock, grace_minutes=180)
    runner.recover()
    clock.jump_to(DAY.replace(hour=17, minute=5))
    restarted, log, _ = make_runner(tmp_path, clock, grace_minutes=180)
    late = restarted.recover()
    assert late == slot_at(17, 0, session="chiều")
    assert [r.outcome for r in log.records] == [Outcome.missed] * 3
    assert "coalesced" in log.records[0].reason or "beyond" in log.records[0].reason
    # Restarting again does not replay or re-log the handled 05:30 slot.
    restarted.run_slot(late)
    again, log3, _ = make_runner(tmp_path, clock, grace_minutes=180)
    assert again.recover() is None and log3.records == []


def test_emergency_interrupts_within_one_second(tmp_path):
    clock = SystemClock(TZ)
    take = make_take(tmp_path / "audio", step_s=3.0)  # 9 s programme
    runner, log, sink = make_runner(tmp_path, clock, take=take)
    slot = Slot(clock.now() + timedelta(seconds=0.2), "sáng", ("z1",))
    worker = threading.Thread(target=runner.run_slot, args=(slot,))
    worker.start()
    assert sink.started.wait(5)
    time.sleep(3.5)  # into the second item
    alarm = make_take(tmp_path / "alarm", name="bao-lu", freqs=(1000.0,), step_s=0.5)
    asked = time.monotonic()
    done = threading.Event()
    result = []

    def emergency():
        result.extend(runner.play(alarm, priority="emergency"))
        done.set()

    threading.Thread(target=emergency).start()
    worker.join(5)
    stopped_after = time.monotonic() - asked
    assert stopped_after < 1.0
    assert done.wait(5)
    session = [r for r in log.records if r.session == "sáng"]
    assert [r.outcome for r in session] == [Outcome.played, Outcome.interrupted, Outcome.missed]
    assert "emergency" in session[1].reason and "not resumed" in session[2].reason
    assert [r.outcome for r in result] == [Outcome.played] and result[0].session == "khẩn cấp"


def test_sink_failure_is_retried_then_logged_failed(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when - timedelta(seconds=1), speedup=50)
    sink = FakeSink("fake:z1", clock=clock, fail_times=-1)
    runner, log, _ = make_runner(tmp_path, clock, sink=sink)
    rows = runner.run_slot(slot)
    assert sink.attempts == 3
    assert [r.outcome for r in rows] == [Outcome.failed] * 3
    assert "gave up after 3 tries" in rows[0].reason and "asked to fail" in rows[0].reason


def test_sink_that_recovers_on_retry_plays(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when - timedelta(seconds=1), speedup=50)
    sink = FakeSink("fake:z1", clock=clock, fail_times=2)
    runner, log, _ = make_runner(tmp_path, clock, sink=sink)
    rows = runner.run_slot(slot)
    assert sink.attempts == 3
    assert {r.outcome for r in rows} == {Outcome.played}


def test_stop_mid_programme_logs_interrupted(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when - timedelta(seconds=1), speedup=8)
    runner, log, sink = make_runner(tmp_path, clock, take=make_take(tmp_path / "audio", step_s=2.0))
    threading.Timer(0.5, runner.stop).start()  # 3 s of audio in at 8x: in the second item
    rows = runner.run_slot(slot)
    assert [r.outcome for r in rows] == [Outcome.played, Outcome.interrupted, Outcome.missed]
    assert "SIGTERM" in rows[1].reason


def test_crash_mid_session_is_logged_interrupted_on_restart(tmp_path):
    slot = slot_at(5, 30)
    clock = SimClock(slot.when, speedup=1)
    runner, _, _ = make_runner(tmp_path, clock)
    runner.state.update(last_slot=slot.when.isoformat(), playing={
        "slot": slot.when.isoformat(), "session": "sáng", "zones": ["z1"],
        "items": [{"id": "a", "title": "A", "topic": "general", "priority": "normal"}]})
    restarted, log, _ = make_runner(tmp_path, clock)
    restarted.recover()
    assert [(r.bulletin_id, r.outcome) for r in log.records] == [("a", Outcome.interrupted)]
    assert "progress unknown" in log.records[0].reason
