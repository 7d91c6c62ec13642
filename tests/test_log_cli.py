"""`broadcast log …`, `broadcast report`, `broadcast evidence` through the real entry point."""

from __future__ import annotations

import csv
import json
import re
import random
import sqlite3
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from broadcast.cli import main
from broadcast.asrun import SqliteStore
from broadcast.asrun.sample import sample_records

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def station(tmp_path, monkeypatch):
    """A station folder with built-in settings and a log at the default place (data/asrun.sqlite)."""
    monkeypatch.delenv("BROADCAST_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)
    with SqliteStore(tmp_path / "data" / "asrun.sqlite") as log:
        log.append_many(sample_records(date(2024, 6, 24), date(2024, 7, 6), TZ, seed=5))
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_list_with_filters(station, capsys):
    code, out, _ = run(capsys, "log", "list", "--from", "2024-07-01", "--to", "2024-07-01", "--outcome", "played")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "SCHEDULED", "OUTCOME"]
    body = lines[1:-1]
    assert body and all(" 2024-07-01 " in line and " played " in line for line in body)
    assert lines[-1] == f"{len(body)} row(s)"
    code, out, _ = run(capsys, "log", "list", "--topic", "hotline", "--zone", "thon-3")
    assert code == 0 and all("hotline" in line and "thon-3" in line for line in out.splitlines()[1:-1])


def test_export_csv_and_json(station, capsys):
    code, out, _ = run(capsys, "log", "export", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows[0]["id"] == 1 and len(rows[0]["row_hash"]) == 64
    code, _, err = run(capsys, "log", "export", "--format", "csv", "--out", "x/log.csv", "--from", "2024-07-01")
    assert code == 0 and "x/log.csv" in err
    with open(station / "x" / "log.csv", encoding="utf-8", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert exported and all(r["scheduled_local"] >= "2024-07-01" for r in exported)


def test_verify_ok_then_broken(station, capsys):
    code, out, _ = run(capsys, "log", "verify")
    assert code == 0 and out.startswith("OK: ") and "chain head" in out
    db = sqlite3.connect(station / "data" / "asrun.sqlite")
    db.execute("DROP TRIGGER asrun_no_delete")
    db.execute("DELETE FROM asrun WHERE id = 7")
    db.commit()
    db.close()
    code, out, err = run(capsys, "log", "verify")
    assert code == 1
    assert out.splitlines()[0] == "BROKEN at row 8 (deleted): row 7 missing before row 8"
    assert out.splitlines()[1] == "Chuỗi băm KHÔNG hợp lệ từ bản ghi số 8 (bị xóa bớt bản ghi): thiếu bản ghi số 7 trước bản ghi số 8."
    assert "triggers missing" in err


def test_verify_with_an_anchor(station, capsys):
    head = SqliteStore(station / "data" / "asrun.sqlite", readonly=True).head()
    assert run(capsys, "log", "verify", "--anchor", f"{head[0]}:{head[1]}")[0] == 0
    code, out, _ = run(capsys, "log", "verify", "--anchor", f"{head[0]}:{'0' * 64}")
    assert code == 1 and "(anchor)" in out
    code, _, err = run(capsys, "log", "verify", "--anchor", "nonsense")
    assert code == 2 and err.count("\n") == 1


def test_correct(station, capsys):
    code, out, _ = run(capsys, "log", "correct", "3", "--reason", "loa thôn 2 hỏng", "--outcome", "failed")
    assert code == 0 and out.strip().endswith("corrects row 3")
    assert run(capsys, "log", "verify")[0] == 0


def test_missing_log_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "log", "verify", "--db", "nowhere.sqlite")
    assert code == 2 and err.count("\n") == 1 and "no as-run log" in err


def test_report(station, capsys):
    code, out, _ = run(capsys, "report", "--period", "2024-H1", "--format", "csv", "--out", "bc")
    assert code == 0
    assert sorted(p.name for p in (station / "bc").iterdir()) == sorted(
        f"bao-cao-cchc-2024-H1-{s}.csv" for s in ("chu-de", "nhiem-vu", "su-co", "phu-luc", "ghi-chu"))


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["report", "--period", "2024-H7", "--out", "bc"], "unknown period '2024-H7'"),
        (["report", "--period", "2023", "--out", "bc"], "no broadcasts logged in 2023"),
        (["report", "--period", "2024", "--format", "pdf", "--out", "bc"], "unknown report format"),
        (["report", "--period", "2024", "--out", "blocker/sub"], "blocker"),
        (["evidence", "--period", "2024-13", "--out", "e.zip"], "unknown period"),
        (["evidence", "--period", "2020", "--out", "e.zip"], "no broadcasts logged in 2020"),
        (["evidence", "--period", "2024", "--out", "blocker/e.zip"], "blocker"),
    ],
)
def test_bad_input_exits_2_with_one_line(station, capsys, argv, fragment):
    (station / "blocker").write_text("a file, not a folder")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and fragment in err


