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
    """The run of words just before `end` whose initials spell `abbr` ("thủ tục hành chính" for TTHC);
    "và" may stand between them where the abbreviation has "&" or nothing."""
    letters = [_initial(c) for c in abbr if c.isalpha()]
    words = list(_WORD.finditer(text, max(0, end - 160), end))[-16:]
    for first in range(len(words)):
        at, used = first, []
        for letter in letters:
            while at < len(words) and _initial(words[at].group()) != letter and words[at].group().lower() == "và":
                at += 1
            if at >= len(words) or _initial(words[at].group()) != letter:
                break
            used.append(words[at])
            at += 1
        else:
            if len(used) == len(letters):
                return text[used[0].start() : used[-1].end()]
    return None


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


def _definition(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    if not _after_words(text, m.start()):
        return None
    abbr = m.group("abbr")
    # A known abbreviation in brackets after words that do not spell it is content ("Phòng họp (HĐND)"):
    # it is read. An unknown one cannot be read safely anyway, and its full form has just been said.
    if abbr and abbr in lex and abbr not in lex.defined and _full_form(abbr, text, m.start()) is None:
        return None
    return ""


DEFINITION = Rule("definition", DEFINITION_PATTERN, _definition)

# A list label opening a line: "a)", "đ)", "1.1.", "2.1" before a capital. It is a pause, not a word.
SUB_ITEM = rule(
    "pause",
    r"(?m)^[ \t#*_>+•-]*(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2})+\.(?=\s)|\d{1,2}(?:\.\d{1,2})+(?=\s+[A-ZĐ]))",
    say(""),
)
