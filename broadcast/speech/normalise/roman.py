"""Rules for Roman numerals: headings ("II."), sections ("III.2"), and numerals after a word that counts
with them ("khóa XV", "Phụ lục I, II"). A lone "I" or "V" elsewhere may be a letter and is left alone."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import END, ROMAN, ROMAN_BEFORE, before, rule


def _heading(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    value = num.roman(m.group(1))
    return f"{num.cardinal(value)}." if value else None


def _section(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"mục III.2", "III.2.1. Nội dung": a section number, read with "chấm" (no full stop mid-sentence)."""
    value = num.roman(m.group("r"))
    if not value:
        return None
    head = before(text, m.start(), 16)
    if len(m.group("r")) < 2 and not ROMAN_BEFORE.search(head) and head.strip(" \t#*_>-"):
        return None
    parts = [num.cardinal(value)] + [num.number_string(p) for p in m.group("rest").split(".") if p]
    return " chấm ".join(parts)


def _after_word(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # Only after a word that numbers things with Roman numerals ("khóa XV").
    if not ROMAN_BEFORE.search(before(text, m.start(), 48)):
        return None
    value = num.roman(m.group(0))
    return num.cardinal(value) if value else None


def _range(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # "Chương I - III": a range of numerals, only where the numerals themselves are read.
    # The numeral before the dash must itself follow a numbering word: that is a list ending in ",".
    return " đến " if ROMAN_BEFORE.search(before(text, m.start(), 48) + ",") else None


HEADING = rule("roman", r"(?m)^[ \t#*_>-]*([IVX]+)\.(?=[\s*_]|$)", _heading, "roman")
SECTION = rule("roman", rf"(?<![\w.])(?P<r>{ROMAN})(?P<rest>(?:\.\d{{1,3}})+)(?![\w]|[.,]\d)", _section, "roman")
AFTER_WORD = rule("roman", rf"(?<![\w]){ROMAN}{END}", _after_word, "roman")
RANGE = rule("roman-range", rf"(?<=[IVXLC])\s*[-–]\s*(?={ROMAN}{END})", _range, "roman")
