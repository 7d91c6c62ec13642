"""Reports: periods, figures against an independent count, and the formats agreeing with each other."""

from __future__ import annotations

import csv
import os
import unicodedata
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from broadcast.asrun import AsRunRecord, Outcome
from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.asrun import LoggedRow, SqliteStore
from broadcast.app import reports
from broadcast.reports.figures import build_report_data
from broadcast.reports.files import report_base_name
from broadcast.reports.model import ReportStation
from broadcast.reports.period import parse_period
from broadcast.reports.wording import month_label
from broadcast.asrun.sample import sample_records
from broadcast.topics import TOPICS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATION = ReportStation("Đài truyền thanh xã Tiền Tiến", "Tiền Tiến", "thành phố Hải Dương", "Hải Dương")


def write_report(settings, period, out_dir, formats="all", **kwargs):
    return reports.report(settings, period, out_dir, formats, **kwargs).files


def write_sample_report(settings, period, out_dir, formats="all", *, seed=2024):
    """A report from a sample log of made-up broadcasts (`out_dir/mau-nhat-ky.sqlite`, returned first)."""
    parsed = parse_period(period)
    db = Path(out_dir) / "mau-nhat-ky.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    with SqliteStore(db) as log:
        log.append_many(sample_records(parsed.first, parsed.last, settings.station.tz, seed=seed))
    return [db, *write_report(settings, parsed, out_dir, formats, db=db)]


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, first, last, phrase",
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "năm 2024"),
        ("2024-H1", date(2024, 1, 1), date(2024, 6, 30), "6 tháng đầu năm 2024"),
        ("2024-h2", date(2024, 7, 1), date(2024, 12, 31), "6 tháng cuối năm 2024"),
        ("2024-Q3", date(2024, 7, 1), date(2024, 9, 30), "quý III năm 2024"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "tháng 2 năm 2024"),
        ("2024-03-05..2024-04-10", date(2024, 3, 5), date(2024, 4, 10), "từ ngày 05/03/2024 đến ngày 10/04/2024"),
    ],
)
def test_periods(text, first, last, phrase):
    period = parse_period(text)
    assert (period.first, period.last, period.phrase) == (first, last, phrase)


@pytest.mark.parametrize("text", ["", "2024-H3", "2024-Q5", "2024-13", "24", "2024-01-01..2023-12-31", "2024-02-30..2024-03-01", "H1-2024"])
def test_bad_periods_are_one_clear_line(text):
    with pytest.raises(UserError) as err:
        parse_period(text)
    assert len(err.value.problems) == 1 and "\n" not in err.value.problems[0]


def test_months_of_a_period():
    assert parse_period("2024-11-15..2025-02-01").months() == ["2024-11", "2024-12", "2025-01", "2025-02"]


# --- figures against an independent count -----------------------------------------------------

TOPIC_IDS = [*TOPICS, "chu-de-khac"]
BASE = datetime(2023, 12, 20, tzinfo=UTC)


@st.composite
def logs(draw):
    n = draw(st.integers(0, 60))
    rows = []
    for i in range(1, n + 1):
        # Coarse times (a slot every 12 hours) so that one item often airs on several rows of a slot.
        scheduled = BASE + timedelta(hours=12 * draw(st.integers(0, 2 * 220)))  # into July 2024
        outcome = draw(st.sampled_from(list(Outcome)))
        aired = outcome in (Outcome.played, Outcome.late, Outcome.interrupted)
        length = timedelta(seconds=draw(st.integers(1, 900)), microseconds=draw(st.integers(0, 999_999)))
        corrects = draw(st.one_of(st.none(), st.integers(1, i - 1))) if i > 1 and draw(st.booleans()) else None
        rec = AsRunRecord(
            scheduled=scheduled.astimezone(draw(st.sampled_from([TZ, UTC]))),
            outcome=outcome,
            bulletin_id=f"tin-{draw(st.integers(0, 7))}",
            title="Tin",
            topic=draw(st.sampled_from(TOPIC_IDS)),
            priority="normal",
            session=draw(st.sampled_from(["sáng", "chiều"])),
            zones=tuple(draw(st.sets(st.sampled_from(["thon-1", "thon-2", "trung-tam"]), max_size=2))),
            start=scheduled if aired else None,
            end=scheduled + length if aired else None,
            corrects=corrects,
        )
        rows.append(LoggedRow(i, rec, scheduled, "", f"h{i}"))
    return rows


