"""Rules for quantities: numbers, percentages, money, units, fractions and rates, ranges, signs, ordinals."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import DOT_DEC, DOT_DECIMAL, NUM, ROMAN, START, STOP, before, rule, say


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
    return " " + _UNITS[m.group("u")]


_MEASURES = (
    "đồng|đ|nghìn|ngàn|triệu|tỷ|USD|VNĐ|người|lượt|lần|hộ|hồ sơ|trang|bản|bản sao|bộ|năm|tháng|ngày|giờ|tuần|"
    "quý|khẩu|suất|thửa|con|chiếc|cái|buổi|ca|học sinh|trường hợp|tấn|tạ|kg|ha|sào|mẫu|m2|m|km|km2|lít|"
    "phút|điểm|xã|thôn|gói|hạng mục|công trình|hợp đồng|giấy phép|văn bản|tin|bài"
)
_NUMBER_BEFORE = re.compile(r"\d[\d.,]*%?(?:\s*[^\s\d;,:]+){0,3}\s*$")
_MEASURE_BEFORE = re.compile(rf"(?:\d|\b(?:{_MEASURES}))\s*$")
_MEASURE_AFTER = re.compile(rf"\s*(?:{_MEASURES})\b")


def _slash(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "50.000 đồng/hồ sơ", "2 lần/năm": a rate ("một hồ sơ"); "Cổng / Trang": an alternative.
    head = before(text, m.start())
    if _NUMBER_BEFORE.search(head) and (_MEASURE_BEFORE.search(head) or _MEASURE_AFTER.match(text, m.end())):
        return " một "
    return " hoặc "


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
SLASH = rule("slash", r"\s*/\s*(?=\w)", _slash)
ARITHMETIC = rule("arithmetic", r"(?<=\d)\s*(?P<op>[+=×÷])\s*(?=[-−]?\d)", _arithmetic, "digit")
SHORT_SCALE = rule("number", rf"(?<![\w.,])(?P<n>{DOT_DEC}|{NUM})(?P<u>k|K|tr)(?!\w)", _short_scale, "digit")
NUMBER = rule("number", rf"(?<!\d)(?:\d+\.\d{{1,2}}(?![\d.])|{NUM})(?!\d)", _number, "digit")
