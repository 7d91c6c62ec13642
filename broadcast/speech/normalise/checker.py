"""The checker: what a TTS engine would still misread in a spoken text (what `render` warns about)."""

from __future__ import annotations

import re
import unicodedata

_TONES = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
_LETTER = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_STRIP = "\"'“”‘’()[]{},.;:!?…–—-"
_SYMBOLS = re.compile(r"[^\w'’-]")


def _is_syllable(word: str) -> bool:
    bare = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def unspeakable(spoken: str) -> list[str]:
    """Tokens a TTS engine would misread: digits, symbols, dotted tokens, abbreviations, foreign script."""
    found: list[str] = []
    for raw in spoken.split():
        token = raw.strip(_STRIP)
        if not token:
            if _SYMBOLS.search(raw):
                found.append(raw)
            continue
        bad = (
            any(c.isdigit() for c in token)
            or _SYMBOLS.search(token) is not None
            or "." in token
            or any(c.isalpha() and not _LETTER.match(c) for c in token)
            or (sum(c.isupper() for c in token) >= 2 and not all(_is_syllable(p) for p in token.split("-")))
        )
        if bad and token not in found:
            found.append(token)
    return found
