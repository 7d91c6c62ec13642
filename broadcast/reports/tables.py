"""The report's tables with named columns, laid out once and shared by every format (CSV files, XLSX
sheets, DOCX tables): a writer picks the columns it shows by name, never by position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from broadcast.reports.model import Figures, ReportData
from broadcast.reports.wording import TOTAL_PERIOD, format_duration, notes

# (name, header) of each table's columns, in the order the CSV and XLSX show them. Station-level figures
# ("toàn đài": an item aired in one slot counts once, whatever the number of zones) and per-zone totals
# ("theo cụm loa"); see the counting rules in broadcast.reports.figures.
FIGURE_COLUMNS = (
    ("items", "Số tin, bài"), ("broadcasts", "Số lượt phát (toàn đài)"),
    ("airtime_s", "Thời lượng toàn đài (giây)"), ("airtime", "Thời lượng toàn đài (giờ:phút:giây)"),
    ("zone_broadcasts", "Số lượt phát theo cụm loa"), ("zone_airtime_s", "Thời lượng theo cụm loa (giây)"),
    ("zone_airtime", "Thời lượng theo cụm loa (giờ:phút:giây)"),
)
MONTHLY_COLUMNS = (("topic_id", "Mã chủ đề"), ("topic", "Chủ đề"), ("month", "Tháng"), *FIGURE_COLUMNS)
TASK_COLUMNS = (("number", "STT"), ("content", "Nội dung"), ("product", "Sản phẩm"), ("host", "Cơ quan chủ trì"),
                ("result", "Kết quả theo nhật ký phát sóng"))
PROBLEM_COLUMNS = (("row_id", "Mã bản ghi"), ("scheduled", "Thời điểm dự kiến"), ("session", "Buổi"),
                   ("zones", "Cụm loa"), ("topic", "Chủ đề"), ("bulletin_id", "Mã tin"), ("title", "Tiêu đề"),
                   ("outcome", "Kết quả"), ("reason", "Lý do"))
ANNEX_COLUMNS = (
    ("row_id", "Mã bản ghi"), ("scheduled", "Thời điểm dự kiến"), ("start", "Bắt đầu"), ("end", "Kết thúc"),
    ("seconds", "Thời lượng (giây)"), ("session", "Buổi"), ("zones", "Cụm loa"), ("topic", "Chủ đề"),
    ("bulletin_id", "Mã tin"), ("title", "Tiêu đề"), ("outcome", "Kết quả"), ("reason", "Lý do"),
    ("audio_sha256", "SHA-256 âm thanh"), ("text_sha256", "SHA-256 lời đọc"), ("row_hash", "SHA-256 bản ghi"),
    ("corrects", "Đính chính bản ghi"),
)
NOTES_COLUMNS = (("note", "Ghi chú về số liệu và tính toàn vẹn của nhật ký"),)


@dataclass(frozen=True)
class Table:
    """Rows of values under named columns."""

    columns: tuple[tuple[str, str], ...]  # (name, header)
    rows: list[list]

    @property
    def header(self) -> list[str]:
        return [h for _, h in self.columns]

    def pick(self, names: Iterable[str]) -> list[list]:
        """The rows with only the named columns, in that order."""
        index = {name: i for i, (name, _) in enumerate(self.columns)}
        wanted = [index[n] for n in names]
        return [[row[i] for i in wanted] for row in self.rows]

    def value(self, row: list, name: str):
        return row[[n for n, _ in self.columns].index(name)]


Tables = dict[str, Table]  # file suffix (chu-de, nhiem-vu, su-co, phu-luc, ghi-chu) -> table


def format_time(value: datetime | None) -> str:
    # 'YYYY-MM-DD HH:MM:SS' in the value's own zone; isoformat is twice as fast as strftime
    # and the annex formats tens of thousands of these.
    return "" if value is None else value.isoformat(" ", "seconds")[:19]


def figure_cells(f: Figures) -> list:
    """The values of FIGURE_COLUMNS."""
    return [f.items, f.broadcasts, f.airtime_s, format_duration(f.airtime_s), f.zone_broadcasts, f.zone_airtime_s,
            format_duration(f.zone_airtime_s)]


def report_tables(data: ReportData) -> Tables:
    """Every table of one report, laid out once (formatting the annex's times is a good part of a busy
    year's report); the CSV files are these tables one to a file."""
    monthly = []
    for topic in [*data.topics, data.total]:
        for month in data.months:
            monthly.append([topic.topic, topic.label, month, *figure_cells(topic.by_month[month])])
        monthly.append([topic.topic, topic.label, TOTAL_PERIOD, *figure_cells(topic.total)])
    return {
        "chu-de": Table(MONTHLY_COLUMNS, monthly),
        "nhiem-vu": Table(TASK_COLUMNS, [[t.number, t.content, t.product, t.host, t.result] for t in data.tasks]),
        "su-co": Table(PROBLEM_COLUMNS, [
            [r.row_id, format_time(r.scheduled), r.session, ", ".join(r.zones), r.topic_label, r.bulletin_id,
             r.title, r.outcome_label, r.reason]
            for r in data.problems
        ]),
        "phu-luc": Table(ANNEX_COLUMNS, [
            [r.row_id, format_time(r.scheduled), format_time(r.start), format_time(r.end), round(r.duration_s, 1),
             r.session, ", ".join(r.zones), r.topic_label, r.bulletin_id, r.title, r.outcome_label, r.reason,
             r.audio_sha256, r.text_sha256, r.row_hash, "" if r.corrects is None else r.corrects]
            for r in data.annex
        ]),
        "ghi-chu": Table(NOTES_COLUMNS, [[line] for line in notes(data)]),
    }
