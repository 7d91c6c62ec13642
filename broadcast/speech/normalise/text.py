"""Rules for the text itself: the editor's override, the lexicon, markup, and punctuation read as pauses."""

from __future__ import annotations

import re

from broadcast.speech.lexicon import Lexicon
from broadcast.speech.normalise.base import Rule, before, leave, rule, say


def _override(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return m.group(2) if m.group(2) is not None else m.group(1)


def _lexicon(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    return lex.spoken(m.group(0), before(text, m.start()), text[m.end() : m.end() + 40])


def _ellipsis(m: re.Match[str], text: str, lex: Lexicon) -> str | None:
    # At the end of a sentence an ellipsis is a full stop; inside one, a pause.
    return "." if not text[m.end() :].strip() else " , "


_SYMBOL_WORDS = {"≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", "~": "khoảng", "≈": "khoảng"}


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
SYMBOL = rule("symbol", r"[≥≤~≈]", _symbol)
ELLIPSIS = rule("pause", r"\.{3,}|…", _ellipsis)
PAUSE = rule("pause", r"[\"“”«»„‘’()\[\]{}\t]|\s+[-–—]+\s+|[–—]|(?<=\s)-(?=\w)|(?<=\w)-(?=\s)", say(" , "))
HYPHEN = rule("pause", r"(?<=\w)-(?=\w)", say(" "))
STRAY_MARK = rule("pause", r"[*#_~|<>]", say(""))
