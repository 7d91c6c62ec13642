"""Station settings: defaults, validation of every problem at once with file, line and suggestion."""

from pathlib import Path

import pytest

from broadcast.config import Settings, load_settings
from broadcast.errors import UserError


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BROADCAST_SETTINGS", raising=False)
    s = load_settings()
    assert s.station.timezone == "Asia/Ho_Chi_Minh"
    assert s.speech.engine == "espeak"
    assert s.audio.loudness_lufs == -16.0
    assert s.audio_out == tmp_path / "audio_out"


def test_relative_paths_resolve_against_the_settings_file(tmp_path):
    (tmp_path / "st").mkdir()
    f = tmp_path / "st" / "station.yaml"
    f.write_text("paths:\n  audio_out: out\n", encoding="utf-8")
    assert load_settings(f).audio_out == tmp_path / "st" / "out"


def test_all_problems_reported_at_once_with_lines_and_suggestions(tmp_path):
    f = tmp_path / "station.yaml"
    f.write_text(
        "station:\n  nmae: X\n  timezone: Mars/Olympus\naudio:\n  loudness_lufs: 3\nspeach: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as err:
        load_settings(f)
    problems = err.value.problems
    assert len(problems) == 4
    text = "\n".join(problems)
    assert f"{f}:2: station.nmae: unknown key; did you mean 'name'?" in text
    assert f"{f}:3: station.timezone" in text and "Mars/Olympus" in text
    assert f"{f}:5: audio.loudness_lufs" in text
    assert "speach: unknown key; did you mean 'speech'?" in text


def test_malformed_yaml_names_the_line(tmp_path):
    f = tmp_path / "station.yaml"
    f.write_text("station:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match=rf"{f}:\d+: malformed YAML"):
        load_settings(f)


def test_missing_explicit_file(tmp_path):
    with pytest.raises(UserError, match="settings file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_settings_model_is_strict():
    with pytest.raises(Exception):
        Settings.model_validate({"speech": {"rate": 10}})
    assert Settings().resolve(Path("/abs")) == Path("/abs")


def test_references_checked_with_every_problem_at_once(tmp_path):
    f = tmp_path / "station.yaml"
    f.write_text("speech:\n  engine: espek\n  fallback: [espeak, gtt]\n  lexicon: tu-dien.yaml\naudio:\n  jingle: nhac.mp3\n",
                 encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_settings(f)
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 4
    assert f"{f}:2: speech.engine: unknown speech engine 'espek'; did you mean 'espeak'?" in text
    assert f"{f}:3: speech.fallback[1]: unknown speech engine 'gtt'; did you mean 'gtts'?" in text
    assert f"{f}:4: speech.lexicon: file not found" in text and f"{f}:6: audio.jingle: file not found" in text
