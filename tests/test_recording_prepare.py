"""A person's recording prepared (decoded at its own rate, checked, trimmed, cleaned) and measured; every
bad input refused with one line; `broadcast record` attaching, re-attaching, checking and taking off,
with nothing written when the file is refused. (tests/test_recording.py: the same through the app.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

from broadcast.audio import loudness
from broadcast.audio.recording import GATE_RANGE_DB, LEAD_PAD_S, TAIL_PAD_S, frame_levels, prepare, store
from broadcast.digest import sha256_file
from broadcast.errors import UserError
from conftest import copy_example
from recording_fixtures import RATE, browser_webm, cheap_mic, encode, speech, tones, write_raw_wav, write_wav

HOTLINE = "2024-03-duong-day-nong.yaml"
HOTLINE_ID = "duong-day-nong-2024"


def snapshot(folder):
    """Every file under `folder` with its bytes: proves nothing was written."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def written(path, data: bytes):
    path.write_bytes(data)
    return path


def lead_in_s(x: np.ndarray, rate: int = RATE, above_db: float = 20.0) -> float:
    """Seconds before the first 10 ms frame within `above_db` of the loudest: the silence left at the start."""
    levels = frame_levels(x, rate)
    return float(np.argmax(levels >= levels.max() - above_db)) * 0.01


# --- preparing a recording --------------------------------------------------------------------


def test_a_quiet_offset_noisy_recording_is_trimmed_cleaned_and_levels_to_the_target(tmp_path):
    raw = cheap_mic(lead_s=2.0, tail_s=1.5, gain_db=-22, dc=0.2, noise_dbfs=-72)
    f = write_wav(tmp_path / "doc.wav", raw)
    x, facts = prepare(f, RATE, -16.0)
    # Trimmed: about 2 s of room noise went, a short pad stays before the first sound.
    assert 1.7 < facts.lead_in_trimmed_s < 2.1 and 1.2 < facts.tail_trimmed_s < 1.8
    assert lead_in_s(x) <= LEAD_PAD_S + 0.05
    assert x.size / RATE == pytest.approx(raw.size / RATE - facts.lead_in_trimmed_s - facts.tail_trimmed_s, abs=0.001)
    assert speech().size / RATE - 1.0 < facts.duration_s <= speech().size / RATE + LEAD_PAD_S + TAIL_PAD_S
    # DC and the 30 Hz rumble are gone.
    assert facts.dc_offset == pytest.approx(0.2, abs=0.002)
    assert abs(float(np.mean(x))) < 1e-3
    def hum(y):  # the 30 Hz bin of 4 s of speech
        return np.abs(np.fft.rfft(y[: RATE * 4]))[120]

    start = int(facts.lead_in_trimmed_s * RATE)
    assert hum(x) < hum(raw[start:]) * 10 ** (-25 / 20)
    # Measured: quiet (about -41 LUFS), noise near -72 dBFS; raising it 25 dB makes the hiss audible: gated.
    assert -44 < facts.lufs_before < -38 and -76 < facts.noise_floor_dbfs < -68
    assert facts.gated and 5 < facts.gate_db <= GATE_RANGE_DB
    # Levelled and limited as mastering does: on target, under the true-peak ceiling.
    from broadcast.audio.mix import band_limit

    out, lufs = loudness.gain_and_limit(band_limit(x, RATE), RATE, -16.0, -1.6)
    assert abs(lufs + 16.0) <= 1.0 and loudness.true_peak_dbtp(out) <= -1.0


def test_a_clean_recording_needs_no_gate(tmp_path):
    f = write_wav(tmp_path / "clean.wav", cheap_mic(gain_db=-6, dc=0.0, noise_dbfs=-95, hum_dbfs=-120))
    facts = prepare(f, RATE, -16.0)[1]
    assert not facts.gated and facts.gate_db == 0.0


