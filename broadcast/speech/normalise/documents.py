"""Rules for legal document numbers: "22/2018/QĐ-TTg" is "số hai mươi hai năm hai nghìn không trăm mười tám".

The type is said before the number and the issuer after it, so the code itself is not read.
"""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import END, LETTERS, YEAR, before, rule

# A document code part: at least two capitals first ("TTg", "QĐ", "CTTr", "QH14"), so an ordinary
# capitalised word after a dash ("- Thủ tướng") is not swallowed.
_CODE = r"[A-ZĐ][A-ZĐ][A-Za-zĐđ0-9&]*"
_CODES = rf"{_CODE}(?:\s*[-–/]\s*{_CODE})*{END}"
# A number may carry a letter ("30c/NQ-CP", "168a/QĐ-UBND"): it is said after the number.
_BARE_NUMBER = r"(?<![\w/.,])(?P<n>\d{1,5})"
_NUMBER = _BARE_NUMBER + r"(?P<x>[a-zđ])?"

DOC_TYPES = (
    "Luật|Bộ luật|Pháp lệnh|Nghị quyết|Nghị định|Quyết định|Chỉ thị|Thông tư liên tịch|Thông tư|Kế hoạch|"
    "Công văn|Văn bản|Thông báo|Báo cáo|Chương trình|Kết luận|Hướng dẫn|Tờ trình|Giấy mời|Công điện|"
    "Đề án|Quy định|Quy chế|Điều lệ|Hiến pháp"
)
_SO_BEFORE = re.compile(r"(?i:\bsố)\s*:?\s*$")
# "TT 01/2024": a type abbreviation before N/YYYY makes it a document number too.
_DOC_BEFORE = re.compile(rf"(?:\b(?i:{DOC_TYPES})|(?i:\bsố)|\b(?:TT|TTLT|NĐ|QĐ|NQ))\s*:?\s*$")


def _number(m: re.Match[str]) -> str:
    spoken = num.number_string(m.group("n"))
    if m.groupdict().get("x"):
        spoken += " " + LETTERS[m.group("x")]
    return spoken


def _document(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    spoken = _number(m)
    if m.group("y"):
        spoken += " năm " + num.cardinal(int(m.group("y")))
    # "Quyết định số 22/…" keeps its "số"; "Chỉ thị 11/…" gets one; never two.
    return spoken if _SO_BEFORE.search(before(text, m.start())) else "số " + spoken


def _document_year_only(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "Luật số 45/2019" without an issuer code: only a document when a type word or "số" precedes.
    if not _DOC_BEFORE.search(before(text, m.start())):
        return None
    return _document(m, text, lex)


# 22/2018/QĐ-TTg, 11/CT-TTg, "22- CTTr/TU" (a dash before a code that has a slash of its own).
DOCUMENT_NUMBER = rule(
    "document-number",
    rf"{_NUMBER}(?:\s*/\s*(?P<y>{YEAR}))?(?:\s*/|\s*[-–](?=\s*{_CODE}\s*/))\s*{_CODES}",
    _document,
    needs="digit",
)
# "Luật số 45/2019": the year with no code, a document only after a type word or "số".
DOCUMENT_YEAR_ONLY = rule(
    "document-number", rf"{_BARE_NUMBER}\s*/\s*(?P<y>{YEAR})(?![\w/])", _document_year_only, needs="digit"
)

_TYPES = {
    "TTLT": "Thông tư liên tịch", "TT": "Thông tư", "NĐ": "Nghị định", "QĐ": "Quyết định", "NQ": "Nghị quyết",
    "CT": "Chỉ thị", "KH": "Kế hoạch", "TB": "Thông báo", "CV": "Công văn", "HD": "Hướng dẫn",
}  # fmt: skip


def _typed(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    spoken = f"{_TYPES[m.group('t')]} {_number(m)}"
    return spoken + (f" năm {num.cardinal(int(m.group('y')))}" if m.group("y") else "")


# "TT36/2017", "NĐ100/2015/NĐ-CP": the type written straight onto the number.
TYPED_NUMBER = rule(
    "document-number",
    rf"(?<![\w/.,])(?P<t>{'|'.join(_TYPES)})(?P<n>\d{{1,5}})(?P<x>[a-zđ])?(?:\s*/\s*(?P<y>{YEAR}))?"
    rf"(?:\s*/\s*{_CODES}|(?![\w/]))",
    _typed,
    needs="digit",
)
