"""The service: APScheduler in the station timezone fires a slot, recovers a missed one on start, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
import yaml

from playout_fixtures import TakePreparer, make_take, schedule_for, write_wav, tone_steps

from broadcast.asrun import MemoryAsRunLog, Outcome
from broadcast.playout.clock import SystemClock
from broadcast.playout.control import SOCKET_NAME, request
from broadcast.playout.runner import Runner
from broadcast.playout.service import Service
from broadcast.playout.sinks.fake import FakeSink

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parent.parent


def service_at(tmp_path, clock, **playout):
    take = make_take(tmp_path / "audio", step_s=0.5)
    schedule = schedule_for(sessions=[{"name": "sáng", "time": "05:30", "days": ["mon"]}], **playout)
    log = MemoryAsRunLog()
    runner = Runner(schedule=schedule, preparer=TakePreparer(take), sinks={"z1": FakeSink("fake:z1", clock)},
                    log=log, clock=clock, state_path=tmp_path / "data" / "state.json", tz=TZ)
    return Service(runner, TZ, tmp_path / "data"), log


def test_scheduler_fires_the_0530_slot_at_2230_utc_on_a_utc_machine(tmp_path):
    # 22:29:55 UTC Sunday is 05:29:55 Monday in Hanoi.
    with time_machine.travel(datetime(2024, 5, 5, 22, 29, 55, tzinfo=timezone.utc), tick=True):
        service, log = service_at(tmp_path, SystemClock(TZ))
        service.runner.state.update(last_slot=datetime(2024, 5, 5, 22, 0, tzinfo=timezone.utc).isoformat())
        service.start()
        try:
            air = service.scheduler.get_job("air:20240506T0530-sang")
            assert air.next_run_time.astimezone(timezone.utc) == datetime(2024, 5, 5, 22, 29, 58, tzinfo=timezone.utc)
            deadline = time.monotonic() + 15
            while len(log.records) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            service.stop()
    assert [r.outcome for r in log.records] == [Outcome.played] * 3
    assert log.records[0].start.astimezone(timezone.utc) - datetime(2024, 5, 5, 22, 30, tzinfo=timezone.utc) < timedelta(seconds=0.5)


def test_restart_within_grace_plays_the_missed_slot_late(tmp_path):
    with time_machine.travel(datetime(2024, 5, 6, 5, 34, tzinfo=TZ), tick=True):
        service, log = service_at(tmp_path, SystemClock(TZ))
        service.runner.state.update(last_slot=datetime(2024, 5, 6, 5, 0, tzinfo=TZ).isoformat())
        service.start()
        try:
            deadline = time.monotonic() + 15
            while len(log.records) < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            service.stop()
    assert [r.outcome for r in log.records] == [Outcome.late] * 3


def test_control_socket_status(tmp_path):
    service, _ = service_at(tmp_path, SystemClock(TZ))
    service.start()
    try:
        reply = request(tmp_path / "data" / SOCKET_NAME, {"cmd": "status"})
        assert reply["ok"] and reply["status"]["state"] == "idle" and reply["status"]["zones"] == {"z1": "fake:z1"}
        assert request(tmp_path / "data" / SOCKET_NAME, {"cmd": "dance"})["ok"] is False
    finally:
        service.stop()


def test_sigterm_mid_programme_fades_and_logs_interrupted(tmp_path):
    """`broadcast run` as a real process: a file-sink zone plays a long file, SIGTERM, the log says interrupted."""
    station = tmp_path / "station"
    (station / "bulletins").mkdir(parents=True)
    (station / "station.yaml").write_text(yaml.safe_dump({
        "speech": {"engine": "fake", "fallback": [], "voice": "fake"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins",
                  "schedule": "schedule.yaml"}}), encoding="utf-8")
    (station / "schedule.yaml").write_text(yaml.safe_dump({
        "zones": {"thu": {"name": "Bản ghi thử", "sink": {"type": "file", "folder": "aired"}}},
        "sessions": [{"name": "sáng", "time": "05:30", "days": ["mon"]}]}, allow_unicode=True), encoding="utf-8")
    long_file = write_wav(tmp_path / "thong-bao.wav", tone_steps([440.0, 660.0], 10.0))
    env = dict(os.environ, BROADCAST_SETTINGS=str(station / "station.yaml"))
    proc = subprocess.Popen([sys.executable, "-m", "broadcast", "run"], cwd=station, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sock = station / "data" / SOCKET_NAME
    try:
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        reply = request(sock, {"cmd": "play", "path": str(long_file), "priority": "normal", "title": "Thông báo"})
        assert reply["ok"], reply
        while request(sock, {"cmd": "status"})["status"]["state"] != "playing" and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read().decode()
    from broadcast.logbook import Logbook

    with Logbook(station / "data" / "asrun.sqlite", readonly=True) as book:
        rows = [r.record for r in book.records()]
    assert [(r.bulletin_id, r.outcome) for r in rows] == [("thong-bao", Outcome.interrupted)]
    assert "SIGTERM" in rows[0].reason
    assert 1.0 < rows[0].duration_s < 4.0
    aired = (station / "aired" / "aired.tsv").read_text(encoding="utf-8")
    assert "SIGTERM" in aired
