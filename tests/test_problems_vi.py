"""Problems in Vietnamese for the console (broadcast.problems_vi): every code the package raises has a
wording, and the problems the console shows (bulletin form, schedule changes, Thu âm, reports, the
lexicon) read in Vietnamese from their code and params while the CLI keeps its English line."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest

from broadcast.app import editing, lexicon, schedule_changes
from broadcast.config import Settings, load_settings
from broadcast.content.bulletin import parse_bulletin
from broadcast.errors import UserError
from broadcast.problems import Problem
from broadcast.problems_vi import WORDS, in_vietnamese, missing_codes, said

REPO = Path(__file__).resolve().parent.parent
PREFIXES = ("file", "yaml", "schema", "bulletin", "template", "render", "speech", "voice", "jingle", "disk",
            "recording", "audio", "settings", "schedule", "lexicon", "log", "report", "service")
ENGLISH = re.compile(r"\b(the|is|not|and|file|must|use|unknown|cannot|above)\b")


def _codes_in_source() -> set[str]:
    """Every "prefix.name" string literal of the package that is a problem code (not a file name, not a
    settings key like "speech.engine")."""
    pattern = re.compile(r'"((?:%s)\.[a-z_]+)"' % "|".join(PREFIXES))
    found = set()
    for file in (REPO / "broadcast").rglob("*.py"):
        if file.name == "problems_vi.py":
            continue
        for code in pattern.findall(file.read_text(encoding="utf-8")):
            section, name = code.split(".")
            section_model = getattr(Settings.model_fields.get(section), "annotation", None)
            if name in ("html", "yaml", "yml") or name in getattr(section_model, "model_fields", {}):
                continue
            found.add(code)
    return found


def test_every_code_the_package_raises_has_a_vietnamese_wording():
    codes = _codes_in_source()
    assert len(codes) > 60  # the walk found them (a broken pattern would find none)
    assert missing_codes(sorted(codes)) == []


def test_no_wording_is_english():
    for code, words in WORDS.items():
        if isinstance(words, str):  # the technical detail after "Chi tiết" is the program's own words
            assert not ENGLISH.search(re.sub(r"\{\w*\}", "", words.split("(Chi tiết")[0])), code


def _bulletin_problems(text: str) -> list[Problem]:
    with pytest.raises(UserError) as caught:
        parse_bulletin(text, Path("bulletins/thu.yaml"))
    return caught.value.details


def test_bulletin_problems_keep_their_english_line_and_read_in_vietnamese():
    problems = _bulletin_problems("id: Sai Ma\ntitle: x\ntopic: khong-co\ntemplate: one_stop\n"
                                  "air: {from: 2024-05-06, to: 2024-05-01}\n"
                                  "data: {period: Quý I, received: 10, on_time: 12, pending: 'nhiều'}\n")
    lines = [str(p) for p in problems]
    assert "bulletins/thu.yaml:1: id: use lower-case letters" in lines[0]  # the CLI's line, unchanged
    labels = {"data.on_time": "Số hồ sơ giải quyết đúng hạn", "data.received": "Số hồ sơ tiếp nhận",
              "data.pending": "Số hồ sơ đang giải quyết"}
    vi = said(problems, lambda path: labels.get(path, path))
    assert "Mã bản tin chỉ gồm chữ thường không dấu" in vi[0]
    assert any("Chủ đề «khong-co» không có" in t for t in vi)
    assert any("Ngày kết thúc phát (01/05/2024) đang ở trước ngày bắt đầu (06/05/2024)." == t for t in vi)
    assert "Số hồ sơ đang giải quyết: cần một số nguyên, ví dụ 1245 (không dùng dấu chấm, dấu phẩy)." in vi
    assert not any(ENGLISH.search(t) for t in vi), vi


def test_a_count_above_its_limit_names_both_fields_as_the_form_does(tmp_path):
    from broadcast.app.bulletins import check

    problems = check(tmp_path / "a.yaml", Settings(base_dir=tmp_path), "id: a\ntitle: x\ntopic: one_stop\n"
                     "template: one_stop\ndata: {period: Quý I, received: 10, on_time: 12}\n")
    labels = {"data.on_time": "Số hồ sơ giải quyết đúng hạn", "data.received": "Số hồ sơ tiếp nhận"}
    assert said(problems, labels.get) == ["Số hồ sơ giải quyết đúng hạn (12) lớn hơn Số hồ sơ tiếp nhận (10)."]


def test_a_bulletin_over_the_cap_is_worded_with_its_length(tmp_path):
    settings = Settings(base_dir=tmp_path)
    doc = {"title": "Dài", "topic": "general", "template": "free", "body": "Xin chào bà con. " * 3000}
    with pytest.raises(UserError) as caught:
        editing.save(settings, doc, "bientap")
    assert caught.value.problems[0].endswith("split it into several bulletins or shorten it")
    text = in_vietnamese(caught.value.details[0])
    assert text.startswith("Bản tin đọc mất khoảng ") and "(ước tính), quá giới hạn 15 phút" in text


@pytest.fixture
def station(tmp_path) -> Settings:
    (tmp_path / "schedule.yaml").write_text((REPO / "schedule.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "station.yaml").write_text("log: {journal: 'off'}\n", encoding="utf-8")
    return load_settings(tmp_path / "station.yaml")


def test_a_one_off_session_that_clashes_is_refused_in_vietnamese_naming_zones_by_name(station):
    before = station.schedule_file.read_text(encoding="utf-8")
    with pytest.raises(UserError) as caught:  # a Tuesday at 05:40: ten minutes after the weekly 05:30
        schedule_changes.add_one_off(station, "Họp dân", date(2024, 5, 7), time(5, 40), ["trung-tam"], "quantri")
    assert station.schedule_file.read_text(encoding="utf-8") == before
    assert any("can be on air at the same time" in line for line in caught.value.problems)
    vi = said(caught.value)
    assert any(t.startswith("Phiên «Họp dân» và phiên «sáng» có thể phát cùng lúc trên Cụm loa trung tâm xã")
               and "ít nhất 45 phút" in t for t in vi), vi
    assert not any("trung-tam" in t or "schedule.yaml" in t or ENGLISH.search(t) for t in vi), vi


def test_a_third_session_on_a_day_says_which_day_and_the_cap(station):
    with pytest.raises(UserError) as caught:
        schedule_changes.add_one_off(station, "Tối", date(2024, 5, 7), time(20, 0), None, "quantri")
    assert "Ngày 07/05/2024 có 3 phiên phát, vượt giới hạn 2 phiên một ngày của đài." in said(caught.value)


def test_lexicon_problems_name_the_word_not_a_temporary_file(station):
    with pytest.raises(UserError) as caught:
        lexicon.set_entry(station, "HTX", "hợp tác xã 2", "bientap")
    assert "/tmp" in caught.value.problems[0] or str(station.base_dir) in caught.value.problems[0]
    assert said(caught.value) == ["Cách đọc «hợp tác xã 2» còn chữ số: hãy viết số thành chữ (ví dụ «mười một», "
                                  "«một một ba»)."]


def test_a_recording_that_is_not_audio_is_refused_in_vietnamese(tmp_path):
    from broadcast.audio.recording import prepare

    fake = tmp_path / "ghi-am.mp3"
    fake.write_text("không phải âm thanh", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        prepare(fake, 44100, -16)
    assert caught.value.problems[0].startswith("ghi-am.mp3: not a recording")
    assert said(caught.value) == ["Tệp ghi-am.mp3 không phải tệp âm thanh: hãy chọn tệp MP3, WAV, M4A, OGG hoặc WebM."]


def test_a_problem_without_a_code_is_shown_as_it_was_written():
    assert in_vietnamese(Problem("Mật khẩu cần ít nhất 8 ký tự.")) == "Mật khẩu cần ít nhất 8 ký tự."


def test_a_file_that_does_not_load_is_named_with_its_line_in_lists():
    problems = _bulletin_problems("id: a\ntitle: x\ntopic: general\nbody: [\n")
    assert said(problems, where=True) == ["Viết sai cú pháp ở dòng 5 của tệp thu.yaml: hãy kiểm tra dấu hai chấm, thụt "
                                          "lề và dấu ngoặc kép."]
    wrong_topic = _bulletin_problems("id: a\ntitle: x\ntopic: khong-co\n")
    assert said(wrong_topic, where=True) == ["thu.yaml, dòng 3: Chủ đề «khong-co» không có trong danh sách chủ đề của "
                                             "báo cáo."]
