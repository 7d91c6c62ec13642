"""Rules for the calendar and the clock: dates, date ranges and lists, months, quarters, times, weekdays.

An impossible date (32/1/2024, 30/02) is left as written and flagged, never read as a plausible one.
"""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import ROMAN, START, STOP, YEAR, Left, before, rule
from broadcast.speech.normalise.quantities import MEASURE_AFTER

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
_MONTH_BEFORE = re.compile(r"(?i:\btháng)\s*$")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_date(day: int, month: int, year: int | None = None) -> bool:
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
    head = before(text, start, 40)
    return spoken if _DAY_WORD.search(head[-12:]) or _HOLIDAY.search(head) else "ngày " + spoken


def _date(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    day, month = int(m.group("d")), int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if year is None and not (
        _DATE_CONTEXT.search(before(text, m.start(), 20))
        or _DATE_AFTER.match(text, m.end())
        or _HOLIDAY.search(before(text, m.start()))
    ):
        return None  # "24/7", "19/19": a fraction or a score, read later as "… trên …"
    if not valid_date(day, month, year):
        # "ngày 32/1/2024", "ngày 30/02": read as something plausible it would be wrong on air. Without
        # a year or "ngày" it may still be a fraction ("từ 45/50 điểm"), read later as "… trên …".
        if year is None and not _DAY_WORD.search(before(text, m.start(), 12)):
            return None
        return Left(m.group(0))
    return _say_date(day, month, year, text, m.start())


def _date_range(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    first, last, month = int(m.group("d1")), int(m.group("d2")), int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if not (valid_date(first, month, year) and valid_date(last, month, year)):
        return Left(m.group(0)) if year is not None or _DAY_WORD.search(before(text, m.start(), 12)) else None
    start = _say_date(first, month, None, text, m.start()).removesuffix(f" tháng {num.month(month)}")
    return f"{start} đến ngày {_say_date(last, month, year, text, m.end()).removeprefix('ngày ')}"


def _day_list(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"ngày 5 và 6/6", "ngày 5, 6, 7/6/2024": several days of one month."""
    if not _DAY_WORD.search(before(text, m.start(), 12)):
        return None
    days = [int(d) for d in re.findall(r"\d+", m.group("days"))]
    month = int(m.group("m"))
    year = int(m.group("y")) if m.group("y") else None
    if not all(valid_date(d, month, year) for d in days):
        return Left(m.group(0))
    joins = re.findall(r"\s*(,|và|hoặc|[-–])\s*", m.group("days"))
    out = num.cardinal(days[0])
    for join, day in zip(joins, days[1:], strict=True):
        out += ("," if join == "," else " đến" if join in "-–" else " " + join) + " " + num.cardinal(day)
    out += f" tháng {num.month(month)}"
    if year is not None:
        out += f" năm {num.cardinal(year)}"
    return out


def _month_year(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        # "tháng 13/2024" is no month; without "tháng" it may be a fraction, read later.
        return Left(m.group(0)) if _MONTH_BEFORE.search(before(text, m.start(), 10)) else None
    spoken = f"{num.month(month)} năm {num.cardinal(int(m.group('y')))}"
    # "Tháng 3/2024" keeps its own "Tháng"; a bare "3/2024" needs one.
    return spoken if _MONTH_BEFORE.search(before(text, m.start(), 10)) else "tháng " + spoken


def _quarter_year(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    q = m.group("q")
    value = int(q) if q.isdigit() else num.roman(q)
    if not value:
        return None
    return f"{m.group('w')} {num.cardinal(value)} năm {num.cardinal(int(m.group('y')))}"


def _month(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return f"{m.group('w')} {num.month(int(m.group('n')))}"


# Newspaper style: "ngày 25-3", "hôm nay 5-2", "sáng 28.7" (a date, not a range or a decimal).
_DAY_BEFORE = re.compile(r"(?i:\b(?:ngày|mùng|mồng|hôm nay|sáng|chiều|tối|trưa|đêm))\s*$")


def _dashed_day_month(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    day, month = int(m.group("d")), int(m.group("m"))
    if not _DAY_BEFORE.search(before(text, m.start(), 16)) or not valid_date(day, month):
        return None
    if MEASURE_AFTER.match(text, m.end()):
        return None  # "sáng 7-9 giờ", "ngày 3-5 người": a range of something counted
    return _say_date(day, month, None, text, m.start())


def _dashed_month_year(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "tháng 7-2021", "tháng 4.2022": a month, after "tháng" only ("2021-2025" is a range).
    if not _MONTH_BEFORE.search(before(text, m.start(), 10)):
        return None
    return _month_year(m, text, lex)


def _clock_seconds(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "09:04:52": hours, minutes and seconds.
    h, minutes, seconds = (int(m.group(g)) for g in ("h", "min", "s"))
    return f"{num.cardinal(h)} giờ {num.cardinal(minutes)} phút {num.cardinal(seconds)} giây"


def _time(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "17h30", "17:30", "17 giờ 30" → "mười bảy giờ ba mươi phút"; "8h00", "17 giờ 00" → "… giờ".
    minutes = m.group("min") or m.groupdict().get("min2")
    spoken = f"{num.cardinal(int(m.group('h')))} giờ"
    if minutes and int(minutes):
        spoken += f" {num.cardinal(int(minutes))} phút"
    return spoken


_WEEKDAYS = {"T2": "thứ hai", "T3": "thứ ba", "T4": "thứ tư", "T5": "thứ năm", "T6": "thứ sáu", "T7": "thứ bảy",
             "CN": "chủ nhật"}  # fmt: skip
_WEEKDAY_JOIN = re.compile(r"\s*(?:(?P<to>[-–]|đến|tới)|(?P<comma>,)|(?P<word>và|hoặc))\s*")
_WEEKDAY_BEFORE = re.compile(r"(?i:\b(?:sáng|chiều|tối|trưa|đêm|ngày|các ngày|từ|trừ|vào))\s*$")


def _weekdays(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"T2-T6", "T7, CN": weekdays when two stand together; a lone one only after "sáng", "từ", …"""
    days = re.findall(r"T[2-7]|CN", m.group(0))
    if len(days) == 1 and not _WEEKDAY_BEFORE.search(before(text, m.start(), 16)):
        return None
    out = [_WEEKDAYS[days[0]]]
    for join, day in zip(_WEEKDAY_JOIN.finditer(m.group(0), len(days[0])), days[1:], strict=False):
        sep = "đến" if join.group("to") else "," if join.group("comma") else join.group("word")
        out.append(("," if sep == "," else " " + sep) + " " + _WEEKDAYS[day])
    return "".join(out)


_OPTIONAL_YEAR = rf"(?:/(?P<y>{YEAR}))?{STOP}"

WEEKDAYS = rule("weekday", r"(?<![\w])(?:T[2-7]|CN)(?:\s*(?:[-–,]|đến|tới|và|hoặc)\s*(?:T[2-7]|CN))*(?![\w])", _weekdays)
DAY_LIST = rule(
    "date", rf"{START}(?P<days>\d{{1,2}}(?:\s*(?:,|và|hoặc)\s*\d{{1,2}})+)/(?P<m>\d{{1,2}}){_OPTIONAL_YEAR}", _day_list,
    "digit",
)  # fmt: skip
DATE_RANGE = rule(
    "date", rf"{START}(?P<d1>\d{{1,2}})\s*[-–]\s*(?P<d2>\d{{1,2}})/(?P<m>\d{{1,2}}){_OPTIONAL_YEAR}", _date_range,
    "digit",
)  # fmt: skip
# 29/3/2017, 29.3.2017, 2-9-1945: the same separator twice.
DATE = rule("date", rf"{START}(?P<d>\d{{1,2}})([/.-])(?P<m>\d{{1,2}})\2(?P<y>{YEAR}){STOP}", _date, "digit")
QUARTER = rule("quarter", rf"(?P<w>\b(?i:quý))\s+(?P<q>{ROMAN}|\d)\s*/\s*(?P<y>{YEAR})(?![\w/])", _quarter_year, "digit")
MONTH_YEAR = rule("month-year", rf"{START}(?P<m>\d{{1,2}})\s*/\s*(?P<y>{YEAR})(?![\w/])", _month_year, "digit")
DAY_MONTH = rule("date", rf"{START}(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?P<y>){STOP}", _date, "digit")
DASHED_DAY_MONTH = rule(
    "date", r"(?<![\w/.,-])(?P<d>\d{1,2})[-.](?P<m>\d{1,2})(?![\w/.-]|[.,]\d|\s*[-–]\s*\d)", _dashed_day_month, "digit"
)
DASHED_MONTH_YEAR = rule(
    "month-year", rf"(?<![\w/.,-])(?P<m>\d{{1,2}})[-.](?P<y>{YEAR})(?![\w/.-]|[.,]\d)", _dashed_month_year, "digit"
)
CLOCK_SECONDS = rule(
    "time", r"(?<![\w.,:])(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d):(?P<s>[0-5]\d)(?![\w:])", _clock_seconds, "digit"
)
CLOCK = rule("time", r"(?<![\w.,:])(?P<h>[01]?\d|2[0-4])\s+giờ\s+(?P<min>[0-5]\d)(?:\s*phút)?(?!\w)", _time, "digit")
TIME = rule(
    "time", r"(?<![\w.,:])(?P<h>[01]?\d|2[0-4])(?:[hH](?P<min>[0-5]\d)?|[g:](?P<min2>[0-5]\d))(?:'|ph|p)?(?!\w)", _time,
    "digit",
)  # fmt: skip
MONTH = rule("month", r"(?P<w>\b(?i:tháng))\s+(?P<n>0?[1-9]|1[0-2])(?![\d/]|[.,]\d)", _month, "digit")
