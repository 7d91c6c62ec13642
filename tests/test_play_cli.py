"""`broadcast play`: through the running service's control socket (emergency), or directly on the schedule's sound-card zones."""

from __future__ import annotations

import time

import pytest

from conftest import copy_example
from playout_fixtures import (TakePreparer, audible_span, have, make_take, pulse_env, pulse_server, read_wav,
                              schedule_for, tone_steps, write_wav)

from broadcast.asrun import MemoryStore, Outcome
from broadcast.asrun import SqliteStore
from broadcast.playout.clock import SystemClock
from broadcast.playout.runner import Runner
from broadcast.playout.service import Service
from broadcast.playout.sinks.fake import FakeSink


def test_emergency_reaches_the_running_service(station, run_cli, tmp_path):
    settings = station()
    clock = SystemClock(settings.station.tz)
    log = MemoryStore()
    sink = FakeSink("fake:z1", clock)
    runner = Runner(schedule=schedule_for(), preparer=TakePreparer(make_take(tmp_path / "p")), sinks={"z1": sink},
                    log=log, clock=clock, tz=settings.station.tz)
    service = Service(runner, settings.station.tz, settings.data_dir, settings=settings)
    service.start()
    try:
        alarm = write_wav(tmp_path / "bao-lu.wav", tone_steps([1000.0], 0.5))
        code, out, err_first = run_cli("play", str(alarm), "--priority", "emergency")
        assert code == 0, err_first
        assert "sent to the running service (emergency)" in out
        deadline = time.monotonic() + 10
        while not log.records and time.monotonic() < deadline:
            time.sleep(0.05)
        code, _, err = run_cli("play", str(alarm), "--zone", "nowhere")
        assert code == 2 and "unknown zones: nowhere (the service's zones: z1)" in err
        assert "levelled" not in err  # refused before any audio work (issue 9.7)
    finally:
        service.stop()
    assert [(r.bulletin_id, r.priority, r.session, r.outcome) for r in log.records] == [
        ("bao-lu", "emergency", "khẩn cấp", Outcome.played)]
    # What aired is the levelled copy kept under audio_out/instant/, and the log holds its hash: for an
    # emergency the WAV the service levelled as it aired; the refused play (unknown zone) left nothing behind.
    kept = kept_copies(settings)
    assert [p.suffix for p in kept] == [".wav"]
    assert log.records[0].audio_sha256 == sha256(kept[0])
    assert "levelling bao-lu.wav as it airs" in err_first and f"the copy is kept as audio_out/instant/{kept[0].name}" in err_first


def kept_copies(settings):
    return sorted((settings.audio_out / "instant").glob("*.[mw][pa][3v]"), key=lambda p: p.suffix)


