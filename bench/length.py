"""How close the spoken-length estimate (broadcast/content/length.py) is to real eSpeak NG speech, per
voice and rate, over the example bulletins' title and paragraph segments.

Run: .venv/bin/python bench/length.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadcast.build import spoken_segments  # noqa: E402
from broadcast.config import Settings  # noqa: E402
from broadcast.content.bulletin import load_bulletins  # noqa: E402
from broadcast.content.length import speech_seconds  # noqa: E402
from broadcast.content.render import render_bulletin  # noqa: E402
from broadcast.speech.synth import Speaker  # noqa: E402


def errors(voice: str, rate: int, bulletins) -> tuple[float, float, float, int]:
    """(total error, lowest and highest per-segment error, in percent; segments)."""
    settings = Settings(speech={"engine": "espeak", "fallback": [], "voice": voice, "rate": rate},
                        paths={"cache": tempfile.mkdtemp(prefix="bench-length-")})
    speaker = Speaker(settings)
    pairs = []
    for b in bulletins:
        for _, text in spoken_segments(render_bulletin(b, settings), settings):
            measured = speaker.say(text).samples.size / settings.audio.sample_rate
            pairs.append((speech_seconds(text, rate), measured))
    each = [100 * (e - m) / m for e, m in pairs]
    total = 100 * (sum(e for e, _ in pairs) - sum(m for _, m in pairs)) / sum(m for _, m in pairs)
    return total, min(each), max(each), len(pairs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one voice, one rate, two bulletins (the test suite)")
    args = parser.parse_args(argv)
    bulletins = load_bulletins([REPO / "bulletins"])
    cases = [("vi", 150)] if args.quick else [(v, r) for v in ("vi", "vi-vn-x-south") for r in (120, 150, 180)]
    if args.quick:
        bulletins = bulletins[:2]
    print(f"{'voice':14} {'rate':>4} {'segments':>8} {'total error':>12} {'per segment':>16}")
    for voice, rate in cases:
        total, low, high, n = errors(voice, rate, bulletins)
        print(f"{voice:14} {rate:4d} {n:8d} {total:+11.1f}% {low:+7.1f}% .. {high:+.1f}%")


if __name__ == "__main__":
    main()
