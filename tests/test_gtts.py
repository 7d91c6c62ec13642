"""The gTTS engine against a local stand-in server: success, errors, a black-holed network, fallback."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from gtts_server import TONE_RATE, GttsStandIn, closed_url

from broadcast.config import Settings
from broadcast.errors import EngineError
from broadcast.speech.synth import station_engine
from broadcast.speech.synth import Speaker

TEXT = "Xin chào bà con"


@pytest.fixture
def server():
    with GttsStandIn() as stand_in:
        yield stand_in


def settings_for(tmp_path: Path, url: str, timeout: float = 1.0, fallback=("espeak",)) -> Settings:
    s = Settings(base_dir=tmp_path)
    s.speech.engine = "gtts"
    s.speech.fallback = list(fallback)
    s.speech.voice = "vi"
    s.speech.gtts.url = url
    s.speech.gtts.timeout = timeout
    s.paths.cache = tmp_path / "cache"
    s.paths.audio_out = tmp_path / "out"
    return s


def test_pydub_decodes_any_mp3_layout_to_mono_at_the_engine_rate(tmp_path):
    """If the service ever answers in stereo 44.1 kHz, the engine still hands 24 kHz mono to the mix."""
    import subprocess

    from broadcast.audio.ffmpeg import ffmpeg_exe
    from broadcast.speech.engines.gtts_engine import SAMPLE_RATE, decode_mp3

    mp3 = subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=1000:d=1.5:r=44100", "-ac", "2",
                          "-b:a", "128k", "-f", "mp3", "pipe:1"], capture_output=True, check=True).stdout
    samples = decode_mp3(mp3)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) / SAMPLE_RATE - 1.5) < 0.06  # MP3 adds encoder padding, never seconds
    spectrum = np.abs(np.fft.rfft(samples[2400:-2400]))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / (len(samples) - 4800) - 1000) < 5  # the tone, at the right pitch
    with pytest.raises(EngineError, match="cannot be decoded"):
        decode_mp3(b"not an mp3 at all")


def test_success_decodes_the_served_mp3(tmp_path, server):
    engine = station_engine("gtts", settings_for(tmp_path, server.url))
    speech = engine.synthesize(TEXT, "vi", 150)
    assert speech.sample_rate == TONE_RATE
    # MP3 adds encoder delay and padding (a frame is 1152 samples): within 0.1 s of the tone.
    assert speech.duration_s == pytest.approx(server.tone_s, abs=0.1)
    assert 0.3 < np.max(np.abs(speech.samples)) < 0.7
    assert server.requests == [TEXT]


def test_long_text_is_one_request_per_piece(tmp_path, server):
    text = " ".join(["Ủy ban nhân dân xã thông báo lịch tiếp công dân trong tháng."] * 4)
    speech = station_engine("gtts", settings_for(tmp_path, server.url)).synthesize(text, "vi", 150)
    pieces = len(server.requests)
    assert pieces >= 3 and all(len(p) <= 100 for p in server.requests)
    assert speech.duration_s == pytest.approx(pieces * server.tone_s, abs=0.1 * pieces)


def test_slow_rate_asks_for_the_slow_reading(tmp_path, server):
    engine = station_engine("gtts", settings_for(tmp_path, server.url))
    engine.synthesize(TEXT, "vi", 150)
    engine.synthesize(TEXT, "vi", 100)  # gTTS has two speeds: below 110 wpm asks for the slow one
    assert server.slow == [False, True]


@pytest.mark.parametrize("mode, message", [
    ("http_error", "gTTS failed"),
    ("no_audio", "gTTS failed"),
    ("not_mp3", "cannot be decoded"),
])
def test_bad_answers_are_engine_errors(tmp_path, server, mode, message):
    server.mode = mode
    with pytest.raises(EngineError, match=message):
        station_engine("gtts", settings_for(tmp_path, server.url)).synthesize(TEXT, "vi", 150)


def test_http_error_names_the_status(tmp_path, server):
    server.mode = "http_error"
    with pytest.raises(EngineError, match="500"):
        station_engine("gtts", settings_for(tmp_path, server.url)).synthesize(TEXT, "vi", 150)


def test_offline_fails_at_once(tmp_path):
    engine = station_engine("gtts", settings_for(tmp_path, closed_url()))
    t = time.monotonic()
    with pytest.raises(EngineError, match="gTTS failed"):
        engine.synthesize(TEXT, "vi", 150)
    assert time.monotonic() - t < 1.0


def test_server_that_never_answers_times_out(tmp_path, server):
    server.mode = "hang"
    engine = station_engine("gtts", settings_for(tmp_path, server.url, timeout=1.0))
    t = time.monotonic()
    with pytest.raises(EngineError):
        engine.synthesize(TEXT, "vi", 150)
    elapsed = time.monotonic() - t
    assert 0.9 <= elapsed < 4.0, elapsed


def test_chain_falls_back_to_espeak_when_gtts_hangs(tmp_path, server):
    server.mode = "hang"
    t = time.monotonic()
    spoken = Speaker(settings_for(tmp_path, server.url, timeout=1.0)).say(TEXT)
    assert time.monotonic() - t < 4.0
    assert spoken.engine == "espeak" and spoken.voice == "vi"
    assert spoken.fell_back_from == ("gtts",)
    assert spoken.failures[0].startswith("gtts: ")
    assert spoken.samples.size > 0


def test_chain_falls_back_to_fake_on_http_error(tmp_path, server):
    server.mode = "http_error"
    spoken = Speaker(settings_for(tmp_path, server.url, fallback=["fake"])).say(TEXT)
    assert (spoken.engine, spoken.voice, spoken.fell_back_from) == ("fake", "fake", ("gtts",))


def test_gtts_audio_is_cached_and_reused_offline(tmp_path, server):
    settings = settings_for(tmp_path, server.url)
    first = Speaker(settings).say(TEXT)
    server.stop()
    again = Speaker(settings).say(TEXT)
    assert (first.engine, first.cached) == ("gtts", False)
    assert (again.engine, again.cached, again.fell_back_from) == ("gtts", True, ())
    assert np.array_equal(first.samples, again.samples)
    assert len(server.requests) == 1
