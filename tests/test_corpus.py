"""The real-text corpus (tests/data/corpus*.tsv) scored as bench/corpus.py does; its quick mode runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from broadcast.speech.wer import load_cases

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def test_corpus_files_are_well_formed():
    tuning, held_out = load_cases(DATA / "corpus.tsv"), load_cases(DATA / "corpus-heldout.tsv")
    assert len(tuning) + len(held_out) >= 200
    assert 0.18 <= len(held_out) / (len(tuning) + len(held_out)) <= 0.22
    for case in tuning + held_out:
        assert case.source, f"line {case.line} has no source address"
        assert case.expected.strip() and not re.search(r"\d", case.expected), case.text
    assert not {c.text for c in tuning} & {c.text for c in held_out}


def test_bench_quick_mode_prints_every_figure():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "--quick"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    for part in ("corpus (tuning part)", "corpus (held-out part)", "corpus (all)", "dev set"):
        assert re.search(rf"^{re.escape(part)}: WER \d+\.\d\d% .* exact \d+/\d+ lines, unspeakable \d+ lines$",
                         result.stdout, re.M), part  # fmt: skip
    assert re.search(r"^throughput: [\d,]+ lines/s", result.stdout, re.M)


def score(name: str):
    from broadcast.speech.normalise import normalise, unspeakable
    from broadcast.speech.wer import evaluate

    return evaluate(load_cases(DATA / name), normalise, unspeakable)


@pytest.mark.parametrize("name", ["corpus.tsv", "corpus-heldout.tsv"])
def test_real_text_is_read_right(name):
    result = score(name)
    misses = "\n".join(f"{m.case.line}: {m.spoken} (want: {m.closest}; unspeakable: {m.unspeakable})"
                       for m in result.misses)  # fmt: skip
    assert result.unspeakable_lines == 0, misses
    assert result.wer <= 0.01, f"{result.summary(name)}\n{misses}"


def test_spoken_corpus_is_pinned():
    """Every corpus line's spoken form, pinned: a change in any reading shows up here as a diff to review.
    Regenerate after an intended change with: UPDATE_SNAPSHOTS=1 scripts/test tests/test_corpus.py"""
    from broadcast.speech.normalise import normalise

    lines = []
    for name in ("corpus.tsv", "corpus-heldout.tsv"):
        for case in load_cases(DATA / name):
            lines.append(f"[{name}:{case.line}] {case.text}\n   → {normalise(case.text)}\n")
    text = "".join(lines)
    path = ROOT / "tests" / "snapshots" / "corpus-spoken.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; review and commit it")
    assert text == path.read_text(encoding="utf-8")
