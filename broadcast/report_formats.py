"""Writers for the CCHC report: CSV tables, an XLSX workbook, a DOCX document and the chart PNG.

They only lay out a `broadcast.report.ReportData`; no figure is computed here (one fact, one
home). CSV is UTF-8 with a BOM so that Excel on a commune office's PC shows the diacritics.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from broadcast.report import ReportData, format_duration, month_label

TOTAL_PERIOD = "Cả kỳ"

MONTHLY_HEADER = [
    "Mã chủ đề", "Chủ đề", "Tháng", "Số tin, bài", "Số lượt phát", "Thời lượng (giây)", "Thời lượng (giờ:phút:giây)",
]
TASKS_HEADER = ["STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Kết quả theo nhật ký phát sóng"]
PROBLEMS_HEADER = ["Mã bản ghi", "Thời điểm dự kiến", "Buổi", "Cụm loa", "Chủ đề", "Mã tin", "Tiêu đề", "Kết quả", "Lý do"]
ANNEX_HEADER = [
    "Mã bản ghi", "Thời điểm dự kiến", "Bắt đầu", "Kết thúc", "Thời lượng (giây)", "Buổi", "Cụm loa", "Chủ đề",
    "Mã tin", "Tiêu đề", "Kết quả", "Lý do", "SHA-256 âm thanh", "SHA-256 lời đọc", "SHA-256 bản ghi",
    "Đính chính bản ghi",
]


def format_time(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


# --- tables (shared by every format) ----------------------------------------------------------


def monthly_table(data: ReportData) -> list[list]:
    rows = []
    for topic in [*data.topics, data.total]:
        for month in data.months:
            f = topic.by_month[month]
            rows.append([topic.topic, topic.label, month, f.items, f.broadcasts, f.airtime_s, format_duration(f.airtime_s)])
        f = topic.total
        rows.append([topic.topic, topic.label, TOTAL_PERIOD, f.items, f.broadcasts, f.airtime_s, format_duration(f.airtime_s)])
    return rows


def tasks_table(data: ReportData) -> list[list]:
    return [[t.number, t.content, t.product, t.host, t.result] for t in data.tasks]


def problems_table(data: ReportData) -> list[list]:
    return [
        [r.row_id, format_time(r.scheduled), r.session, ", ".join(r.zones), r.topic_label, r.bulletin_id, r.title,
         r.outcome_label, r.reason]
        for r in data.problems
    ]


def annex_table(data: ReportData) -> list[list]:
    return [
        [r.row_id, format_time(r.scheduled), format_time(r.start), format_time(r.end), round(r.duration_s, 1),
         r.session, ", ".join(r.zones), r.topic_label, r.bulletin_id, r.title, r.outcome_label, r.reason,
         r.audio_sha256, r.text_sha256, r.row_hash, "" if r.corrects is None else r.corrects]
        for r in data.annex
    ]


def csv_tables(data: ReportData) -> dict[str, tuple[list[str], list[list]]]:
    """File suffix -> (header, rows): the CSV files of one report."""
    return {
        "chu-de": (MONTHLY_HEADER, monthly_table(data)),
        "nhiem-vu": (TASKS_HEADER, tasks_table(data)),
        "su-co": (PROBLEMS_HEADER, problems_table(data)),
        "phu-luc": (ANNEX_HEADER, annex_table(data)),
    }


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


# --- chart ------------------------------------------------------------------------------------


def chart_png(data: ReportData) -> bytes:
    """Stacked bars: airtime (minutes) per month, one colour per topic; Vietnamese labels."""
    # The object API with the Agg canvas: no pyplot global state, safe off the main thread.
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = range(len(data.months))
    bottom = [0.0] * len(data.months)
    palette = colormaps["tab10"]
    for i, topic in enumerate(data.topics):
        minutes = [topic.by_month[m].airtime_s / 60 for m in data.months]
        if not any(minutes):
            continue
        ax.bar(x, minutes, bottom=bottom, label=topic.label, color=palette(i % 10))
        bottom = [b + v for b, v in zip(bottom, minutes)]
    ax.set_xticks(list(x), [month_label(m).replace("/", "\n") for m in data.months])
    ax.set_ylabel("Thời lượng phát sóng (phút)")
    ax.set_title(f"Thời lượng tuyên truyền CCHC theo tháng, {data.period.phrase}")
    if any(bottom):
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx(data: ReportData, path: Path, chart: bytes | None) -> None:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    left, right = _header_lines(data)
    for i, (l_text, r_text) in enumerate(zip(left, right), start=1):
        ws.cell(i, 1, l_text).font = bold if i <= 2 else Font(italic=False)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.cell(i, 3, r_text).font = bold if i <= 2 else Font(italic=True)
        ws.merge_cells(start_row=i, start_column=3, end_row=i, end_column=6)
        ws.cell(i, 1).alignment = center
        ws.cell(i, 3).alignment = center
    ws.cell(5, 1, "BÁO CÁO").font = Font(bold=True, size=14)
    ws.merge_cells("A5:F5")
    ws.cell(6, 1, data.title).font = bold
    ws.merge_cells("A6:F6")
    for r in (5, 6):
        ws.cell(r, 1).alignment = center
    summary_header = ["STT", "Chủ đề", "Số tin, bài", "Số lượt phát", "Thời lượng (giây)", "Thời lượng (giờ:phút:giây)"]
    row = 8
    for c, text in enumerate(summary_header, start=1):
        ws.cell(row, c, text).font = bold
        ws.cell(row, c).alignment = center
    for i, topic in enumerate([*data.topics, data.total], start=1):
        f = topic.total
        is_total = not topic.topic
        values = ["" if is_total else i, topic.label, f.items, f.broadcasts, f.airtime_s, format_duration(f.airtime_s)]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row + i, c, value)
            if is_total:
                cell.font = bold
    row += len(data.topics) + 3
    for line in _notes(data):
        ws.cell(row, 1, line)
        row += 1
    for col, width in zip("ABCDEF", (30, 45, 12, 14, 16, 22)):
        ws.column_dimensions[col].width = width

    def sheet(title: str, header: list[str], rows: list[list], widths: dict[int, int] | None = None):
        s = wb.create_sheet(title)
        s.append(header)
        for c in range(1, len(header) + 1):
            s.cell(1, c).font = bold
            s.cell(1, c).alignment = center
        for r in rows:
            s.append(r)
        for c in range(1, len(header) + 1):
            s.column_dimensions[get_column_letter(c)].width = (widths or {}).get(c, 16)
        s.freeze_panes = "A2"
        return s

    sheet("Theo tháng", MONTHLY_HEADER, monthly_table(data), {2: 45})
    sheet("Nhiệm vụ", TASKS_HEADER, tasks_table(data), {2: 60, 3: 18, 4: 24, 5: 70})
    sheet("Sự cố", PROBLEMS_HEADER, problems_table(data), {2: 20, 5: 35, 6: 28, 7: 45, 9: 45})
    if chart is not None:
        s = wb.create_sheet("Biểu đồ")
        s.add_image(Image(io.BytesIO(chart)), "A1")
    sheet("Phụ lục", ANNEX_HEADER, annex_table(data), {2: 20, 3: 20, 4: 20, 8: 35, 9: 28, 10: 45, 13: 66, 14: 66, 15: 66})
    wb.save(path)


# --- DOCX -------------------------------------------------------------------------------------


def _header_lines(data: ReportData) -> tuple[list[str], list[str]]:
    st = data.station
    left = ["ỦY BAN NHÂN DÂN", f"XÃ {st.commune.upper()}", "", "Số:      /BC-UBND"]
    right = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        f"{st.commune}, ngày {data.issued:%d} tháng {data.issued:%m} năm {data.issued:%Y}",
    ]
    return left, right


def _notes(data: ReportData) -> list[str]:
    notes = [
        f"Số liệu lấy từ nhật ký phát sóng của {data.station.name}; giờ theo múi giờ {data.timezone}.",
        "Lượt phát: lượt đã phát hoặc phát muộn; thời lượng: tổng thời gian phát thực tế; "
        "tin, bài: số tin, bài khác nhau đã phát.",
        f"Số lượt dự kiến nhưng không phát trọn vẹn: {len(data.problems)}.",
    ]
    if data.superseded:
        notes.append(f"Bản ghi đã được đính chính (thay bằng bản ghi đính chính): {', '.join(map(str, data.superseded))}.")
    if data.chain is not None:
        notes.append("Nhật ký phát sóng: " + data.chain.summary_vi())
    return notes


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value) -> str:
    # XML 1.0 cannot carry control characters; a stray one in a title must not sink the report.
    return escape(_XML_UNSAFE.sub("", "" if value is None else str(value)))


def _table(doc, rows: list[list], *, size_pt: float | None = None):
    """A grid table: the header row through python-docx, the body as one parsed XML fragment.

    Setting cell text through python-docx costs ~0.5 ms a cell; the annex of a busy year has
    tens of thousands of cells, so the body rows are built as XML in one go.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(rows[0]), style="Table Grid")
    for cell, value in zip(table.rows[0].cells, rows[0]):
        cell.text = str(value)
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
            if size_pt:
                run.font.size = Pt(size_pt)
    if len(rows) > 1:
        tc_props = [tc.tcPr.xml if tc.tcPr is not None else "" for tc in table._tbl.tr_lst[0].tc_lst]
        tc_props = [re.sub(r"\sxmlns:\w+=\"[^\"]*\"", "", p) for p in tc_props]
        half_points = int(round(size_pt * 2)) if size_pt else None
        rpr = f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>' if half_points else ""
        body = "".join(
            "<w:tr>"
            + "".join(
                f'<w:tc>{tc_props[i]}<w:p><w:r>{rpr}<w:t xml:space="preserve">{_xml_text(v)}</w:t></w:r></w:p></w:tc>'
                for i, v in enumerate(row)
            )
            + "</w:tr>"
            for row in rows[1:]
        )
        fragment = parse_xml(f"<w:tbl {nsdecls('w')}>{body}</w:tbl>")
        for tr in list(fragment):
            table._tbl.append(tr)
    return table


