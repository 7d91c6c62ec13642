"""Rules for telephone numbers, read digit by digit in their groups: "0220.3852.111" → "không hai hai không, …"."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import before, rule
from broadcast.speech.normalise.quantities import MEASURE_AFTER

_PHONE_WORDS = re.compile(
    r"(?i:điện thoại|đường dây nóng|đường dây|tổng đài|hotline|gọi|nhắn tin|số máy|\bbấm|\bfax|\btel|\bsđt|\bđt)"
)
# Emergency and public-service numbers (police, fire, ambulance, rescue, child protection, the
# provincial public-service hotline): read digit by digit wherever the clause speaks of calling.
_SERVICE_NUMBERS = {"111", "112", "113", "114", "115", "116", "1022", "1080", "1088"}

_PHONE_GAP = re.compile(
    r"(?:[\s:,()]|số|là|miễn phí|khẩn cấp|đến|tới|hoặc|và|[-–/]|\d{3,5}(?:[ .]\d{3,4})*)*", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.;!?\n]")


def _groups(raw: str) -> list[str]:
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


def read_phone(raw: str) -> str:
    prefix = ""
    if raw.startswith("+"):
        cc = re.match(r"\+(\d{1,3})[\s.-]?", raw)
        assert cc is not None
        prefix = "cộng " + num.digits(cc.group(1)) + ", "
        raw = raw[cc.end() :]
    return prefix + ", ".join(num.digits(g) for g in _groups(raw))


def _digit_count(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _phone(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    count = _digit_count(m.group(0))
    if m.group(0).startswith("+"):
        return read_phone(m.group(0)) if 10 <= count <= 13 else None
    return read_phone(m.group(0)) if 10 <= count <= 11 else None


def _toll_free(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return read_phone(m.group(0)) if 8 <= _digit_count(m.group(0)) <= 10 else None


def _short_phone(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """Service numbers (113, 1022, 18001567) are phones only where the clause speaks of calling."""
    head = before(text, m.start(), 80)
    ends = list(_CLAUSE_END.finditer(head))
    if ends:
        head = head[ends[-1].end() :]
    words = list(_PHONE_WORDS.finditer(head))
    if not words:
        return None
    # "114 hộ", "115 người": a measure word after it makes the number a quantity.
    if m.group(0) in _SERVICE_NUMBERS and not MEASURE_AFTER.match(text, m.end()):
        return read_phone(m.group(0))
    gap = head[words[-1].end() :]
    if _PHONE_GAP.fullmatch(gap) or (gap.rstrip().endswith(":") and not re.search(r"\d", gap)):
        return read_phone(m.group(0))
    return None


PHONE = rule(
    "phone", r"(?<![\w.,+])(?:\+\d{2}[\s.-]?\d|0\d)\d{0,3}(?:[.\s-]?\d{2,4}){1,4}(?![\w]|[.,]\d)", _phone, "digit"
)
TOLL_FREE = rule("phone", r"(?<![\w.,])(?:1800|1900)(?:[.\s-]?\d{2,4}){1,2}(?![\w]|[.,]\d)", _toll_free, "digit")
SHORT_PHONE = rule("phone", r"(?<![\w.,])(?:\d{3,5}|\d{7,8})(?![\w]|[.,]\d)", _short_phone, "digit")
