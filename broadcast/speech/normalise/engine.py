"""The engine: runs the rules over a text, each claiming the spans it rewrites, and joins the result."""

from __future__ import annotations

import re
import unicodedata

from broadcast.speech.lexicon import Lexicon, builtin_lexicon
from broadcast.speech.normalise.base import Change, Left
from broadcast.speech.normalise.rules import RULES
from broadcast.speech.normalise.text import definitions

_DIGIT = re.compile(r"\d")
_ROMAN_CHAR = re.compile(r"[IVXLC]")


def _claim(text: str, lexicon: Lexicon) -> list[Change]:
    if "(" in text and (defined := definitions(text, lexicon)):
        lexicon = lexicon.extended(defined)
    taken = bytearray(len(text))
    changes: list[Change] = []
    present = {"digit": _DIGIT.search(text) is not None, "roman": _ROMAN_CHAR.search(text) is not None}
    for rule in RULES:
        if rule.needs is not None and not present[rule.needs]:
            continue
        for m in (rule.pattern or lexicon.pattern).finditer(text):
            start, end = m.span()
            if start == end or taken.find(1, start, end) != -1:
                continue
            spoken = rule.handler(m, text, lexicon)
            if spoken is None:
                continue
            taken[start:end] = b"\x01" * (end - start)
            name = f"{rule.name}: left as written" if isinstance(spoken, Left) else rule.name
            changes.append(Change(start, end, m.group(0), name, str(spoken)))
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


def explain(text: str, lexicon: Lexicon | None = None) -> list[Change]:
    """Every rewrite normalisation makes, in order; offsets refer to the NFC form of `text`."""
    return _claim(unicodedata.normalize("NFC", text), lexicon or builtin_lexicon())


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of `text`: NFC, whitespace tidy, sentence punctuation kept for pauses."""
    text = unicodedata.normalize("NFC", text)
    pieces: list[str] = []
    at = 0
    for change in _claim(text, lexicon or builtin_lexicon()):
        pieces.append(text[at : change.start])
        # Spaces around a rewrite keep it from fusing with neighbours ("50.000đ" → "… nghìn đồng").
        pieces.append(f" {change.spoken} " if change.spoken else "")
        at = change.end
    pieces.append(text[at:])
    return unicodedata.normalize("NFC", _tidy("".join(pieces)))
