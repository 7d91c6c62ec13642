"""Rules for the text itself: the editor's override, the lexicon, markup, and punctuation read as pauses."""

from __future__ import annotations

import re
import unicodedata

from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import Rule, before, leave, rule, say


def _override(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return m.group(2) if m.group(2) is not None else m.group(1)


def _lexicon(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return lex.spoken(m.group(0), before(text, m.start()), text[m.end() : m.end() + 40])


def _ellipsis(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # At the end of a sentence an ellipsis is a full stop; inside one, a pause.
    return "." if not text[m.end() :].strip() else " , "


_SYMBOL_WORDS = {"≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", "~": "khoảng", "≈": "khoảng", "+": "cộng"}


def _symbol(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return _SYMBOL_WORDS[m.group(0)]


OVERRIDE = rule("override", r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]", _override)
# An unclosed "[[" (or a stray "]]") is the editor's mistake: left as written, up to the line's end, so
# it is flagged rather than read as a guess.
UNCLOSED_OVERRIDE = rule("override", r"(?m)\[\[[^\n]*?(?:\]\]|$)|\]\]", leave)
# The lexicon rule matches with the pattern of the Lexicon in use (the station may add words).
LEXICON = Rule("lexicon", None, _lexicon)
END_MARK = rule("end-mark", r"\./\.", say("."))
MARKUP = rule("markup", r"(?m)^[ \t]*(?:#{1,6}|[-*+•>])[ \t]+|^[ \t]*[-•](?=[^\W\d_])|\*\*|__", say(""))
AND = rule("and", r"\s*&\s*", say(" và "))
# A lone "+" inside a line ("mã vùng + 114") is said; one opening a line is a bullet (markup).
SYMBOL = rule("symbol", r"[≥≤~≈]|(?<=\S )\+(?= \S)", _symbol)
ELLIPSIS = rule("pause", r"\.{3,}|…", _ellipsis)
PAUSE = rule("pause", r"[\"“”«»„‘’()\[\]{}\t]|\s+[-–—]+\s+|[–—]|(?<=\s)-(?=\w)|(?<=\w)-(?=\s)", say(" , "))
# "HĐND-UBND": two bodies named together, with a breath between them.
JOINED_ABBREVIATIONS = rule("pause", r"(?<=[A-ZĐ]{2})-(?=[A-ZĐ]{2})", say(" , "))
HYPHEN = rule("pause", r"(?<=\w)-(?=\w)", say(" "))
STRAY_MARK = rule("pause", r"[*#_~|<>]", say(""))


# ---------------------------------------------------------------------------------------------
# An abbreviation defined in brackets after its full form: "cải cách hành chính (CCHC)",
# "(sau đây gọi tắt là Hội đồng)". The full form has just been read; the bracket is not read again.

_PLACE = r"(?:\s+(?:tỉnh|huyện|xã|phường|thị trấn|thành phố|TP))?"
_ABBREVIATION = r"[A-ZĐ][A-ZĐ0-9&]*[A-ZĐ0-9]"
DEFINITION_PATTERN = re.compile(
    rf"\(\s*(?:(?:sau đây\s+)?(?:được\s+)?(?:gọi|viết)\s+tắt\s+là\b[^()\n]*"
    rf"|(?P<abbr>{_ABBREVIATION}){_PLACE})\s*\)"
)
_WORD = re.compile(r"[^\W\d_]+")
_TONELESS = str.maketrans("đĐ", "dD")


def _initial(word: str) -> str:
    return unicodedata.normalize("NFD", word[0].translate(_TONELESS))[0].lower()


def _full_form(abbr: str, text: str, end: int) -> str | None:
    """The words before `end` that `abbr` abbreviates: a run whose initials spell it ("thủ tục hành
    chính" for TTHC; "và" may stand between them), or the words just before the bracket whose initials
    hold its letters in order with a few words skipped ("tuyên truyền, phổ biến, giáo dục pháp luật" for
    TTPBPL). None when no such words are there: then the bracket is not a definition."""
    letters = [_initial(c) for c in abbr if c.isalpha()]
    words = list(_WORD.finditer(text, max(0, end - 200), end))[-20:]
    initials = [_initial(w.group()) for w in words]
    for first in range(len(words)):
        at, used = first, []
        for letter in letters:
            while at < len(words) and initials[at] != letter and words[at].group().lower() == "và":
                at += 1
            if at >= len(words) or initials[at] != letter:
                break
            used.append(words[at])
            at += 1
        else:
            return text[used[0].start() : used[-1].end()]
    # Letters in order, ending on the word just before the bracket, at most three words skipped.
    at = len(words) - 1
    for letter in reversed(letters):
        while at >= 0 and initials[at] != letter and len(words) - at <= len(letters) + 3:
            at -= 1
        if at < 0 or initials[at] != letter or len(words) - at > len(letters) + 3:
            return None
        start = at
        at -= 1
    return text[words[start].start() : words[-1].end()] if letters and initials[-1] == letters[-1] else None


def definitions(text: str, lex: Lexicon) -> dict[str, str]:
    """Abbreviations a text defines for itself and the lexicon does not know: read as their full form
    wherever they come again in the same text."""
    found: dict[str, str] = {}
    for m in DEFINITION_PATTERN.finditer(text):
        if not _after_words(text, m.start()):
            continue
        abbr = m.group("abbr")
        if abbr and abbr not in lex and abbr not in found:
            full = _full_form(abbr, text, m.start())
            if full:
                found[abbr] = full
    return found


def _after_words(text: str, start: int) -> bool:
    """A definition follows the words it abbreviates: a bracket opening a line defines nothing."""
    head = text[max(0, start - 4) : start].rstrip()
    return bool(head) and head[-1].isalpha()


def _said_just_before(spoken: str, text: str, end: int) -> bool:
    """Whether the words of `spoken` were all just said, in order ("Trung tâm giám sát, điều hành thông
    minh (IOC)" has said "Trung tâm điều hành thông minh")."""
    said = [w.group().lower() for w in list(_WORD.finditer(text, max(0, end - 200), end))[-20:]]
    at = 0
    for word in (w.lower() for w in _WORD.findall(spoken)):
        while at < len(said) and said[at] != word:
            at += 1
        if at == len(said):
            return False
        at += 1
    return True


def _definition(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    if not _after_words(text, m.start()):
        return None
    abbr = m.group("abbr")
    if not abbr or _full_form(abbr, text, m.start()) or abbr in lex.defined:
        return ""
    # A known abbreviation whose reading has just been said is a definition too; otherwise the bracket is
    # content ("Phòng họp (HĐND)", "gặp ông A (BQLDA)") and is read, or flagged when nobody knows it.
    spoken = lex.spoken(abbr, before(text, m.start()), text[m.end() : m.end() + 40]) if abbr in lex else None
    return "" if spoken and _said_just_before(spoken, text, m.start()) else None


DEFINITION = Rule("definition", DEFINITION_PATTERN, _definition)

# A list label opening a line: "a)", "đ)", "1.1.", "2.1" before a capital. It is a pause, not a word.
SUB_ITEM = rule(
    "pause",
    r"(?m)^[ \t#*_>+•-]*(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})+\.(?=\s)|\d{1,2}(?:\.\d{1,2})+(?=\s+[A-ZĐ]))",
    say(""),
)
