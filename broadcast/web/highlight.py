"""What the normaliser changed, for the preview: the spoken text in pieces, each marked with the
written words it replaced, and the tokens the engine may still misread."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    text: str  # spoken words
    written: str | None = None  # the written words they stand for, when the normaliser changed them
    unspeakable: bool = False


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


def _bare(word: str) -> str:
    return word.strip().strip(".,;:!?\"'()…").lower()


def spoken_pieces(script: str, spoken: str, unspeakable: set[str] = frozenset()) -> list[Piece]:
    """The spoken text cut where it differs from the script (word by word)."""
    a, b = _words(script), _words(spoken)
    out: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=[_bare(w) for w in a], b=[_bare(w) for w in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        said = "".join(b[j1:j2])
        if not said:
            continue
        if op == "equal":
            for word in b[j1:j2]:
                flagged = word.strip().strip(".,;:!?") in unspeakable
                if out and not out[-1].written and out[-1].unspeakable == flagged:
                    out[-1] = Piece(out[-1].text + word, None, flagged)
                else:
                    out.append(Piece(word, None, flagged))
        else:
            out.append(Piece(said, "".join(a[i1:i2]).strip() or None))
    return out