def sha256(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


pulse_only = pytest.mark.skipif(not have("pulseaudio", "pacat", "parecord"), reason="PulseAudio binaries not installed")


@pytest.fixture
def pulse(tmp_path_factory):
    with pulse_server(tmp_path_factory.mktemp("pa")) as server, pulse_env(server):
        yield server


@pulse_only
@pytest.mark.pulse
def test_without_a_service_it_plays_on_the_sound_card_zones_and_logs(station, run_cli, pulse, tmp_path):
    settings = station()
    (settings.base_dir / "schedule.yaml").write_text(
        "zones:\n  trung-tam: {name: Trung tâm, sink: {type: device, device: bulletin}}\n"
        "  thon-1: {name: Thôn 1, sink: {type: icecast, url: 'http://127.0.0.1:8000', mount: /thon-1, password: pw}}\n",
        encoding="utf-8")
    clip = write_wav(tmp_path / "thong-bao.wav", tone_steps([500.0, 700.0], 0.75))
    rec = tmp_path / "rec.wav"
    with pulse.recording(rec):
        code, out, err = run_cli("play", str(clip), "--priority", "emergency")
        time.sleep(0.3)
    assert code == 0, err
    assert out.startswith("played")
    assert "no broadcast service is running" in err and "NOT reached: thon-1 (icecast)" in err and "broadcast run" in err
    samples, rate = read_wav(rec)
    start, end = audible_span(samples, rate)
    assert abs((end - start) - 1.5) < 0.2
    with SqliteStore(settings.data_dir / "asrun.sqlite", readonly=True) as book:
        rows = [r.record for r in book.rows()]
    # The schedule's own sound-card zone and sink, not some default.
    assert [(r.bulletin_id, r.outcome, r.zones, r.sink, r.priority) for r in rows] == [
        ("thong-bao", Outcome.played, ("trung-tam",), "device:bulletin", "emergency")]
    kept = kept_copies(settings)  # the direct path airs the kept, levelled copy too
    assert len(kept) == 1 and rows[0].audio_sha256 == sha256(kept[0])


def test_a_bulletin_yaml_is_built_then_sent_with_its_own_priority(station, run_cli, tmp_path):
    from datetime import datetime

    from broadcast.playout.clock import SimClock

    settings = station()
    bulletin = copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    clock = SystemClock(settings.station.tz)
    log = MemoryStore()
    fast = FakeSink("fake:z1", SimClock(datetime.now(settings.station.tz), speedup=200))  # a minute in 0.3 s
    runner = Runner(schedule=schedule_for(), preparer=TakePreparer(make_take(tmp_path / "p")), sinks={"z1": fast},
                    log=log, clock=clock, tz=settings.station.tz)
    service = Service(runner, settings.station.tz, settings.data_dir)
    service.start()
    try:
        code, out, err = run_cli("play", str(bulletin))
        assert code == 0, err
        assert "(priority)" in out
        deadline = time.monotonic() + 10
        while not log.records and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        service.stop()
    rows = log.records
    assert [(r.bulletin_id, r.priority, r.outcome) for r in rows] == [("duong-day-nong-2024", "priority", Outcome.played)]
    assert rows[0].engine == "fake" and rows[0].text_sha256 and rows[0].spoken_text
    assert rows[0].title == "Số điện thoại đường dây nóng về thủ tục hành chính"


def test_user_mistakes_exit_2_with_a_plain_message(station, run_cli, tmp_path):
    settings = station()
    fake = tmp_path / "fake.mp3"
    fake.write_text("hello\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "bad.yaml").write_text("id: x\n", encoding="utf-8")
    for args, expected in [((str(fake),), "fake.mp3: not an audio file ("),
                           ((str(fake), "--priority", "emergency"), "fake.mp3: not an audio file ("),
                           ((str(tmp_path / "none.mp3"),), "none.mp3: no such file"),
                           ((str(tmp_path / "folder"),), "is a directory"),
                           ((str(tmp_path / "bad.yaml"),), "bad.yaml:1: title: required key is missing")]:
        code, out, err = run_cli("play", *args)
        assert code == 2 and expected in err and "internal error" not in err, (args, err)


def test_the_service_refuses_a_file_that_is_not_audio(station, tmp_path):
    settings = station()
    clock = SystemClock(settings.station.tz)
    runner = Runner(schedule=schedule_for(), preparer=TakePreparer(make_take(tmp_path / "p")),
                    sinks={"z1": FakeSink("fake:z1", clock)}, log=MemoryStore(), clock=clock, tz=settings.station.tz)
    service = Service(runner, settings.station.tz, settings.data_dir, control=False)
    fake = tmp_path / "fake.mp3"
    fake.write_text("hello\n")
    reply = service.handle({"cmd": "play", "path": str(fake), "priority": "emergency"})
    assert reply["ok"] is False and "fake.mp3: not an audio file" in reply["error"]


def test_a_second_service_is_refused_as_a_user_error(station, tmp_path):
    from broadcast.playout.control import AlreadyRunning

    settings = station()
    clock = SystemClock(settings.station.tz)

    def make():
        runner = Runner(schedule=schedule_for(), preparer=TakePreparer(make_take(tmp_path / "p")),
                        sinks={"z1": FakeSink("fake:z1", clock)}, log=MemoryStore(), clock=clock,
                        tz=settings.station.tz)
        return Service(runner, settings.station.tz, settings.data_dir)

    first = make()
    first.start()
    try:
        with pytest.raises(AlreadyRunning):
            make().start()
    finally:
        first.stop()


def test_an_instant_play_is_in_the_evidence_after_the_original_is_gone(station, run_cli, tmp_path):
    """Quiet phone recording → played through the service (real log) → levelled copy kept → the user deletes
    the original → `broadcast evidence --with-audio` still holds what aired, and the manifest naming the original."""
    import json
    import zipfile
    from datetime import datetime

    from audio_measure import ebur128

    settings = station()
    clock = SystemClock(settings.station.tz)
    logbook = SqliteStore(settings.data_dir / "asrun.sqlite")
    runner = Runner(schedule=schedule_for(), preparer=TakePreparer(make_take(tmp_path / "p")),
                    sinks={"z1": FakeSink("fake:z1", clock)}, log=logbook, clock=clock, tz=settings.station.tz)
    service = Service(runner, settings.station.tz, settings.data_dir)
    recording = tmp_path / "ghi-am.wav"
    quiet = tone_steps([500.0, 700.0], 0.75, level=0.5 * 10 ** (-28 / 20))  # about -35 LUFS
    write_wav(recording, quiet)
    original_sha = sha256(recording)
    service.start()
    try:
        code, out, err = run_cli("play", str(recording))
        assert code == 0, err
        deadline = time.monotonic() + 10
        while not list(logbook.rows()) and time.monotonic() < deadline:
            time.sleep(0.05)
        code, out, err = run_cli("play", str(recording))  # the same file again: prepared once
        assert code == 0 and "from before" in err, err
        while len(list(logbook.rows())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        service.stop()
        logbook.close()
    kept = kept_copies(settings)
    assert len(kept) == 1
    assert abs(ebur128(kept[0])[0] - settings.audio.loudness_lufs) <= 1.0
    recording.unlink()
    year = datetime.now(settings.station.tz).year
    code, out, err = run_cli("evidence", "--period", str(year), "--out", str(tmp_path / "e.zip"), "--with-audio")
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        assert zf.read(f"am-thanh/instant/{kept[0].name}") == kept[0].read_bytes()
        manifest = json.loads(zf.read(f"manifest/instant/{kept[0].with_suffix('.json').name}"))
        rows = json.loads(zf.read(f"nhat-ky/nhat-ky-phat-song-{year}.json"))
    assert manifest["original"]["sha256"] == original_sha and manifest["original"]["path"] == str(recording)
    assert [r["audio_sha256"] for r in rows] == [sha256(kept[0])] * 2
