"""What every rule module shares: the rule and change types, the pattern pieces, small handler helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from broadcast.speech.lexicon import Lexicon

Handler = Callable[[re.Match[str], str, Lexicon], str | None]


@dataclass(frozen=True)
class Change:
    """One rewrite: the span [start, end) of the (NFC) input, the rule that made it, what is said."""

    start: int
    end: int
    original: str
    rule: str
    spoken: str


@dataclass(frozen=True)
class Rule:
    """A named pattern and the handler that reads its matches.

    `needs` names what a text must contain for the rule to be tried at all ("digit", "roman"): most
    lines have neither, and skipping those rules is most of the normaliser's speed. A rule with no
    pattern takes the lexicon's own pattern.
    """

    name: str
    pattern: re.Pattern[str] | None
    handler: Handler
    needs: str | None = None


def rule(name: str, pattern: str, handler: Handler, needs: str | None = None) -> Rule:
    return Rule(name, re.compile(pattern), handler, needs)


class Left(str):
    """What a handler returns to claim a span and leave it as written: an impossible date, a broken
    override. Nothing later guesses at it, and `unspeakable` flags it, so `render` warns the editor."""


def leave(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return Left(m.group(0))


def say(words: str) -> Handler:
    """A handler that always says `words` ("" drops the span, " , " makes a pause)."""

    def handler(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
        return words

    return handler


def before(text: str, start: int, width: int = 40) -> str:
    return text[max(0, start - width) : start]


# ---------------------------------------------------------------------------------------------
# Pattern pieces

NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# A dot followed by one or two digits is a decimal point (English style), never a thousands group.
DOT_DEC = r"\d+\.\d{1,2}(?![\d.])"
DOT_DECIMAL = re.compile(DOT_DEC)
YEAR = r"(?:19|20)\d{2}"
# A number standing on its own: not inside a word, a code ("22/2018/…"), or a longer number.
START = r"(?<![\w/.,])"
# … and not running on into a word, a slash or a decimal part.
STOP = r"(?![\w/]|[.,]\d)"
# A lone C, D, L or M is a letter label ("mục D"), not a Roman numeral.
ROMAN = r"(?:[IVX]+|[IVXLC]{2,})"
END = r"(?![\w])"

LETTERS = {
    "a": "a", "b": "bê", "c": "xê", "d": "đê", "đ": "đê", "e": "e", "f": "ép", "g": "gờ", "h": "hát",
    "i": "i", "j": "gi", "k": "ca", "l": "eo", "m": "em", "n": "en", "o": "o", "p": "pê", "q": "quy",
    "r": "e rờ", "s": "ét", "t": "tê", "u": "u", "v": "vê", "w": "vê kép", "x": "ích", "y": "i", "z": "dét",
}  # fmt: skip

ROMAN_WORDS = (
    "khóa|khoá|quý|chương|mục|phần|phụ lục|đại hội|kỳ họp|thế kỷ|giai đoạn|tập|đợt|khu vực|vùng|"
    "cấp độ|nhóm|loại|kỳ"
)
# "Phụ lục I, II, III và IV": every numeral of a list after the word is read.
ROMAN_BEFORE = re.compile(rf"\b(?i:{ROMAN_WORDS})\s+(?:[IVXLC]+\s*(?:,|và|hoặc|đến|[-–])\s*)*$")
