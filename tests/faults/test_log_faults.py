"""Attacks on the as-run log (issue 9.3): each one is caught, by `log verify` (exit 1) and by the reports.

Edited, deleted and reordered rows break the chain itself; a cut-off tail is caught by the head witness,
by a kept witness once the service wrote again, by the heads of earlier reports, and by the heads the
log wrote to the system journal (`verify --journal`); a log put back to an older copy likewise; dropped
triggers make the log "not secured". Journal heads go to a file journal here (the syslog adapter is
tested against a real rsyslogd in tests/test_asrun_journal.py).
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date

import pytest

from broadcast.asrun import SqliteStore, open_log
from broadcast.asrun.sample import sample_records

pytestmark = pytest.mark.faults

TRIGGERS = """
CREATE TRIGGER asrun_no_update BEFORE UPDATE ON asrun
BEGIN SELECT RAISE(ABORT, 'the as-run log is append-only: rows cannot be changed'); END;
CREATE TRIGGER asrun_no_delete BEFORE DELETE ON asrun
BEGIN SELECT RAISE(ABORT, 'the as-run log is append-only: rows cannot be removed'); END;
"""


@pytest.fixture
def station_log(station, tmp_path):
    """The station's log: 3 weeks of May 2024 appended one session at a time (as the service does),
    each append anchoring its head in a file journal."""
    settings = station(log={"journal": f"file:{tmp_path / 'journal.log'}"})
    records = list(sample_records(date(2024, 5, 1), date(2024, 5, 21), settings.station.tz, seed=3))
    with open_log(settings) as log:
        for i in range(0, len(records), 3):
            log.append_many(records[i:i + 3])
    return settings, settings.data_dir / "asrun.sqlite"


def hand_edit(db, *statements: str, restore_triggers: bool = True) -> None:
    """What an intruder with the sqlite3 tool does: drop the triggers, change rows, put the triggers back."""
    con = sqlite3.connect(db)
    con.executescript("DROP TRIGGER asrun_no_update; DROP TRIGGER asrun_no_delete;")
    for statement in statements:
        con.execute(statement)
    con.commit()
    if restore_triggers:
        con.executescript(TRIGGERS)
    con.close()


def verify(run_cli, *args):
    code, out, err = run_cli("log", "verify", *args)
    return code, out.splitlines()[0] if out else "", err


def first_cell(csv_path) -> str:
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))[0]


def head_of(db) -> int:
    with SqliteStore(db, readonly=True) as log:
        return log.head()[0]


def test_an_edited_row_is_caught(station_log, run_cli):
    _, db = station_log
    hand_edit(db, "UPDATE asrun SET outcome = 'played', reason = '', title = title || ' (đã phát)' WHERE id = 17")
    code, line, _ = verify(run_cli)
    assert code == 1 and line.startswith("BROKEN at row 17 (edited)")


def test_a_deleted_row_is_caught(station_log, run_cli):
    _, db = station_log
    hand_edit(db, "DELETE FROM asrun WHERE id = 40")
    code, line, _ = verify(run_cli)
    assert code == 1 and line.startswith("BROKEN at row 41 (deleted)")


def test_a_cut_tail_is_caught_by_the_witness(station_log, run_cli):
    _, db = station_log
    last = head_of(db)
    hand_edit(db, f"DELETE FROM asrun WHERE id > {last - 5}")
    code, line, _ = verify(run_cli)
    assert code == 1 and line.startswith(f"BROKEN at row {last} (anchor)")
    assert "head witness" in line and f"ends at row {last - 5}" in line


def test_a_cut_tail_without_its_witness_is_not_ok_and_the_journal_catches_it(station_log, run_cli):
    settings, db = station_log
    last = head_of(db)
    hand_edit(db, f"DELETE FROM asrun WHERE id > {last - 5}")
    db.with_name("asrun.sqlite.head").unlink()
    code, line, err = verify(run_cli)
    assert code == 1 and line.startswith("UNCHECKED TAIL") and "head witness" in line and "is missing" in line
    code, line, _ = verify(run_cli, "--journal")
    assert code == 1 and line.startswith(f"BROKEN at row {last} (anchor)") and "system journal" in line
    # The report says so at the top of every file and exits 1, as verify does.
    code, _, err = run_cli("report", "--period", "2024-05", "--format", "csv", "--out", "r")
    assert code == 1 and "THE END OF THE AS-RUN LOG IS UNCHECKED" in err
    first = first_cell(settings.base_dir / "r" / "bao-cao-cchc-2024-05-chu-de.csv")
    assert "CHƯA ĐƯỢC BẢO ĐẢM" in first and "KHÔNG kiểm tra được phần cuối" in first
    code, _, err = run_cli("evidence", "--period", "2024-05", "--out", "e.zip")
    assert code == 1 and "UNCHECKED" in err


def test_a_cut_tail_is_still_caught_after_the_service_writes_again(station_log, run_cli):
    """Opening the cut log to append would overwrite the witness with the new, consistent head: the old
    witness is kept aside first, and stays an anchor."""
    settings, db = station_log
    last = head_of(db)
    hand_edit(db, f"DELETE FROM asrun WHERE id > {last - 5}")
    with open_log(settings) as log:
        log.append(next(iter(sample_records(date(2024, 5, 22), date(2024, 5, 22), settings.station.tz, seed=4))))
    code, line, _ = verify(run_cli)
    assert code == 1 and "kept witness asrun.sqlite.head.kept-" in line and f"row {last}" in line
    kept = list(db.parent.glob("asrun.sqlite.head.kept-*"))
    for path in kept:  # an intruder who removes the kept witness too is left to the journal
        path.unlink()
    assert verify(run_cli)[0] == 0
    code, line, _ = verify(run_cli, "--journal")
    assert code == 1 and line.startswith("BROKEN") and "system journal" in line


def test_a_forged_witness_is_caught_by_the_journal(station_log, run_cli):
    settings, db = station_log
    last = head_of(db)
    hand_edit(db, f"DELETE FROM asrun WHERE id > {last - 5}")
    with SqliteStore(db, readonly=True) as log:
        row = log.get(last - 5)
    db.with_name("asrun.sqlite.head").write_text(f'{{"id": {row.id}, "row_hash": "{row.row_hash}"}}\n')
    assert verify(run_cli)[0] == 0  # the forged witness agrees with the cut log...
    code, line, _ = verify(run_cli, "--journal")  # ...the journal does not
    assert code == 1 and line.startswith(f"BROKEN at row {last} (anchor)")


def test_a_rollback_to_an_older_copy_is_caught(station_log, run_cli, tmp_path):
    """A copy of the data folder taken on the 10th is put back after a report on the whole month: the
    report's head, the journal's heads and the witness of the copy disagree with it."""
    settings, db = station_log
    backup = tmp_path / "backup"
    shutil.copytree(db.parent, backup)
    with open_log(settings) as log:
        log.append_many(sample_records(date(2024, 5, 22), date(2024, 5, 31), settings.station.tz, seed=4))
    code, out, err = run_cli("report", "--period", "2024-05", "--format", "csv", "--out", "r1")
    assert code == 0, err
    reported = head_of(db)
    for name in ("asrun.sqlite", "asrun.sqlite.head"):  # the log and its witness as they were (not the register)
        shutil.copy(backup / name, db.parent / name)
    code, line, _ = verify(run_cli)
    assert code == 1 and line.startswith(f"BROKEN at row {reported} (anchor)") and "report 2024-05" in line
    # The whole folder put back (register too): the journal still holds the later heads.
    shutil.rmtree(db.parent)
    shutil.copytree(backup, db.parent)
    assert verify(run_cli)[0] == 0
    code, line, _ = verify(run_cli, "--journal")
    assert code == 1 and line.startswith("BROKEN") and "system journal" in line


def test_every_report_lists_the_heads_of_the_reports_before_it(station_log, run_cli):
    settings, db = station_log
    assert run_cli("report", "--period", "2024-05", "--format", "csv", "--out", "r1")[0] == 0
    first_head = head_of(db)
    with open_log(settings) as log:
        log.append_many(sample_records(date(2024, 5, 22), date(2024, 5, 31), settings.station.tz, seed=4))
    assert run_cli("evidence", "--period", "2024-05", "--out", "e.zip")[0] == 0
    assert run_cli("report", "--period", "2024-05", "--format", "csv", "--out", "r2")[0] == 0
    notes = (settings.base_dir / "r2" / "bao-cao-cchc-2024-05-ghi-chu.csv").read_text(encoding="utf-8-sig")
    assert "Các báo cáo, bộ hồ sơ minh chứng đã lập trước" in notes
    assert "báo cáo kỳ 2024-05" in notes and f"bản ghi số {first_head}" in notes
    assert "bộ hồ sơ minh chứng kỳ 2024-05" in notes and f"bản ghi số {head_of(db)}" in notes


def test_dropped_triggers_make_the_log_not_secured(station_log, run_cli):
    settings, db = station_log
    hand_edit(db, restore_triggers=False)
    code, line, err = verify(run_cli)
    assert code == 0 and line.startswith("OK") and "append-only triggers missing" in err
    code, _, err = run_cli("report", "--period", "2024-05", "--format", "csv", "--out", "r")
    assert code == 0 and "not secured" in err
    assert first_cell(settings.base_dir / "r" / "bao-cao-cchc-2024-05-chu-de.csv").startswith(
        "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG CHƯA ĐƯỢC BẢO ĐẢM")
