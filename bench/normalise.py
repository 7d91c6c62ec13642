"""Benchmark the normaliser: lines per second over the commune plan, and the dev-set WER and leftovers.

Run: .venv/bin/python bench/normalise.py [--plan FILE] [--dev FILE] [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcast.speech.normalise import normalise, unspeakable
from broadcast.speech.wer import corpus_wer, load_cases

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import throughput  # noqa: E402  (bench/corpus.py: one timing loop for both benches)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
PLAN = DATA / "plan-2024.txt"
DEV = DATA / "dev.tsv"


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
    wall, cpu = throughput(lines, args.repeat)
    print(f"throughput: {wall:,.0f} lines/s ({cpu:,.0f} per CPU-second; {len(lines)} lines of {args.plan.name}, "
          f"best of {args.repeat})")  # fmt: skip

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
