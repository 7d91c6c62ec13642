"""The application layer of play now and the service: typed results, checks before any audio work."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from playout_fixtures import TakePreparer, make_take, schedule_for, tone_steps, write_wav

from broadcast.app.play import prepare_play
from broadcast.app.service import ServiceStatus, service_status, simulate
from broadcast.asrun import MemoryStore
from broadcast.errors import UserError
from broadcast.playout.clock import SystemClock
from broadcast.playout.runner import Runner
from broadcast.playout.service import Service
from broadcast.playout.sinks.fake import FakeSink

REPO = Path(__file__).resolve().parent.parent


def running_service(settings, tmp_path, sinks=None):
    clock = SystemClock(settings.station.tz)
    take = make_take(tmp_path / "p", step_s=2.0)
    runner = Runner(schedule=schedule_for(), preparer=TakePreparer(take),
                    sinks=sinks or {"z1": FakeSink("fake:z1", clock)}, log=MemoryStore(), clock=clock,
                    tz=settings.station.tz)
    service = Service(runner, settings.station.tz, settings.data_dir, settings=settings)
    service.start()
    return service, take


def test_a_play_on_an_unknown_zone_is_refused_before_any_levelling(station, tmp_path):
    settings = station()
    service, _ = running_service(settings, tmp_path)
    try:
        clip = write_wav(tmp_path / "thong-bao.wav", tone_steps([500.0], 1.0))
        with pytest.raises(UserError, match=r"unknown zones: nope \(the service's zones: z1\)"):
            prepare_play(settings, clip, zones=("nope",))
    finally:
        service.stop()
    assert not (settings.audio_out / "instant").exists()  # nothing levelled, nothing left behind


def test_zones_without_a_service_are_refused_before_any_levelling(station, tmp_path):
    settings = station()
    clip = write_wav(tmp_path / "thong-bao.wav", tone_steps([500.0], 1.0))
    with pytest.raises(UserError, match="--zone needs the running service"):
        prepare_play(settings, clip, zones=("z1",))
    assert not (settings.audio_out / "instant").exists()


def test_status_as_data_says_what_is_on_air_per_zone_the_sinks_and_the_log(station, tmp_path):
    settings = station()
    clock = SystemClock(settings.station.tz)
    sinks = {"z1": FakeSink("fake:z1", clock), "z2": FakeSink("fake:z2", clock, fail_times=-1)}
    assert service_status(settings).running is False  # nothing running
    service, take = running_service(settings, tmp_path, sinks)
    try:
        service.runner.log = broken = _FullLog()
        service.handle({"cmd": "play", "path": str(take.wav), "priority": "normal", "zones": ["z1"]})
        deadline = time.monotonic() + 10
        while not sinks["z1"].started.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        status = service_status(settings)
        assert isinstance(status, ServiceStatus) and status.running and status.state == "playing"
        assert status.on_air_by_zone == {"z1": "phát ngay", "z2": None}
        assert status.zones == {"z1": "fake:z1", "z2": "fake:z2"}
        assert status.sinks["fake:z1"] == {"reachable": True, "detail": ""}
        assert status.sinks["fake:z2"]["reachable"] is False
        service.runner.stop("thử")
        while service.runner.status()["state"] == "playing" and time.monotonic() < deadline:
            time.sleep(0.02)
        status = service_status(settings)
        assert status.log["ok"] is False and status.log["unwritten"] >= 1 and "disk is full" in status.log["error"]
        assert any("cannot be written" in a for a in status.alerts)
        broken.full = False
        assert service.runner.flush_log() and service_status(settings).log["ok"] and not service_status(settings).alerts
    finally:
        service.stop()


class _FullLog(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.full = True

    def append(self, record):
        if self.full:
            raise OSError(28, "database or disk is full")
        return super().append(record)


def test_simulate_returns_every_attempt_and_the_logs_health(station, tmp_path):
    settings = station()
    (settings.base_dir / "schedule.yaml").write_text(
        "zones:\n  a: {name: A, sink: {type: file, folder: x}}\n"
        "sessions:\n  - {name: sáng, time: '05:30', days: [t2]}\n", encoding="utf-8")
    import shutil

    shutil.copy(REPO / "bulletins" / "2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    # 20x: the 5 s on-time tolerance is 250 ms of real time, which holds on a loaded machine.
    day = simulate(settings, date(2024, 5, 6), speedup=20, out_dir=tmp_path / "sim")
    assert day.sessions == 1 and [i.outcome for i in day.items] == ["played"]
    assert day.log["ok"] and day.log_path == tmp_path / "sim" / "asrun.sqlite"
    none = simulate(settings, date(2024, 5, 5), speedup=2000, out_dir=tmp_path / "sun")
    assert none.sessions == 0 and none.items == []


def test_nothing_below_the_application_layer_imports_click():
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "broadcast").rglob("*.py")
                 if "commands" not in p.parts and p.name != "cli.py"
                 and any(line.strip().startswith(("import click", "from click")) for line in p.read_text().splitlines())]
    assert offenders == []
