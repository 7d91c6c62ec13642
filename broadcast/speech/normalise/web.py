"""Rules for what is spelled for listeners to type: web and e-mail addresses, reference codes after "mã"."""

from __future__ import annotations

import re

from broadcast.speech import numbers as num
from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import LETTERS, NUM, before, rule

_SYLLABLE_ASCII = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:(?:ng|nh|ch|[cmnpt])(?![aeiouy]))?"
)
_WEB_SYMBOLS = {".": "chấm", "@": "a còng", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới"}
_WEB_SPLIT = re.compile(r"([.@/_-])")


def spell(text: str) -> str:
    """Letter by letter, as a Vietnamese announcer names them ("vneid" → "vê en e i đê")."""
    return " ".join(LETTERS.get(c, c) for c in text.lower())


def _segments(label: str, lex: Lexicon) -> list[str]:
    """Split an address label into what is said: known words, unaccented syllables, digit runs, and
    letters spelled one by one ("cchcquangnam" → "xê xê hát xê quang nam"); fewest spelled letters
    first, then the longest first piece ("phananh" is "phan anh", not "pha nanh")."""
    n = len(label)
    best: list[tuple[int, tuple[int, ...], list[str]] | None] = [None] * (n + 1)
    best[n] = (0, (), [])
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(n, i, -1):
            piece = label[i:j]
            if piece in lex.web:
                spoken, cost = lex.web[piece], 1
            elif piece.isdigit():
                spoken, cost = num.digits(piece), 1
            elif _SYLLABLE_ASCII.fullmatch(piece):
                spoken, cost = piece, 1
            elif j == i + 1:
                spoken, cost = LETTERS.get(piece, piece), 3
            else:
                continue
            rest = best[j]
            assert rest is not None
            options.append((cost + rest[0], (-(j - i),) + rest[1], [spoken] + rest[2]))
        best[i] = min(options, key=lambda o: (o[0], o[1]))
    result = best[0]
    assert result is not None
    return result[2]


def _web_label(label: str, lex: Lexicon) -> str:
    return " ".join(_segments(label.lower(), lex))


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


_CODE_BEFORE = re.compile(
    r"(?i:\bmã(?:\s+[^\W\d]+){0,3}|(?<!tổng )\bsố (?:hồ sơ|biên nhận|biên lai|giấy biên nhận))\s*:?\s*$"
)
_CODE_SYMBOLS = {".": "chấm", "-": "gạch ngang", "/": "gạch chéo", "_": "gạch dưới"}


def _code(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    """A reference code after "mã …" or "số hồ sơ": every character said, so listeners can type it."""
    code = m.group(0)
    if not _CODE_BEFORE.search(before(text, m.start(), 40)):
        return None
    if re.fullmatch(rf"{NUM}", code) and not code.startswith("0") and len(code) <= 4:
        return None  # "mã số 12": a plain number
    words: list[str] = []
    for c in code:
        if c.isdigit():
            words.append(num.DIGITS[int(c)])
        elif c in _CODE_SYMBOLS:
            words.append(_CODE_SYMBOLS[c])
        else:
            words.append(LETTERS.get(c.lower(), c))
    return " ".join(words)


EMAIL = rule("web", r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", _web)
WEBSITE = rule(
    "web",
    r"(?<![\w.@])(?:(?i:https?://))?(?:[A-Za-z0-9-]+\.)+(?i:vn|com|net|org|gov|edu|info|io|biz)\b"
    r"(?:/(?:[A-Za-z0-9._~%/?=&#-]*[A-Za-z0-9/])?)?",
    _web,
)
CODE = rule(
    "code",
    r"(?<![\w.,/-])(?=[\w.\-/]*\d)[A-Za-z0-9]+(?:[.\-/_][A-Za-z0-9]+)*(?![\w]|[.\-/_][A-Za-z0-9])",
    _code,
    needs="digit",
)
