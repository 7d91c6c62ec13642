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


def test_schema_errors_do_not_hide_engine_and_file_references(tmp_path):
    f = tmp_path / "station.yaml"
    f.write_text("speech:\n  engine: espek\n  rate: 10\n  fallback: [gtt]\n  lexicon: tu-dien.yaml\n"
                 "audio:\n  jingle: nhac.mp3\n  sample_rate: 22050\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_settings(f)
    problems = err.value.problems
    assert [p.split(": ")[0] for p in problems] == [f"{f}:{n}" for n in (2, 3, 4, 5, 7, 8)], problems
    assert problems[0] == f"{f}:2: speech.engine: unknown speech engine 'espek'; did you mean 'espeak'?"
    assert problems[1].startswith(f"{f}:3: speech.rate: ")
    assert problems[2] == f"{f}:4: speech.fallback[0]: unknown speech engine 'gtt'; did you mean 'gtts'?"
    assert problems[3].startswith(f"{f}:5: speech.lexicon: file not found: {tmp_path / 'tu-dien.yaml'}")
    assert problems[4].startswith(f"{f}:7: audio.jingle: file not found: {tmp_path / 'nhac.mp3'}")
    assert problems[5].startswith(f"{f}:8: audio.sample_rate: ")


def test_values_of_the_wrong_type_are_left_to_the_schema(tmp_path):
    f = tmp_path / "station.yaml"
    f.write_text("speech:\n  engine: [espeak]\n  fallback: espeak\naudio: loud\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_settings(f)
    assert [p.split(": ")[1] for p in err.value.problems] == ["speech.engine", "speech.fallback", "audio"]
    assert "unknown speech engine" not in "\n".join(err.value.problems)
