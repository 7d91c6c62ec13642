"""`broadcast normalize`: one spoken line per input line, --explain, --lexicon, settings' lexicon, errors."""

from __future__ import annotations

import io

import pytest
import yaml
from click.testing import CliRunner

from broadcast.cli import cli, main

INPUT = "Chỉ thị 11/CT-TTg ngày 29/3/2017\n\nUBND xã lúc 17h30\nKính thưa bà con\n"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    # A clean folder without station.yaml, so the built-in settings apply.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BROADCAST_SETTINGS", raising=False)
    return CliRunner()


def test_one_spoken_line_per_input_line(runner):
    result = runner.invoke(cli, ["normalize"], input=INPUT)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Chỉ thị số mười một ngày hai mươi chín tháng ba năm hai nghìn không trăm mười bảy",
        "",
        "Ủy ban nhân dân xã lúc mười bảy giờ ba mươi phút",
        "Kính thưa bà con",
    ]


def test_line_count_is_kept_for_awkward_lines(runner):
    lines = ["", "   ", "“”", "- ", "UBND", "[[x|]]", "0220.3852.111"]
    result = runner.invoke(cli, ["normalize"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(lines)


def test_explain_shows_original_rule_and_spoken_form(runner):
    result = runner.invoke(cli, ["normalize", "--explain"], input=INPUT)
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert out[0] == "1: Chỉ thị 11/CT-TTg ngày 29/3/2017"
    assert out[1].split() == ["11/CT-TTg", "document-number", "→", "số", "mười", "một"]
    assert out[2].split()[:3] == ["29/3/2017", "date", "→"]
    assert out[3:5] == ["2:", "    (no change)"]
    assert out[5] == "3: UBND xã lúc 17h30"
    assert "UBND" in out[6] and "lexicon" in out[6] and "Ủy ban nhân dân" in out[6]
    assert out[8:] == ["4: Kính thưa bà con", "    (no change)"]


def test_lexicon_option(runner, tmp_path):
    lexicon = tmp_path / "mine.yaml"
    lexicon.write_text("UBND: ủy ban xã nhà\n", encoding="utf-8")
    result = runner.invoke(cli, ["normalize", "--lexicon", str(lexicon)], input="UBND\n")
    assert result.output == "ủy ban xã nhà\n"


def test_settings_lexicon_is_used(runner, tmp_path):
    (tmp_path / "words.yaml").write_text("BQLDA: Ban quản lý dự án\n", encoding="utf-8")
    settings = tmp_path / "station.yaml"
    settings.write_text(yaml.safe_dump({"speech": {"lexicon": "words.yaml"}}), encoding="utf-8")
    result = runner.invoke(cli, ["--settings", str(settings), "normalize"], input="BQLDA xã\n")
    assert result.exit_code == 0, result.output
    assert result.output == "Ban quản lý dự án xã\n"


def test_bad_lexicon_exits_2_naming_file_and_line(runner, tmp_path, monkeypatch, capsys):
    lexicon = tmp_path / "bad.yaml"
    lexicon.write_text("UBND: Ủy ban\nTTHC: ''\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("UBND\n"))
    with pytest.raises(SystemExit) as exit_:
        main(["normalize", "--lexicon", str(lexicon)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{lexicon}:2:" in err and "spoken form is empty" in err


def test_missing_lexicon_exits_2(runner, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("UBND\n"))
    with pytest.raises(SystemExit) as exit_:
        main(["normalize", "--lexicon", str(tmp_path / "none.yaml")])
    assert exit_.value.code == 2
    assert "file not found" in capsys.readouterr().err


def test_explain_names_what_was_left_as_written(runner):
    result = runner.invoke(cli, ["normalize", "--explain"], input="Ngày 32/1/2024 và [[abc|def\n")
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()[1:]
    assert rows[0].split() == ["32/1/2024", "date:", "left", "as", "written", "→", "32/1/2024"]
    assert rows[1].split()[:2] == ["[[abc|def", "override:"]


def test_non_utf8_stdin_is_one_clear_line_and_exit_2(runner, monkeypatch, capsys):
    # Windows-1258 / Latin-1 bytes, as a text saved by an old editor would arrive.
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("UBND\nThông báo\n".encode("cp1258"))))
    with pytest.raises(SystemExit) as exit_:
        main(["normalize"])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "error: stdin: not UTF-8 text (line 2: invalid continuation byte); convert it first, "
        "e.g. `iconv -f CP1258 -t UTF-8 FILE | broadcast normalize`"
    ]


def test_utf8_with_byte_order_mark_and_crlf(runner):
    result = runner.invoke(cli, ["normalize"], input="\ufeffUBND\r\nCCHC\r\n".encode())
    assert result.exit_code == 0, result.output
    assert result.output == "Ủy ban nhân dân\ncải cách hành chính\n"


def test_non_utf8_station_lexicon_is_one_clear_line_and_exit_2(runner, tmp_path, monkeypatch, capsys):
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_bytes("BQLDA: Ban quản lý dự án\n".encode("utf-16"))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"BQLDA\n")))
    with pytest.raises(SystemExit) as exit_:
        main(["normalize", "--lexicon", str(lexicon)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {lexicon}: not UTF-8 text") and "save it as UTF-8" in err[0]


def test_explain_names_the_rules_real_text_needed(runner):
    lines = [
        "a) Sau 10 (mười) ngày, thủ tục hành chính (TTHC) theo TT36/2017 và 30c/NQ-CP",
        "trực 24/24h, gọi tổng đài 1022, mã vùng + 114, VNEID, ngày 25-3 lúc 09:04:52",
    ]
    result = runner.invoke(cli, ["normalize", "--explain"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    expected = {
        "a)": ("pause", "(removed)"), "10 (mười)": ("number", "mười"), "(TTHC)": ("definition", "(removed)"),
        "TT36/2017": ("document-number", "Thông tư ba mươi sáu năm"), "30c/NQ-CP": ("document-number", "ba mươi xê"),
        "24/24h": ("round-the-clock", "hai mươi tư trên hai mươi tư giờ"), "1022": ("phone", "một không hai hai"),
        "+": ("symbol", "cộng"), "VNEID": ("lexicon", "vê en e ai đi"), "25-3": ("date", "hai mươi lăm tháng ba"),
        "09:04:52": ("time", "chín giờ bốn phút năm mươi hai giây"),
    }  # fmt: skip
    for original, (rule, spoken) in expected.items():
        row = next((r for r in result.output.splitlines() if r.strip().startswith(original + " ")), None)
        assert row is not None, (original, result.output)
        assert f" {rule} " in row and spoken in row, row
