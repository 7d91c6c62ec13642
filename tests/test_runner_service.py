"""The service: APScheduler in the station timezone fires a slot, recovers a missed one on start, and stops on SIGTERM."""

from __future__ import annotations

import json
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

from broadcast.asrun import MemoryStore, Outcome
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
    log = MemoryStore()
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
            # What the service reports is the slot itself, not the job's early firing time.
            assert service.next_slots()[0]["slot"] == "2024-05-06T05:30:00+07:00"
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


def ran_before(data_dir: Path) -> None:
    """A state file as a service that ran until now leaves: nothing to recover on start. Without it these
    wall-clock tests would, on a Monday between 05:30 and 05:40 in Hanoi, air the 05:30 slot late."""
    (data_dir).mkdir(parents=True, exist_ok=True)
    (data_dir / "playout-state.json").write_text(
        json.dumps({"last_slot": datetime.now(TZ).isoformat(), "last_session": "(test)"}), encoding="utf-8")


def test_control_socket_status(tmp_path):
    service, _ = service_at(tmp_path, SystemClock(TZ))
    service.runner.state.update(last_slot=datetime.now(TZ).isoformat())
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
    ran_before(station / "data")
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
    from broadcast.asrun import SqliteStore

    with SqliteStore(station / "data" / "asrun.sqlite", readonly=True) as book:
        rows = [r.record for r in book.rows()]
    assert [(r.bulletin_id, r.outcome) for r in rows] == [("thong-bao", Outcome.interrupted)]
    assert "SIGTERM" in rows[0].reason
    assert 1.0 < rows[0].duration_s < 4.0
    aired = (station / "aired" / "aired.tsv").read_text(encoding="utf-8")
    assert "SIGTERM" in aired


def test_reload_picks_up_a_one_off_and_keeps_the_old_schedule_on_an_invalid_edit(tmp_path):
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump({"zones": {"z1": {"name": "Cụm 1", "sink": {"type": "device"}}},
                                    "sessions": [{"name": "sáng", "time": "05:30", "days": ["mon"]}]},
                                   allow_unicode=True), encoding="utf-8")
    with time_machine.travel(datetime(2024, 5, 6, 9, 0, tzinfo=TZ), tick=True):
        service, _ = service_at(tmp_path, SystemClock(TZ))
        service.schedule_file = path
        service._stamp = service._file_stamp()
        service.start()
        sock = tmp_path / "data" / SOCKET_NAME
        try:
            assert service.reload(force=False) == {"ok": True, "reloaded": False}  # unchanged file
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            doc["one_off"] = [{"name": "Họp dân", "date": "2024-05-07", "time": "07:00"}]
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            service.hourly()  # the hourly re-plan notices the new mtime
            assert service.scheduler.get_job("air:20240507T0700-hop-dan") is not None
            assert service.runner.schedule.one_off[0].name == "Họp dân"
            # An invalid edit: the old schedule stays, the problems are reported.
            path.write_text(path.read_text(encoding="utf-8").replace("time: 07:00", "time: '27:00'")
                            .replace("time: '07:00'", "time: '27:00'"), encoding="utf-8")
            reply = request(sock, {"cmd": "reload"})
            assert reply["ok"] is False and "old schedule stays" in reply["error"]
            assert any("one_off[Họp dân].time" in p for p in reply["problems"]), reply
            assert service.scheduler.get_job("air:20240507T0700-hop-dan") is not None
            # Removing the one-off unplans it.
            del doc["one_off"]
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            reply = request(sock, {"cmd": "reload"})
            assert reply["ok"] and reply["removed"] == ["20240507T0700-hop-dan"], reply
            assert service.scheduler.get_job("air:20240507T0700-hop-dan") is None
        finally:
            service.stop()


