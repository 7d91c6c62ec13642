"""Problems as data: a caller that places errors next to fields (the web console) reads file, line and field
path from `UserError.details` without parsing the printed line; the terminal's line stays as it was."""

from pathlib import Path

import pytest

from broadcast.content.bulletin import load_bulletin
from broadcast.errors import UserError
from broadcast.problems import Problem, did_you_mean, field_path, in_line_order
from broadcast.schedule.validation import load_schedule

REPO = Path(__file__).resolve().parent.parent

HOTLINE = """\
id: duong-day-nong
title: Đường dây nóng
topic: hotline
template: hotline
data:
  lines:
    - {purpose: tiếp nhận phản ánh, number: 0220.3852.111}
    - {purpose: phòng, chống bạo lực gia đình}
"""


def field_errors(exc: UserError) -> dict[str, tuple[int | None, str]]:
    """What a web form does with an error: field path -> (line, message), no text parsing."""
    return {p.path: (p.line, p.message) for p in exc.details}


def test_a_web_caller_maps_a_bulletin_data_error_to_its_field(tmp_path):
    from broadcast.config import Settings
    from broadcast.content.render import render_bulletin

    f = tmp_path / "b.yaml"
    f.write_text(HOTLINE, encoding="utf-8")
    bulletin = load_bulletin(f)
    with pytest.raises(UserError) as err:
        render_bulletin(bulletin, Settings())
    fields = field_errors(err.value)
    assert fields == {"data.lines[1].number": (8, "required key is missing (each entry needs purpose, number)")}
    (problem,) = err.value.details
    assert problem.file == str(f) and problem.column == 7  # the second entry's '{'
    # The terminal still reads one line naming file, line and field.
    assert err.value.problems == [f"{f}:8: data.lines[1].number: required key is missing (each entry needs purpose, number)"]


def test_a_bulletin_with_schema_errors_still_maps_each_problem_to_its_field(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text(HOTLINE.replace("topic: hotline", "topic: weather").replace("title: Đường dây nóng\n", "titel: X\n")
                 .replace("purpose: tiếp", "purpos: tiếp"), encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_bulletin(f)
    fields = field_errors(err.value)
    assert fields["titel"] == (2, "unknown key") and fields["title"][1] == "required key is missing"
    assert fields["topic"][0] == 3 and "unknown topic 'weather'" in fields["topic"][1]
    assert fields["data.lines[0].purpose"][0] == 7 and fields["data.lines[1].number"][0] == 8
    titel = next(p for p in err.value.details if p.path == "titel")
    assert titel.hint == "did you mean 'title'?"
    # In line order, by the problem's line, not by parsing text.
    assert [p.line for p in err.value.details] == sorted(p.line or 0 for p in err.value.details)


def test_a_web_caller_maps_a_schedule_error_to_its_field(tmp_path):
    text = (REPO / "schedule.yaml").read_text(encoding="utf-8").replace('time: "17:00"', 'time: "25:00"')
    text = text.replace("zones: [trung-tam, thon-1, thon-2]\n  - name: chiều", "zones: [trung-tam, thon1]\n  - name: chiều")
    f = tmp_path / "schedule.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_schedule(f)
    fields = field_errors(err.value)
    line_of = {n: i for i, n in enumerate(text.splitlines(), 1)}
    assert fields["sessions[chiều].time"] == (line_of['    time: "25:00"'],
                                              "'25:00' is not a time of day (hours 0-23, minutes 0-59)")
    zone = next(p for p in err.value.details if p.path == "sessions[sáng].zones")
    assert zone.message == "unknown zone 'thon1'" and zone.hint == "did you mean 'thon-1'?"


def test_station_settings_problems_carry_their_field(tmp_path):
    from broadcast.config import load_settings

    f = tmp_path / "station.yaml"
    f.write_text("speech:\n  engine: espek\n  rate: 10\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_settings(f)
    assert [(p.path, p.line, p.hint) for p in err.value.details] == [
        ("speech.engine", 2, "did you mean 'espeak'?"), ("speech.rate", 3, "")]


def test_the_printed_line_and_plain_strings():
    p = Problem("unknown key", "a.yaml", 3, 5, "titel", "did you mean 'title'?")
    assert str(p) == "a.yaml:3: titel: unknown key; did you mean 'title'?"
    assert str(Problem("the file is empty", "a.yaml")) == "a.yaml: the file is empty"
    assert str(Problem("needs data key 'x'", "a.yaml", 4, path="data.x", show_path=False)) == "a.yaml:4: needs data key 'x'"
    assert p.as_dict()["text"] == str(p) and p.as_dict()["path"] == "titel"
    err = UserError(["plain text", p])
    assert err.problems == ["plain text", str(p)] and err.details[0] == Problem("plain text")


def test_field_path_and_did_you_mean():
    assert field_path(("data", "lines", 1, "number")) == "data.lines[1].number"
    assert field_path(()) == ""
    assert did_you_mean("espek", ["espeak", "gtts"]) == "did you mean 'espeak'?"
    assert did_you_mean("zzz", ["espeak"], "available: espeak") == "available: espeak"
    assert did_you_mean("zzz", ["espeak"]) == ""


def test_in_line_order_sorts_by_line_and_keeps_each_once():
    a, b, whole = Problem("b", "f", 9), Problem("a", "f", 2), Problem("empty", "f")
    other = Problem("elsewhere", "g", 1)
    assert in_line_order([a, b, whole, a, other], "f") == [whole, other, b, a]
