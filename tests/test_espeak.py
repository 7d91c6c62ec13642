"""eSpeak NG through ctypes really speaks Vietnamese: duration grows with text, not silent, voices differ."""

import numpy as np
import pytest

from broadcast.errors import EngineError
from broadcast.speech.engines.espeak import VOICES, EspeakEngine

SHORT = "Đây là Đài truyền thanh xã Tiền Tiến."
LONG = SHORT + " Mời bà con cùng nghe chuyên mục cải cách hành chính. Ủy ban nhân dân xã thông báo lịch tiếp công dân."


@pytest.fixture(scope="module")
def engine():
    return EspeakEngine()


def test_duration_grows_with_text_and_is_not_silent(engine):
    short = engine.synthesize(SHORT, "vi", 150)
    long = engine.synthesize(LONG, "vi", 150)
    assert short.sample_rate == 22050
    assert 1.5 < short.duration_s < 6
    assert long.duration_s > 2.5 * short.duration_s
    rms = np.sqrt(np.mean(long.samples.astype(np.float64) ** 2))
    assert rms > 0.05  # speech, not silence
    # Speech has pauses: a good share of 50 ms frames are much quieter than the loudest.
    frames = long.samples[: long.samples.size // 1102 * 1102].reshape(-1, 1102)
    energy = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    assert (energy < 0.1 * energy.max()).mean() > 0.05


def test_rate_changes_duration(engine):
    slow = engine.synthesize(LONG, "vi", 110).duration_s
    fast = engine.synthesize(LONG, "vi", 220).duration_s
    assert slow > 1.4 * fast


def test_the_three_vietnamese_voices_differ(engine):
    outs = {v: engine.synthesize(LONG, v, 150).samples for v in VOICES}
    assert set(outs) == {"vi", "vi-vn-x-central", "vi-vn-x-south"}
    for a in VOICES:
        for b in VOICES:
            if a < b:
                x, y = outs[a], outs[b]
                n = min(x.size, y.size)
                assert x.size != y.size or not np.array_equal(x[:n], y[:n]), (a, b)


def test_unknown_voice_is_an_engine_error(engine):
    with pytest.raises(EngineError, match="not one of"):
        engine.synthesize(SHORT, "en", 150)


def test_same_text_nearly_same_length(engine):
    # eSpeak adds random variation (noise, a few ms of timing), so only the length is stable.
    a = engine.synthesize(SHORT, "vi-vn-x-south", 150).samples
    b = engine.synthesize(SHORT, "vi-vn-x-south", 150).samples
    assert abs(a.size - b.size) < 0.02 * a.size
