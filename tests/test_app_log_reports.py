"""The application layer of the log and the reports (what the CLI and the web console call): typed results."""

from __future__ import annotations

import json
from datetime import date

import pytest

from broadcast.app import log as log_app
from broadcast.app import reports
from broadcast.asrun import SqliteStore
from broadcast.asrun.chain import verify_rows
from broadcast.asrun.sample import sample_records
from broadcast.errors import UserError


@pytest.fixture
def settings(station):
    settings = station()
    with SqliteStore(settings.data_dir / "asrun.sqlite") as log:
        log.append_many(sample_records(date(2024, 5, 1), date(2024, 5, 31), settings.station.tz, seed=7))
    return settings


def test_list_with_filters_and_corrections(settings):
    listing = log_app.list_log(settings, first=date(2024, 5, 6), last=date(2024, 5, 6))
    assert listing.timezone == "Asia/Ho_Chi_Minh" and listing.rows
    assert {r.row.record.scheduled.astimezone(settings.station.tz).date() for r in listing.rows} == {date(2024, 5, 6)}
    first = listing.rows[0].row
    new_id = log_app.correct(settings, first.id, reason="đã phát lại", outcome="failed")
    again = log_app.list_log(settings, first=date(2024, 5, 6), last=date(2024, 5, 6))
    by_id = {r.row.id: r for r in again.rows}
    assert by_id[first.id].superseded_by == new_id and by_id[first.id].note == f"superseded by {new_id}"
    assert by_id[new_id].in_effect and by_id[new_id].note == f"corrects {first.id}"
    failed = log_app.list_log(settings, outcome="failed")
    assert new_id in {r.row.id for r in failed.rows} and first.id not in {r.row.id for r in failed.rows}


def test_unknown_filters_are_the_users_mistake_with_a_hint(settings):
    with pytest.raises(UserError, match="did you mean 'hotline'"):
        log_app.list_log(settings, topic="hotlin")
    with pytest.raises(UserError, match="did you mean 'missed'"):
        log_app.list_log(settings, outcome="mised")
    with pytest.raises(UserError, match="ROW:SHA256"):
        log_app.verify(settings, anchor="12:abc")


def test_verify_gives_the_chain_state(settings):
    result = log_app.verify(settings)
    assert result.state == "ok" and result.sound and result.checked == ("head witness asrun.sqlite.head",)
    (settings.data_dir / "asrun.sqlite.head").unlink()
    assert log_app.verify(settings).state == "unchecked"
    head = SqliteStore(settings.data_dir / "asrun.sqlite", readonly=True).head()
    assert log_app.verify(settings, anchor=f"{head[0]}:{head[1]}").state == "ok"


def test_export_round_trips_through_the_chain_check(settings):
    export = log_app.export_log(settings, "json", first=date(2024, 5, 1), last=date(2024, 5, 31))
    rows = json.loads(export.text())
    assert len(rows) == len(export.rows) and verify_rows(rows).ok
    saved = export.save(settings.base_dir / "out" / "log.json")
    assert json.loads(saved.read_text(encoding="utf-8")) == rows
    with pytest.raises(UserError, match="csv or json"):
        log_app.export_log(settings, "xml")


def test_report_returns_its_files_and_figures(settings):
    result = reports.report(settings, "2024-05", settings.base_dir / "r", "csv")
    assert {p.suffix for p in result.files} == {".csv"} and all(p.exists() for p in result.files)
    assert result.chain.state == "ok" and result.data.total.total.broadcasts > 0
    assert result.data.earlier == []  # the first report from this log
    second = reports.report(settings, "2024-05", settings.base_dir / "r2", "csv")
    assert [(e.kind, e.period, e.id) for e in second.data.earlier] == [("report", "2024-05", result.chain.head_id)]


def test_evidence_returns_the_bundle_and_the_verdict(settings):
    result = reports.evidence(settings, "2024-05", settings.base_dir / "e.zip")
    assert result.path.exists() and result.chain.state == "ok" and result.chain_ok and result.rows > 0
    assert "SHA256SUMS" in result.files
