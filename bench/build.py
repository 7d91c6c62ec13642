"""Benchmark: build a ~3-minute bulletin; time per stage, ratio to a bare ffmpeg MP3 encode, cached rebuild.

Run: .venv/bin/python bench/build.py
Everything is measured in this one run (shared machines are noisy; ratios travel, seconds don't).
Targets (2 cores): whole build <= 5x the bare encode; cached rebuild <= 0.3 s (interpreter start excluded).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadcast.audio.ffmpeg import ffmpeg_exe  # noqa: E402
from broadcast.build import build_bulletin  # noqa: E402
from broadcast.content.bulletin import Bulletin  # noqa: E402
from broadcast.config import Settings  # noqa: E402
from broadcast.content.render import render_programme  # noqa: E402


def plan_paragraphs(n_words: int) -> str:
    """Section II of the commune's plan, as paragraphs, until about n_words words."""
    text = (REPO.parent / "shared" / "seeds" / "000_b03aa447001753c0.txt")
    lines = text.read_text(encoding="utf-8").splitlines() if text.exists() else []
    paras, words = [], 0
    for line in lines:
        line = re.sub(r"^[#\-*\d. ]+", "", line).replace("**", "").strip()
        if len(line.split()) < 12:
            continue
        paras.append(line)
        words += len(line.split())
        if words >= n_words:
            break
    return "\n\n".join(paras) or ("Ủy ban nhân dân xã thông báo lịch tiếp công dân. " * (n_words // 8))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        settings = Settings(base_dir=base)
        bulletin = Bulletin(id="bench-3min", title="Kế hoạch tuyên truyền cải cách hành chính năm 2024",
                            topic="general", body=plan_paragraphs(430))

        t = time.perf_counter()
        render_programme([bulletin], settings)
        render_s = time.perf_counter() - t

        result = build_bulletin(bulletin, settings)  # cold: empty speech cache
        stages = {"render": render_s, **{k: v for k, v in result.timings.items() if k != "total"}}
        whole = render_s + result.timings["total"]

        t = time.perf_counter()
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(result.wav), "-c:a", "libmp3lame",
                        "-b:a", "128k", str(base / "bare.mp3")], check=True)
        bare = time.perf_counter() - t

        t = time.perf_counter()
        again = build_bulletin(bulletin, settings)
        cached = time.perf_counter() - t
        assert again.up_to_date

        t = time.perf_counter()
        build_bulletin(bulletin, settings, force=True)  # speech from cache, mix and encode again
        remix = time.perf_counter() - t

    print(f"bulletin: {result.duration_s:.1f} s of audio ({result.manifest.durations.speech_s:.1f} s speech), "
          f"{result.lufs:.1f} LUFS, {result.true_peak_dbtp:.1f} dBTP, engine {result.manifest.engine}")
    print("stage times (cold build):")
    for name, seconds in stages.items():
        print(f"  {name:11} {seconds * 1000:8.0f} ms")
    print(f"whole build         {whole * 1000:8.0f} ms")
    print(f"bare ffmpeg encode  {bare * 1000:8.0f} ms")
    print(f"ratio whole/bare    {whole / bare:8.2f}x   (target <= 5x)")
    print(f"cached rebuild      {cached * 1000:8.0f} ms   (target <= 300 ms)")
    print(f"forced rebuild      {remix * 1000:8.0f} ms   (speech cached; mix + encode again)")
    sys.path.insert(0, str(REPO / "bench"))
    from engines import main as engines_main  # real-time factor per engine (eSpeak, Piper)

    engines_main()


if __name__ == "__main__":
    main()
