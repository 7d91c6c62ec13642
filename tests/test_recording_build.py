"""A recorded bulletin built and aired: the person's reading is mastered like synthesised speech (on
target, under the true peak, trimmed, no DC), it is what airs between the jingles, and the log names it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from audio_measure import ebur128
from broadcast.audio import loudness
from broadcast.audio.ffmpeg import decode
from broadcast.audio.manifest import read_manifest
from broadcast.audio.recording import LEAD_PAD_S, frame_levels
from broadcast.digest import sha256_file
from conftest import copy_example
from playout_fixtures import dominant_hz, read_wav
from recording_fixtures import RATE, cheap_mic, speech, tones, write_wav

HOTLINE = "2024-03-duong-day-nong.yaml"
HOTLINE_ID = "duong-day-nong-2024"
TONES = [350.0, 1500.0, 3000.0]  # none of them is in the jingle (523-1047 Hz and harmonics) or the fake voice
STEP_S, GAP_S = 1.0, 0.3


def item_span(manifest, bulletin_id=HOTLINE_ID):
    item = next(i for i in manifest.items if i.bulletin_id == bulletin_id)
    return item.start_s, item.end_s


def tone_recording(path):
    """Silence, three tones with short gaps, silence: a reading whose content can be found again."""
    x = np.concatenate([np.zeros(RATE), tones(TONES, STEP_S, level=0.3, gap_s=GAP_S), np.zeros(RATE)])
    return write_wav(path, x)


def tones_at(x: np.ndarray, start_s: float) -> list[float]:
    """The dominant frequency in the middle of each tone of a tone recording placed at `start_s`."""
    out = []
    for k in range(len(TONES)):
        a = start_s + LEAD_PAD_S + k * (STEP_S + GAP_S) + 0.25
        out.append(dominant_hz(x[int(a * RATE): int((a + 0.5) * RATE)], RATE))
    return out


def test_a_quiet_offset_noisy_reading_airs_on_target_trimmed_and_without_dc(station, run_cli, tmp_path):
    settings = station()
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    raw = write_wav(tmp_path / "doc-tin.wav", cheap_mic(lead_s=2.0, tail_s=1.5, gain_db=-22, dc=0.2, noise_dbfs=-72))
    assert run_cli("record", str(raw), "--bulletin", HOTLINE_ID)[0] == 0
    code, out, err = run_cli("build", str(bulletin), "--force")  # `record` built it already
    assert code == 0, err
    assert out.splitlines()[1].split()[-2] == "recording"  # the build table's voice
    manifest = read_manifest(tmp_path / "audio_out" / f"{HOTLINE_ID}.json")
    mp3 = tmp_path / "audio_out" / f"{HOTLINE_ID}.mp3"
    x = decode(mp3, RATE)
    start, end = item_span(manifest)
    item = x[int(start * RATE): int(end * RATE)]
    # The reading is levelled to the target, and the whole file is under the true-peak limit (two meters).
    assert abs(loudness.integrated_lufs(item, RATE) + 16.0) <= 1.0
    lufs, peak = ebur128(mp3)
    assert abs(lufs + 16.0) <= 1.0 and peak <= -1.0 and loudness.true_peak_dbtp(x) <= -1.0
    # Trimmed: the 2 s of room noise before the first word are gone (only the short pad is left) ...
    levels = frame_levels(item, RATE)
    assert float(np.argmax(levels >= levels.max() - 20)) * 0.01 <= LEAD_PAD_S + 0.1
    assert end - start == pytest.approx(speech().size / RATE, abs=1.0)
    # ... and the 0.2 DC offset too.
    assert abs(float(np.mean(item))) < 1e-3
    seg = next(s for s in manifest.segments if s.bulletin_id == HOTLINE_ID)
    stored = next((tmp_path / "recordings").glob("*/*.wav"))
    assert [s.kind for s in manifest.segments] == ["greeting", "recording", "signoff"]
    assert (seg.engine, seg.voice) == ("recording", f"doc-tin.wav sha256:{stored.parent.name}")
    assert seg.recording.sha256 == sha256_file(stored) and seg.recording.original_name == "doc-tin.wav"
    assert seg.recording.prepared["lead_in_trimmed_s"] == pytest.approx(1.85, abs=0.2)
    assert seg.recording.prepared["dc_offset"] == pytest.approx(0.2, abs=0.002) and seg.recording.prepared["gate_db"] > 5
    assert seg.recording.file == str(stored)
    assert "0220.3852.111" in seg.script and "không hai hai không" in seg.spoken  # the text it stands for
    assert run_cli("build", str(bulletin))[1].count("(up to date)") == 1
    # The schedule plans the item by the recording's length, not by how long eSpeak would take.
    from broadcast.app.bulletins import load
    from broadcast.playout.programme import StationPreparer

    planned = StationPreparer(settings, schedule=None).duration(load(bulletin))  # duration() needs no schedule
    assert planned.source == "built" and planned.seconds == pytest.approx(end - start, abs=0.1)


def test_the_recordings_tones_are_what_airs_and_the_log_names_the_recording(station, run_cli, tmp_path):
    from broadcast.asrun import SqliteStore
    from broadcast.playout.simulate import simulate_day

    settings = station()
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(
        "zones:\n  trung-tam: {name: Trung tâm, sink: {type: device}}\n"
        "sessions:\n  - {name: sáng, time: \"05:30\", days: [t2], zones: [all]}\n", encoding="utf-8")
    assert run_cli("record", str(tone_recording(tmp_path / "ba-tieng.wav")), "--bulletin", HOTLINE_ID)[0] == 0
    stored = next((tmp_path / "recordings").glob("*/*.wav"))
    # Its own build: the tones sit between the jingles (after the intro and greeting, before the sign-off).
    code, _, err = run_cli("build", str(bulletin))
    assert code == 0, err
    manifest = read_manifest(tmp_path / "audio_out" / f"{HOTLINE_ID}.json")
    x = decode(tmp_path / "audio_out" / f"{HOTLINE_ID}.mp3", RATE)
    start, end = item_span(manifest)
    assert manifest.durations.jingle_s / 2 < start and end < x.size / RATE - manifest.durations.jingle_s / 2
    assert tones_at(x, start) == pytest.approx(TONES, abs=4)
    before = dominant_hz(x[: int(start * RATE)], RATE)
    assert all(abs(before - f) > 20 for f in TONES)
    # The simulated day airs the session's programme through the file sink and logs it.
    out = tmp_path / "sim"
    # 50x: the 5 s on-time tolerance is 100 ms of real time (at 400x, 12.5 ms: a loaded machine's thread
    # delay logged the slot late)
    day = simulate_day(settings, date(2024, 5, 6), speedup=50, out_dir=out)
    assert [(i.bulletin_id, i.outcome) for i in day.items] == [(HOTLINE_ID, "played")]
    with SqliteStore(out / "asrun.sqlite", readonly=True) as log:
        rows = [r.record for r in log.rows()]
        assert log.verify()
    assert len(rows) == 1
    row = rows[0]
    assert row.engine == "recording" and row.voice == f"ba-tieng.wav sha256:{sha256_file(stored)}"
    programme = next((tmp_path / "audio_out" / "programmes").glob("*.mp3"))
    assert row.audio_sha256 == sha256_file(programme)  # the log's hash is the aired file's
    pm = read_manifest(programme.with_suffix(".json"))
    p_start, _ = item_span(pm)
    assert tones_at(decode(programme, RATE), p_start) == pytest.approx(TONES, abs=4)
    aired = next((out / "trung-tam").glob("*.wav"))  # what the sink received
    heard, rate = read_wav(aired)
    assert rate == RATE and tones_at(heard, p_start) == pytest.approx(TONES, abs=4)
    assert "0220.3852.111" not in row.spoken_text and "không hai hai không" in row.spoken_text


def test_build_refuses_a_missing_or_altered_recording_and_keeps_the_last_good_audio(station, run_cli, tmp_path):
    settings = station()
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    assert run_cli("record", str(tone_recording(tmp_path / "a.wav")), "--bulletin", HOTLINE_ID)[0] == 0
    assert run_cli("build", str(bulletin))[0] == 0
    out_dir = tmp_path / "audio_out"
    good = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    stored = next((tmp_path / "recordings").glob("*/*.wav"))
    line = len(bulletin.read_text(encoding="utf-8").splitlines())  # the recording: line is the last
    stored.write_bytes(stored.read_bytes()[:-4000])  # edited after it was kept
    code, _, err = run_cli("build", str(bulletin), "--force")
    assert code == 2 and f"{bulletin}:{line}: recording: the kept recording " in err and "was changed after it was kept" in err, err
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == good
    stored.unlink()
    code, _, err = run_cli("build", str(bulletin))
    assert code == 2 and f"{bulletin}:{line}: recording: recording not found: " in err
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == good


def test_a_recording_named_by_hand_is_stored_at_build_and_checked(station, run_cli, tmp_path):
    settings = station()
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    text = bulletin.read_text(encoding="utf-8")
    tone_recording(settings.bulletins_dir / "doc-tay.wav")
    bulletin.write_text(text + "recording: doc-tay.wav\n", encoding="utf-8")
    code, out, err = run_cli("build", str(bulletin))
    assert code == 0 and "recording" in out, err
    stored = next((tmp_path / "recordings").glob("*/*.wav"))
    assert stored.read_bytes() == (settings.bulletins_dir / "doc-tay.wav").read_bytes()
    assert stored.name == "doc-tay.wav" and stored.parent.name == sha256_file(stored)  # kept by hash, its name beside
    good = {p.name: p.read_bytes() for p in (tmp_path / "audio_out").iterdir()}
    # A clipped file put in its place is refused by the build, in one line naming the bulletin; nothing changes.
    write_wav(settings.bulletins_dir / "doc-tay.wav", speech() * 4)
    code, _, err = run_cli("build", str(bulletin))
    lines = [line for line in err.strip().splitlines() if line != "building"]
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"error: {HOTLINE_ID}: doc-tay.wav: the recording is clipped (")
    assert {p.name: p.read_bytes() for p in (tmp_path / "audio_out").iterdir()} == good