def write_docx(data: ReportData, path: Path, chart: bytes | None) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    section = doc.sections[0]
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)

    left, right = _header_lines(data)
    head = doc.add_table(rows=1, cols=2)
    for cell, lines, bold_upto in ((head.cell(0, 0), left, 2), (head.cell(0, 1), right, 2)):
        cell.paragraphs[0].text = ""
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(line)
            run.bold = i < bold_upto
            run.italic = i == len(lines) - 1 and cell is head.cell(0, 1)
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
    st = data.station
    doc.add_paragraph(
        f"Căn cứ Kế hoạch tuyên truyền cải cách hành chính năm {data.period.first.year} của Ủy ban nhân dân "
        f"xã {st.commune}; căn cứ nhật ký phát sóng của {st.name}, Ủy ban nhân dân xã {st.commune} báo cáo "
        f"kết quả tuyên truyền cải cách hành chính {data.period.phrase} trên hệ thống truyền thanh xã như sau:"
    )

    doc.add_heading("I. KẾT QUẢ PHÁT SÓNG THEO CHỦ ĐỀ", level=2)
    summary = [["STT", "Chủ đề", "Số tin, bài", "Số lượt phát", "Thời lượng (giờ:phút:giây)"]]
    for i, topic in enumerate([*data.topics, data.total], start=1):
        f = topic.total
        summary.append(["" if not topic.topic else i, topic.label, f.items, f.broadcasts, format_duration(f.airtime_s)])
    _table(doc, summary)

    doc.add_heading("Chi tiết theo tháng", level=3)
    monthly = [["Chủ đề", "Tháng", "Số tin, bài", "Số lượt phát", "Thời lượng (giờ:phút:giây)"]]
    for row in monthly_table(data):
        if row[2] != TOTAL_PERIOD and row[4]:
            monthly.append([row[1], month_label(row[2]), row[3], row[4], row[6]])
    _table(doc, monthly, size_pt=11)
    if chart is not None:
        doc.add_paragraph()
        doc.add_picture(io.BytesIO(chart), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("II. THỰC HIỆN CÁC NHIỆM VỤ THEO PHỤ LỤC KẾ HOẠCH", level=2)
    tasks = [["STT", "Nội dung", "Sản phẩm", "Kết quả theo nhật ký phát sóng"]]
    tasks += [[t.number, t.content, t.product, t.result] for t in data.tasks]
    _table(doc, tasks, size_pt=11)

    doc.add_heading("III. CÁC LƯỢT PHÁT KHÔNG THÀNH", level=2)
    if data.problems:
        problems = [["Mã bản ghi", "Thời điểm dự kiến", "Tin, bài", "Kết quả", "Lý do"]]
        problems += [[r.row_id, format_time(r.scheduled), f"{r.title} ({r.bulletin_id})", r.outcome_label, r.reason]
                     for r in data.problems]
        _table(doc, problems, size_pt=10)
    else:
        doc.add_paragraph("Không có lượt phát nào bị bỏ lỡ hoặc lỗi trong kỳ.")

    doc.add_heading("IV. GHI CHÚ VỀ SỐ LIỆU VÀ TÍNH TOÀN VẸN CỦA NHẬT KÝ", level=2)
    for line in _notes(data):
        doc.add_paragraph(line, style="List Bullet")

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
    annex = [["Mã", "Dự kiến", "Bắt đầu", "Kết thúc", "Giây", "Chủ đề", "Mã tin", "Kết quả",
              "SHA-256 âm thanh", "SHA-256 lời đọc", "SHA-256 bản ghi"]]
    annex += [[r.row_id, format_time(r.scheduled), format_time(r.start), format_time(r.end), round(r.duration_s, 1),
               r.topic_label, r.bulletin_id, r.outcome_label, r.audio_sha256, r.text_sha256, r.row_hash]
              for r in data.annex]
    _table(doc, annex, size_pt=6)
    doc.save(path)
