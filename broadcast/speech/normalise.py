"""Vietnamese administrative text -> the spoken form a commune announcer reads (rule-based, offline).

Rules run in priority order over the input; each claims the spans it rewrites, and a later rule never
touches a claimed span. So the editor's inline override `[[written|spoken]]` beats everything,
document numbers are read before the lexicon could expand their issuer code, phone numbers before
plain numbers, dates before fractions, and so on. `explain` returns the claimed spans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon, builtin_lexicon


@dataclass(frozen=True)
class Change:
    """One rewrite: the span [start, end) of the (NFC) input, the rule that made it, what is said."""

    start: int
    end: int
    original: str
    rule: str
    spoken: str


Handler = Callable[[re.Match[str], str, Lexicon], str | None]


class _Left(str):
    """What a handler returns to claim a span and leave it as written: an impossible date, a broken
    override. Nothing later guesses at it, and `unspeakable` flags it, so `render` warns the editor."""


def _leave(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return _Left(m.group(0))

# ---------------------------------------------------------------------------------------------
# Shared pieces of patterns

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# A dot followed by one or two digits is a decimal point (English style), never a thousands group.
_DOT_DEC = r"\d+\.\d{1,2}(?![\d.])"
_DOT_DECIMAL = re.compile(_DOT_DEC)
_YEAR = r"(?:19|20)\d{2}"
# A document code part: at least two capitals first ("TTg", "QĐ", "CTTr", "QH14"), so an ordinary
# capitalised word after a dash ("- Thủ tướng") is not swallowed.
_CODE = r"[A-ZĐ][A-ZĐ][A-Za-zĐđ0-9&]*"
_CODE_SEP = r"\s*[-–/]\s*"
# A lone C, D, L or M is a letter label ("mục D"), not a Roman numeral.
_ROMAN = r"(?:[IVX]+|[IVXLC]{2,})"
_ROMAN_HEADING = r"[IVX]+"
_END = r"(?![\w])"

_DOC_TYPES = (
    "Luật|Bộ luật|Pháp lệnh|Nghị quyết|Nghị định|Quyết định|Chỉ thị|Thông tư liên tịch|Thông tư|Kế hoạch|"
    "Công văn|Văn bản|Thông báo|Báo cáo|Chương trình|Kết luận|Hướng dẫn|Tờ trình|Giấy mời|Công điện|"
    "Đề án|Quy định|Quy chế|Điều lệ|Hiến pháp"
)
_SO_BEFORE = re.compile(r"(?i:\bsố)\s*:?\s*$")
# "TT 01/2024": a type abbreviation before N/YYYY makes it a document number too.
_DOC_BEFORE = re.compile(rf"(?:\b(?i:{_DOC_TYPES})|(?i:\bsố)|\b(?:TT|TTLT|NĐ|QĐ|NQ))\s*:?\s*$")


def _before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


# ---------------------------------------------------------------------------------------------
# Handlers: each returns the spoken form, or None to leave the span to later rules.


def _override(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return m.group(2) if m.group(2) is not None else m.group(1)


def _drop(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return ""


def _pause(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return " , "


def _space(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return " "


def _full_stop(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return "."


def _ellipsis(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # At the end of a sentence an ellipsis is a full stop; inside one, a pause.
    return "." if not text[m.end() :].strip() else " , "


def _heading(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    value = num.roman(m.group(1))
    return f"{num.cardinal(value)}." if value else None


_LETTERS = {
    "a": "a", "b": "bê", "c": "xê", "d": "đê", "đ": "đê", "e": "e", "f": "ép", "g": "gờ", "h": "hát",
    "i": "i", "j": "gi", "k": "ca", "l": "eo", "m": "em", "n": "en", "o": "o", "p": "pê", "q": "quy",
    "r": "e rờ", "s": "ét", "t": "tê", "u": "u", "v": "vê", "w": "vê kép", "x": "ích", "y": "i", "z": "dét",
}  # fmt: skip
_SYLLABLE_ASCII = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:(?:ng|nh|ch|[cmnpt])(?![aeiouy]))?"
)
_WEB_SYMBOLS = {".": "chấm", "@": "a còng", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới"}
_WEB_SPLIT = re.compile(r"([.@/_-])")


def _web_label(label: str, lex: Lexicon) -> str:
    low = label.lower()
    if low in lex.web:
        return lex.web[low]
    if low.isdigit():
        return num.digits(low)
    parts = _SYLLABLE_ASCII.findall(low)
    # Unaccented Vietnamese ("tientien", "haiduong") is read as syllables; anything else is spelled.
    if parts and "".join(parts) == low:
        return " ".join(parts)
    return " ".join(_LETTERS.get(c, c) for c in low)


def _web(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    address = m.group(0)
    if address in lex.words:
        return lex.words[address]
    address = re.sub(r"^(?i:https?://)", "", address).rstrip("/")
    words = []
    for piece in _WEB_SPLIT.split(address):
        if not piece:
            continue
        words.append(_WEB_SYMBOLS.get(piece) or _web_label(piece, lex))
    return " ".join(words)


def _document(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    spoken = num.number_string(m.group("n"))
    if m.group("y"):
        spoken += " năm " + num.cardinal(int(m.group("y")))
    # "Quyết định số 22/…" keeps its "số"; "Chỉ thị 11/…" gets one; never two.
    return spoken if _SO_BEFORE.search(_before(text, m.start())) else "số " + spoken


def _document_year_only(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "Luật số 45/2019" without an issuer code: only a document when a type word or "số" precedes.
    if not _DOC_BEFORE.search(_before(text, m.start())):
        return None
    return _document(m, text, lex)


def _lexicon(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return lex.spoken(m.group(0), _before(text, m.start()), text[m.end() : m.end() + 40])


_PHONE_WORDS = re.compile(
    r"(?i:điện thoại|đường dây nóng|đường dây|tổng đài|hotline|gọi|nhắn tin|số máy|\bfax|\btel|\bsđt|\bđt)"
)
_PHONE_GAP = re.compile(
    r"(?:[\s:,()]|số|là|miễn phí|khẩn cấp|đến|tới|hoặc|và|[-–/]|\d{3,5}(?:[ .]\d{3,4})*)*", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.;!?\n]")


def _phone_groups(raw: str) -> list[str]:
    raw = raw.strip()
    if re.search(r"[.\s-]", raw):
        return [g for g in re.split(r"[.\s-]+", raw) if g]
    n = len(raw)
    if n <= 5:
        return [raw]
    if n in (7, 8):
        return [raw[:4], raw[4:]]
    if n == 10:
        return [raw[:4], raw[4:7], raw[7:]]
    if n == 11:
        return [raw[:4], raw[4:8], raw[8:]]
    return [raw[:4], raw[4:]]


def _read_phone(raw: str) -> str:
    prefix = ""
    if raw.startswith("+"):
        cc = re.match(r"\+(\d{1,3})[\s.-]?", raw)
        assert cc is not None
        prefix = "cộng " + num.digits(cc.group(1)) + ", "
        raw = raw[cc.end() :]
    return prefix + ", ".join(num.digits(g) for g in _phone_groups(raw))


def _phone(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    count = sum(c.isdigit() for c in m.group(0))
    if m.group(0).startswith("+"):
        return _read_phone(m.group(0)) if 10 <= count <= 13 else None
    return _read_phone(m.group(0)) if 10 <= count <= 11 else None


def _toll_free(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    count = sum(c.isdigit() for c in m.group(0))
    return _read_phone(m.group(0)) if 8 <= count <= 10 else None


def _short_phone(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """Service numbers (113, 1022, 18001567) are phones only where the clause speaks of calling."""
    before = _before(text, m.start(), 80)
    ends = list(_CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    words = list(_PHONE_WORDS.finditer(before))
    if not words:
        return None
    gap = before[words[-1].end() :]
    if _PHONE_GAP.fullmatch(gap) or (gap.rstrip().endswith(":") and not re.search(r"\d", gap)):
        return _read_phone(m.group(0))
    return None


_DATE_CONTEXT = re.compile(
    r"(?i:\b(?:ngày|hôm|dịp|lễ|từ|đến|tới|sáng|chiều|tối|trưa|đêm|mùng|mồng|khánh|niệm|trước|sau|hạn|chót|vào))\s*$"
    # a second date in a list: "lễ 30/4 và 1/5"
    r"|\d{1,2}/\d{1,2}\s*(?:,|và|hoặc)\s*$"
)
_DAY_WORD = re.compile(r"(?i:\b(?:ngày|mùng|mồng|hôm))\s*$")
# A named day: "Ngày Quốc khánh", "ngày Pháp luật Việt Nam", "Ngày Thương binh - Liệt sĩ" (capitalised name
# of at most five words straight after "ngày", nothing else between it and the date).
_HOLIDAY = re.compile(r"\b[Nn]gày\s+[A-ZĐ][^\W\d]*(?:\s+(?:[-–]\s+)?[^\W\d]+){0,4}\s*$")
_DATE_AFTER = re.compile(r"^\s*(?:[-–]|đến|tới)\s*(?:ngày\s*)?\d{1,2}/\d{1,2}")


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(day: int, month: int, year: int | None = None) -> bool:
    """A day that exists: 30/02 and 31/4 do not; 29/02 only in a leap year (or with no year given)."""
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
        return False
    if month == 2 and day == 29 and year is not None:
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return True


def _say_date(day: int, month: int, year: int | None, text: str, start: int) -> str:
    spoken = f"{num.cardinal(day)} tháng {num.month(month)}"
    if year is not None:
        spoken += f" năm {num.cardinal(year)}"
    # "ngày 08/5/2018" already has its "ngày", and so has "Ngày Quốc khánh 2/9": do not say it twice.
    before = _before(text, start, 40)
    return spoken if _DAY_WORD.search(before[-12:]) or _HOLIDAY.search(before) else "ngày " + spoken


def _date(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    day, month = int(m.group("d")), int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if year is None and not (
        _DATE_CONTEXT.search(_before(text, m.start(), 20))
        or _DATE_AFTER.match(text, m.end())
        or _HOLIDAY.search(_before(text, m.start()))
    ):
        return None  # "24/7", "19/19": a fraction or a score, read later as "… trên …"
    if not _valid_date(day, month, year):
        # "ngày 32/1/2024", "ngày 30/02": read as something plausible it would be wrong on air. Without
        # a year or "ngày" it may still be a fraction ("từ 45/50 điểm"), read later as "… trên …".
        if year is None and not _DAY_WORD.search(_before(text, m.start(), 12)):
            return None
        return _Left(m.group(0))
    return _say_date(day, month, year, text, m.start())


def _date_range(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    first, last, month = int(m.group("d1")), int(m.group("d2")), int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if not (_valid_date(first, month, year) and _valid_date(last, month, year)):
        return _Left(m.group(0)) if year is not None or _DAY_WORD.search(_before(text, m.start(), 12)) else None
    start = _say_date(first, month, None, text, m.start()).removesuffix(f" tháng {num.month(month)}")
    return f"{start} đến ngày {_say_date(last, month, year, text, m.end()).removeprefix('ngày ')}"


_MONTH_BEFORE = re.compile(r"(?i:\btháng)\s*$")


def _month_year(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        # "tháng 13/2024" is no month; without "tháng" it may be a fraction, read later.
        return _Left(m.group(0)) if _MONTH_BEFORE.search(_before(text, m.start(), 10)) else None
    spoken = f"{num.month(month)} năm {num.cardinal(int(m.group('y')))}"
    # "Tháng 3/2024" keeps its own "Tháng"; a bare "3/2024" needs one.
    return spoken if _MONTH_BEFORE.search(_before(text, m.start(), 10)) else "tháng " + spoken


def _quarter_year(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    q = m.group("q")
    value = int(q) if q.isdigit() else num.roman(q)
    if not value:
        return None
    return f"{m.group('w')} {num.cardinal(value)} năm {num.cardinal(int(m.group('y')))}"


def _time(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    minutes = m.group("min") or m.group("min2")
    spoken = f"{num.cardinal(int(m.group('h')))} giờ"
    if minutes and int(minutes):
        spoken += f" {num.cardinal(int(minutes))} phút"
    return spoken


def _read_number(token: str) -> str:
    if _DOT_DECIMAL.fullmatch(token):
        # "3.5%", "2.5 km": one or two digits after the dot cannot be a thousands group.
        token = token.replace(".", ",")
    if "," in token:
        integer, fraction = token.split(",", 1)
        return num.decimal(integer, fraction)
    return num.number_string(token)


def _percent(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    sign = "âm " if m.group("neg") else ""
    if sign and _RANGE_BEFORE.search(_before(text, m.start())):
        sign = "đến "  # "80 -85%": a range, not a negative
    return sign + _read_number(m.group("n")) + " phần trăm"


def _percent_word(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return "phần trăm"  # "[[5|năm]]%": the override says the number, the sign is still read


# What stands before a dash that makes it a range ("2021 -2025", "7h30 -11h30", "80 -85%"), not a minus.
_RANGE_BEFORE = re.compile(r"(?:\d|\dh|\d%|\b(?i:thứ|ngày|tháng|năm|quý)\s*\d+)\s*$")


def _minus(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    if _RANGE_BEFORE.search(_before(text, m.start())):
        return None
    return "âm"


def _fraction(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return f"{_read_number(m.group('a'))} trên {_read_number(m.group('b'))}"


def _ordinal(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    n = m.group("n")
    value = int(n) if n.isdigit() else num.roman(n)
    if value is None:
        return None
    return f"{m.group('w')} {num.ordinal(value)}"


def _roman_after(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # Only after a word that numbers things with Roman numerals ("khóa XV"); a lone "I" or "V"
    # elsewhere may be a letter.
    if not _ROMAN_BEFORE.search(_before(text, m.start(), 48)):
        return None
    value = num.roman(m.group(0))
    return num.cardinal(value) if value else None


def _month(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return f"{m.group('w')} {num.month(int(m.group('n')))}"


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
    before = _before(text, m.start())
    if _NUMBER_BEFORE.search(before) and (_MEASURE_BEFORE.search(before) or _MEASURE_AFTER.match(text, m.end())):
        return " một "
    return " hoặc "


def _range(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return " đến "


def _roman_range(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "Chương I - III": a range of numerals, only where the numerals themselves are read.
    # The numeral before the dash must itself follow a numbering word: that is a list ending in ",".
    return " đến " if _ROMAN_BEFORE.search(_before(text, m.start(), 48) + ",") else None


def _and(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return " và "


_SYMBOL_WORDS = {"≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", "~": "khoảng", "≈": "khoảng"}


def _symbol(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return _SYMBOL_WORDS[m.group(0)]


# After a quantity word a dotted "0.5" is a decimal ("tăng 0.5 lần"); elsewhere ("mục 3.2") a section.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:lần|%|phần trăm|độ|triệu|tỷ|nghìn|ngàn|đồng|USD|km2|km|m2|m3|m|ha|kg|tấn|tạ|lít|điểm|giờ)(?!\w)"
)


def _number(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    token = m.group(0)
    if _DOT_DECIMAL.fullmatch(token) and _QUANTITY_AFTER.match(text, m.end()):
        return _read_number(token)
    if re.fullmatch(r"\d+\.\d{1,2}", token):
        whole, part = token.split(".")
        return f"{num.number_string(whole)} chấm {num.number_string(part)}"
    return _read_number(token)



_WEEKDAYS = {"T2": "thứ hai", "T3": "thứ ba", "T4": "thứ tư", "T5": "thứ năm", "T6": "thứ sáu", "T7": "thứ bảy",
             "CN": "chủ nhật"}  # fmt: skip
_WEEKDAY_JOIN = re.compile(r"\s*(?:(?P<to>[-–]|đến|tới)|(?P<comma>,)|(?P<word>và|hoặc))\s*")
_WEEKDAY_BEFORE = re.compile(r"(?i:\b(?:sáng|chiều|tối|trưa|đêm|ngày|các ngày|từ|trừ|vào))\s*$")


def _weekdays(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"T2-T6", "T7, CN": weekdays when two stand together; a lone one only after "sáng", "từ", …"""
    days = re.findall(r"T[2-7]|CN", m.group(0))
    if len(days) == 1 and not _WEEKDAY_BEFORE.search(_before(text, m.start(), 16)):
        return None
    out = [_WEEKDAYS[days[0]]]
    for join, day in zip(_WEEKDAY_JOIN.finditer(m.group(0), len(days[0])), days[1:], strict=False):
        sep = "đến" if join.group("to") else "," if join.group("comma") else join.group("word")
        out.append(("," if sep == "," else " " + sep) + " " + _WEEKDAYS[day])
    return "".join(out)


