"""The report as an XLSX workbook, written by XlsxWriter (rows laid out top to bottom, cell by cell).

Sheets: the summary (administrative header, title, the integrity alert, figures per topic, notes), then
the monthly figures, the plan's tasks, the broadcasts that did not air in full, the chart and the annex
of every broadcast, each laid out from the shared tables (`broadcast.reports.tables`) by column name.

XlsxWriter rather than openpyxl: a busy year's annex is some 65,000 cells, and XlsxWriter writes them in
about 60 % of openpyxl's write-only time (bench/log_report.py), which the yearly report's budget needs.
Its habit of turning text into formulas, links or numbers is switched off: logged text stays text.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError

from broadcast.reports.model import ReportData
from broadcast.reports.tables import FIGURE_COLUMNS, Table, Tables, figure_cells, report_tables
from broadcast.reports.wording import header_lines, notes

A4_PAPER = 9  # the paper-size code for A4 in spreadsheet page setup

# Column widths (characters) by column name; unnamed columns get DEFAULT_WIDTH.
DEFAULT_WIDTH = 16
WIDTHS = {
    "topic": 35, "content": 60, "product": 18, "host": 24, "result": 70, "scheduled": 20, "start": 20, "end": 20,
    "bulletin_id": 28, "title": 45, "reason": 45, "audio_sha256": 66, "text_sha256": 66, "row_hash": 66,
}
# Times are written as spreadsheet date-times (sortable, filterable), shown as the CSV and DOCX show them.
TIME_COLUMNS = frozenset({"scheduled", "start", "end"})
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_EXCEL_EPOCH = datetime(1899, 12, 30)
SHEETS = (("Theo tháng", "chu-de"), ("Nhiệm vụ", "nhiem-vu"), ("Sự cố", "su-co"))
ANNEX_SHEET = ("Phụ lục", "phu-luc")

# Logged text is only ever text: "=SUM(A1)" stays those characters, "http://…" is not made a link. The
# sheets are laid out in memory, not in temporary files elsewhere (which a full disk would leave behind).
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True}

# XML 1.0 cannot carry control characters (XlsxWriter would write them as _x0007_ escapes): they are dropped.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(row: list) -> list:
    """The row with control characters dropped from its text; a row with none (the usual case) is one scan."""
    if _XML_UNSAFE.search("".join(v for v in row if isinstance(v, str))) is None:
        return row
    return [_XML_UNSAFE.sub("", v) if isinstance(v, str) else v for v in row]


def _excel_time(text: str) -> float | str:
    """'2024-05-06 06:30:00' (the tables' local time) -> the spreadsheet's serial day number; '' stays ''."""
    if not text:
        return text
    delta = datetime.fromisoformat(text) - _EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


def write_xlsx(data: ReportData, path: Path, chart: bytes | None, *, tables: Tables | None = None) -> None:
    tables = tables or report_tables(data)
    wb = Workbook(str(path), _OPTIONS)
    center = {"align": "center", "valign": "vcenter", "text_wrap": True}
    bold = wb.add_format({"bold": True})
    bold_center = wb.add_format({**center, "bold": True})
    plain_center = wb.add_format({**center})
    italic_center = wb.add_format({**center, "italic": True})
    big_center = wb.add_format({**center, "bold": True, "font_size": 14})
    alert_format = wb.add_format({"bold": True, "font_color": "#C00000", "align": "left", "valign": "vcenter",
                                  "text_wrap": True})

    ws = wb.add_worksheet("Tổng hợp")
    for col, width in enumerate((30, 45, 12, 14, 16, 22, 16, 16, 22)):
        ws.set_column(col, col, width)
    left, right = header_lines(data.station, data.issued)
    for row, (l_text, r_text) in enumerate(zip(left, right)):
        ws.merge_range(row, 0, row, 1, l_text, bold_center if row < 2 else plain_center)
        ws.merge_range(row, 2, row, 5, r_text, bold_center if row < 2 else italic_center)
    row = len(left)
    ws.merge_range(row, 0, row, 5, "BÁO CÁO", big_center)
    ws.merge_range(row + 1, 0, row + 1, 5, data.title, bold_center)
    row += 3  # and an empty row
    if data.integrity_alert:
        ws.merge_range(row, 0, row, 8, data.integrity_alert, alert_format)
        ws.set_row(row, 75)
        row += 2
    ws.write_row(row, 0, ["STT", "Chủ đề", *(h for _, h in FIGURE_COLUMNS)], bold_center)
    for i, topic in enumerate([*data.topics, data.total], start=1):
        is_total = not topic.topic
        ws.write_row(row + i, 0, ["" if is_total else i, topic.label, *figure_cells(topic.total)],
                     bold if is_total else None)
    row += len(data.topics) + 3  # the total, and an empty row
    for i, line in enumerate(notes(data)):
        ws.write_string(row + i, 0, _clean([line])[0])

    time_format = wb.add_format({"num_format": TIME_FORMAT})

    def sheet(title: str, table: Table) -> None:
        s = wb.add_worksheet(title)
        times = [c for c, (name, _) in enumerate(table.columns) if name in TIME_COLUMNS]
        for c, (name, _) in enumerate(table.columns):
            # A cell written without a format takes its column's: the time columns show as date-times.
            s.set_column(c, c, WIDTHS.get(name, DEFAULT_WIDTH), time_format if c in times else None)
        s.freeze_panes(1, 0)
        s.write_row(0, 0, table.header, bold_center)
        write_row = s.write_row
        for r, values in enumerate(table.rows, start=1):
            values = _clean(values)
            if times:
                values = list(values)
                for c in times:
                    values[c] = _excel_time(values[c])
            write_row(r, 0, values)

    for title, key in SHEETS:
        sheet(title, tables[key])
    if chart is not None:
        wb.add_worksheet("Biểu đồ").insert_image("A1", "bieu-do.png", {"image_data": io.BytesIO(chart)})
    sheet(ANNEX_SHEET[0], tables[ANNEX_SHEET[1]])
    for s in wb.worksheets():
        s.set_paper(A4_PAPER)  # administrative documents are printed on A4 (Nghị định 30/2020/NĐ-CP)
    try:
        wb.close()
    except FileCreateError as exc:  # it wraps the OSError (a full disk...), which the caller reports as such
        raise (exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc) from None
