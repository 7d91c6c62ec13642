"""The CCHC content kinds a bulletin can carry (DOMAIN.md, "What airs") and the priority levels."""

from __future__ import annotations

from enum import Enum

# Topic id -> the Vietnamese label used in reports and previews. Order is the report's row order.
TOPICS: dict[str, str] = {
    "legal_document": "Tuyên truyền văn bản chỉ đạo",
    "procedure": "Công khai thủ tục hành chính",
    "hotline": "Đường dây nóng",
    "one_stop": "Kết quả một cửa, một cửa liên thông",
    "commendation": "Biểu dương, phê bình",
    "digital_government": "Chính quyền số, dịch vụ công trực tuyến",
    "rights_duties": "Quyền, nghĩa vụ công dân; đạo đức công vụ",
    "general": "Tin tổng hợp về cải cách hành chính",
}


class Priority(str, Enum):
    """Circular 39/2020/TT-BTTTT's three levels. Lower `rank` airs earlier."""

    normal = "normal"
    priority = "priority"
    emergency = "emergency"

    @property
    def rank(self) -> int:
        return {"emergency": 0, "priority": 1, "normal": 2}[self.value]

    @property
    def label(self) -> str:
        return {"emergency": "khẩn cấp", "priority": "ưu tiên", "normal": "thông thường"}[self.value]
