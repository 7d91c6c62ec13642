"""The mixed bulletin, measured: loudness and true peak by two meters, jingle at both ends, format."""

import json
import math

import numpy as np
import pytest

from broadcast.audio import loudness
from broadcast.audio.jingle import generated_jingle
from broadcast.build import build_bulletin
from broadcast.content.bulletin import load_bulletin
from broadcast.config import load_settings

from audio_measure import dominant_hz, ebur128, load, rms_db
from conftest import copy_example

JINGLE_NOTES = (523.25, 659.25, 783.99, 1046.50)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One example bulletin built with the real eSpeak engine and default loudness settings."""
    folder = tmp_path_factory.mktemp("mix")
    from conftest import write_station

    write_station(folder, speech={"engine": "espeak", "fallback": [], "voice": "vi"})
    settings = load_settings(folder / "station.yaml")
    bulletin = load_bulletin(copy_example("2024-07-ket-qua-mot-cua.yaml", folder))
    return settings, build_bulletin(bulletin, settings)


def test_loudness_within_1_lu_and_true_peak_below_minus_1_by_pyloudnorm(built):
    settings, result = built
    audio = load(result.mp3)
    assert abs(loudness.integrated_lufs(audio, 44100) - settings.audio.loudness_lufs) <= 1.0
    assert loudness.true_peak_dbtp(audio) <= -1.0
    master = load(result.wav)
    assert abs(loudness.integrated_lufs(master, 44100) - settings.audio.loudness_lufs) <= 1.0


def test_loudness_and_true_peak_by_ffmpeg_ebur128(built):
    settings, result = built
    for path in (result.mp3, result.wav):
        lufs, peak = ebur128(path)
        assert abs(lufs - settings.audio.loudness_lufs) <= 1.0, path
        assert peak <= -1.0, path


def test_jingle_audible_at_start_and_end(built):
    _, result = built
    audio = load(result.mp3)
    sr = 44100
    head, tail = audio[: sr], audio[-int(2.5 * sr):-int(0.5 * sr)]
    assert rms_db(head) > -30 and rms_db(tail) > -30
    assert min(abs(dominant_hz(head, sr) - f) for f in JINGLE_NOTES) < 15
    assert min(abs(dominant_hz(tail, sr) - f) for f in JINGLE_NOTES) < 15
    # Speech sits between the jingles: the middle is loud too but not a jingle tone.
    middle = audio[audio.size // 2 - sr: audio.size // 2 + sr]
    assert rms_db(middle) > -30


def test_format_and_manifest(built):
    _, result = built
    m = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert m["format"] == {"sample_rate": 44100, "channels": 1, "mp3_bitrate_kbps": 128}
    assert m["engine"] == "espeak" and m["voice"] == "vi"
    assert m["id"] == "mot-cua-6-thang-2024" and m["topic"] == "one_stop" and m["priority"] == "normal"
    assert len(m["files"]["mp3_sha256"]) == 64 and len(m["text_sha256"]) == 64
    assert m["durations"]["total_s"] > m["durations"]["speech_s"] > 20
    assert abs(len(load(result.mp3)) / 44100 - m["durations"]["total_s"]) < 0.2
    header = result.mp3.read_bytes()[:4]
    assert header[:3] == b"ID3" or (header[0] == 0xFF and header[1] & 0xE0 == 0xE0)
    assert "Đây là Đài truyền thanh xã Tiền Tiến" in m["spoken_text"]
    assert [i["bulletin_id"] for i in m["items"]] == ["mot-cua-6-thang-2024"]


def test_limiter_holds_the_ceiling_on_a_hot_signal():
    sr = 44100
    rng = np.random.default_rng(1)
    x = (0.3 * rng.standard_normal(sr * 3)).astype(np.float32)
    x[sr] = 1.0
    y, lufs = loudness.gain_and_limit(x, sr, -12.0, -2.0)
    assert loudness.true_peak_dbtp(y) <= -2.0 + 0.05
    assert abs(loudness.integrated_lufs(y, sr) + 12.0) < 0.5
    assert lufs == pytest.approx(loudness.integrated_lufs(y, sr), abs=1e-6)


def test_true_peak_sees_between_samples():
    sr = 44100
    t = np.arange(sr) / sr
    x = np.sin(2 * np.pi * (sr / 4) * t + math.pi / 4).astype(np.float32)  # samples miss the crests
    assert 20 * math.log10(np.abs(x).max()) < -2.9
    assert loudness.true_peak_dbtp(x) > -0.3


def test_generated_jingle_is_in_the_horn_band():
    j = generated_jingle(44100)
    assert 2.0 < j.size / 44100 < 3.5
    assert dominant_hz(j, 44100) > 250


def test_steady_loudness_when_the_bulletin_has_its_own_voice(tmp_path):
    """Greeting in the station's voice, the item in another: each part is levelled, the whole hits the target."""
    from broadcast.content.bulletin import Bulletin
    from conftest import write_station

    write_station(tmp_path, speech={"engine": "espeak", "fallback": [], "voice": "vi-vn-x-central"})
    settings = load_settings(tmp_path / "station.yaml")
    b = Bulletin(id="giong-rieng", title="Tin thử", topic="general", voice="vi-vn-x-south",
                 body="Ủy ban nhân dân xã thông báo lịch tiếp công dân vào sáng thứ hai hằng tuần tại trụ sở.")
    result = build_bulletin(b, settings)
    assert {s.voice for s in result.manifest.segments} == {"vi-vn-x-central", "vi-vn-x-south"}
    lufs, peak = ebur128(result.mp3)
    assert abs(lufs - settings.audio.loudness_lufs) <= 1.0 and peak <= -1.0
    assert result.manifest.warnings == []
