"""Approval before air: an approval binds the exact content; only approved bulletins go into programmes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from broadcast.app import approval
from broadcast.app.bulletins import find_bulletin
from broadcast.desk import audit
from broadcast.desk.approval import ContentChanged, State
from broadcast.errors import UserError
from conftest import copy_example

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def approving(station, tmp_path):
    """A station that requires approval, with two example bulletins on air in May 2024."""
    settings = station(approval={"required": True})
    copy_example("2024-03-duong-day-nong.yaml", tmp_path / "bulletins")
    copy_example("2024-02-thu-tuc-khai-sinh.yaml", tmp_path / "bulletins")
    return settings


def planned_ids(settings, when=datetime(2024, 5, 6, 5, 30, tzinfo=TZ)):
    from broadcast.playout.programme import StationPreparer
    from broadcast.schedule.model import Schedule
    from broadcast.schedule.slots import Slot

    schedule = Schedule.model_validate({"zones": {"z": {"name": "Z", "sink": {"type": "file", "folder": "x"}}}})
    preparer = StationPreparer(settings, schedule)
    return [i.bulletin.id for i in preparer.plan(Slot(when, "sáng", ("z",))).items], preparer


def test_only_approved_content_is_planned(approving, tmp_path):
    planned, preparer = planned_ids(approving)
    assert planned == []
    assert {b.id for b in preparer.awaiting_approval} == {"duong-day-nong-2024", "tthc-dang-ky-khai-sinh"}

    approval.submit(approving, "duong-day-nong-2024", "bientap")
    assert planned_ids(approving)[0] == []  # submitted is not approved
    approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    assert planned_ids(approving)[0] == ["duong-day-nong-2024"]


def test_an_edit_after_approval_sends_it_back(approving, tmp_path):
    done = approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    assert done.status.state is State.approved
    file = tmp_path / "bulletins" / "2024-03-duong-day-nong.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("1800 1567", "1800 1568"), encoding="utf-8")
    b = find_bulletin(approving, "duong-day-nong-2024")
    state = approval.state_of(approving, b)
    assert state.status.state is State.pending and state.status.changed_since
    assert "chờ duyệt lại" in state.status.label
    assert planned_ids(approving)[0] == []
    approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    assert planned_ids(approving)[0] == ["duong-day-nong-2024"]


def test_approval_refuses_content_the_approver_did_not_see(approving, tmp_path):
    seen = approval.state_of(approving, find_bulletin(approving, "duong-day-nong-2024")).content_hash
    file = tmp_path / "bulletins" / "2024-03-duong-day-nong.yaml"
    file.write_text(file.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
    with pytest.raises(ContentChanged):
        approval.approve(approving, "duong-day-nong-2024", "lanhdao", seen_hash=seen)
    assert planned_ids(approving)[0] == []


def test_return_needs_a_comment_and_is_in_the_history(approving):
    with pytest.raises(UserError):
        approval.return_to_editor(approving, "duong-day-nong-2024", "lanhdao", "  ")
    approval.submit(approving, "duong-day-nong-2024", "bientap")
    back = approval.return_to_editor(approving, "duong-day-nong-2024", "lanhdao", "Sai số điện thoại")
    assert back.status.state is State.returned and back.status.approval.comment == "Sai số điện thoại"
    history = approval.history(approving, "duong-day-nong-2024")
    assert [(e.action, e.user) for e in history] == [("returned", "lanhdao"), ("submitted", "bientap")]
    assert history[0].detail == "Sai số điện thoại"


def test_approval_off_airs_everything_as_before(station, tmp_path):
    settings = station(approval={"required": False})
    copy_example("2024-03-duong-day-nong.yaml", tmp_path / "bulletins")
    assert planned_ids(settings)[0] == ["duong-day-nong-2024"]


def test_the_audit_trail_is_append_only_and_chained(approving, tmp_path):
    import sqlite3

    approval.submit(approving, "duong-day-nong-2024", "bientap")
    approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    rows = audit.stored_rows(approving.data_dir)
    assert [r["id"] for r in rows] == [1, 2] and rows[1]["prev_hash"] == rows[0]["row_hash"]
    db = sqlite3.connect(tmp_path / "data" / "desk.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET user = 'khac' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_cli_approve_and_schedule_check_say_what_waits(approving, run_cli, tmp_path):
    import shutil

    from conftest import REPO

    shutil.copy(REPO / "schedule.yaml", tmp_path / "schedule.yaml")
    code, out, err = run_cli("schedule", "check", "--from", "2024-05-06", "--next", "1")
    assert code == 0, err
    assert "waiting for approval" in out and "duong-day-nong-2024" in out
    code, out, err = run_cli("approve", "duong-day-nong-2024", "--as", "chu-tich")
    assert code == 0 and "approved duong-day-nong-2024" in out
    code, out, err = run_cli("schedule", "check", "--from", "2024-05-06", "--next", "1")
    assert "waiting for approval (not in any programme until approved): duong-day-nong-2024" not in out
    assert audit.entries(approving.data_dir)[0].user == "chu-tich"
    code, out, err = run_cli("approve", "khong-co")
    assert code == 2 and "khong-co" in err


def test_log_verify_checks_the_audit_trail_too(approving, run_cli, tmp_path):
    import sqlite3

    from broadcast.asrun import open_log
    from broadcast.asrun.sample import sample_records

    with open_log(approving) as log:  # a log to verify beside the trail
        log.append(next(iter(sample_records(datetime(2024, 5, 6).date(), datetime(2024, 5, 6).date(), TZ))))
    approval.submit(approving, "duong-day-nong-2024", "bientap")
    approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    code, out, err = run_cli("log", "verify")
    assert code == 0 and "audit trail: OK: 2 rows" in out, out + err
    db = sqlite3.connect(tmp_path / "data" / "desk.sqlite")
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET user = 'nguoi-khac' WHERE id = 2")  # someone rewrites who approved
    db.commit()
    code, out, err = run_cli("log", "verify")
    assert code == 1 and "audit trail: BROKEN at row 2 (edited)" in out


def test_the_evidence_zip_carries_the_audit_trail(approving, run_cli, tmp_path):
    import zipfile

    from broadcast.asrun import open_log
    from broadcast.asrun.sample import sample_records

    with open_log(approving) as log:
        log.append_many(sample_records(datetime(2024, 5, 6).date(), datetime(2024, 5, 6).date(), TZ))
    approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    code, out, err = run_cli("evidence", "--period", "2024-05", "--out", str(tmp_path / "e.zip"))
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "e.zip") as z:
        trail = z.read("nhat-ky-thao-tac/thao-tac-bang-dieu-khien.csv").decode()
        assert "lanhdao,approved,duong-day-nong-2024" in trail
        assert "Chuỗi băm hợp lệ" in z.read("nhat-ky-thao-tac/kiem-tra-chuoi.txt").decode()


def test_approved_content_on_air_since_its_approval_is_aired(approving):
    from dataclasses import replace as copy_with
    from datetime import timedelta

    from broadcast.asrun import AsRunRecord, Outcome, open_log

    done = approval.approve(approving, "duong-day-nong-2024", "lanhdao")
    assert done.status.state is State.approved and done.status.aired is None
    approved_at = done.status.approval.at
    template = AsRunRecord(scheduled=approved_at - timedelta(days=1), start=approved_at - timedelta(days=1),
                           end=approved_at - timedelta(days=1) + timedelta(seconds=30), session="sáng", zones=("z",),
                           sink="file", bulletin_id="duong-day-nong-2024", title="t", topic="hotline",
                           priority="normal", outcome=Outcome.played)
    with open_log(approving) as log:
        log.append(template)  # aired before this approval: not what was approved
    b = find_bulletin(approving, "duong-day-nong-2024")
    assert approval.state_of(approving, b).status.aired is None
    later = approved_at + timedelta(minutes=5)
    with open_log(approving) as log:
        log.append(copy_with(template, scheduled=later, start=later, end=later + timedelta(seconds=30)))
    status = approval.state_of(approving, b).status
    assert status.aired == later and status.key == "aired" and status.label == "Đã phát"
