"""Station lexicon: loading, precedence over the built-in one, bad entries, reload; inline overrides."""

from __future__ import annotations

import pytest

from broadcast.errors import UserError
from broadcast.speech.lexicon import builtin_lexicon, load_lexicon
from broadcast.speech.normalise import explain, normalise, unspeakable


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_lexicon_has_the_administrative_core():
    lex = builtin_lexicon()
    for word in ["UBND", "HĐND", "HDND", "UBMTTQ", "MTTQ", "CCHC", "TTHC", "CBCC", "TTg", "CP", "VHTT", "TU", "ĐU",
                 "BCH", "CNTT", "PAR INDEX", "TT&TT"]:  # fmt: skip
        assert word in lex, word
    assert lex.spoken("UBND") == "Ủy ban nhân dân"


def test_no_station_file_means_builtin_only():
    assert load_lexicon(None) is builtin_lexicon()


def test_station_entries_add_and_win(tmp_path):
    file = write(tmp_path / "lexicon.yaml", "BQLDA: Ban quản lý dự án\nUBND: ủy ban xã\n")
    lex = load_lexicon(file)
    assert normalise("BQLDA và UBND", lex) == "Ban quản lý dự án và ủy ban xã"
    # The built-in entries are still there.
    assert normalise("CCHC", lex) == "cải cách hành chính"


def test_station_entry_replaces_context_guessing(tmp_path):
    file = write(tmp_path / "lexicon.yaml", "TT: Trung tâm\n")
    assert normalise("TT Đảng ủy") == "Thường trực Đảng ủy"
    assert normalise("TT Đảng ủy", load_lexicon(file)) == "Trung tâm Đảng ủy"


def test_ambiguous_word_without_context_is_left_for_the_editor():
    out = normalise("ý kiến của TT")
    assert out == "ý kiến của TT"
    assert unspeakable(out) == ["TT"]


def test_station_entry_with_digits_in_the_written_form(tmp_path):
    file = write(tmp_path / "lexicon.yaml", '"Đề án 06": Đề án không sáu\n')
    assert normalise("triển khai Đề án 06 của Chính phủ", load_lexicon(file)) == (
        "triển khai Đề án không sáu của Chính phủ"
    )


def test_empty_station_file_is_fine(tmp_path):
    file = write(tmp_path / "lexicon.yaml", "# nothing yet\n")
    assert normalise("UBND", load_lexicon(file)) == "Ủy ban nhân dân"


def test_reload_picks_up_edits(tmp_path):
    file = write(tmp_path / "lexicon.yaml", "BQLDA: Ban quản lý\n")
    assert normalise("BQLDA", load_lexicon(file)) == "Ban quản lý"
    write(file, "BQLDA: Ban quản lý dự án\nHTXNN: hợp tác xã nông nghiệp\n")
    lex = load_lexicon(file)
    assert normalise("BQLDA, HTXNN", lex) == "Ban quản lý dự án, hợp tác xã nông nghiệp"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("UBND: Ủy ban\nBQL:\n", 2, "spoken form is empty"),
        ("UBND: Ủy ban\nBQL: '  '\n", 2, "spoken form is empty"),
        ("A: một\nTTHC113: gọi 113\n", 2, "still contains digits"),
        ("UBND: Ủy ban\nUBND: ủy ban\n", 2, "listed twice (lines 1 and 2)"),
        ("UBND:\n  - Ủy ban\n", 1, "must be text"),
        ("0220: không hai hai không\n", 1, "put it in quotes"),
        ("X: a/b\n", 1, "contains symbols"),
    ],
)
def test_bad_entries_name_file_line_and_fix(tmp_path, text, line, fragment):
    file = write(tmp_path / "lexicon.yaml", text)
    with pytest.raises(UserError) as err:
        load_lexicon(file)
    message = str(err.value)
    assert f"{file}:{line}:" in message
    assert fragment in message


def test_all_problems_are_reported_at_once(tmp_path):
    file = write(tmp_path / "lexicon.yaml", "A:\nB: 12\nC: ba\nC: bốn\n")
    with pytest.raises(UserError) as err:
        load_lexicon(file)
    assert len(err.value.problems) == 3


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- UBND\n- HĐND\n", "mapping of written word to spoken form"),
        ("UBND: [unclosed\n", "malformed YAML"),
    ],
)
def test_not_a_mapping_or_not_yaml(tmp_path, text, fragment):
    file = write(tmp_path / "lexicon.yaml", text)
    with pytest.raises(UserError, match=fragment) as err:
        load_lexicon(file)
    assert str(file) in str(err.value)


def test_missing_station_file(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_lexicon(tmp_path / "nope.yaml")


# ---------------------------------------------------------------------------------------------
# Inline override [[written|spoken]]


def test_override_spoken_part_is_verbatim():
    assert normalise("Theo [[PAR INDEX|chỉ số cải cách hành chính]] năm 2024") == (
        "Theo chỉ số cải cách hành chính năm hai nghìn không trăm hai mươi tư"
    )


def test_override_beats_lexicon_and_number_rules(tmp_path):
    lex = load_lexicon(write(tmp_path / "lexicon.yaml", "UBND: ủy ban\n"))
    assert normalise("[[UBND|U bê en đê]] và UBND", lex) == "U bê en đê và ủy ban"
    assert normalise("tổng đài [[1022|mười hai hai]]") == "tổng đài mười hai hai"


def test_override_is_explained():
    changes = explain("Đọc [[TTg|Thủ tướng]] nhé")
    assert [(c.original, c.rule, c.spoken) for c in changes] == [("[[TTg|Thủ tướng]]", "override", "Thủ tướng")]


def test_override_without_pipe_keeps_the_written_text():
    assert normalise("mã [[QR]] này") == "mã QR này"


def test_override_with_empty_spoken_part_is_silent():
    assert normalise("Kính gửi [[(bản nháp)|]] bà con") == "Kính gửi bà con"
