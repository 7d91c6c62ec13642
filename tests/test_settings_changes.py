"""The station's voice changed from the console (app/settings_changes): speech.engine and speech.voice set in
station.yaml with its comments kept, the change audited, and a file that would not load never written."""

from __future__ import annotations

import pytest
import yaml

from broadcast.app.settings_changes import set_station_voice
from broadcast.config import load_settings
from broadcast.desk import audit
from broadcast.errors import UserError

STATION = """# our station
speech:
  engine: espeak          # espeak (offline), piper
  fallback: [espeak]
  gtts:
    timeout: 10
# audio next
audio:
  loudness_lufs: -16
"""


def test_the_voice_is_set_in_place_with_comments_kept_and_audited(tmp_path):
    file = tmp_path / "station.yaml"
    file.write_text(STATION, encoding="utf-8")
    new, changed = set_station_voice(load_settings(file), "espeak", "vi-vn-x-south", "quantri")
    assert (new.speech.engine, new.speech.voice) == ("espeak", "vi-vn-x-south") and not changed.reloaded
    text = file.read_text(encoding="utf-8")
    assert "  engine: espeak          # espeak (offline), piper\n" in text
    assert text.count("# our station") == text.count("# audio next") == 1
    assert yaml.safe_load(text)["speech"]["fallback"] == ["espeak"]
    entry = audit.entries(new.data_dir, limit=1)[0]
    assert (entry.user, entry.action, entry.target) == ("quantri", "settings", "speech")


def test_a_voice_the_file_would_refuse_is_not_written(tmp_path):
    file = tmp_path / "station.yaml"
    file.write_text(STATION, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        set_station_voice(load_settings(file), "khong-co", "vi", "quantri")
    assert "unknown speech engine 'khong-co'" in caught.value.problems[0]
    assert str(file) in caught.value.problems[0] and ".tmp" not in caught.value.problems[0]
    assert file.read_text(encoding="utf-8") == STATION
    assert [p.name for p in tmp_path.iterdir()] == ["station.yaml"]  # no temp file left behind