def test_the_gate_lowers_pauses_but_not_speech(tmp_path):
    # Two sentences with a 1.5 s pause between them, quiet and hissy.
    body = speech() * np.float32(10 ** (-22 / 20))
    x = np.concatenate([np.zeros(RATE // 2), body, np.zeros(int(1.5 * RATE)), body, np.zeros(RATE // 2)])
    x = (x + 10 ** (-72 / 20) * np.random.default_rng(3).standard_normal(x.size)).astype(np.float32)
    gated, facts = prepare(write_wav(tmp_path / "a.wav", x), RATE, -16.0)
    lead = facts.lead_in_trimmed_s
    pause = slice(int((0.5 - lead + body.size / RATE + 0.5) * RATE), int((0.5 - lead + body.size / RATE + 1.0) * RATE))
    # The middle of the pause dropped by about the gate's depth; the speech peaks are where they were.
    before, after = frame_levels(x[int(0.5 * RATE) + body.size:][: RATE], RATE).mean(), frame_levels(gated[pause], RATE).mean()
    assert -73 < before < -71 and after < before - 8
    assert 20 * math.log10(np.max(np.abs(gated))) == pytest.approx(20 * math.log10(0.9) - 22, abs=1.0)


@pytest.mark.parametrize("rate,channels", [(48000, 2), (22050, 1), (8000, 1)])
def test_any_common_rate_and_layout_becomes_mono_at_the_station_rate(tmp_path, rate, channels):
    f = write_wav(tmp_path / "x.wav", cheap_mic(rate=rate), rate, channels)
    x, facts = prepare(f, RATE, -16.0)
    assert x.ndim == 1 and x.size / RATE == pytest.approx(facts.duration_s, abs=0.01)
    assert (facts.source.sample_rate, facts.source.channels) == (rate, channels)


def test_a_browser_webm_opus_recording_decodes(station, tmp_path):
    from broadcast.app.recording import check_recording

    wav = write_wav(tmp_path / "mic.wav", tones([440, 880], 1.5, rate=48000, level=0.3), 48000)
    webm = browser_webm(wav, tmp_path / "ghi-am.webm")
    assert webm.read_bytes()[:4] == b"\x1aE\xdf\xa3"  # an EBML (Matroska/WebM) file
    checked = check_recording(station(), webm.read_bytes(), "Thu âm.webm")  # bytes, as an upload arrives
    assert checked.facts.source.codec == "opus" and checked.facts.source.sample_rate == 48000
    assert abs(checked.lufs + 16) <= 1.0 and checked.true_peak_dbtp <= -1.0
    from playout_fixtures import dominant_hz

    x, _ = prepare(webm, RATE, -16.0)
    assert dominant_hz(x[int(0.4 * RATE):int(1.2 * RATE)], RATE) == pytest.approx(440, abs=3)
    assert dominant_hz(x[int(1.9 * RATE):int(2.7 * RATE)], RATE) == pytest.approx(880, abs=3)


def test_an_m4a_recording_from_a_phone_decodes(tmp_path):
    wav = write_wav(tmp_path / "phone.wav", cheap_mic(gain_db=-10, dc=0.0))
    m4a = encode(wav, tmp_path / "phone.m4a", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart")
    _, facts = prepare(m4a, RATE, -16.0)
    assert facts.source.codec == "aac" and facts.duration_s > 7


@pytest.mark.parametrize("make,expected", [
    (lambda d: written(d / "empty.wav", b""), "the recording is empty (the file has 0 bytes)"),
    (lambda d: written(d / "notes.txt", "Ủy ban nhân dân xã".encode()), "not a recording ffmpeg can read"),
    (lambda d: write_wav(d / "silent.wav", np.zeros(RATE * 5)), "the recording is silent"),
    (lambda d: write_wav(d / "hiss.wav", 10 ** (-70 / 20) * np.random.default_rng(0).standard_normal(RATE * 5) + 0.001),
     "the recording is silent"),
    (lambda d: write_wav(d / "click.wav", 0.3 * np.sin(2 * np.pi * 440 * np.arange(RATE * 5) / RATE)
                         * (np.arange(RATE * 5) < RATE * 0.3)), "the recording has no speech"),
    (lambda d: write_wav(d / "clipped.wav", speech() * 4), "the recording is clipped"),
    (lambda d: write_wav(d / "faint.wav", cheap_mic(gain_db=-48, noise_dbfs=-76, dc=0.0)), "the recording is too quiet"),
    (lambda d: write_wav(d / "hissy.wav", cheap_mic(gain_db=-20, noise_dbfs=-50, dc=0.0)), "the recording is too quiet"),
    (lambda d: write_raw_wav(d / "rate0.wav", bytes(4000), 0, 1), "the recording's sample rate (0 Hz) is unusable"),
    (lambda d: write_raw_wav(d / "rate1.wav", bytes(4000), 1, 1), "the recording's sample rate (1 Hz) is unusable"),
    (lambda d: write_raw_wav(d / "forty.wav", bytes(40 * 2 * 2000), 44100, 40),
     "the recording's channel layout (40 channels) is unusable"),
    (lambda d: write_raw_wav(d / "nochannels.wav", bytes(4000), 44100, 0), "ffmpeg cannot decode the recording"),
    (lambda d: write_raw_wav(d / "nosamples.wav", b"", 44100, 1), "the recording is empty"),
])
def test_bad_recordings_are_refused_with_one_line(tmp_path, make, expected):
    path = make(tmp_path)
    with pytest.raises(UserError) as refused:
        prepare(path, RATE, -16.0)
    assert len(refused.value.problems) == 1 and "\n" not in refused.value.problems[0]
    assert refused.value.problems[0].startswith(f"{path.name}: {expected}"), refused.value.problems[0]


def test_a_video_without_sound_is_not_audio(tmp_path):
    from broadcast.audio.ffmpeg import ffmpeg_exe
    import subprocess

    png = tmp_path / "pic.png"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", str(png)],
                   check=True)
    with pytest.raises(UserError, match="^pic.png: not a recording ffmpeg can read: it has no sound track"):
        prepare(png, RATE, -16.0)


# --- keeping recordings -------------------------------------------------------------------------


def test_recordings_are_kept_by_hash_with_their_name_and_never_rewritten(tmp_path):
    folder = tmp_path / "recordings"
    src = write_wav(tmp_path / "Đọc tin sáng.wav", cheap_mic())
    kept, digest = store(src, folder)
    assert kept == folder / digest / "Đọc-tin-sáng.wav" and digest == sha256_file(src) == sha256_file(kept)
    stamp = kept.stat().st_mtime_ns
    again = tmp_path / "other name.wav"
    again.write_bytes(src.read_bytes())  # the same content under another name: the recording already kept
    assert store(again, folder) == (kept, digest) and kept.stat().st_mtime_ns == stamp
    assert store(kept, folder) == (kept, digest)  # a kept file is not copied again
    kept.write_bytes(kept.read_bytes()[:-100])  # someone edits the kept file in place
    with pytest.raises(UserError, match="was changed after it was kept"):
        store(kept, folder)


# --- broadcast record ---------------------------------------------------------------------------


def test_record_attaches_a_file_and_prints_what_it_measured(station, run_cli, tmp_path):
    settings = station()
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    text = bulletin.read_text(encoding="utf-8")
    f = write_wav(tmp_path / "Đọc tin đường dây nóng.wav", cheap_mic())
    code, out, err = run_cli("record", str(f), "--bulletin", HOTLINE_ID)
    assert code == 0, err
    stored = list((tmp_path / "recordings").glob("*/*.wav"))
    assert len(stored) == 1 and stored[0].read_bytes() == f.read_bytes() and stored[0].parent.name == sha256_file(f)
    # One line added at the end of the bulletin; the rest of the file as the editor wrote it.
    ref = f"../recordings/{stored[0].parent.name}/Đọc-tin-đường-dây-nóng.wav"
    assert bulletin.read_text(encoding="utf-8") == text.rstrip("\n") + f"\nrecording: {ref}\n"
    assert out.startswith(f"{HOTLINE_ID}: Đọc tin đường dây nóng.wav (sha256 {sha256_file(f)}) kept as {stored[0]}")
    assert "pcm_s16le, 44100 Hz, 1 channel" in out and "after trimming 1.8" in out and "DC offset +0.200 removed" in out
    assert "gated, pauses lowered up to" in out and "built " in out and "-16." in out
    assert "is it the recording of this bulletin?" in err  # an 8 s reading of a 50 s text
    code, out, _ = run_cli("voices", "--no-network", "--quick")
    row = next(line for line in out.splitlines() if line.split()[:2] == ["recording", "recording"])
    assert code == 0 and "a person's voice" in row and f"reads 1 bulletin(s): {HOTLINE_ID}" in out
    code, out, _ = run_cli("render", str(bulletin))
    assert code == 0 and out.startswith(f"— Recording — {ref}: a person reads the item; the text below is what")
    assert "0220.3852.111" in out  # the text the recording stands for
    # A second recording replaces the line; the first file stays kept.
    g = write_wav(tmp_path / "lan-2.wav", cheap_mic(seed=2))
    code, out, err = run_cli("record", str(g), "--bulletin", HOTLINE_ID)
    assert code == 0 and f"replaces {ref}" in out
    assert len(list((tmp_path / "recordings").glob("*/*.wav"))) == 2
    assert bulletin.read_text(encoding="utf-8").count("recording:") == 1
    code, out, _ = run_cli("record", "--remove", "--bulletin", HOTLINE_ID)
    assert code == 0 and "synthesised at its next build" in out and bulletin.read_text(encoding="utf-8") == text
    assert len(list((tmp_path / "recordings").glob("*/*.wav"))) == 2  # evidence of what aired stays


@pytest.mark.faults
@pytest.mark.parametrize("name,make,expected", [
    ("clipped.wav", lambda p: write_wav(p, speech() * 4), "the recording is clipped ("),
    ("silent.wav", lambda p: write_wav(p, np.zeros(RATE * 5)), "the recording is silent ("),
    ("empty.m4a", lambda p: p.write_bytes(b""), "the recording is empty (the file has 0 bytes)"),
    ("notes.mp3", lambda p: p.write_text("không phải âm thanh"), "not a recording ffmpeg can read"),
    ("faint.wav", lambda p: write_wav(p, cheap_mic(gain_db=-48, noise_dbfs=-76, dc=0.0)), "the recording is too quiet ("),
    ("rate1.wav", lambda p: write_raw_wav(p, bytes(4000), 1, 1), "the recording's sample rate (1 Hz) is unusable"),
    ("forty.wav", lambda p: write_raw_wav(p, bytes(40 * 2 * 2000), 44100, 40), "the recording's channel layout"),
])
def test_record_refuses_a_bad_file_with_one_line_and_writes_nothing(station, run_cli, tmp_path, name, make, expected):
    settings = station()
    copy_example(HOTLINE, settings.bulletins_dir)
    good = write_wav(tmp_path / "good.wav", cheap_mic())
    assert run_cli("record", str(good), "--bulletin", HOTLINE_ID)[0] == 0
    before = snapshot(tmp_path / "bulletins") | snapshot(tmp_path / "recordings") | snapshot(tmp_path / "audio_out")
    bad = tmp_path / name
    make(bad)
    code, out, err = run_cli("record", str(bad), "--bulletin", HOTLINE_ID)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"error: {name}: {expected}"), err
    assert snapshot(tmp_path / "bulletins") | snapshot(tmp_path / "recordings") | snapshot(tmp_path / "audio_out") == before


def test_record_names_an_unknown_bulletin_and_checks_without_attaching(station, run_cli, tmp_path):
    settings = station()
    copy_example(HOTLINE, settings.bulletins_dir)
    f = write_wav(tmp_path / "a.wav", cheap_mic())
    code, _, err = run_cli("record", str(f), "--bulletin", "duong-day-nong")
    assert code == 2 and "no bulletin with id 'duong-day-nong'" in err and "did you mean 'duong-day-nong-2024'" in err
    code, out, err = run_cli("record", str(f), "--check")
    assert code == 0 and "as it would air: -16." in out and not (tmp_path / "recordings").exists()
    code, _, err = run_cli("record", "--bulletin", HOTLINE_ID)
    assert code == 2 and "give a recording FILE, or --from-mic" in err
    code, _, err = run_cli("record", str(tmp_path / "khong-co.wav"), "--check")  # was "internal error", exit 1
    assert code == 2 and err.strip() == f"error: {tmp_path / 'khong-co.wav'}: no such file", err


def test_preview_masters_the_recording_alone_and_keeps_nothing_else(station, tmp_path):
    from audio_measure import ebur128
    from broadcast.app.recording import preview_recording

    settings = station()
    copy_example(HOTLINE, settings.bulletins_dir)
    wav = write_wav(tmp_path / "mic.wav", cheap_mic(rate=48000), 48000, 2)
    webm = browser_webm(wav, tmp_path / "thu-am.webm")
    out = tmp_path / "nghe-thu.mp3"
    checked = preview_recording(settings, webm.read_bytes(), out, "thu-am.webm")
    lufs, peak = ebur128(out)
    assert abs(lufs + 16) <= 1.0 and peak <= -1.0 and abs(checked.lufs - lufs) < 0.5
    assert checked.facts.original_name == "thu-am.webm" and checked.facts.lead_in_trimmed_s > 1.5
    assert not (tmp_path / "recordings").exists() and not (tmp_path / "audio_out").exists()
