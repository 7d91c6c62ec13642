"""A person's recording of a bulletin: checked, cleaned, mastered like speech, built between the jingles,
and logged with its hash (real ffmpeg, real meters)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from audio_measure import dominant_hz, ebur128, load
from playout_fixtures import RATE, TakePreparer, schedule_for, write_wav

from broadcast.app.recording import attach_recording, attach_recording_bytes
from broadcast.asrun import MemoryStore
from broadcast.audio import loudness
from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.digest import sha256_file
from broadcast.playout.clock import SimClock
from broadcast.playout.programme import Take
from broadcast.playout.runner import Runner
from broadcast.playout.sinks.fake import FakeSink

BULLETIN = "id: tin-a\ntitle: Thông báo lịch tiếp công dân\ntopic: general\nbody: Ủy ban nhân dân xã thông báo.\n"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def tones(freqs=(440.0, 880.0), step_s: float = 2.0, level: float = 0.05, lead_s: float = 1.0, tail_s: float = 1.0,
          dc: float = 0.0, noise: float = 0.0) -> np.ndarray:
    """Known tones read "into a microphone": silence at both ends, a DC offset, room noise."""
    t = np.arange(int(step_s * RATE)) / RATE
    voice = np.concatenate([level * np.sin(2 * np.pi * f * t) for f in freqs])
    x = np.concatenate([np.zeros(int(lead_s * RATE)), voice, np.zeros(int(tail_s * RATE))])
    x = x + dc + np.random.default_rng(7).normal(0.0, noise, x.size) if noise or dc else x
    return x.astype(np.float32)


@pytest.fixture
def station_with_bulletin(station):
    settings = station()
    (settings.bulletins_dir / "a.yaml").write_text(BULLETIN, encoding="utf-8")
    return settings


def test_a_quiet_offset_noisy_recording_is_trimmed_cleaned_and_airs_at_the_station_loudness(station_with_bulletin, tmp_path):
    settings = station_with_bulletin
    raw = write_wav(tmp_path / "doc-tin.wav", tones(level=0.04, dc=0.05, noise=0.003, lead_s=1.5, tail_s=1.0))
    done = attach_recording(settings, "tin-a", raw)
    f = done.facts
    assert f.original_name == "doc-tin.wav" and f.sha256 == sha256_file(raw)
    assert abs(f.dc_offset - 0.05) < 0.002
    assert 1.2 <= f.lead_in_trimmed_s <= 1.5 and 0.7 <= f.tail_trimmed_s <= 1.0  # measured, with 0.15 s kept
    assert 4.0 <= f.duration_s <= 4.5 and f.gated  # noise 3 mV is -50 dBFS: above the floor that asks for the gate
    r = done.build
    lufs, peak = ebur128(r.mp3)
    assert abs(lufs - settings.audio.loudness_lufs) <= 1.0 and peak <= -1.0
    seg = next(s for s in r.manifest.segments if s.engine == "recording")
    assert seg.voice == f"doc-tin.wav sha256:{f.sha256}" and "Ủy ban nhân dân xã thông báo" in seg.spoken
    item = load(r.wav)[int(seg.start_s * RATE): int((seg.start_s + seg.duration_s) * RATE)]
    assert abs(float(np.mean(item))) < 1e-3  # DC removed
    assert abs(loudness.integrated_lufs(item, RATE) - settings.audio.loudness_lufs) <= 1.0  # the voice itself at target
    kept = settings.base_dir / "recordings" / f.sha256 / "doc-tin.wav"
    assert kept.is_file() and sha256_file(kept) == f.sha256
    assert f"recording: ../recordings/{f.sha256}/doc-tin.wav" in (settings.bulletins_dir / "a.yaml").read_text("utf-8")


def test_known_tones_air_between_the_jingles_and_the_log_names_the_aired_file(station_with_bulletin, tmp_path):
    settings = station_with_bulletin
    done = attach_recording(settings, "tin-a", write_wav(tmp_path / "tones.wav", tones(level=0.3)))
    r = done.build
    seg = next(s for s in r.manifest.segments if s.engine == "recording")
    audio = load(r.mp3)
    start = int(seg.start_s * RATE)
    first, second = audio[start + RATE // 4: start + RATE], audio[start + int(2.5 * RATE): start + int(3.5 * RATE)]
    assert abs(dominant_hz(first, RATE) - 440) < 5 and abs(dominant_hz(second, RATE) - 880) < 5
    assert dominant_hz(audio[: RATE], RATE) > 500 and dominant_hz(audio[-int(2.5 * RATE): -RATE], RATE) > 500  # jingles
    assert seg.start_s > 3.0 and seg.start_s + seg.duration_s < r.duration_s - 3.0
    # Aired: the log row names the recording and the hash of the file that played.
    clock = SimClock(datetime(2024, 5, 6, 9, 0, tzinfo=TZ), speedup=50)
    take = Take.from_build(r)
    log = MemoryStore()
    runner = Runner(schedule=schedule_for(sessions=[{"name": "sáng", "time": "05:30", "days": ["mon"]}]),
                    preparer=TakePreparer(take), sinks={"z1": FakeSink("fake:z1", clock=clock)}, log=log, clock=clock,
                    state_path=tmp_path / "state.json", tz=TZ)
    rows = runner.play(take, priority="normal")
    assert [r_.bulletin_id for r_ in rows] == ["tin-a"]
    assert rows[0].audio_sha256 == sha256_file(r.mp3)
    assert rows[0].engine == "recording" and f"sha256:{done.facts.sha256}" in rows[0].voice


def test_a_webm_opus_recording_from_a_browser_decodes(station_with_bulletin, tmp_path):
    settings = station_with_bulletin
    wav = write_wav(tmp_path / "mic.wav", tones(level=0.2))
    webm = tmp_path / "mic.webm"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(wav), "-c:a", "libopus", str(webm)], check=True)
    done = attach_recording_bytes(settings, "tin-a", webm.read_bytes(), "Thu âm 06-05.webm")
    assert done.facts.original_name == "Thu âm 06-05.webm" and 3.5 < done.facts.duration_s < 4.6
    assert abs(ebur128(done.build.mp3)[0] - settings.audio.loudness_lufs) <= 1.0


def _bad(kind: str, tmp_path):
    if kind == "clipped":
        return write_wav(tmp_path / "to.wav", np.clip(tones(level=3.0), -1, 1))
    if kind == "silent":
        return write_wav(tmp_path / "im-lang.wav", np.zeros(RATE * 3, dtype=np.float32))
    if kind == "too quiet":
        return write_wav(tmp_path / "nho.wav", tones(level=0.003))
    if kind == "empty":
        return write_wav(tmp_path / "rong.wav", np.zeros(100, dtype=np.float32))
    path = tmp_path / "ghi-chu.txt"
    path.write_text("không phải âm thanh", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind, message", [
    ("clipped", "is clipped"), ("silent", "is silent"), ("too quiet", "too quiet"),
    ("empty", "is empty or shorter"), ("not audio", "not a recording ffmpeg can read"),
])
def test_a_bad_recording_is_one_line_exit_2_and_changes_nothing(station_with_bulletin, run_cli, tmp_path, kind, message):
    settings = station_with_bulletin
    assert run_cli("build", "bulletins")[0] == 0
    before = {p.name: p.read_bytes() for p in settings.audio_out.iterdir()}
    bulletin_before = (settings.bulletins_dir / "a.yaml").read_bytes()
    code, _, err = run_cli("record", str(_bad(kind, tmp_path)), "--bulletin", "tin-a")
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert {p.name: p.read_bytes() for p in settings.audio_out.iterdir()} == before  # the last good audio
    assert (settings.bulletins_dir / "a.yaml").read_bytes() == bulletin_before
    assert not (settings.base_dir / "recordings").exists()


def test_record_names_an_unknown_bulletin(station_with_bulletin, run_cli, tmp_path):
    code, _, err = run_cli("record", str(write_wav(tmp_path / "a.wav", tones())), "--bulletin", "khong-co")
    assert code == 2 and "no bulletin with id 'khong-co'" in err


def test_from_mic_without_an_input_says_so(station_with_bulletin, run_cli, monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse.sock")  # no server: no input to record from
    code, _, err = run_cli("record", "--from-mic", "--seconds", "1", "--bulletin", "tin-a")
    assert code == 2 and ("no sound card input" in err or "needs PulseAudio's parecord" in err), err


def test_a_recording_far_longer_than_its_text_is_built_with_a_warning(station_with_bulletin, tmp_path):
    settings = station_with_bulletin
    done = attach_recording(settings, "tin-a", write_wav(tmp_path / "dai.wav", tones(step_s=10.0, level=0.2)))
    assert any("lasts 20 s but its text takes about" in w and "is it the recording of this bulletin?" in w
               for w in done.build.warnings), done.build.warnings


def test_a_recording_is_prepared_once_for_its_check_its_build_and_later_builds(station_with_bulletin, tmp_path,
                                                                             monkeypatch):
    """Attaching checks the recording and builds with it: one decode and cleaning, found again by its hash
    (a forced rebuild and a session programme too); a damaged cache entry is prepared again, same audio."""
    from broadcast.audio import recording
    from broadcast.build import build_bulletin
    from broadcast.content.bulletin import load_bulletin

    settings = station_with_bulletin
    calls = []
    real = recording.prepare
    monkeypatch.setattr(recording, "prepare", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    raw = write_wav(tmp_path / "doc-tin.wav", tones(level=0.04, dc=0.05, noise=0.003))
    done = attach_recording(settings, "tin-a", raw)
    assert len(calls) == 1 and not done.build.up_to_date
    seg = next(s for s in done.build.manifest.segments if s.engine == "recording")
    assert seg.cached and seg.recording.prepared == done.facts.as_dict()  # the build took the check's preparation
    bulletin = load_bulletin(settings.bulletins_dir / "a.yaml")
    again = build_bulletin(bulletin, settings, force=True)
    assert len(calls) == 1 and again.manifest.files.wav_sha256 == done.build.manifest.files.wav_sha256
    # The cache is only a cache: a damaged entry is prepared again, to the same audio.
    entry = next((settings.cache_dir / recording.PREPARED_FOLDER).glob("*.npz"))
    entry.write_bytes(entry.read_bytes()[:1000])
    third = build_bulletin(bulletin, settings, force=True)
    assert len(calls) == 2 and third.manifest.files.wav_sha256 == done.build.manifest.files.wav_sha256
