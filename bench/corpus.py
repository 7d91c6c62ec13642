"""Score the normaliser on real administrative text: WER, exact lines, unspeakable lines, and every miss.

The corpus (tests/data/corpus.tsv) is sentences copied from public Vietnamese administrative texts with
their Northern reading; tests/data/corpus-heldout.tsv is the 20% held out when the rules were written.
Its misses are shown only with --show-heldout, so rules are not tuned on them.

Run: .venv/bin/python bench/corpus.py [--quick] [--show-heldout] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from broadcast.speech.lexicon import builtin_lexicon
from broadcast.speech.normalise import normalise, unspeakable
from broadcast.speech.wer import Case, Evaluation, evaluate, load_cases

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TUNING = DATA / "corpus.tsv"
HELD_OUT = DATA / "corpus-heldout.tsv"
DEV = DATA / "dev.tsv"
PLAN = DATA / "plan-2024.txt"


def score(cases: list[Case]) -> Evaluation:
    lexicon = builtin_lexicon()
    return evaluate(cases, lambda text: normalise(text, lexicon), unspeakable)


def throughput(lines: list[str], repeat: int) -> tuple[float, float]:
    """Lines per second of wall-clock time and per second of this process's CPU time (best of `repeat`):
    on a shared, loaded machine the wall clock also counts the time spent waiting for a core."""
    lexicon = builtin_lexicon()
    normalise("khởi động 1", lexicon)  # compile and load once, as a long-running process would
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for line in lines:
            normalise(line, lexicon)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return len(lines) / wall, len(lines) / max(cpu, 1e-9)


def print_misses(name: str, result: Evaluation) -> None:
    for miss in result.misses:
        tag = f"{miss.errors} error{'s' if miss.errors != 1 else ''}" if miss.errors else "unspeakable"
        print(f"  {name}:{miss.case.line} [{tag}]")
        print(f"    in:   {miss.case.text}")
        print(f"    got:  {miss.spoken}")
        if miss.errors:
            print(f"    want: {miss.closest}")
        if miss.unspeakable:
            print(f"    unspeakable: {' '.join(miss.unspeakable)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timing pass (what the test suite runs)")
    parser.add_argument("--show-heldout", action="store_true", help="also print the held-out part's misses")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes; the best is reported")
    args = parser.parse_args(argv)

    tuning, held_out = load_cases(TUNING), load_cases(HELD_OUT)
    results = {"corpus (tuning part)": score(tuning), "corpus (held-out part)": score(held_out)}
    results["corpus (all)"] = score(tuning + held_out)
    results["dev set"] = score(load_cases(DEV))
    for name, result in results.items():
        print(result.summary(name))

    lines = [c.text for c in tuning + held_out] + PLAN.read_text(encoding="utf-8").splitlines()
    repeat = 1 if args.quick else args.repeat
    wall, cpu = throughput(lines, repeat)
    print(f"throughput: {wall:,.0f} lines/s ({cpu:,.0f} per CPU-second) over {len(lines)} lines "
          f"(corpus and plan), best of {repeat}")  # fmt: skip

    print("misses (tuning part):" if results["corpus (tuning part)"].misses else "misses (tuning part): none")
    print_misses(TUNING.name, results["corpus (tuning part)"])
    print_misses(DEV.name, results["dev set"])
    if args.show_heldout:
        print("misses (held-out part):" if results["corpus (held-out part)"].misses else "misses (held-out part): none")
        print_misses(HELD_OUT.name, results["corpus (held-out part)"])


if __name__ == "__main__":
    main()
