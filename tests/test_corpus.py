"""The real-text corpus (tests/data/corpus*.tsv) scored as bench/corpus.py does; its quick mode runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
