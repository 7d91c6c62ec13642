"""Rules for quantities: numbers, percentages, money, units, fractions and rates, ranges, signs, ordinals."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import DOT_DEC, DOT_DECIMAL, NUM, ROMAN, START, STOP, before, rule, say
from broadcast.speech.wer import words as wer_words


def read_number(token: str) -> str:
    """A written number: "1.245" (thousands), "98,5" (decimal), "3.5" (an English decimal point)."""
    if DOT_DECIMAL.fullmatch(token):
        # "3.5%", "2.5 km": one or two digits after the dot cannot be a thousands group.
        token = token.replace(".", ",")
    if "," in token:
        integer, fraction = token.split(",", 1)
        return num.decimal(integer, fraction)
    return num.number_string(token)


# What stands before a dash that makes it a range ("2021 -2025", "7h30 -11h30", "80 -85%"), not a minus.
_RANGE_BEFORE = re.compile(r"(?:\d|\dh|\d%|\b(?i:thứ|ngày|tháng|năm|quý)\s*\d+)\s*$")


def _percent(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    sign = "âm " if m.group("neg") else ""
    if sign and _RANGE_BEFORE.search(before(text, m.start())):
        sign = "đến "  # "80 -85%": a range, not a negative
    return sign + read_number(m.group("n")) + " phần trăm"


def _minus(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    if _RANGE_BEFORE.search(before(text, m.start())):
        return None
    return "âm"


def _ratio(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "87,65/100 điểm", "tỷ lệ 1:2.000": "… trên …".
    return f"{read_number(m.group('a'))} trên {read_number(m.group('b'))}"


def _ordinal(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    n = m.group("n")
    value = int(n) if n.isdigit() else num.roman(n)
    if value is None:
        return None
    return f"{m.group('w')} {num.ordinal(value)}"


_UNITS = {
    "km2": "ki lô mét vuông", "km²": "ki lô mét vuông", "m2": "mét vuông", "m²": "mét vuông",
    "m3": "mét khối", "m³": "mét khối", "km": "ki lô mét", "cm": "xăng ti mét", "mm": "mi li mét",
    "m": "mét", "ha": "héc ta", "kg": "ki lô gam", "mg": "mi li gam", "ml": "mi li lít",
    "kWh": "ki lô oát giờ", "kW": "ki lô oát", "MW": "mê ga oát", "°C": "độ xê", "đ": "đồng",
    "km/h": "ki lô mét một giờ",
}  # fmt: skip


def _unit(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    if m.group("u") == "đ" and re.match(r"\s*đồng\b", text[m.end() :]):
        return ""  # "100.000đ đồng": the currency once
    return " " + _UNITS[m.group("u")]


_MEASURES = (
    "đồng|đ|nghìn|ngàn|triệu|tỷ|USD|VNĐ|người|lượt|lần|hộ|hồ sơ|trang|bản|bản sao|bộ|năm|tháng|ngày|giờ|tuần|"
    "quý|khẩu|suất|thửa|con|chiếc|cái|buổi|ca|học sinh|trường hợp|tấn|tạ|kg|ha|sào|mẫu|m2|m|km|km2|lít|"
    "phút|điểm|xã|thôn|gói|hạng mục|công trình|hợp đồng|giấy phép|văn bản|tin|bài"
)
_NUMBER_BEFORE = re.compile(r"\d[\d.,]*%?(?:\s*[^\s\d;,:]+){0,3}\s*$")
_MEASURE_BEFORE = re.compile(rf"(?:\d|\b(?:{_MEASURES}))\s*$")
# What a number counts ("114 hộ", "2 lần"): after one, the number is a quantity, not a label or phone.
MEASURE_AFTER = re.compile(rf"\s*(?:{_MEASURES})\b")


def _is_rate(text: str, start: int, end: int) -> bool:
    head = before(text, start)
    return bool(_NUMBER_BEFORE.search(head) and (_MEASURE_BEFORE.search(head) or MEASURE_AFTER.match(text, end)))


_ABBREVIATION_BEFORE = re.compile(r"\b[A-ZĐ]{2,}\s*$")
_ABBREVIATION_AFTER = re.compile(r"\s*[A-ZĐ]{2,}\b")


def _slash(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "50.000 đồng/hồ sơ", "2 lần/năm": a rate ("một hồ sơ"); "MTTQ/đoàn thể", "CCCD/CMND": names listed
    # with a breath between them (it may mean "and" or "or": the pause fits both); "Cổng / Trang": "hoặc".
    if _is_rate(text, m.start(), m.end()):
        return " một "
    if _ABBREVIATION_BEFORE.search(before(text, m.start(), 12)) or _ABBREVIATION_AFTER.match(text, m.end()):
        return " , "
    return " hoặc "


def _slash_one(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "2.000 đồng/1 trang": the rate's "một" is the written 1, said once.
    return " một " if _is_rate(text, m.start(), m.end()) else None


def _spelled_again(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "10 (mười) ngày", "05 (năm) ngày làm việc": the legal habit of writing a number twice; read it once.
    spoken = read_number(m.group("n"))
    return spoken if wer_words(m.group("w")) == wer_words(spoken) else None


_DAY_CONTEXT = re.compile(r"(?i:\b(?:ngày|từ|đến|tới|lễ|dịp|sáng|chiều|tối|trưa|đêm|mùng|mồng|hôm|trước|sau|hạn))\s*$")


def _round_the_clock(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "trực 24/24", "24/24h", "24/7": round the clock; after "ngày" 24/7 is the twenty-fourth of July.
    if _DAY_CONTEXT.search(before(text, m.start(), 16)):
        return None
    spoken = f"hai mươi tư trên {num.cardinal(int(m.group('b')))}"
    return spoken + (" giờ" if m.group("h") else "")


_LABEL_BEFORE = re.compile(r"\b(?i:mũi|thôn|tổ|xóm|ấp|bản|khu|đội|lớp|khoản|điều|bước|mức|tầng|lô)\s+$")


def _label_list(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "mũi 1,2", "khoản 1,2": two labels, not one and two tenths.
    if not _LABEL_BEFORE.search(before(text, m.start(), 12)):
        return None
    return f"{num.cardinal(int(m.group('a')))}, {num.cardinal(int(m.group('b')))}"


_SCORE_BEFORE = re.compile(r"(?i:\b(?:tỷ số|tỉ số|thắng|thua|hòa|hoà|chung cuộc))\s*:?\s*$")


def _score(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "tỷ số 2-1": "hai – một", not a range.
    if not _SCORE_BEFORE.search(before(text, m.start(), 24)):
        return None
    return f"{num.cardinal(int(m.group('a')))}, {num.cardinal(int(m.group('b')))}"


def _short_scale(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "500k" → năm trăm nghìn, "1tr", "1,5tr" → … triệu
    scale = "nghìn" if m.group("u") in ("k", "K") else "triệu"
    return f"{read_number(m.group('n'))} {scale}"


_ARITHMETIC = {"+": "cộng", "=": "bằng", "×": "nhân", "÷": "chia"}


def _arithmetic(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return _ARITHMETIC[m.group("op")]


# After a quantity word a dotted "0.5" is a decimal ("tăng 0.5 lần"); elsewhere ("mục 3.2") a section.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:lần|%|phần trăm|độ|triệu|tỷ|nghìn|ngàn|đồng|USD|km2|km|m2|m3|m|ha|kg|tấn|tạ|lít|điểm|giờ)(?!\w)"
)


def _number(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    token = m.group(0)
    if DOT_DECIMAL.fullmatch(token) and _QUANTITY_AFTER.match(text, m.end()):
        return read_number(token)
    if re.fullmatch(r"\d+\.\d{1,2}", token):
        whole, part = token.split(".")
        return f"{num.number_string(whole)} chấm {num.number_string(part)}"
    return read_number(token)


SCORE = rule("score", r"(?<![\w/.,:])(?P<a>\d{1,2})\s*[-–:]\s*(?P<b>\d{1,2})(?![\w/:]|[.,]\d)", _score, "digit")
MAP_SCALE = rule(
    "scale", r"(?<![\w.,:])(?P<a>\d{1,3})\s*:\s*(?P<b>\d{1,3}(?:\.\d{3})+|\d{3,})(?![\w:]|[.,]\d)", _ratio, "digit"
)
PERCENT = rule("percent", rf"(?<![\w.,])(?P<neg>[-−](?=\d))?(?P<n>{DOT_DEC}|{NUM})\s*%", _percent, "digit")
# "[[5|năm]]%": the override says the number, the sign is still read.
PERCENT_AFTER_OVERRIDE = rule("percent", r"(?<=\]\])\s*%", say("phần trăm"))
FRACTION = rule("fraction", rf"{START}(?P<a>{NUM})\s*/\s*(?P<b>{NUM}){STOP}", _ratio, "digit")
ORDINAL = rule("ordinal", rf"(?P<w>\b(?i:thứ))\s+(?P<n>\d{{1,3}}|{ROMAN})(?![\w])", _ordinal)
UNIT = rule(
    "unit",
    r"(?:(?<=\d)|(?<=/))\s*(?P<u>km/h|km2|km²|m2|m²|m3|m³|km|cm|mm|m|ha|kg|mg|ml|kWh|kW|MW|°C|đ)(?![\w²³])",
    _unit,
    "digit",
)
MINUS = rule("minus", r"(?<![\w.,%/)\]-])[-−](?=\d)", _minus, "digit")
# "10 - 3 = 7"
MINUS_SIGN = rule("arithmetic", r"(?<=\d)\s*[-–−]\s*(?=\d[\d.,]*\s*[=+])", say("trừ"), "digit")
RANGE = rule(
    "range", r"(?:(?<=\d)|(?<=\dh)|(?<=\d%))\s*[-–—]\s*(?=(?i:thứ|ngày|tháng|năm|quý)?\s*\d)", say(" đến "), "digit"
)
SLASH_ONE = rule("slash", r"\s*/\s*1\s+(?=[^\W\d_])", _slash_one, "digit")
SLASH = rule("slash", r"\s*/\s*(?=\w)", _slash)
SPELLED_AGAIN = rule(
    "number", rf"(?<![\w.,])(?P<n>{NUM})\s*\(\s*(?P<w>[^\W\d_][^()\d]{{0,60}}?)\s*\)", _spelled_again, "digit"
)
ROUND_THE_CLOCK = rule(
    "round-the-clock", r"(?<![\w/.,])24\s*(?:h|giờ)?\s*/\s*(?P<b>24|7)(?P<h>\s*(?:h|giờ))?(?!\w)", _round_the_clock, "digit"
)
LABEL_LIST = rule("number", r"(?<![\w.,])(?P<a>\d{1,2}),(?P<b>\d{1,2})(?![\d,.])", _label_list, "digit")
ARITHMETIC = rule("arithmetic", r"(?<=\d)\s*(?P<op>[+=×÷])\s*(?=[-−]?\d)", _arithmetic, "digit")
SHORT_SCALE = rule("number", rf"(?<![\w.,])(?P<n>{DOT_DEC}|{NUM})(?P<u>k|K|tr)(?!\w)", _short_scale, "digit")
NUMBER = rule("number", rf"(?<!\d)(?:\d+\.\d{{1,2}}(?!\d|\.\d)|{NUM})(?!\d)", _number, "digit")
