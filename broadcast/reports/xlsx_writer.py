"""The report as an XLSX workbook, written by openpyxl in write-only mode (rows streamed top to bottom).

Sheets: the summary (administrative header, title, the integrity alert, figures per topic, notes), then
the monthly figures, the plan's tasks, the broadcasts that did not air in full, the chart and the annex
of every broadcast, each laid out from the shared tables (`broadcast.reports.tables`) by column name.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

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
SHEETS = (("Theo tháng", "chu-de"), ("Nhiệm vụ", "nhiem-vu"), ("Sự cố", "su-co"))
ANNEX_SHEET = ("Phụ lục", "phu-luc")

# XML 1.0 cannot carry control characters: openpyxl refuses a workbook over one stray character in a title.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(row: list) -> list:
    """The row with control characters dropped from its text; a row with none (the usual case) is one scan."""
    if _XML_UNSAFE.search("".join(v for v in row if isinstance(v, str))) is None:
        return row
    return [_XML_UNSAFE.sub("", v) if isinstance(v, str) else v for v in row]


def write_xlsx(data: ReportData, path: Path, chart: bytes | None, *, tables: Tables | None = None) -> None:
    tables = tables or report_tables(data)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook(write_only=True)

    ws = wb.create_sheet("Tổng hợp")
    rows = 0

    def styled(value, font=None, alignment=None, sheet=ws):
        cell = WriteOnlyCell(sheet, value)
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def put(row: list) -> None:
        nonlocal rows
        ws.append(row)
        rows += 1

    for col, width in zip("ABCDEFGHI", (30, 45, 12, 14, 16, 22, 16, 16, 22)):
        ws.column_dimensions[col].width = width
    left, right = header_lines(data.station, data.issued)
    for i, (l_text, r_text) in enumerate(zip(left, right), start=1):
        put([styled(l_text, bold if i <= 2 else None, center), None,
             styled(r_text, bold if i <= 2 else Font(italic=True), center)])
        ws.merged_cells.add(f"A{i}:B{i}")
        ws.merged_cells.add(f"C{i}:F{i}")
    put([styled("BÁO CÁO", Font(bold=True, size=14), center)])
    put([styled(data.title, bold, center)])
    ws.merged_cells.add("A5:F5")
    ws.merged_cells.add("A6:F6")
    put([])
    if data.integrity_alert:
        put([styled(data.integrity_alert, Font(bold=True, color="C00000"),
                    Alignment(horizontal="left", vertical="center", wrap_text=True))])
        ws.merged_cells.add(f"A{rows}:I{rows}")
        ws.row_dimensions[rows].height = 75
        put([])
    put([styled(text, bold, center) for text in ["STT", "Chủ đề", *(h for _, h in FIGURE_COLUMNS)]])
    for i, topic in enumerate([*data.topics, data.total], start=1):
        is_total = not topic.topic
        values = ["" if is_total else i, topic.label, *figure_cells(topic.total)]
        put([styled(v, bold) for v in values] if is_total else values)
    put([])
    for line in notes(data):
        put([_clean([line])[0]])

    def sheet(title: str, table: Table) -> None:
        s = wb.create_sheet(title)
        for c, (name, _) in enumerate(table.columns, start=1):
            s.column_dimensions[get_column_letter(c)].width = WIDTHS.get(name, DEFAULT_WIDTH)
        s.freeze_panes = "A2"  # write-only sheets are written top to bottom: widths and panes first
        s.append([styled(text, bold, center, sheet=s) for text in table.header])
        for row in table.rows:
            s.append(_clean(row))

    for title, key in SHEETS:
        sheet(title, tables[key])
    if chart is not None:
        s = wb.create_sheet("Biểu đồ")
        s.add_image(Image(io.BytesIO(chart)), "A1")
    sheet(ANNEX_SHEET[0], tables[ANNEX_SHEET[1]])
    for s in wb.worksheets:
        s.page_setup.paperSize = A4_PAPER  # administrative documents are printed on A4 (Nghị định 30/2020/NĐ-CP)
    wb.save(path)
