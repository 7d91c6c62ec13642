"""Rules for roads and addresses: "QL5" is "quốc lộ năm", "Q.1, P.5" are "Quận một, Phường năm"."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import rule

_ADDRESS_NEAR = re.compile(r"\b(?:[QP]\.\s?\d|Quận|quận|Phường|phường|TP|Tp|thành phố|đường|Đường|phố|số nhà)")
_ROADS = {"QL": "quốc lộ", "ĐT": "đường tỉnh", "TL": "tỉnh lộ", "ĐH": "đường huyện"}


def _district(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """"Q.1, P.5" in an address (only with another address word nearby)."""
    near = text[max(0, m.start() - 40) : m.start()] + " " + text[m.end() : m.end() + 40]
    if not _ADDRESS_NEAR.search(near):
        return None
    return ("Quận " if m.group("w") == "Q" else "Phường ") + num.number_string(m.group("n"))


def _road(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    spoken = f"{_ROADS[m.group('w')]} {num.number_string(m.group('n'))}"
    return spoken + (f" {m.group('x')}" if m.group("x") else "")


ROAD = rule("road", r"(?<![\w.])(?P<w>QL|ĐT|TL|ĐH)\.?\s?(?P<n>\d{1,4})(?P<x>[A-Z])?(?![\w.,/]|[.,]\d)", _road, "digit")
DISTRICT = rule("address", r"(?<![\w.])(?P<w>[QP])\.\s?(?P<n>\d{1,2})(?![\w/]|[.,]\d)", _district, "digit")
