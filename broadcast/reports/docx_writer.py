"""The report as a DOCX document, written with python-docx: the administrative layout on A4 (Nghị định
30/2020/NĐ-CP), the figures, the plan's tasks, what did not air, the notes, and a landscape annex.

Tables take their columns by name from the shared tables (`broadcast.reports.tables`). A busy year's
annex has thousands of rows: each body row is a copy of one row laid out through python-docx (its
cells, properties and type size), with its texts set, instead of python-docx's add_row() and cell.text
(about half a millisecond a cell).
"""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from broadcast.reports.model import ReportData
from broadcast.reports.tables import FIGURE_COLUMNS, Table, Tables, format_time, report_tables
from broadcast.reports.wording import TOTAL_PERIOD, format_duration, header_lines, month_label, notes, opening

# XML 1.0 cannot carry control characters; a stray one in a title must not sink the report.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The annex (landscape): the annex table's columns by name, with the DOCX's short headers.
ANNEX_COLUMNS = (("row_id", "Mã"), ("scheduled", "Dự kiến"), ("start", "Bắt đầu"), ("end", "Kết thúc"),
                 ("seconds", "Giây"), ("topic", "Chủ đề"), ("bulletin_id", "Mã tin"), ("outcome", "Kết quả"),
                 ("audio_sha256", "SHA-256 âm thanh"), ("text_sha256", "SHA-256 lời đọc"),
                 ("row_hash", "SHA-256 bản ghi"))
MONTHLY_COLUMNS = (("topic", "Chủ đề"), ("month", "Tháng"), ("items", "Số tin, bài"),
                   ("broadcasts", "Số lượt phát (toàn đài)"), ("airtime", "Thời lượng toàn đài"),
                   ("zone_broadcasts", "Số lượt phát theo cụm loa"), ("zone_airtime", "Thời lượng theo cụm loa"))


def _texts(row: list) -> list[str]:
    texts = ["" if v is None else str(v) for v in row]
    if _XML_UNSAFE.search("".join(texts)) is None:
        return texts
    return [_XML_UNSAFE.sub("", t) for t in texts]


def _grid(doc, header: list[str], rows: list[list], *, size_pt: float):
    """A 'Table Grid' table: the header row in bold, then `rows`, all at `size_pt`."""
    table = doc.add_table(rows=2, cols=len(header), style="Table Grid")
    for cell, text in zip(table.rows[0].cells, header):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(size_pt)
    template = table.rows[1]
    for cell in template.cells:
        cell.paragraphs[0].add_run(" ").font.size = Pt(size_pt)
    tr = template._tr
    for t in tr.iter(qn("w:t")):
        t.set(qn("xml:space"), "preserve")  # keep leading and trailing spaces of the values
    tbl = table._tbl
    tbl.remove(tr)
    for values in rows:
        row = copy.deepcopy(tr)
        for t, text in zip(row.iter(qn("w:t")), _texts(values)):
            t.text = text
        tbl.append(row)
    return table