def independent_count(rows, first: date, last: date):
    """(topic or '*', month or '*') -> (distinct ids, broadcasts, airtime), written without the report."""
    # The latest correction of a chain wins: walk every row back to its original, keep the highest id.
    by_id = {row.id: row for row in rows}

    def original(row_id):
        while by_id.get(row_id) is not None and by_id[row_id].record.corrects is not None:
            row_id = by_id[row_id].record.corrects
        return row_id

    latest = defaultdict(int)
    for row in rows:
        latest[original(row.id)] = max(latest[original(row.id)], row.id)
    replaced = {row.id for row in rows if latest[original(row.id)] != row.id}
    ids, slots, zone_slots = defaultdict(set), defaultdict(dict), defaultdict(dict)
    not_aired = 0
    for row in rows:
        rec = row.record
        local_day = rec.scheduled.astimezone(TZ)
        if row.id in replaced or not first <= local_day.date() <= last:
            continue
        if rec.outcome.value not in ("played", "late"):
            not_aired += 1
            continue
        month = local_day.strftime("%Y-%m")
        # One broadcast per bulletin and slot, its longest row's airtime; per zone, once per zone.
        slot = (rec.bulletin_id, rec.scheduled.astimezone(UTC), rec.session)
        for key in ((rec.topic, month), (rec.topic, "*"), ("*", month), ("*", "*")):
            ids[key].add(rec.bulletin_id)
            slots[key][slot] = max(slots[key].get(slot, timedelta(0)), rec.end - rec.start)
            for zone in rec.zones or ("",):
                zone_slots[key][slot, zone] = max(zone_slots[key].get((slot, zone), timedelta(0)), rec.end - rec.start)
    plays = {k: len(v) for k, v in slots.items()}
    airtime = {k: sum(v.values(), timedelta(0)) for k, v in slots.items()}
    zone_plays = {k: len(v) for k, v in zone_slots.items()}
    zone_airtime = {k: sum(v.values(), timedelta(0)) for k, v in zone_slots.items()}
    return ids, plays, airtime, zone_plays, zone_airtime, not_aired


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=logs(), spec=st.sampled_from(["2024-H1", "2024", "2024-01", "2024-Q2", "2024-06-15..2024-07-10"]))
def test_figures_equal_an_independent_count(rows, spec):
    period = parse_period(spec)
    data = build_report_data(rows, period, tz=TZ, station=STATION, issued=date(2024, 7, 5))
    ids, plays, airtime, zone_plays, zone_airtime, not_aired = independent_count(rows, period.first, period.last)

    def check(figures, key):
        assert figures.items == len(ids.get(key, ()))
        assert figures.broadcasts == plays.get(key, 0)
        assert figures.airtime == airtime.get(key, timedelta(0))
        assert figures.zone_broadcasts == zone_plays.get(key, 0)
        assert figures.zone_airtime == zone_airtime.get(key, timedelta(0))

    for topic in data.topics:
        check(topic.total, (topic.topic, "*"))
        for month, figures in topic.by_month.items():
            check(figures, (topic.topic, month))
    check(data.total.total, ("*", "*"))
    for month in data.months:
        check(data.total.by_month[month], ("*", month))
    assert [t.topic for t in data.topics][: len(TOPICS)] == list(TOPICS)
    assert len(data.problems) == not_aired
    assert data.annex == sorted(data.annex, key=lambda r: (r.scheduled, r.row_id))