_SCORE_BEFORE = re.compile(r"(?i:\b(?:tỷ số|tỉ số|thắng|thua|hòa|hoà|chung cuộc))\s*:?\s*$")


def _score(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "tỷ số 2-1": "hai – một", not a range.
    if not _SCORE_BEFORE.search(_before(text, m.start(), 24)):
        return None
    return f"{num.cardinal(int(m.group('a')))}, {num.cardinal(int(m.group('b')))}"


_DAYS_BEFORE = re.compile(r"(?i:\b(?:ngày|mùng|mồng|hôm))\s*$")


def _day_list(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"ngày 5 và 6/6", "ngày 5, 6, 7/6/2024": several days of one month."""
    if not _DAYS_BEFORE.search(_before(text, m.start(), 12)):
        return None
    days = [int(d) for d in re.findall(r"\d+", m.group("days"))]
    month = int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if not all(_valid_date(d, month, year) for d in days):
        return _Left(m.group(0))
    joins = re.findall(r"\s*(,|và|hoặc|[-–])\s*", m.group("days"))
    out = num.cardinal(days[0])
    for join, day in zip(joins, days[1:], strict=True):
        out += ("," if join == "," else " đến" if join in "-–" else " " + join) + " " + num.cardinal(day)
    out += f" tháng {num.month(month)}"
    if year is not None:
        out += f" năm {num.cardinal(year)}"
    return out


def _roman_section(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"mục III.2", "III.2.1. Nội dung": a section number, read with "chấm" (no full stop mid-sentence)."""
    value = num.roman(m.group("r"))
    if not value:
        return None
    before = _before(text, m.start(), 16)
    if len(m.group("r")) < 2 and not _ROMAN_BEFORE.search(before) and before.strip(" \t#*_>-"):
        return None
    parts = [num.cardinal(value)] + [num.number_string(p) for p in m.group("rest").split(".") if p]
    return " chấm ".join(parts)


def _clock(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "17 giờ 00" → "mười bảy giờ"; "7 giờ 30" → "bảy giờ ba mươi phút".
    minutes = int(m.group("min"))
    spoken = f"{num.cardinal(int(m.group('h')))} giờ"
    return spoken + (f" {num.cardinal(minutes)} phút" if minutes else "")


_CODE_BEFORE = re.compile(
    r"(?i:\bmã(?:\s+[^\W\d]+){0,3}|(?<!tổng )\bsố (?:hồ sơ|biên nhận|biên lai|giấy biên nhận))\s*:?\s*$"
)
_CODE_SYMBOLS = {".": "chấm", "-": "gạch ngang", "/": "gạch chéo", "_": "gạch dưới"}


def _code(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """A reference code after "mã …" or "số hồ sơ": every character said, so listeners can type it."""
    code = m.group(0)
    if not _CODE_BEFORE.search(_before(text, m.start(), 40)):
        return None
    if re.fullmatch(rf"{_NUM}", code) and not code.startswith("0") and len(code) <= 4:
        return None  # "mã số 12": a plain number
    words: list[str] = []
    for c in code:
        if c.isdigit():
            words.append(num.DIGITS[int(c)])
        elif c in _CODE_SYMBOLS:
            words.append(_CODE_SYMBOLS[c])
        else:
            words.append(_LETTERS.get(c.lower(), c))
    return " ".join(words)


_ADDRESS_NEAR = re.compile(r"\b(?:[QP]\.\s?\d|Quận|quận|Phường|phường|TP|Tp|thành phố|đường|Đường|phố|số nhà)")


def _district(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"Q.1, P.5" in an address: Quận một, Phường năm (only with another address word nearby)."""
    near = text[max(0, m.start() - 40) : m.start()] + " " + text[m.end() : m.end() + 40]
    if not _ADDRESS_NEAR.search(near):
        return None
    return ("Quận " if m.group("w") == "Q" else "Phường ") + num.number_string(m.group("n"))


_ROADS = {"QL": "quốc lộ", "ĐT": "đường tỉnh", "TL": "tỉnh lộ", "ĐH": "đường huyện"}


def _road(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    spoken = f"{_ROADS[m.group('w')]} {num.number_string(m.group('n'))}"
    return spoken + (f" {m.group('x')}" if m.group("x") else "")


def _short_scale(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "500k" → năm trăm nghìn, "1tr", "1,5tr" → … triệu
    scale = "nghìn" if m.group("u") in ("k", "K") else "triệu"
    return f"{_read_number(m.group('n'))} {scale}"


def _map_scale(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return f"{_read_number(m.group('a'))} trên {_read_number(m.group('b'))}"


_ARITHMETIC = {"+": "cộng", "=": "bằng", "×": "nhân", "÷": "chia"}


def _minus_sign(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return "trừ"  # "10 - 3 = 7"


def _arithmetic(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return _ARITHMETIC[m.group("op")]

# ---------------------------------------------------------------------------------------------
# The rules, in priority order. The lexicon rule's pattern comes from the Lexicon in use.

_LEXICON = "lexicon"

_ROMAN_WORDS = (
    "khóa|khoá|quý|chương|mục|phần|phụ lục|đại hội|kỳ họp|thế kỷ|giai đoạn|tập|đợt|khu vực|vùng|"
    "cấp độ|nhóm|loại|kỳ"
)

# "Phụ lục I, II, III và IV": every numeral of a list after the word is read.
_ROMAN_BEFORE = re.compile(rf"\b(?i:{_ROMAN_WORDS})\s+(?:[IVXLC]+\s*(?:,|và|hoặc|đến|[-–])\s*)*$")

_RULE_SPECS: list[tuple[str, str, Handler]] = [
    ("override", r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]", _override),
    # An unclosed "[[" (or a stray "]]") is the editor's mistake: left as written, up to the line's
    # end, so it is flagged rather than read as a guess.
    ("override", r"(?m)\[\[[^\n]*?(?:\]\]|$)|\]\]", _leave),
    ("end-mark", r"\./\.", _full_stop),
    ("roman", rf"(?m)^[ \t#*_>-]*({_ROMAN_HEADING})\.(?=[\s*_]|$)", _heading),
    ("markup", r"(?m)^[ \t]*(?:#{1,6}|[-*+•>])[ \t]+|^[ \t]*[-•](?=[^\W\d_])|\*\*|__", _drop),
    ("web", r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", _web),
    (
        "web",
        r"(?<![\w.@])(?:(?i:https?://))?(?:[A-Za-z0-9-]+\.)+(?i:vn|com|net|org|gov|edu|info|io|biz)\b"
        r"(?:/(?:[A-Za-z0-9._~%/?=&#-]*[A-Za-z0-9/])?)?",
        _web,
    ),
    ("code", r"(?<![\w.,/-])(?=[\w.\-/]*\d)[A-Za-z0-9]+(?:[.\-/_][A-Za-z0-9]+)*(?![\w]|[.\-/_][A-Za-z0-9])", _code),
    (
        "document-number",
        rf"(?<![\w/.,])(?P<n>\d{{1,5}})\s*/\s*(?P<y>{_YEAR})\s*/\s*{_CODE}(?:{_CODE_SEP}{_CODE})*{_END}",
        _document,
    ),
    ("document-number", rf"(?<![\w/.,])(?P<n>\d{{1,5}})(?P<y>)\s*/\s*{_CODE}(?:{_CODE_SEP}{_CODE})*{_END}", _document),
    (
        "document-number",
        rf"(?<![\w/.,])(?P<n>\d{{1,5}})(?P<y>)\s*[-–]\s*{_CODE}\s*/\s*{_CODE}(?:{_CODE_SEP}{_CODE})*{_END}",
        _document,
    ),
    ("document-number", rf"(?<![\w/.,])(?P<n>\d{{1,5}})\s*/\s*(?P<y>{_YEAR})(?![\w/])", _document_year_only),
    ("road", r"(?<![\w.])(?P<w>QL|ĐT|TL|ĐH)\.?\s?(?P<n>\d{1,4})(?P<x>[A-Z])?(?![\w.,/]|[.,]\d)", _road),
    ("address", r"(?<![\w.])(?P<w>[QP])\.\s?(?P<n>\d{1,2})(?![\w/]|[.,]\d)", _district),
    ("roman", rf"(?<![\w.])(?P<r>{_ROMAN})(?P<rest>(?:\.\d{{1,3}})+)(?![\w]|[.,]\d)", _roman_section),
    ("weekday", r"(?<![\w])(?:T[2-7]|CN)(?:\s*(?:[-–,]|đến|tới|và|hoặc)\s*(?:T[2-7]|CN))*(?![\w])", _weekdays),
    (_LEXICON, "", _lexicon),
    ("phone", r"(?<![\w.,+])(?:\+\d{2}[\s.-]?\d|0\d)\d{0,3}(?:[.\s-]?\d{2,4}){1,4}(?![\w]|[.,]\d)", _phone),
    ("phone", r"(?<![\w.,])(?:1800|1900)(?:[.\s-]?\d{2,4}){1,2}(?![\w]|[.,]\d)", _toll_free),
    ("phone", r"(?<![\w.,])(?:\d{3,5}|\d{7,8})(?![\w]|[.,]\d)", _short_phone),
    (
        "date",
        rf"(?<![\w/.,])(?P<days>\d{{1,2}}(?:\s*(?:,|và|hoặc)\s*\d{{1,2}})+)/(?P<m>\d{{1,2}})(?:/(?P<y>{_YEAR}))?"
        r"(?![\w/]|[.,]\d)",
        _day_list,
    ),
    (
        "date",
        rf"(?<![\w/.,])(?P<d1>\d{{1,2}})\s*[-–]\s*(?P<d2>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>{_YEAR}))?(?![\w/]|[.,]\d)",
        _date_range,
    ),
    ("date", rf"(?<![\w/.,])(?P<d>\d{{1,2}})([/.-])(?P<m>\d{{1,2}})\2(?P<y>{_YEAR})(?![\w/]|[.,]\d)", _date),
    ("quarter", rf"(?P<w>\b(?i:quý))\s+(?P<q>{_ROMAN}|\d)\s*/\s*(?P<y>{_YEAR})(?![\w/])", _quarter_year),
    ("month-year", rf"(?<![\w/.,])(?P<m>\d{{1,2}})\s*/\s*(?P<y>{_YEAR})(?![\w/])", _month_year),
    ("date", r"(?<![\w/.,])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?P<y>)(?![\w/]|[.,]\d)", _date),
    ("score", r"(?<![\w/.,:])(?P<a>\d{1,2})\s*[-–:]\s*(?P<b>\d{1,2})(?![\w/:]|[.,]\d)", _score),
    ("time", r"(?<![\w.,:])(?P<h>[01]?\d|2[0-4])\s+giờ\s+(?P<min>[0-5]\d)(?:\s*phút)?(?!\w)", _clock),
    ("scale", r"(?<![\w.,:])(?P<a>\d{1,3})\s*:\s*(?P<b>\d{1,3}(?:\.\d{3})+|\d{3,})(?![\w:]|[.,]\d)", _map_scale),
    ("time", r"(?<![\w.,:])(?P<h>[01]?\d|2[0-4])(?:[hH](?P<min>[0-5]\d)?|[g:](?P<min2>[0-5]\d))(?:'|ph|p)?(?!\w)", _time),
    ("percent", rf"(?<![\w.,])(?P<neg>[-−](?=\d))?(?P<n>{_DOT_DEC}|{_NUM})\s*%", _percent),
    ("percent", r"(?<=\]\])\s*%", _percent_word),
    ("fraction", rf"(?<![\w/.,])(?P<a>{_NUM})\s*/\s*(?P<b>{_NUM})(?![\w/]|[.,]\d)", _fraction),
    ("ordinal", rf"(?P<w>\b(?i:thứ))\s+(?P<n>\d{{1,3}}|{_ROMAN}){_END}", _ordinal),
    ("roman", rf"(?<![\w]){_ROMAN}{_END}", _roman_after),
    ("month", r"(?P<w>\b(?i:tháng))\s+(?P<n>0?[1-9]|1[0-2])(?![\d/]|[.,]\d)", _month),
    ("unit", r"(?:(?<=\d)|(?<=/))\s*(?P<u>km/h|km2|km²|m2|m²|m3|m³|km|cm|mm|m|ha|kg|mg|ml|kWh|kW|MW|°C|đ)(?![\w²³])", _unit),
    ("minus", r"(?<![\w.,%/)\]-])[-−](?=\d)", _minus),
    ("arithmetic", r"(?<=\d)\s*[-–−]\s*(?=\d[\d.,]*\s*[=+])", _minus_sign),
    ("range", r"(?:(?<=\d)|(?<=\dh)|(?<=\d%))\s*[-–—]\s*(?=(?i:thứ|ngày|tháng|năm|quý)?\s*\d)", _range),
    ("roman-range", rf"(?<=[IVXLC])\s*[-–]\s*(?={_ROMAN}{_END})", _roman_range),
    ("slash", r"\s*/\s*(?=\w)", _slash),
    ("and", r"\s*&\s*", _and),
    ("symbol", r"[≥≤~≈]", _symbol),
    ("arithmetic", r"(?<=\d)\s*(?P<op>[+=×÷])\s*(?=[-−]?\d)", _arithmetic),
    ("number", rf"(?<![\w.,])(?P<n>{_DOT_DEC}|{_NUM})(?P<u>k|K|tr)(?!\w)", _short_scale),
    ("number", rf"(?<!\d)(?:\d+\.\d{{1,2}}(?![\d.])|{_NUM})(?!\d)", _number),
    ("pause", r"\.{3,}|…", _ellipsis),
    ("pause", r"[\"“”«»„‘’()\[\]{}\t]|\s+[-–—]+\s+|[–—]|(?<=\s)-(?=\w)|(?<=\w)-(?=\s)", _pause),
    ("pause", r"(?<=\w)-(?=\w)", _space),
    ("pause", r"[*#_~|<>]", _drop),
]

# Most lines have no digit and no Roman numeral: skipping the rules that need one is most of the speed.
_NEEDS_DIGIT = {
    "document-number", "phone", "date", "quarter", "month-year", "time", "percent", "fraction", "month", "unit",
    "range", "number", "minus", "code", "road", "address", "score", "scale", "arithmetic",
}  # fmt: skip
_NEEDS_ROMAN = {"roman", "roman-range"}
_DIGIT = re.compile(r"\d")
_ROMAN_CHAR = re.compile(r"[IVXLC]")

_RULES: list[tuple[str, re.Pattern[str] | None, Handler]] = [
    (name, re.compile(pattern) if name != _LEXICON else None, handler) for name, pattern, handler in _RULE_SPECS
]


def _claim(text: str, lexicon: Lexicon) -> list[Change]:
    taken = bytearray(len(text))
    changes: list[Change] = []
    has_digit = _DIGIT.search(text) is not None
    has_roman = _ROMAN_CHAR.search(text) is not None
    for name, pattern, handler in _RULES:
        if (not has_digit and name in _NEEDS_DIGIT) or (not has_roman and name in _NEEDS_ROMAN):
            continue
        for m in (pattern or lexicon.pattern).finditer(text):
            start, end = m.span()
            if start == end or taken.find(1, start, end) != -1:
                continue
            spoken = handler(m, text, lexicon)
            if spoken is None:
                continue
            taken[start:end] = b"\x01" * (end - start)
            rule = f"{name}: left as written" if isinstance(spoken, _Left) else name
            changes.append(Change(start, end, m.group(0), rule, str(spoken)))
    changes.sort(key=lambda c: c.start)
    return changes


_TIDY = [
    (re.compile(r"[ \t\u00a0]+"), " "),
    (re.compile(r" (?=[,.;:!?])"), ""),
    (re.compile(r",(?:\s*,)+"), ","),
    (re.compile(r",\s*(?=[.;:!?])"), ""),
    (re.compile(r"([.;:!?])\s*,"), r"\1"),
    (re.compile(r"([,;:!?])(?=[^\W\d_])"), r"\1 "),
    (re.compile(r"(?m)^[ ,]+|[ ,]+$"), ""),
]


def _tidy(text: str) -> str:
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return text


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def explain(text: str, lexicon: Lexicon | None = None) -> list[Change]:
    """Every rewrite normalisation makes, in order; offsets refer to the NFC form of `text`."""
    return _claim(_prepare(text), lexicon or builtin_lexicon())


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of `text`: NFC, whitespace tidy, sentence punctuation kept for pauses."""
    text = _prepare(text)
    pieces: list[str] = []
    at = 0
    for change in _claim(text, lexicon or builtin_lexicon()):
        pieces.append(text[at : change.start])
        # Spaces around a rewrite keep it from fusing with neighbours ("50.000đ" → "… nghìn đồng").
        pieces.append(f" {change.spoken} " if change.spoken else "")
        at = change.end
    pieces.append(text[at:])
    return unicodedata.normalize("NFC", _tidy("".join(pieces)))


# ---------------------------------------------------------------------------------------------
# What a TTS engine would still misread

_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
_LETTER = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_STRIP = "\"'“”‘’()[]{},.;:!?…–—-"
_SYMBOLS = re.compile(r"[^\w'’-]")


def _is_syllable(word: str) -> bool:
    bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def unspeakable(spoken: str) -> list[str]:
    """Tokens a TTS engine would misread: digits, symbols, dotted tokens, abbreviations, foreign script."""
    found: list[str] = []
    for raw in spoken.split():
        token = raw.strip(_STRIP)
        if not token:
            if _SYMBOLS.search(raw):
                found.append(raw)
            continue
        bad = (
            any(c.isdigit() for c in token)
            or _SYMBOLS.search(token) is not None
            or "." in token
            or any(c.isalpha() and not _LETTER.match(c) for c in token)
            or (sum(c.isupper() for c in token) >= 2 and not all(_is_syllable(p) for p in token.split("-")))
        )
        if bad and token not in found:
            found.append(token)
    return found
