"""Benchmark the normaliser: lines per second over the commune plan, and the dev-set WER and leftovers.

Run: .venv/bin/python bench/normalise.py [--plan FILE] [--dev FILE] [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from broadcast.speech.lexicon import builtin_lexicon
from broadcast.speech.normalise import normalise, unspeakable
from broadcast.speech.wer import corpus_wer, load_cases

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
PLAN = DATA / "plan-2024.txt"
DEV = DATA / "dev.tsv"


def throughput(lines: list[str], repeat: int) -> float:
    lexicon = builtin_lexicon()
    normalise("khởi động 1", lexicon)  # compile and load once, as a long-running process would
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for line in lines:
            normalise(line, lexicon)
        best = min(best, time.perf_counter() - start)
    return len(lines) / best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=PLAN)
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one pass (what the test suite runs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1

    lines = args.plan.read_text(encoding="utf-8").splitlines()
    rate = throughput(lines, args.repeat)
    print(f"throughput: {rate:,.0f} lines/s ({len(lines)} lines of {args.plan.name}, best of {args.repeat})")

    if args.dev.exists():
        cases = load_cases(args.dev)
        outputs = [normalise(c.text) for c in cases]
        wer = corpus_wer(zip(outputs, (c.expected for c in cases), strict=True))
        left = [tok for out in outputs for tok in unspeakable(out)]
        print(f"dev-set WER: {wer:.2%} over {len(cases)} lines; unspeakable tokens left: {len(left)}")
        for tok in left:
            print(f"  unspeakable: {tok}")
    else:
        print(f"dev set {args.dev} not found: WER not measured")


if __name__ == "__main__":
    main()
