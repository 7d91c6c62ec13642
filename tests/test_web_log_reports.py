"""From approval to the air and the evidence: an approved bulletin is in the next session's programme, a
simulated session (the real runner, file sinks) airs it into the station's log, the Nhật ký page shows it
under a verified chain, and the downloaded report opens with openpyxl / python-docx and counts it."""

from __future__ import annotations

from datetime import date

import pytest

from broadcast.app import approval, editing
from broadcast.config import load_settings
from test_web_login import log_in, shot
from web_fixtures import Http


@pytest.fixture(scope="module")
def aired(console):
    """A hotline bulletin written, approved and aired on its first session day; (id, title, day)."""
    from broadcast.asrun import open_log
    from broadcast.playout.simulate import simulate_day

    settings = load_settings(console.folder / "station.yaml")
    title = "Đường dây nóng về đất đai, xây dựng"
    saved = editing.save(settings, {"title": title, "topic": "hotline", "template": "hotline", "priority": "priority",
                                    "air": {"from": date.today()},
                                    "data": {"lines": [{"purpose": "đất đai, xây dựng", "number": "0220.3852.222"}]}},
                         "bientap")
    approval.submit(settings, saved.bulletin.id, "bientap")
    approval.approve(settings, saved.bulletin.id, "lanhdao")
    from broadcast.app.schedule import check_schedule

    first = next(s for s in check_schedule(settings, count=4).sessions
                 if saved.bulletin.id in [i.bulletin.id for i in s.items])
    with open_log(settings) as log:
        simulate_day(settings, first.slot.when.date(), 600, settings.data_dir / "simulate", log=log)
    return saved.bulletin.id, title, first.slot.when.date()


def test_the_log_page_shows_what_aired_under_a_verified_chain(page, aired):
    bulletin_id, title, day = aired
    log_in(page, "lanhdao")
    page.wait_for_url("**/")
    page.goto(f"/nhat-ky?tu={day}&den={day}")
    assert "Hợp lệ" in page.inner_text("#chuoi-bam")
    table = page.inner_text("table")
    # On a loaded machine the simulated clock may start it a little late: aired either way.
    assert title in table and ("Đã phát" in table or "Phát muộn" in table)
    shot(page, "nhat-ky")
    with page.expect_download() as got:
        page.click("text=Tải CSV")
    text = open(got.value.path(), encoding="utf-8-sig").read()
    assert bulletin_id in text and "row_hash" in text
    page.goto(f"/ban-tin/{bulletin_id}")  # draft → awaiting approval → approved → aired
    assert "Đã phát" in page.inner_text(".facts")


def test_downloaded_report_counts_what_aired(page, console, aired):
    import docx
    import openpyxl

    bulletin_id, title, day = aired
    log_in(page, "bientap")
    page.wait_for_url("**/")
    page.goto("/bao-cao")
    page.select_option("select[name=kind]", "thang")
    page.fill("input[name=year]", str(day.year))
    page.fill("input[name=number]", str(day.month))
    with page.expect_navigation():
        page.click("button[value=report]")
    shot(page, "bao-cao")
    links = page.locator("a[download]")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    xlsx = next(n for n in names if n.endswith(".xlsx"))
    with page.expect_download() as got:
        page.click(f"a:has-text('{xlsx}')")
    book = openpyxl.load_workbook(open(got.value.path(), "rb"))
    summary = next(row for row in book["Tổng hợp"].iter_rows(values_only=True) if row[1] == "Đường dây nóng")
    # What the log says aired: each session that played the bulletin on at least one zone counts once.
    from broadcast.asrun import open_log

    with open_log(load_settings(console.folder / "station.yaml"), readonly=True) as log:
        hotline = [r.record for r in log.rows() if r.record.topic == "hotline"]
    aired = [r for r in hotline if r.outcome.value in ("played", "late")]
    broadcasts = {(r.bulletin_id, r.scheduled, r.session) for r in aired}  # once per session, whatever the zones
    assert bulletin_id in {r.bulletin_id for r in aired}
    assert summary[2:4] == (len({r.bulletin_id for r in aired}), len(broadcasts)), summary
    annex = [row for row in book["Phụ lục"].iter_rows(values_only=True) if row[8] == bulletin_id]
    assert len(annex) == len([r for r in hotline if r.bulletin_id == bulletin_id])
    docx_name = next(n for n in names if n.endswith(".docx"))
    with page.expect_download() as got:
        page.click(f"a:has-text('{docx_name}')")
    document = docx.Document(open(got.value.path(), "rb"))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Đường dây nóng" in text


def test_a_download_outside_the_reports_folder_is_refused(console, aired):
    client = Http(console.url)
    client.log_in("bientap")
    for path in ("/bao-cao/tai/2024/..%2F..%2Fdesk.sqlite", "/bao-cao/tai/..%2F..%2F/station.yaml",
                 "/bao-cao/tai/2024/%2Fetc%2Fpasswd", "/bao-cao/tai/2024/../../desk.sqlite"):
        reply = client.get(path)
        assert reply.status == 404, path
        assert "argon2" not in reply.body and "SQLite" not in reply.body