def test_evidence(station, capsys):
    code, out, _ = run(capsys, "evidence", "--period", "2024-07", "--out", "e.zip")
    assert code == 0 and "e.zip" in out and (station / "e.zip").is_file()


def test_evidence_from_a_tampered_log_is_written_and_exits_1(station, capsys):
    import zipfile

    _hand_edit(station, "DROP TRIGGER asrun_no_update", "UPDATE asrun SET outcome = 'played' WHERE id = 5")
    code, out, err = run(capsys, "evidence", "--period", "2024-06", "--out", "e.zip")
    assert code == 1
    assert "BROKEN" in err and "e.zip" in out
    with zipfile.ZipFile(station / "e.zip") as zf:
        assert "bản ghi số 5" in zf.read("kiem-tra-chuoi.txt").decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_needs_a_reason(station, capsys, reason):
    code, _, err = run(capsys, "log", "correct", "6", "--reason", reason)
    assert code == 2 and "reason" in err and err.count("\n") == 1
    assert len(SqliteStore(station / "data" / "asrun.sqlite", readonly=True)) == len(
        list(sample_records(date(2024, 6, 24), date(2024, 7, 6), TZ, seed=5)))


def _first_missed(station) -> tuple[int, str]:
    with SqliteStore(station / "data" / "asrun.sqlite", readonly=True) as log:
        row = log.rows(outcome="missed")[0]
    return row.id, f"{row.record.scheduled.astimezone(TZ):%Y-%m}"


def test_the_latest_correction_in_a_chain_wins(station, capsys):
    missed, month = _first_missed(station)
    code, out, _ = run(capsys, "log", "correct", str(missed), "--reason", "thực tế đã phát", "--outcome", "played")
    first_fix = int(out.split()[1])
    code, out, _ = run(capsys, "log", "correct", str(first_fix), "--reason", "kiểm tra lại: không phát",
                       "--outcome", "missed")
    second_fix = int(out.split()[1])
    assert code == 0 and out.strip() == f"row {second_fix} corrects row {first_fix}"

    # The report counts the broadcast once, as the last correction says.
    code, _, _ = run(capsys, "report", "--period", month, "--format", "csv", "--out", "bc")
    assert code == 0
    annex = read_csv_rows(next((station / "bc").glob("*-phu-luc.csv")))
    ids = [int(r["Mã bản ghi"]) for r in annex]
    assert second_fix in ids and missed not in ids and first_fix not in ids
    assert next(r for r in annex if int(r["Mã bản ghi"]) == second_fix)["Kết quả"] == "Bỏ lỡ"

    # A second correction of the original (not of the correction) supersedes the first one too.
    code, out, _ = run(capsys, "log", "correct", str(missed), "--reason", "đối chiếu sổ trực: đã phát",
                       "--outcome", "played")
    third_fix = int(out.split()[1])
    run(capsys, "report", "--period", month, "--format", "csv", "--out", "bc")
    ids = [int(r["Mã bản ghi"]) for r in read_csv_rows(next((station / "bc").glob("*-phu-luc.csv")))]
    assert third_fix in ids and not {missed, first_fix, second_fix} & set(ids)

    # log list: --outcome is the outcome in effect; every row listed is marked.
    code, out, _ = run(capsys, "log", "list", "--outcome", "missed")
    listed = [int(line.split()[0]) for line in out.splitlines()[1:-1]]
    assert missed not in listed and second_fix not in listed
    code, out, _ = run(capsys, "log", "list", "--outcome", "played")
    assert third_fix in [int(line.split()[0]) for line in out.splitlines()[1:-1]]
    code, out, _ = run(capsys, "log", "list")
    lines = {int(line.split()[0]): line for line in out.splitlines()[1:-1]}
    assert f"superseded by {third_fix}" in lines[missed]
    assert f"superseded by {third_fix}" in lines[second_fix]
    assert f"corrects {missed}" in lines[third_fix]


def read_csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("cut", [0.5, 0.95])
def test_a_damaged_log_is_broken(station, capsys, cut):
    """A truncated or overwritten log file is reported BROKEN (exit 1), in English and Vietnamese."""
    db = station / "data" / "asrun.sqlite"
    copy = station / "copy.sqlite"
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    blob = copy.read_bytes()
    (station / "cut.sqlite").write_bytes(blob[: int(len(blob) * cut)])
    code, out, err = run(capsys, "log", "verify", "--db", "cut.sqlite")
    assert code == 1, err
    english, vietnamese = out.splitlines()
    assert english.startswith("BROKEN") and "damaged" in english
    assert vietnamese.startswith("Nhật ký KHÔNG hợp lệ") and "bị hỏng" in vietnamese


