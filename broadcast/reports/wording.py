"""The report's Vietnamese: outcome labels, the title, the administrative header, durations, months, the
integrity alert and the notes. Every format writer takes its words from here (one wording, one home)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from broadcast.asrun import VerifyResult
    from broadcast.reports.model import ReportData, ReportStation
    from broadcast.reports.period import Period

OUTCOME_LABELS: dict[str, str] = {
    "played": "Đã phát",
    "late": "Phát muộn",
    "missed": "Bỏ lỡ",
    "failed": "Lỗi",
    "interrupted": "Bị ngắt",
    "held_over": "Hoãn sang buổi sau",
}
TOTAL_LABEL = "Tổng cộng"  # the total row of the topics
TOTAL_PERIOD = "Cả kỳ"  # the month column of a topic's total over the period


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def month_label(month: str) -> str:
    """'2024-05' -> 'Tháng 5/2024'."""
    y, m = month.split("-")
    return f"Tháng {int(m)}/{y}"


def format_duration(seconds: int) -> str:
    """'h:mm:ss' (hours can pass 24: it is a total, not a clock time)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def report_title(period: Period) -> str:
    return f"Kết quả tuyên truyền cải cách hành chính {period.phrase}"


def integrity_alert(chain: VerifyResult | None) -> str | None:
    """The warning every format puts first when the log cannot be trusted; None when its chain verifies,
    its end was checked and its append-only triggers are in place."""
    if chain is None or chain.trustworthy:
        return None
    if not chain.ok:
        return (
            "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG ĐÃ BỊ THAY ĐỔI HOẶC BỊ HỎNG. " + chain.summary_vi() + " Số liệu trong "
            "báo cáo này lấy từ nhật ký đó nên có thể không đúng với thực tế phát sóng; không dùng làm minh "
            "chứng trước khi kiểm tra lại nhật ký."
        )
    return "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG CHƯA ĐƯỢC BẢO ĐẢM. " + chain.summary_vi()


def header_lines(station: ReportStation, issued: date) -> tuple[list[str], list[str]]:
    """The administrative header (Nghị định 30/2020/NĐ-CP): the issuing body left, the national motto right."""
    left = ["ỦY BAN NHÂN DÂN", f"XÃ {station.commune.upper()}", "", "Số:      /BC-UBND"]
    right = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        f"{station.commune}, ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}",
    ]
    return left, right


def opening(data: ReportData) -> str:
    st = data.station
    return (
        f"Căn cứ Kế hoạch tuyên truyền cải cách hành chính năm {data.period.first.year} của Ủy ban nhân dân "
        f"xã {st.commune}; căn cứ nhật ký phát sóng của {st.name}, Ủy ban nhân dân xã {st.commune} báo cáo "
        f"kết quả tuyên truyền cải cách hành chính {data.period.phrase} trên hệ thống truyền thanh xã như sau:"
    )


def notes(data: ReportData) -> list[str]:
    """How the figures were counted, the corrections applied, the log's integrity and the heads of the
    reports made from it before (so a log put back to an older copy, or cut, shows)."""
    lines = [
        f"Số liệu lấy từ nhật ký phát sóng của {data.station.name}; giờ theo múi giờ {data.timezone}.",
        "Lượt phát: lượt đã phát hoặc phát muộn; thời lượng: tổng thời gian phát thực tế; "
        "tin, bài: số tin, bài khác nhau đã phát.",
        "Toàn đài: mỗi tin, bài phát trong một buổi được tính một lượt, thời lượng tính một lần, dù phát đồng "
        "thời trên nhiều cụm loa. Theo cụm loa: cộng dồn số lượt và thời lượng của từng cụm loa đã phát.",
        f"Số lượt dự kiến nhưng không phát trọn vẹn: {len(data.problems)}.",
    ]
    if data.superseded:
        lines.append(
            "Bản ghi đã được đính chính (tính theo bản đính chính sau cùng của mỗi chuỗi đính chính): "
            + ", ".join(f"bản ghi số {i}" for i in data.superseded) + "."
        )
    alert = data.integrity_alert
    if alert:
        lines.insert(0, alert)
    elif data.chain is not None:
        lines.append("Nhật ký phát sóng: " + data.chain.summary_vi())
    if data.earlier:
        lines.append(
            "Các báo cáo, bộ hồ sơ minh chứng đã lập trước từ nhật ký này (mã băm cuối của nhật ký khi lập; "
            "nhật ký hiện tại phải còn chứa đúng các mã băm này): "
            + "; ".join(f"{e.label_vi}: bản ghi số {e.id}, mã băm {e.row_hash}" for e in data.earlier) + "."
        )
    return lines
