"""Word error rate of spoken forms against a reference set (the rules of normalisation/dev.tsv's header).

Scoring ignores case and punctuation, accepts any of the alternatives separated by " || ", and treats
as the same word: "tư"/"bốn" after "mươi", "linh"/"lẻ", "nghìn"/"ngàn".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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


def closest(hyp: str, expected: str) -> tuple[int, int, str]:
    """(errors, reference words, the alternative) for the alternative closest to `hyp`."""
    hyp_words = words(hyp)
    best: tuple[int, int, str] | None = None
    for alt in alternatives(expected):
        ref = words(alt)
        errors = edit_distance(hyp_words, ref)
        if best is None or errors < best[0]:
            best = (errors, len(ref), alt)
    assert best is not None
    return best


def score(hyp: str, expected: str) -> tuple[int, int]:
    """(errors, reference words) against the closest alternative."""
    errors, total, _ = closest(hyp, expected)
    return errors, total


@dataclass(frozen=True)
class Case:
    line: int
    text: str
    expected: str
    source: str = ""


def load_cases(path: Path) -> list[Case]:
    """Rows of a TSV set: input<TAB>expected[<TAB>source]; a line with no tab is a comment or blank.

    (An input may itself start with "#": a Markdown heading is real text too.)
    """
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if "\t" not in line:
            continue
        text, expected, *source = line.split("\t", 2)
        cases.append(Case(number, text, expected, source[0] if source else ""))
    return cases


@dataclass(frozen=True)
class Miss:
    """A line read differently from every expected alternative (or with tokens an engine would misread)."""

    case: Case
    spoken: str
    closest: str
    errors: int
    unspeakable: tuple[str, ...]


@dataclass
class Evaluation:
    """How a normaliser reads a set of cases: word error rate, exact lines, lines still unspeakable."""

    lines: int = 0
    words: int = 0
    errors: int = 0
    exact: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0

    @property
    def unspeakable_lines(self) -> int:
        return sum(1 for m in self.misses if m.unspeakable)

    def summary(self, name: str) -> str:
        return (
            f"{name}: WER {self.wer:.2%} ({self.errors} errors / {self.words} words), "
            f"exact {self.exact}/{self.lines} lines, unspeakable {self.unspeakable_lines} lines"
        )


def evaluate(
    cases: Iterable[Case], normalise: Callable[[str], str], unspeakable: Callable[[str], list[str]]
) -> Evaluation:
    """Read every case and score it against its closest alternative."""
    result = Evaluation()
    for case in cases:
        spoken = normalise(case.text)
        errors, total, alt = closest(spoken, case.expected)
        left = tuple(unspeakable(spoken))
        result.lines += 1
        result.words += total
        result.errors += errors
        result.exact += errors == 0
        if errors or left:
            result.misses.append(Miss(case, spoken, alt, errors, left))
    return result


def corpus_wer(pairs: Iterable[tuple[str, str]]) -> float:
    """Total errors over total reference words, for (hypothesis, expected) pairs."""
    errors = total = 0
    for hyp, expected in pairs:
        e, n = score(hyp, expected)
        errors += e
        total += n
    return errors / total if total else 0.0
