"""Reporting periods: a year, a half, a quarter, a month or a range of days in the station's calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from broadcast.errors import UserError
from broadcast.problems import coded

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """A reporting period: whole days `first`..`last` (inclusive) in the station's calendar."""

    spec: str  # canonical spelling, e.g. 2024-H1
    kind: str  # year | half | quarter | month | range
    first: date
    last: date

    @property
    def slug(self) -> str:
        return self.spec.replace("..", "_")

    @property
    def phrase(self) -> str:
        """How the report's title names the period: '6 tháng đầu năm 2024', 'năm 2024', ..."""
        y = self.first.year
        if self.kind == "year":
            return f"năm {y}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.first.month == 1 else 'cuối'} năm {y}"
        if self.kind == "quarter":
            return f"quý {_ROMAN[(self.first.month - 1) // 3 + 1]} năm {y}"
        if self.kind == "month":
            return f"tháng {self.first.month} năm {y}"
        return f"từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnight of `first`, of the day after `last`."""
        return (
            datetime.combine(self.first, time(), tz),
            datetime.combine(self.last + timedelta(days=1), time(), tz),
        )

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches, in order."""
        out, y, m = [], self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def _month_end(y: int, m: int) -> date:
    return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)


PERIOD_HELP = "2024 | 2024-H1 | 2024-H2 | 2024-Q3 | 2024-05 | 2024-01-01..2024-03-31"


def parse_period(text: str) -> Period:
    """Parse a period spelling (see PERIOD_HELP); anything else is a UserError naming the forms."""
    spec = (text or "").strip().upper()
    bad = UserError(coded(f"unknown period '{text}': use one of {PERIOD_HELP}", "report.period", text=text))
    try:
        if m := re.fullmatch(r"(\d{4})", spec):
            y = int(m[1])
            return Period(spec, "year", date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4})-H([12])", spec):
            y, h = int(m[1]), int(m[2])
            return Period(spec, "half", date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", spec):
            y, q = int(m[1]), int(m[2])
            return Period(spec, "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", spec):
            y, mo = int(m[1]), int(m[2])
            return Period(spec, "month", date(y, mo, 1), _month_end(y, mo))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", spec):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise UserError(coded(f"period '{text}' ends before it starts", "report.period", text=text))
            return Period(f"{first}..{last}", "range", first, last)
    except ValueError:
        raise bad from None
    raise bad


def period_around(kind: str, day: date) -> str:
    """The period of the same kind as the one asked for that holds `day` (a range gives its month)."""
    if kind == "year":
        return f"{day.year}"
    if kind == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day:%Y-%m}"
