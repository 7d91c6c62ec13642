"""The checker: what a TTS engine would still misread in a spoken text (what `render` warns about)."""

from __future__ import annotations

import re
import unicodedata

from broadcast.speech.lexicon import Lexicon, builtin_lexicon

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


_DATE_LIKE = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?")


def suggestion(token: str, lexicon: Lexicon | None = None) -> str:
    """The fix for a token `unspeakable` found, in the editor's terms: what it may mean and what to write."""
    lexicon = lexicon or builtin_lexicon()
    readings = list(dict.fromkeys(rule.say for rule in lexicon.contextual.get(token, ())))
    if readings:
        # An ambiguous abbreviation whose context did not decide: name the readings, never pick one.
        choices = ", ".join(readings[:-1]) + f" or {readings[-1]}" if len(readings) > 1 else readings[0]
        return (f"'{token}' can mean {choices} and nothing around it says which: write [[{token}|<the reading meant>]] "
                f"in the text, or add `{token}: <spoken form>` to the station lexicon "
                "if it always means one thing there")  # fmt: skip
    if _DATE_LIKE.fullmatch(token):
        return (f"'{token}' is left as written: no such date (check the day and the month), "
                f"or write [[{token}|<spoken form>]]")  # fmt: skip
    if any(c.isdigit() for c in token):
        return f"'{token}' may be misread: write [[{token}|<spoken form>]] with the number in words"
    generic = (f"'{token}' may be misread; add it to the station lexicon as `{token}: <spoken form>` "
               f"or write [[{token}|<spoken form>]] in the text")  # fmt: skip
    if sum(c.isupper() for c in token) >= 2:
        # An abbreviation the lexicon does not know; a text may also define it once for itself.
        return f"{generic}, or write its full form once before it in brackets: <full form> ({token})"
    return generic