def write_docx(data: ReportData, path: Path, chart: bytes | None, *, tables: Tables | None = None) -> None:
    tables = tables or report_tables(data)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, not python-docx's US Letter
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)

    left, right = header_lines(data.station, data.issued)
    head = doc.add_table(rows=1, cols=2)
    for cell, lines in ((head.cell(0, 0), left), (head.cell(0, 1), right)):
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(line)
            run.bold = i < 2
            run.italic = i == len(lines) - 1 and lines is right
            run.font.size = Pt(12)

    def centered(text: str, *, bold=True, size=13):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)

    doc.add_paragraph()
    centered("BÁO CÁO", size=14)
    centered(data.title)
    if data.integrity_alert:
        run = doc.add_paragraph().add_run(data.integrity_alert)
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    doc.add_paragraph(opening(data))

    doc.add_heading("I. KẾT QUẢ PHÁT SÓNG THEO CHỦ ĐỀ", level=2)
    names = dict(FIGURE_COLUMNS)
    summary = []
    for i, topic in enumerate([*data.topics, data.total], start=1):
        f = topic.total
        summary.append(["" if not topic.topic else i, topic.label, f.items, f.broadcasts, format_duration(f.airtime_s),
                        f.zone_broadcasts, format_duration(f.zone_airtime_s)])
    _grid(doc, ["STT", "Chủ đề", names["items"], names["broadcasts"], "Thời lượng toàn đài",
                names["zone_broadcasts"], "Thời lượng theo cụm loa"], summary, size_pt=11)

    doc.add_heading("Chi tiết theo tháng", level=3)
    monthly: Table = tables["chu-de"]
    aired = [row for row in monthly.rows
             if monthly.value(row, "month") != TOTAL_PERIOD and monthly.value(row, "broadcasts")]
    by_month = Table(monthly.columns, aired).pick(name for name, _ in MONTHLY_COLUMNS)
    month_at = [name for name, _ in MONTHLY_COLUMNS].index("month")
    for row in by_month:
        row[month_at] = month_label(row[month_at])
    _grid(doc, [h for _, h in MONTHLY_COLUMNS], by_month, size_pt=11)
    if chart is not None:
        doc.add_paragraph()
        doc.add_picture(io.BytesIO(chart), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("II. THỰC HIỆN CÁC NHIỆM VỤ THEO PHỤ LỤC KẾ HOẠCH", level=2)
    tasks: Table = tables["nhiem-vu"]
    columns = ("number", "content", "product", "result")
    _grid(doc, [dict(tasks.columns)[n] for n in columns], tasks.pick(columns), size_pt=11)

    doc.add_heading("III. CÁC LƯỢT PHÁT KHÔNG THÀNH", level=2)
    if data.problems:
        _grid(doc, ["Mã bản ghi", "Thời điểm dự kiến", "Tin, bài", "Kết quả", "Lý do"],
              [[r.row_id, format_time(r.scheduled), f"{r.title} ({r.bulletin_id})", r.outcome_label, r.reason]
               for r in data.problems], size_pt=10)
    else:
        doc.add_paragraph("Không có lượt phát nào bị bỏ lỡ hoặc lỗi trong kỳ.")

    doc.add_heading("IV. GHI CHÚ VỀ SỐ LIỆU VÀ TÍNH TOÀN VẸN CỦA NHẬT KÝ", level=2)
    for line in notes(data):
        doc.add_paragraph(_texts([line])[0], style="List Bullet")

    sign = doc.add_table(rows=1, cols=2)
    recipients = sign.cell(0, 0)
    recipients.paragraphs[0].add_run("Nơi nhận:").bold = True
    for line in ("- UBND thành phố;", "- Phòng Nội vụ thành phố;", "- TT Đảng ủy, HĐND xã;", "- Lưu: VP."):
        recipients.add_paragraph(line).runs[0].font.size = Pt(11)
    signer = sign.cell(0, 1)
    for i, line in enumerate(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")):
        p = signer.paragraphs[0] if i == 0 else signer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(line).bold = True

    # The annex is wide (times and hashes): a landscape section of its own, small type.
    annex_section = doc.add_section()
    annex_section.orientation = WD_ORIENT.LANDSCAPE
    annex_section.page_width, annex_section.page_height = section.page_height, section.page_width
    annex_section.left_margin = annex_section.right_margin = Cm(1.5)
    centered("PHỤ LỤC: DANH SÁCH CÁC LƯỢT PHÁT SÓNG", size=13)
    centered(f"(Kèm theo báo cáo {data.title[0].lower()}{data.title[1:]})", bold=False, size=12)
    annex: Table = tables["phu-luc"]
    _grid(doc, [h for _, h in ANNEX_COLUMNS], annex.pick(name for name, _ in ANNEX_COLUMNS), size_pt=6)
    doc.save(path)
