"""Word error rate of spoken forms against a reference set (the rules of normalisation/dev.tsv's header).

Scoring ignores case and punctuation, accepts any of the alternatives separated by " || ", and treats
as the same word: "tư"/"bốn" after "mươi", "linh"/"lẻ", "nghìn"/"ngàn".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r"[^\W_]+")
_SAME = {"lẻ": "linh", "ngàn": "nghìn"}


def words(text: str) -> list[str]:
    """Comparable words: NFC, lower case, punctuation dropped, equivalent readings unified."""
    out: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
        word = _SAME.get(word, word)
        if word == "bốn" and out and out[-1] == "mươi":
            word = "tư"
        out.append(word)
    return out


def edit_distance(hyp: list[str], ref: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions, insertions, deletions)."""
    previous = list(range(len(ref) + 1))
    for i, h in enumerate(hyp, 1):
        current = [i]
        for j, r in enumerate(ref, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (h != r)))
        previous = current
    return previous[-1]


def alternatives(expected: str) -> list[str]:
    return [alt.strip() for alt in expected.split("||")]


def score(hyp: str, expected: str) -> tuple[int, int]:
    """(errors, reference words) against the closest alternative."""
    hyp_words = words(hyp)
    best = None
    for alt in alternatives(expected):
        ref = words(alt)
        candidate = (edit_distance(hyp_words, ref), len(ref))
        if best is None or candidate[0] < best[0]:
            best = candidate
    assert best is not None
    return best


@dataclass(frozen=True)
class Case:
    line: int
    text: str
    expected: str


def load_cases(path: Path) -> list[Case]:
    """Rows of a TSV set: input<TAB>expected; '#' lines are comments."""
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, expected = line.split("\t", 1)
        cases.append(Case(number, text, expected))
    return cases


def corpus_wer(pairs: Iterable[tuple[str, str]]) -> float:
    """Total errors over total reference words, for (hypothesis, expected) pairs."""
    errors = total = 0
    for hyp, expected in pairs:
        e, n = score(hyp, expected)
        errors += e
        total += n
    return errors / total if total else 0.0
