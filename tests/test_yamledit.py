"""Edits to hand-written YAML keep every other line as it was: comments, order, spacing."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from broadcast.yamledit import append_to_list, set_value

PATH = "recordings/9f86d081/lời chào.wav"


@pytest.mark.parametrize("text, expected", [
    # A key added after the section's last key, before the comments that close the section.
    ("station:\n  name: X  # the name\nprogramme:\n  column: Y   # col\n  # later\n\npaths:\n  data: data\n",
     f"station:\n  name: X  # the name\nprogramme:\n  column: Y   # col\n  greeting_recording: {PATH}\n  # later\n\n"
     "paths:\n  data: data\n"),
    # A value replaced on its line; the comment after it stays.
    ("programme:\n  greeting_recording: old.wav   # keep me\n  column: Y\n",
     f"programme:\n  greeting_recording: {PATH}   # keep me\n  column: Y\n"),
    ("programme:\n  greeting_recording:    # later\n  column: Y\n",
     f"programme:\n  greeting_recording: {PATH}    # later\n  column: Y\n"),
    ("programme:\n  greeting_recording: |\n    x\n    y\n  column: Y\n",
     f"programme:\n  greeting_recording: {PATH}\n  column: Y\n"),
    # No section: added at the end; a file without a final newline gets one.
    ("# only a comment\nstation:\n  name: X", f"# only a comment\nstation:\n  name: X\n\nprogramme:\n  greeting_recording: {PATH}\n"),
    ("", f"programme:\n  greeting_recording: {PATH}\n"),
    # A flow-style or empty section is written again in block style (only that section).
    ("programme: {column: Y}  # flow\n# end\n", f"programme:\n  column: Y\n  greeting_recording: {PATH}\n# end\n"),
    ("programme:\nstation:\n  name: X\n", f"programme:\n  greeting_recording: {PATH}\nstation:\n  name: X\n"),
])
def test_set_value_changes_only_its_line(text, expected):
    assert set_value(text, "programme", "greeting_recording", PATH) == expected
    assert yaml.safe_load(expected)["programme"]["greeting_recording"] == PATH


def test_removing_a_value_gives_back_the_file_it_was_and_an_emptied_section_goes():
    original = "# station\nprogramme:\n  column: Y   # col\n\npaths:\n  data: data  # here\n"
    added = set_value(original, "programme", "greeting_recording", PATH)
    assert set_value(added, "programme", "greeting_recording", None) == original
    assert set_value(original, "programme", "greeting_recording", None) == original  # not there: nothing changes
    only = set_value("station:\n  name: X\n", "programme", "signoff_recording", PATH)
    assert set_value(only, "programme", "signoff_recording", None) == "station:\n  name: X\n"  # the file it was
    between = "station:\n  name: X\n\nprogramme:\n  signoff_recording: a.wav\n\npaths:\n  data: d\n"
    assert set_value(between, "programme", "signoff_recording", None) == "station:\n  name: X\n\npaths:\n  data: d\n"
    assert yaml.safe_load(set_value("programme: {signoff_recording: a.wav}\n", "programme", "signoff_recording",
                                    None)) is None  # no `programme:` left holding null


def test_values_that_need_quotes_are_quoted():
    out = set_value("programme:\n  column: Y\n", "programme", "greeting_recording", "a: b #c.wav")
    assert yaml.safe_load(out)["programme"]["greeting_recording"] == "a: b #c.wav"


def test_append_to_list_keeps_comments_around_the_list():
    text = "zones: {}\nskip:\n  - date: 2024-01-01   # Tết dương lịch\n    reason: nghỉ\n# more to come\none_off: []\n"
    out = append_to_list(text, "skip", {"date": date(2024, 4, 30), "reason": "Giải phóng"})
    assert out == ("zones: {}\nskip:\n  - date: 2024-01-01   # Tết dương lịch\n    reason: nghỉ\n"
                   "  - date: 2024-04-30\n    reason: Giải phóng\n# more to come\none_off: []\n")
    assert yaml.safe_load(append_to_list(out, "one_off", {"name": "x"}))["one_off"] == [{"name": "x"}]