@pytest.mark.parametrize("content, why", [
    (b"", "empty"),
    (bytes(random.Random(9).getrandbits(8) for _ in range(8192)), "SQLite header"),
    (b"not a database at all, just some text " * 50, "SQLite header"),
])
def test_an_emptied_or_overwritten_log_file_is_broken(station, capsys, content, why):
    """What `verify --help` promises (issue 9.7): BROKEN and exit 1, not "cannot open" (exit 2)."""
    (station / "data" / "asrun.sqlite").write_bytes(content)
    code, out, err = run(capsys, "log", "verify")
    assert code == 1, err
    english, vietnamese = out.splitlines()
    assert english.startswith("BROKEN (damaged)") and why in english
    assert vietnamese.startswith("Nhật ký KHÔNG hợp lệ")


def test_verifying_a_log_that_is_not_there_is_a_user_mistake(station, capsys):
    code, _, err = run(capsys, "log", "verify", "--db", "nowhere.sqlite")
    assert code == 2 and "no as-run log here" in err and err.count("\n") == 1


def _hand_edit(station, *statements: str) -> None:
    db = sqlite3.connect(station / "data" / "asrun.sqlite")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def test_a_report_from_a_tampered_log_is_written_but_cannot_be_missed(station, capsys):
    from docx import Document
    from openpyxl import load_workbook

    _hand_edit(station, "DROP TRIGGER asrun_no_update", "UPDATE asrun SET outcome = 'played' WHERE id = 5")
    code, out, err = run(capsys, "report", "--period", "2024-06", "--out", "bc")
    assert code == 1
    assert "BROKEN" in err and "row 5" in err
    assert len(out.splitlines()) == 8  # every file written all the same (chart, 5 CSV, XLSX, DOCX)
    alert_start = "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG ĐÃ BỊ THAY ĐỔI"
    for path in (station / "bc").glob("*.csv"):
        first = read_csv_lines(path)[0]
        assert first[0].startswith(alert_start) and "bản ghi số 5" in first[0], path.name
    alert = read_csv_lines(next((station / "bc").glob("*-ghi-chu.csv")))[0][0]
    # Entirely Vietnamese: none of the English verify message.
    assert not re.search(r"\b(row|does|not|match|hash|forged|changed)\b", alert), alert
    summary = load_workbook(next((station / "bc").glob("*.xlsx")))["Tổng hợp"]
    texts = [c for row in summary.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert texts.index(alert) < texts.index("STT")  # above the figures
    paragraphs = [p.text for p in Document(next((station / "bc").glob("*.docx"))).paragraphs]
    assert paragraphs.index(alert) < paragraphs.index("I. KẾT QUẢ PHÁT SÓNG THEO CHỦ ĐỀ")


def test_a_report_from_a_log_without_its_triggers_says_it_is_not_secured(station, capsys):
    from docx import Document

    _hand_edit(station, "DROP TRIGGER asrun_no_delete")
    code, out, err = run(capsys, "report", "--period", "2024-06", "--out", "bc")
    assert code == 0 and "not secured" in err and "triggers missing" in err
    first = read_csv_lines(next((station / "bc").glob("*-chu-de.csv")))[0][0]
    assert first.startswith("CẢNH BÁO: NHẬT KÝ PHÁT SÓNG CHƯA ĐƯỢC BẢO ĐẢM") and "chưa được bảo đảm".upper() in first
    whole = "\n".join(p.text for p in Document(next((station / "bc").glob("*.docx"))).paragraphs)
    assert "CHƯA ĐƯỢC BẢO ĐẢM" in whole


def test_a_sound_log_has_no_alert(station, capsys):
    code, _, err = run(capsys, "report", "--period", "2024-06", "--format", "csv", "--out", "bc")
    assert code == 0 and err == ""
    assert read_csv_lines(next((station / "bc").glob("*-chu-de.csv")))[0][0] == "Mã chủ đề"
    notes = [r[0] for r in read_csv_lines(next((station / "bc").glob("*-ghi-chu.csv")))]
    assert any(n.startswith("Nhật ký phát sóng: Chuỗi băm hợp lệ") for n in notes)


def read_csv_lines(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("period, nearest", [("1999", "2024"), ("2025-03", "2024-07"), ("2023-H2", "2024-H1"),
                                             ("2024-Q4", "2024-Q3")])
def test_an_empty_period_names_the_nearest_period_with_rows(station, capsys, period, nearest):
    code, _, err = run(capsys, "report", "--period", period, "--out", "bc")
    assert code == 2 and err.count("\n") == 1
    assert "the log has broadcasts from 24/06/2024 to 06/07/2024" in err and err.rstrip().endswith(
        f"try --period {nearest}")


def test_evidence_with_audio_names_the_hashes_without_a_file(station, capsys):
    code, out, err = run(capsys, "evidence", "--period", "2024-07", "--out", "e.zip", "--with-audio",
                         "--audio-dir", "nowhere")
    assert code == 0 and "no audio file matches" in err and "sha256" in err