def test_the_result_does_not_depend_on_row_order():
    rows = [LoggedRow(i, r, r.scheduled, "", f"h{i}") for i, r in
            enumerate(sample_records(date(2024, 1, 1), date(2024, 2, 29), TZ, seed=7), start=1)]
    period = parse_period("2024-Q1")
    a = build_report_data(rows, period, tz=TZ, station=STATION, issued=date(2024, 4, 1))
    b = build_report_data(rows[::-1], period, tz=TZ, station=STATION, issued=date(2024, 4, 1))
    assert a == b


# --- the written report -----------------------------------------------------------------------


@pytest.fixture
def station(tmp_path) -> tuple[Settings, Path]:
    settings_ = Settings(base_dir=tmp_path)
    db = tmp_path / "asrun.sqlite"
    with SqliteStore(db) as log:
        log.append_many(sample_records(date(2023, 12, 25), date(2024, 7, 3), TZ, seed=11))
    return settings_, db


def value(cell) -> object:
    """A cell as CSV and a spreadsheet both give it back: numbers as numbers (227 == 227.0)."""
    text = "" if cell is None else str(cell)
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_xlsx_and_docx_hold_the_csv_figures(station, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    settings_, db = station
    out = tmp_path / "out"
    paths = write_report(settings_, "2024-H1", out, "all", db=db, issued=date(2024, 7, 5))
    base = report_base_name(parse_period("2024-H1"))
    assert {p.name for p in paths} >= {f"{base}.xlsx", f"{base}.docx", f"{base}-chu-de.csv", f"{base}-bieu-do.png"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temp files left behind"

    monthly = read_csv(out / f"{base}-chu-de.csv")
    header, body = monthly[0], monthly[1:]
    assert len(body) == (len(TOPICS) + 1) * 7  # 8 topics + total, 6 months + the whole period
    assert sum(int(r[4]) for r in body if r[0] and r[2] == "Cả kỳ") == int(body[-1][4])

    wb = load_workbook(out / f"{base}.xlsx")
    sheet = [["" if v is None else str(v) for v in row] for row in wb["Theo tháng"].iter_rows(values_only=True)]
    assert sheet == monthly
    annex_csv = read_csv(out / f"{base}-phu-luc.csv")
    annex_xlsx = [[value(v) for v in r] for r in wb["Phụ lục"].iter_rows(values_only=True)]
    assert annex_xlsx == [[value(v) for v in r] for r in annex_csv]
    first = wb["Phụ lục"][2]  # the times are the spreadsheet's date-times (sortable), shown as in the CSV
    assert [type(c.value) for c in first[1:4]] == [datetime] * 3
    assert {c.number_format for c in first[1:4]} == {"yyyy-mm-dd hh:mm:ss"}
    assert wb["Biểu đồ"]._images, "chart missing from the workbook"
    summary = wb["Tổng hợp"]
    texts = [c for row in summary.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "ỦY BAN NHÂN DÂN" in texts and "XÃ TIỀN TIẾN" in texts and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts

    doc = Document(out / f"{base}.docx")
    head = doc.tables[0]
    assert "ỦY BAN NHÂN DÂN\nXÃ TIỀN TIẾN" in head.cell(0, 0).text
    assert "Số:" in head.cell(0, 0).text and "/BC-UBND" in head.cell(0, 0).text
    assert "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    assert "Tiền Tiến, ngày 05 tháng 07 năm 2024" in head.cell(0, 1).text
    paragraphs = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert "Kết quả tuyên truyền cải cách hành chính 6 tháng đầu năm 2024" in paragraphs
    whole = "\n".join(paragraphs + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert whole == unicodedata.normalize("NFC", whole)

    def cells(table):
        return [[c.text for c in row.cells] for row in table.rows]

    summary_rows = cells(doc.tables[1])[1:]
    per_period = [r for r in body if r[2] == "Cả kỳ"]
    assert [tuple(r[1:]) for r in summary_rows] == [(r[1], r[3], r[4], r[6], r[7], r[9]) for r in per_period]
    monthly_doc = cells(doc.tables[2])[1:]
    aired_months = [r for r in body if r[2] != "Cả kỳ" and int(r[4])]
    assert monthly_doc == [[r[1], month_label(r[2]), r[3], r[4], r[6], r[7], r[9]] for r in aired_months]
    tasks = cells(doc.tables[3])[1:]
    assert [t[0] for t in tasks] == ["1", "2", "3", "4", "5", "6"]
    assert f"{per_period[-1][4]} lượt phát" in tasks[1][3]
    assert "không có dữ liệu phát sóng" in tasks[0][3].lower()
    problems_doc = cells(doc.tables[4])[1:]
    assert len(problems_doc) == len(read_csv(out / f"{base}-su-co.csv")) - 1 > 0
    annex_doc = cells(doc.tables[-1])[1:]
    assert [r[0] for r in annex_doc] == [r[0] for r in annex_csv[1:]]
    assert [r[-1] for r in annex_doc] == [r[14] for r in annex_csv[1:]]  # row hashes
    assert len(doc.inline_shapes) == 1  # the chart


def test_rows_outside_the_period_are_not_reported(station, tmp_path):
    settings_, db = station
    paths = write_report(settings_, "2024-01", tmp_path / "out", "csv", db=db)
    annex = read_csv(next(p for p in paths if p.name.endswith("phu-luc.csv")))[1:]
    assert annex and all(r[1].startswith("2024-01-") for r in annex)


def test_an_empty_period_is_refused(station, tmp_path):
    settings_, db = station
    with pytest.raises(UserError, match="no broadcasts logged in 2022"):
        write_report(settings_, "2022", tmp_path / "out", db=db)


def test_an_unwritable_folder_is_one_clear_line(station, tmp_path):
    settings_, db = station
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(UserError) as err:
            write_report(settings_, "2024-H1", out, "csv", db=db)
        assert len(err.value.problems) == 1


def test_unknown_format(station, tmp_path):
    settings_, db = station
    with pytest.raises(UserError, match="unknown report format 'pdf'"):
        write_report(settings_, "2024-H1", tmp_path, "pdf", db=db)


def test_sample_report_for_the_demo(tmp_path):
    paths = write_sample_report(Settings(base_dir=tmp_path), "2024-Q1", tmp_path / "demo")
    assert paths[0].name == "mau-nhat-ky.sqlite"
    assert {p.suffix for p in paths} == {".sqlite", ".csv", ".xlsx", ".docx", ".png"}
    assert SqliteStore(paths[0], readonly=True).verify().ok


def test_table_text_is_escaped_in_xlsx_and_docx(tmp_path):
    """Markup, ampersands, edge spaces and control characters in logged text come back as text in the
    XLSX and the DOCX (control characters, illegal in XML, are dropped)."""
    from docx import Document
    from openpyxl import load_workbook

    settings_ = Settings(base_dir=tmp_path)
    db = tmp_path / "asrun.sqlite"
    at = datetime(2024, 3, 4, 7, 0, tzinfo=TZ)
    titles = ["A & B <b>bold</b> \"q\" 'a'", " leading and trailing ", "bell\x07 and\x0bvtab", "]]> &amp; <!-- x -->"]
    with SqliteStore(db) as log:
        for i, title in enumerate(titles):
            scheduled = at + timedelta(minutes=10 * i)
            log.append(AsRunRecord(
                scheduled=scheduled, outcome=Outcome.played if i % 2 else Outcome.failed, bulletin_id=f"b<{i}>&",
                title=title, topic="procedure", priority="normal", session="sang", zones=("thôn <1>",),
                start=scheduled if i % 2 else None, end=scheduled + timedelta(seconds=61) if i % 2 else None,
                reason="" if i % 2 else f"lỗi <{i}> & \x01",
            ))
    out = tmp_path / "out"
    write_report(settings_, "2024-03", out, "all", db=db)
    base = report_base_name(parse_period("2024-03"))
    clean = [t.replace("\x07", "").replace("\x0b", "") for t in titles]

    annex = load_workbook(out / f"{base}.xlsx")["Phụ lục"]
    rows = list(annex.iter_rows(values_only=True))[1:]
    assert [r[9] for r in rows] == clean
    assert [r[8] for r in rows] == [f"b<{i}>&" for i in range(4)]
    assert [r[6] for r in rows] == ["thôn <1>"] * 4
    assert [r[11] for r in rows] == ["lỗi <0> & ", None, "lỗi <2> & ", None]

    doc = Document(out / f"{base}.docx")
    problems = [[c.text for c in row.cells] for row in doc.tables[4].rows][1:]
    assert [p[2] for p in problems] == [f"{clean[i]} (b<{i}>&)" for i in (0, 2)]
    assert [p[4] for p in problems] == ["lỗi <0> & ", "lỗi <2> & "]
    annex_doc = [[c.text for c in row.cells] for row in doc.tables[-1].rows][1:]
    assert [r[6] for r in annex_doc] == [f"b<{i}>&" for i in range(4)]


# --- reasons, labels and zones ----------------------------------------------------------------


@pytest.mark.parametrize(
    "english, vietnamese",
    [
        ("interrupted by an emergency broadcast (Cháy rừng (khẩn))", "bị ngắt để phát tin khẩn cấp (Cháy rừng (khẩn))"),
        ("service stopped (SIGTERM)", "dịch vụ phát thanh dừng (SIGTERM)"),
        ("not started: service stopped (SIGTERM)", "chưa phát: dịch vụ phát thanh dừng (SIGTERM)"),
        ("service was down at the slot; coalesced into the late run of chiều 17:00",
         "dịch vụ không chạy vào giờ phát; gộp vào lần phát muộn của phiên chiều 17:00"),
        ("service was down at the slot; back 95 min later, beyond the 30-minute grace period",
         "dịch vụ không chạy vào giờ phát; chạy lại sau 95 phút, quá thời gian cho phép phát muộn 30 phút"),
        ("started 74 s after the slot", "bắt đầu muộn 74 giây so với giờ phát"),
        ("started 74 s after the slot; built alone after the programme build failed",
         "bắt đầu muộn 74 giây so với giờ phát; tin được dựng riêng vì dựng cả chương trình thất bại"),
        ("not reached: stopped by the user (Ctrl+C); not resumed (it airs at its next session)",
         "chưa đến lượt phát: người dùng dừng phát (Ctrl+C); phiên không phát tiếp (tin sẽ phát ở phiên sau)"),
        ("the service stopped during the session (crash or power cut); progress unknown",
         "dịch vụ ngừng giữa phiên (lỗi phần mềm hoặc mất điện); không rõ đã phát đến đâu"),
        ("file:x: cannot write (No space left on device)", "file:x: không ghi được tệp: No space left on device"),
        ("máy khởi động chậm", "máy khởi động chậm"),  # already Vietnamese
        ("loa thôn 3 bị sét đánh; amp tripped", "loa thôn 3 bị sét đánh; amp tripped"),  # unknown: as written
        ("", ""),
    ],
)
def test_english_reasons_are_shown_in_vietnamese(english, vietnamese):
    from broadcast.asrun.reasons import translate_reason

    assert translate_reason(english) == vietnamese


def test_an_older_english_reason_reads_as_the_runner_writes_it_today():
    """One reason, one wording: what a report shows for an old English row is what the runner writes now."""
    from broadcast.asrun import reasons
    from broadcast.asrun.reasons import translate_reason

    assert translate_reason("service stopped (SIGTERM)") == reasons.STOPPED_SIGTERM
    assert translate_reason("could start only 12 min after the slot, beyond the 10-minute grace period") == \
        reasons.start_beyond_grace(12, 10)
    assert translate_reason("service was down at the slot; back 95 min later, beyond the 30-minute grace period") == \
        reasons.down_beyond_grace(95, 30)
    assert translate_reason("not reached: stopped by the user (Ctrl+C); not resumed (it airs at its next session)") == \
        reasons.not_reached(reasons.USER_STOPPED)


def _row(i, when, zone, *, outcome=Outcome.played, seconds=100, reason="", bulletin="tin-1", session="sáng"):
    rec = AsRunRecord(
        scheduled=when, outcome=outcome, bulletin_id=bulletin, title="Tin", topic="procedure", priority="normal",
        session=session, zones=(zone,), sink=f"file:{zone}", reason=reason,
        start=when if outcome in (Outcome.played, Outcome.late, Outcome.interrupted) else None,
        end=when + timedelta(seconds=seconds) if outcome in (Outcome.played, Outcome.late, Outcome.interrupted) else None,
    )
    return LoggedRow(i, rec, when, "", f"h{i}")


def test_station_and_zone_figures_are_both_given():
    """The runner logs one row per item per zone group: one item aired on three zones is one broadcast
    with its airtime once for the station, and three with three times the airtime per zone."""
    morning = datetime(2024, 5, 6, 5, 30, tzinfo=TZ)
    evening = datetime(2024, 5, 6, 17, 0, tzinfo=TZ)
    rows = [_row(i + 1, morning, z, seconds=100) for i, z in enumerate(("thon-1", "thon-2", "trung-tam"))]
    rows += [_row(4, morning, "thon-3", outcome=Outcome.interrupted, seconds=40, reason="service stopped (SIGTERM)")]
    rows += [_row(5, evening, "thon-1", seconds=100), _row(6, evening, "thon-2", outcome=Outcome.late, seconds=90,
                                                          reason="started 74 s after the slot")]
    data = build_report_data(rows, parse_period("2024-05"), tz=TZ, station=STATION, issued=date(2024, 6, 1))
    f = data.total.total
    assert (f.items, f.broadcasts, f.airtime_s) == (1, 2, 200)
    assert (f.zone_broadcasts, f.zone_airtime_s) == (5, 490)
    labels = {r.row_id: (r.outcome_label, r.reason) for r in data.annex}
    assert labels[4] == ("Bị ngắt", "dịch vụ phát thanh dừng (SIGTERM)")
    assert labels[6] == ("Phát muộn", "bắt đầu muộn 74 giây so với giờ phát")
    assert labels[1] == ("Đã phát", "")


def test_outcome_labels_are_vietnamese():
    from broadcast.reports.wording import OUTCOME_LABELS

    assert OUTCOME_LABELS == {"played": "Đã phát", "late": "Phát muộn", "missed": "Bỏ lỡ", "failed": "Lỗi",
                              "interrupted": "Bị ngắt", "held_over": "Hoãn sang buổi sau"}


def test_documents_are_laid_out_on_a4(tmp_path):
    """Vietnamese administrative documents are printed on A4 (Nghị định 30/2020/NĐ-CP)."""
    import docx
    import openpyxl

    settings = Settings(base_dir=tmp_path)
    paths = write_sample_report(settings, "2024-H1", tmp_path / "out", formats=("xlsx", "docx"))
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    docx_path = next(p for p in paths if p.suffix == ".docx")
    section = docx.Document(docx_path).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert all(ws.page_setup.paperSize in (9, "9") for ws in openpyxl.load_workbook(xlsx).worksheets)


def test_the_xlsx_written_with_the_docx_is_the_same_and_a_failure_is_the_callers(tmp_path):
    """Formats are written one after the other in this process: the XLSX written beside the DOCX is the
    one written alone, and a format that cannot be written is the caller's error (a folder where the
    file should go), leaving no half-written file."""
    from openpyxl import load_workbook

    from broadcast.reports.files import write_report_files
    from broadcast.reports.load import load_report_data

    settings = Settings(base_dir=tmp_path)
    db = tmp_path / "log.sqlite"
    with SqliteStore(db) as log:
        log.append_many(sample_records(date(2024, 5, 1), date(2024, 5, 31), settings.station.tz, seed=11))
    data = load_report_data(settings, "2024-05", db=db)
    paths = write_report_files(data, tmp_path / "a", ["xlsx", "docx"])
    same = write_report_files(data, tmp_path / "b", ["xlsx"])
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    assert xlsx.exists() and next(p for p in paths if p.suffix == ".docx").exists()

    def values(path):
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in load_workbook(path).worksheets}

    assert values(xlsx) == values(same[-1])
    (tmp_path / "c" / xlsx.name).mkdir(parents=True)
    with pytest.raises(UserError, match="cannot write"):
        write_report_files(data, tmp_path / "c", ["xlsx", "docx"])
    assert sorted(p.name for p in (tmp_path / "c").iterdir() if p.suffix != ".png") == [xlsx.name]


def test_logged_text_stays_text_in_the_xlsx(tmp_path):
    """A title that looks like a formula, a link or a number is written as that text: no formula runs
    when the commune opens the workbook, no link is made, no leading zero is lost."""
    from openpyxl import load_workbook

    settings_ = Settings(base_dir=tmp_path)
    db = tmp_path / "asrun.sqlite"
    at = datetime(2024, 3, 4, 7, 0, tzinfo=TZ)
    titles = ['=HYPERLINK("http://x.example","bấm")', "http://dichvucong.gov.vn", "0123", "1e5", "{=1+1}"]
    with SqliteStore(db) as log:
        for i, title in enumerate(titles):
            scheduled = at + timedelta(minutes=10 * i)
            log.append(AsRunRecord(scheduled=scheduled, outcome=Outcome.played, bulletin_id=f"tin-{i}", title=title,
                                   topic="procedure", priority="normal", session="sang", zones=("thôn 1",),
                                   start=scheduled, end=scheduled + timedelta(seconds=60)))
    out = tmp_path / "out"
    write_report(settings_, "2024-03", out, "xlsx", db=db)
    annex = load_workbook(out / f"{report_base_name(parse_period('2024-03'))}.xlsx")["Phụ lục"]
    cells = [row[9] for row in annex.iter_rows(min_row=2)]
    assert [c.value for c in cells] == titles
    assert {c.data_type for c in cells} == {"s"}
    assert not any(c.hyperlink for c in cells)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
# XlsxWriter and python-docx leave their failed ZipFile to the collector, whose close() fails again.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_full_disk_is_one_clear_line_and_leaves_nothing_half_written(station, tmp_path, fmt):
    """Writing a format onto a full disk (a real tmpfs) is the user's one-line 'disk full', and neither the
    report folder nor the temporary folder keeps a part-written file."""
    import gc
    import tempfile

    from conftest import fill, small_disk

    from broadcast.atomic import atomic_write
    from broadcast.reports.docx_writer import write_docx
    from broadcast.reports.load import load_report_data
    from broadcast.reports.xlsx_writer import write_xlsx

    settings_, db = station
    data = load_report_data(settings_, "2024-H1", db=db)
    write = {"xlsx": write_xlsx, "docx": write_docx}[fmt]
    temporary = set(Path(tempfile.gettempdir()).iterdir())
    with small_disk(tmp_path / "out", "1m") as out:
        fill(out)
        with pytest.raises(UserError, match="disk full"):
            atomic_write(out / f"bao-cao.{fmt}", lambda p: write(data, p, None))
        gc.collect()  # the libraries' ZipFile, while the filter above holds
        assert [p.name for p in out.iterdir()] == ["filler"]
    assert set(Path(tempfile.gettempdir()).iterdir()) <= temporary