def test_sighup_reloads_the_running_service(tmp_path):
    station = tmp_path / "station"
    (station / "bulletins").mkdir(parents=True)
    (station / "station.yaml").write_text(yaml.safe_dump({
        "speech": {"engine": "fake", "fallback": [], "voice": "fake"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins",
                  "schedule": "schedule.yaml"}}), encoding="utf-8")
    doc = {"zones": {"thu": {"name": "Bản ghi thử", "sink": {"type": "file", "folder": "aired"}}},
           "sessions": [{"name": "sáng", "time": "05:30", "days": ["mon"]}]}
    (station / "schedule.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ran_before(station / "data")
    env = dict(os.environ, BROADCAST_SETTINGS=str(station / "station.yaml"))
    proc = subprocess.Popen([sys.executable, "-m", "broadcast", "run", "-v"], cwd=station, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sock = station / "data" / SOCKET_NAME
    try:
        deadline = time.monotonic() + 20
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        tomorrow = datetime.now(TZ).date() + timedelta(days=1)
        doc["one_off"] = [{"name": "Họp dân", "date": tomorrow.isoformat(), "time": "07:00"}]
        (station / "schedule.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        edit_station(station / "station.yaml", speech={"rate": 170})  # station.yaml is re-read too
        proc.send_signal(signal.SIGHUP)
        key = f"{tomorrow:%Y%m%d}T0700-hop-dan"
        while time.monotonic() < deadline:
            jobs = [n["job"] for n in request(sock, {"cmd": "status"})["status"]["next"]]
            if any(key in j for j in jobs):
                break
            time.sleep(0.1)
        assert any(key in j for j in jobs), jobs
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read().decode()
    assert proc.returncode == 0, err
    assert "schedule.yaml reloaded" in err
    assert "station.yaml reloaded: speech.rate changed" in err
    assert "pydub" not in err  # third-party debug lines stay out even with -v


def test_verbose_logging_keeps_third_party_loggers_at_warning():
    import logging

    from broadcast.commands.run import QUIET_LOGGERS, setup_logging

    names = ["broadcast", *QUIET_LOGGERS, "apscheduler.scheduler"]
    saved = {n: logging.getLogger(n).level for n in names}
    try:
        setup_logging(verbose=True)
        assert logging.getLogger("broadcast.playout.runner").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("pydub.converter").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("pydub.converter").isEnabledFor(logging.INFO)
        assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    finally:
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


def station_service(tmp_path, clock):
    """A service over a real station folder: StationPreparer with the fake engine, station.yaml and schedule.yaml."""
    from conftest import copy_example, write_station

    from broadcast.config import load_settings
    from broadcast.playout.programme import StationPreparer
    from broadcast.schedule.validation import load_schedule

    station = tmp_path / "station"
    (station / "bulletins").mkdir(parents=True)
    settings_file = write_station(station, paths={"schedule": "schedule.yaml"})
    copy_example("2024-03-duong-day-nong.yaml", station / "bulletins")
    (station / "schedule.yaml").write_text(yaml.safe_dump({
        "zones": {"z1": {"name": "Cụm 1", "sink": {"type": "device"}}},
        "sessions": [{"name": "sáng", "time": "05:30", "days": ["mon"]}]}, allow_unicode=True), encoding="utf-8")
    settings = load_settings(settings_file)
    schedule = load_schedule(settings.schedule_file)
    runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule),
                    sinks={"z1": FakeSink("fake:z1", clock)}, log=MemoryStore(), clock=clock, tz=TZ)
    service = Service(runner, TZ, settings.data_dir, schedule_file=settings.schedule_file, settings_file=settings_file)
    return service, settings_file


def edit_station(path, **sections):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in sections.items():
        doc.setdefault(key, {}).update(value)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_reload_reaches_the_pre_roll_with_a_new_station_yaml_and_keeps_the_old_on_a_broken_one(tmp_path, caplog):
    import logging

    from broadcast.schedule.slots import Slot

    slot = Slot(datetime(2024, 5, 6, 5, 30, tzinfo=TZ), "sáng", ("z1",))
    with time_machine.travel(datetime(2024, 5, 6, 9, 0, tzinfo=TZ), tick=True):
        service, settings_file = station_service(tmp_path, SystemClock(TZ))
        service.start()
        sock = service.data_dir / SOCKET_NAME
        try:
            assert service.reload(force=False) == {"ok": True, "reloaded": False}  # neither file changed
            # A valid edit: the reply names what changed, and the next pre-roll builds with it.
            edit_station(settings_file, audio={"loudness_lufs": -20.0}, station={"name": "Đài xã Thử Nghiệm"})
            reply = request(sock, {"cmd": "reload"})
            assert reply["ok"] and reply["station"] == {"reloaded": True,
                                                        "changed": ["audio.loudness_lufs", "station.name"]}, reply
            assert service.runner.preparer.settings.audio.loudness_lufs == -20.0
            built = service.runner.preparer.prepare(slot).takes[0].manifest
            assert built.target.integrated_lufs == -20.0 and "Đài xã Thử Nghiệm" in built.spoken_text
            # A broken edit: the old settings stay, the problems come back (file and line) and go to the log.
            good = settings_file.read_text(encoding="utf-8")
            edit_station(settings_file, speech={"engine": "espek"}, audio={"loudness_lufs": 5})
            with caplog.at_level(logging.ERROR, logger="broadcast.playout.service"):
                reply = request(sock, {"cmd": "reload"})
            assert reply["ok"] is False and "the old station settings stay" in reply["error"], reply
            assert reply["station"]["reloaded"] is False
            assert any("speech.engine" in p and "did you mean 'espeak'" in p for p in reply["problems"]), reply
            assert any("loudness_lufs" in p for p in reply["problems"]), reply
            assert all(str(settings_file) in p or "station.yaml" in p for p in reply["problems"])
            assert reply["reloaded"] is True  # schedule.yaml, which is fine, was still reloaded
            assert "station.yaml not reloaded, the old settings stay" in caplog.text
            assert service.settings.audio.loudness_lufs == -20.0 and service.settings.speech.engine == "fake"
            assert service.runner.preparer.settings is service.settings
            # Reported once: the hourly check does not repeat it while the file stays as it is.
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="broadcast.playout.service"):
                service.hourly()
            assert "station.yaml" not in caplog.text
            # A timezone change needs a restart: refused whole, the old settings stay.
            settings_file.write_text(good, encoding="utf-8")
            edit_station(settings_file, station={"timezone": "Asia/Bangkok"}, speech={"rate": 170})
            reply = request(sock, {"cmd": "reload"})
            assert reply["ok"] is False and any("station.timezone" in p and "restart the service" in p
                                                for p in reply["problems"]), reply
            assert service.settings.station.timezone == "Asia/Ho_Chi_Minh" and service.settings.speech.rate == 150
            # Fixed again: the hourly check notices the change on its own.
            settings_file.write_text(good.replace("speech:\n", "speech:\n  rate: 170\n"), encoding="utf-8")
            service.hourly()
            assert service.settings.speech.rate == 170 and service.runner.preparer.settings.speech.rate == 170
        finally:
            service.stop()
