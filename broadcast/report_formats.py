"""Writers for the CCHC report: CSV tables, an XLSX workbook, a DOCX document and the chart PNG.

They only lay out a `broadcast.report.ReportData`; no figure is computed here (one fact, one
home). CSV is UTF-8 with a BOM so that Excel on a commune office's PC shows the diacritics.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from broadcast.report import ReportData, format_duration, month_label

TOTAL_PERIOD = "Cả kỳ"

# Station-level figures ("toàn đài": an item aired in one slot counts once, whatever the number of
# zones) and per-zone totals ("theo cụm loa"); see the counting rules in broadcast.report.
MONTHLY_HEADER = [
    "Mã chủ đề", "Chủ đề", "Tháng", "Số tin, bài", "Số lượt phát (toàn đài)", "Thời lượng toàn đài (giây)",
    "Thời lượng toàn đài (giờ:phút:giây)", "Số lượt phát theo cụm loa", "Thời lượng theo cụm loa (giây)",
    "Thời lượng theo cụm loa (giờ:phút:giây)",
]
NOTES_HEADER = ["Ghi chú về số liệu và tính toàn vẹn của nhật ký"]
TASKS_HEADER = ["STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Kết quả theo nhật ký phát sóng"]
PROBLEMS_HEADER = ["Mã bản ghi", "Thời điểm dự kiến", "Buổi", "Cụm loa", "Chủ đề", "Mã tin", "Tiêu đề", "Kết quả", "Lý do"]
ANNEX_HEADER = [
    "Mã bản ghi", "Thời điểm dự kiến", "Bắt đầu", "Kết thúc", "Thời lượng (giây)", "Buổi", "Cụm loa", "Chủ đề",
    "Mã tin", "Tiêu đề", "Kết quả", "Lý do", "SHA-256 âm thanh", "SHA-256 lời đọc", "SHA-256 bản ghi",
    "Đính chính bản ghi",
]


A4_PAPER = 9  # the paper-size code for A4 in spreadsheet page setup

def format_time(value: datetime | None) -> str:
    # 'YYYY-MM-DD HH:MM:SS' in the value's own zone; isoformat is twice as fast as strftime
    # and the annex formats tens of thousands of these.
    return "" if value is None else value.isoformat(" ", "seconds")[:19]


# --- tables (shared by every format) ----------------------------------------------------------


def monthly_table(data: ReportData) -> list[list]:
    rows = []
    for topic in [*data.topics, data.total]:
        for month in data.months:
            rows.append([topic.topic, topic.label, month, *_figure_cells(topic.by_month[month])])
        rows.append([topic.topic, topic.label, TOTAL_PERIOD, *_figure_cells(topic.total)])
    return rows


def _figure_cells(f) -> list:
    return [f.items, f.broadcasts, f.airtime_s, format_duration(f.airtime_s), f.zone_broadcasts, f.zone_airtime_s,
            format_duration(f.zone_airtime_s)]


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


Tables = dict[str, tuple[list[str], list[list]]]


def csv_tables(data: ReportData) -> Tables:
    """File suffix -> (header, rows): the CSV files of one report.

    The XLSX and DOCX writers lay out these same tables: compute them once and pass them as
    `tables=` (formatting the annex's times is a good part of a busy year's report).
    """
    return {
        "chu-de": (MONTHLY_HEADER, monthly_table(data)),
        "nhiem-vu": (TASKS_HEADER, tasks_table(data)),
        "su-co": (PROBLEMS_HEADER, problems_table(data)),
        "phu-luc": (ANNEX_HEADER, annex_table(data)),
        "ghi-chu": (NOTES_HEADER, [[line] for line in _notes(data)]),
    }


def write_csv(path: Path, header: list[str], rows: list[list], alert: str | None = None) -> None:
    """One table; `alert` (a log that cannot be trusted) goes first, a line of its own, then a blank line."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        if alert:
            writer.writerow([alert])
            writer.writerow([])
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


