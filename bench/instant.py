"""Benchmark: how long `broadcast play FILE` spends levelling a new file before it airs, per path.

Run: .venv/bin/python bench/instant.py [--repeat N]
A quiet recording (eSpeak Vietnamese speech at about -35 LUFS, WAV) of 30 s and of 3 minutes is
prepared by the full path (meter iterations, MP3 encode and true-peak check: normal and priority
plays) and by the quick path (one reading, one gain, limiter, WAV: emergencies), each into a fresh
folder, then once more from the kept copy. Both paths run in the same process one after the other,
so their ratio travels even when the seconds do not. The first MP3 encode of a process also
measures LAME's level change once; a warm-up keeps that out of the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engines import VI_TEXT  # noqa: E402
from broadcast.audio import loudness  # noqa: E402
from broadcast.config import Settings  # noqa: E402
from broadcast.playout import instant  # noqa: E402
from broadcast.speech.synth import station_engine  # noqa: E402

RATE = 44100


def recording(settings: Settings, seconds: float, path: Path) -> Path:
    """`seconds` of eSpeak speech at -35 LUFS, as a 16-bit WAV: a quiet phone recording."""
    speech = station_engine("espeak", settings).synthesize(VI_TEXT, "vi", 150)
    x = np.interp(np.arange(0, speech.samples.size, speech.sample_rate / RATE), np.arange(speech.samples.size),
                  speech.samples)
    x = np.tile(x, int(np.ceil(seconds * RATE / x.size)))[: int(seconds * RATE)]
    x = x * 10 ** ((-35.0 - loudness.integrated_lufs(x, RATE)) / 20)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def timed(source: Path, root: Path, quick: bool) -> tuple[float, float, float]:
    """(seconds to prepare anew, seconds to reuse the kept copy, loudness of the copy)."""
    settings = Settings(base_dir=root)
    settings.paths.audio_out = root / "out"
    t = time.perf_counter()
    copy = instant.prepare(source, settings, quick=quick)
    made = time.perf_counter() - t
    t = time.perf_counter()
    again = instant.prepare(source, settings, quick=quick)
    reused = time.perf_counter() - t
    assert copy.made and not again.made
    from broadcast.audio.ffmpeg import decode

    return made, reused, loudness.integrated_lufs(decode(copy.path, RATE), RATE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        tmp = Path(tmp)
        settings = Settings(base_dir=tmp)
        timed(recording(settings, 2.0, tmp / "warm.wav"), tmp / "warm", quick=False)  # LAME's level, once
        print("preparing a new quiet recording (-35 LUFS) for an instant play; median of", args.repeat)
        for seconds in (30.0, 180.0):
            source = recording(settings, seconds, tmp / f"rec-{seconds:.0f}.wav")
            rows = {}
            for quick in (False, True):
                runs = [timed(source, tmp / f"{seconds:.0f}-{quick}-{i}", quick) for i in range(args.repeat)]
                rows[quick] = [statistics.median(r[k] for r in runs) for k in range(3)]
            full, fast = rows[False], rows[True]
            print(f"  {seconds:4.0f} s: full path (MP3) {full[0]:.2f} s -> {full[2]:.1f} LUFS; "
                  f"quick path (WAV, emergencies) {fast[0]:.2f} s -> {fast[2]:.1f} LUFS; "
                  f"quick/full {fast[0] / full[0]:.2f}; kept copy reused in {max(full[1], fast[1]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