def write_xlsx(data: ReportData, path: Path, chart: bytes | None, *, tables: Tables | None = None) -> None:
    """The workbook: openpyxl in write-only mode lays out the sheets, their headers and styles;
    the tables' body rows (thousands for a busy year's annex) go in as XML text after saving.

    Write-only sheets are written top to bottom, so widths and frozen panes come before rows.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    tables = tables or csv_tables(data)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tổng hợp")
    spliced = {}  # sheet -> body rows written by _xlsx_rows_xml

    def styled(value, font=None, alignment=None):
        cell = WriteOnlyCell(ws, value)
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def put(row: list) -> None:
        nonlocal summary_rows
        ws.append(row)
        summary_rows += 1

    summary_rows = 0
    for col, width in zip("ABCDEFGHI", (30, 45, 12, 14, 16, 22, 16, 16, 22)):
        ws.column_dimensions[col].width = width
    left, right = _header_lines(data)
    for i, (l_text, r_text) in enumerate(zip(left, right), start=1):
        put([
            styled(l_text, bold if i <= 2 else Font(italic=False), center),
            None,
            styled(r_text, bold if i <= 2 else Font(italic=True), center),
        ])
        ws.merged_cells.add(f"A{i}:B{i}")
        ws.merged_cells.add(f"C{i}:F{i}")
    put([styled("BÁO CÁO", Font(bold=True, size=14), center)])
    put([styled(data.title, bold, center)])
    ws.merged_cells.add("A5:F5")
    ws.merged_cells.add("A6:F6")
    put([])
    if data.integrity_alert:
        alert = Alignment(horizontal="left", vertical="center", wrap_text=True)
        put([styled(data.integrity_alert, Font(bold=True, color="C00000"), alert)])
        ws.merged_cells.add(f"A{summary_rows}:I{summary_rows}")
        ws.row_dimensions[summary_rows].height = 75
        put([])
    summary_header = ["STT", "Chủ đề", "Số tin, bài", "Số lượt phát (toàn đài)", "Thời lượng toàn đài (giây)",
                      "Thời lượng toàn đài (giờ:phút:giây)", "Số lượt phát theo cụm loa",
                      "Thời lượng theo cụm loa (giây)", "Thời lượng theo cụm loa (giờ:phút:giây)"]
    put([styled(text, bold, center) for text in summary_header])
    for i, topic in enumerate([*data.topics, data.total], start=1):
        is_total = not topic.topic
        values = ["" if is_total else i, topic.label, *_figure_cells(topic.total)]
        put([styled(v, bold) for v in values] if is_total else values)
    put([])
    for line in _notes(data):
        put([line])
    extents = {ws: f"A1:I{summary_rows}"}  # write-only sheets leave out <dimension>: put it back

    def sheet(title: str, key: str, widths: dict[int, int]) -> None:
        header, rows = tables[key]
        s = wb.create_sheet(title)
        for c in range(1, len(header) + 1):
            s.column_dimensions[get_column_letter(c)].width = widths.get(c, 16)
        s.freeze_panes = "A2"
        head = []
        for text in header:
            cell = WriteOnlyCell(s, text)
            cell.font, cell.alignment = bold, center
            head.append(cell)
        s.append(head)
        extents[s] = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        spliced[s] = rows  # laid out as XML text after saving (see _xlsx_rows_xml), not cell by cell

    sheet("Theo tháng", "chu-de", {2: 45})
    sheet("Nhiệm vụ", "nhiem-vu", {2: 60, 3: 18, 4: 24, 5: 70})
    sheet("Sự cố", "su-co", {2: 20, 5: 35, 6: 28, 7: 45, 9: 45})
    if chart is not None:
        s = wb.create_sheet("Biểu đồ")
        s.add_image(Image(io.BytesIO(chart)), "A1")
        extents[s] = "A1:A1"
    sheet("Phụ lục", "phu-luc", {2: 20, 3: 20, 4: 20, 8: 35, 9: 28, 10: 45, 13: 66, 14: 66, 15: 66})
    for s in wb.worksheets:
        s.page_setup.paperSize = A4_PAPER  # administrative documents are printed on A4 (Nghị định 30/2020/NĐ-CP)
    buf = io.BytesIO()
    wb.save(buf)

    # After saving, each sheet knows its part name: add its extent, splice its bulk rows in.
    def edit(s):
        def apply(xml: bytes) -> bytes:
            xml = xml.replace(b"<sheetViews>", f'<dimension ref="{extents[s]}"/><sheetViews>'.encode(), 1)
            if s in spliced:
                body = _xlsx_rows_xml(spliced[s], first_row=2).encode("utf-8")
                xml = xml.replace(b"</sheetData>", body + b"</sheetData>", 1)
            return xml

        return apply

    _rewrite_zip(buf.getvalue(), path, {s.path.lstrip("/"): edit(s) for s in extents})


def _xlsx_rows_xml(rows: list[list], first_row: int) -> str:
    """`<row>` elements as openpyxl writes them: inline strings, numbers as t="n", None skipped.

    For tables of str, int and float (what `csv_tables` holds); anything else is written as text.

    openpyxl spends ~10 us a cell through lxml's incremental writer; a string join does the
    same in a fraction of that. Control characters (illegal in XML) are dropped, as in DOCX,
    where openpyxl would refuse the whole workbook over one stray character in a title.
    """
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, max((len(r) for r in rows), default=0) + 1)]
    out = []
    for r, row in enumerate(rows, start=first_row):
        # Most rows have nothing to escape: one scan of the row's text decides it.
        plain = _XML_SPECIAL.search("".join(v for v in row if isinstance(v, str))) is None
        out.append(f'<row r="{r}">')
        for col, v in zip(letters, row):
            if v is None:
                continue
            if isinstance(v, bool):
                out.append(f'<c r="{col}{r}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                text = "" if v != v or v in (float("inf"), float("-inf")) else "%.16g" % v
                out.append(f'<c r="{col}{r}" t="n"><v>{text}</v></c>')
            elif v == "":
                out.append(f'<c r="{col}{r}" t="inlineStr"></c>')
            else:
                clean = plain and isinstance(v, str)  # anything else is text, checked on its own
                text = v if clean else _XML_UNSAFE.sub("", str(v))
                if len(text) > 32767:
                    text = text[:32767]
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                out.append(f'<c r="{col}{r}" t="inlineStr"><is><t{space}>{text if clean else escape(text)}</t></is></c>')
        out.append("</row>")
    return "".join(out)


def _rewrite_zip(blob: bytes, path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> None:
    """Copy the zip `blob` to `path`, passing the named members through their edit functions."""
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename in edits:
                content = edits.pop(info.filename)(content)
            # Level 3: half the time of zlib's default 6 on the big parts, files ~10% larger.
            dst.writestr(info, content, compresslevel=3)
    if edits:
        raise RuntimeError(f"report layout: parts not found in the package: {', '.join(edits)}")


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
        "Toàn đài: mỗi tin, bài phát trong một buổi được tính một lượt, thời lượng tính một lần, dù phát đồng "
        "thời trên nhiều cụm loa. Theo cụm loa: cộng dồn số lượt và thời lượng của từng cụm loa đã phát.",
        f"Số lượt dự kiến nhưng không phát trọn vẹn: {len(data.problems)}.",
    ]
    if data.superseded:
        notes.append(
            "Bản ghi đã được đính chính (tính theo bản đính chính sau cùng của mỗi chuỗi đính chính): "
            + ", ".join(f"bản ghi số {i}" for i in data.superseded) + "."
        )
    if data.integrity_alert:
        notes.insert(0, data.integrity_alert)
    elif data.chain is not None:
        notes.append("Nhật ký phát sóng: " + data.chain.summary_vi())
    return notes


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # to escape or drop


def _xml_text(value) -> str:
    # XML 1.0 cannot carry control characters; a stray one in a title must not sink the report.
    return escape(_XML_UNSAFE.sub("", "" if value is None else str(value)))


def _xml_texts(row: list) -> list[str]:
    """`_xml_text` of each value; a row with nothing to escape (the usual case) is one scan."""
    texts = ["" if v is None else str(v) for v in row]
    if _XML_SPECIAL.search("".join(texts)) is None:
        return texts
    return [_xml_text(t) for t in texts]


def _table(doc, rows: list[list], bodies: dict[str, str], *, size_pt: float | None = None):
    """A grid table: the header row through python-docx, the body rows as XML text.

    Setting cell text through python-docx costs ~0.5 ms a cell, and even parsing the body as
    one XML fragment costs ~0.2 s for a busy year's annex; so the table gets a placeholder
    comment and `bodies` maps it to the rows' XML, which `_save_docx` puts in its place.
    """
    from docx.shared import Pt
    from lxml import etree

    table = doc.add_table(rows=1, cols=len(rows[0]), style="Table Grid")
    for cell, value in zip(table.rows[0].cells, rows[0]):
        cell.text = str(value)
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
            if size_pt:
                run.font.size = Pt(size_pt)
    if len(rows) > 1:
        tc_props = [
            etree.tostring(tc.tcPr, encoding="unicode") if tc.tcPr is not None else ""
            for tc in table._tbl.tr_lst[0].tc_lst
        ]
        tc_props = [re.sub(r"\sxmlns:\w+=\"[^\"]*\"", "", p) for p in tc_props]
        half_points = int(round(size_pt * 2)) if size_pt else None
        rpr = f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>' if half_points else ""
        cell_open = [f"<w:tc>{props}<w:p><w:r>{rpr}<w:t xml:space=\"preserve\">" for props in tc_props]
        cell_close = "</w:t></w:r></w:p></w:tc>"
        body = "".join(
            "<w:tr>" + "".join(cell_open[i] + t + cell_close for i, t in enumerate(_xml_texts(row))) + "</w:tr>"
            for row in rows[1:]
        )
        key = f"report-table-body-{len(bodies)}"
        bodies[key] = body
        table._tbl.append(etree.Comment(key))
    return table


def _save_docx(doc, path: Path, bodies: dict[str, str]) -> None:
    """Save `doc` to `path` with each placeholder comment replaced by its table body rows."""
    buf = io.BytesIO()
    doc.save(buf)

    def fill(xml: bytes) -> bytes:
        parts = re.split(rb"<!--(report-table-body-\d+)-->", xml)
        missing = set(bodies) - {k.decode() for k in parts[1::2]}
        if missing:
            raise RuntimeError(f"report layout: table placeholders lost: {', '.join(sorted(missing))}")
        parts[1::2] = [bodies[k.decode()].encode("utf-8") for k in parts[1::2]]
        return b"".join(parts)

    _rewrite_zip(buf.getvalue(), path, {"word/document.xml": fill})


def write_docx(data: ReportData, path: Path, chart: bytes | None, *, tables: Tables | None = None) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    tables = tables or csv_tables(data)
    bodies: dict[str, str] = {}  # table placeholder -> body rows' XML (see _table)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, not python-docx's US Letter
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
    if data.integrity_alert:
        from docx.shared import RGBColor

        run = doc.add_paragraph().add_run(data.integrity_alert)
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    st = data.station
    doc.add_paragraph(
        f"Căn cứ Kế hoạch tuyên truyền cải cách hành chính năm {data.period.first.year} của Ủy ban nhân dân "
        f"xã {st.commune}; căn cứ nhật ký phát sóng của {st.name}, Ủy ban nhân dân xã {st.commune} báo cáo "
        f"kết quả tuyên truyền cải cách hành chính {data.period.phrase} trên hệ thống truyền thanh xã như sau:"
    )

    doc.add_heading("I. KẾT QUẢ PHÁT SÓNG THEO CHỦ ĐỀ", level=2)
    summary = [["STT", "Chủ đề", "Số tin, bài", "Số lượt phát (toàn đài)", "Thời lượng toàn đài",
                "Số lượt phát theo cụm loa", "Thời lượng theo cụm loa"]]
    for i, topic in enumerate([*data.topics, data.total], start=1):
        f = topic.total
        summary.append(["" if not topic.topic else i, topic.label, f.items, f.broadcasts, format_duration(f.airtime_s),
                        f.zone_broadcasts, format_duration(f.zone_airtime_s)])
    _table(doc, summary, bodies, size_pt=11)

    doc.add_heading("Chi tiết theo tháng", level=3)
    monthly = [["Chủ đề", "Tháng", "Số tin, bài", "Số lượt phát (toàn đài)", "Thời lượng toàn đài",
                "Số lượt phát theo cụm loa", "Thời lượng theo cụm loa"]]
    for row in tables["chu-de"][1]:
        if row[2] != TOTAL_PERIOD and row[4]:
            monthly.append([row[1], month_label(row[2]), row[3], row[4], row[6], row[7], row[9]])
    _table(doc, monthly, bodies, size_pt=11)
    if chart is not None:
        doc.add_paragraph()
        doc.add_picture(io.BytesIO(chart), width=Cm(16))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("II. THỰC HIỆN CÁC NHIỆM VỤ THEO PHỤ LỤC KẾ HOẠCH", level=2)
    tasks = [["STT", "Nội dung", "Sản phẩm", "Kết quả theo nhật ký phát sóng"]]
    tasks += [[t.number, t.content, t.product, t.result] for t in data.tasks]
    _table(doc, tasks, bodies, size_pt=11)

    doc.add_heading("III. CÁC LƯỢT PHÁT KHÔNG THÀNH", level=2)
    if data.problems:
        problems = [["Mã bản ghi", "Thời điểm dự kiến", "Tin, bài", "Kết quả", "Lý do"]]
        problems += [[r.row_id, format_time(r.scheduled), f"{r.title} ({r.bulletin_id})", r.outcome_label, r.reason]
                     for r in data.problems]
        _table(doc, problems, bodies, size_pt=10)
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
    # The CSV annex's columns 0-4, 7, 8, 10, 12-14 (same formatting, computed once).
    annex += [[r[0], r[1], r[2], r[3], r[4], r[7], r[8], r[10], r[12], r[13], r[14]] for r in tables["phu-luc"][1]]
    _table(doc, annex, bodies, size_pt=6)
    _save_docx(doc, path, bodies)
