"""Benchmark: build a ~3-minute bulletin; time per stage, ratio to a bare ffmpeg MP3 encode, cached
rebuild; mastering a person's recording of the same length against a bare encode of it, and attaching
it to a bulletin (prepared once); and the peak memory of whole builds of 3 and 30 minutes, each in a
child process.

Run: .venv/bin/python bench/build.py            (--quick: a short bulletin and 1 minute, for the tests)
Everything is measured in this one run (shared machines are noisy; ratios travel, seconds don't).
Targets (2 cores): whole build <= 5x the bare encode; cached rebuild <= 0.3 s (interpreter start
excluded); mastering a recording <= 3x its bare encode; peak memory (RSS high-water) of a 30-minute
build < 600 MB.
"""

from __future__ import annotations

import argparse
import itertools
import os
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

WORDS_PER_MINUTE = 175  # eSpeak reads the plan at about this many words a minute at the default rate


def plan_paragraphs(n_words: int) -> str:
    """Section II of the commune's plan, as paragraphs (repeated if need be), until about n_words words."""
    text = REPO.parent / "shared" / "seeds" / "000_b03aa447001753c0.txt"
    lines = text.read_text(encoding="utf-8").splitlines() if text.exists() else []
    source = [p for p in (re.sub(r"^[#\-*\d. ]+", "", line).replace("**", "").strip() for line in lines)
              if len(p.split()) >= 12]
    source = source or ["Ủy ban nhân dân xã thông báo lịch tiếp công dân vào sáng thứ hai hằng tuần tại trụ sở."]
    paras, words = [], 0
    for line in itertools.cycle(source):
        paras.append(line)
        words += len(line.split())
        if words >= n_words:
            break
    return "\n\n".join(paras)


def bench_bulletin(minutes: float) -> Bulletin:
    return Bulletin(id=f"bench-{minutes:g}min", title="Kế hoạch tuyên truyền cải cách hành chính năm 2024",
                    topic="general", body=plan_paragraphs(int(minutes * WORDS_PER_MINUTE)))


def own_peak_mb() -> float:
    """This process's own RSS high-water mark since it started (VmHWM of its memory map), in MB.

    Not getrusage's ru_maxrss: Linux carries the high-water mark of the memory a process had before
    exec into it, and Python starts children with vfork, so a child's ru_maxrss is at least its
    parent's own peak (a parent that had held 564 MB made every child read 564 MB). VmHWM belongs to
    the memory map exec gave the child."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(minutes: float) -> None:
    """In a fresh process: one cold build; print the audio length and the RSS high-water mark."""
    with tempfile.TemporaryDirectory() as tmp:
        result = build_bulletin(bench_bulletin(minutes), Settings(base_dir=Path(tmp)))
        peak_mb = own_peak_mb()
    print(f"{result.duration_s:.1f} {peak_mb:.0f} {result.lufs:.2f} {result.true_peak_dbtp:.2f}")


def child_recording(path: Path) -> None:
    """In a fresh process: prepare a recording (decode, checks, cleaning); print its length and the peak."""
    from broadcast.audio.recording import prepare

    samples, _ = prepare(path, 44100, -16.0)
    print(f"{samples.size / 44100:.1f} {own_peak_mb():.0f}")


def recording_peak_memory(minutes: float, base: Path) -> tuple[float, float]:
    """(seconds, peak MB) of preparing a phone-like recording (stereo, 48 kHz WAV) of `minutes`, in a child."""
    source = base / f"phone-{minutes:g}min.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=300:sample_rate=48000:duration={minutes * 60}", "-af", "volume=2,apulsator=hz=0.5",
                    "-ac", "2", str(source)], check=True)  # a tone that comes and goes: "speech" with pauses
    out = subprocess.run([sys.executable, __file__, "--child-recording", str(source)], capture_output=True, text=True,
                         check=True)
    source.unlink()
    seconds, mb = (float(v) for v in out.stdout.split())
    return seconds, mb


def peak_memory(minutes: float) -> tuple[float, float, float, float]:
    """(audio seconds, peak MB, LUFS, dBTP) of a cold build of about `minutes`, measured in a child process."""
    out = subprocess.run([sys.executable, __file__, "--child", str(minutes)], capture_output=True, text=True, check=True)
    seconds, mb, lufs, peak = (float(v) for v in out.stdout.split())
    return seconds, mb, lufs, peak


def recording_mastering(speech_wav: Path, base: Path, settings: Settings) -> tuple[float, float, float, Path]:
    """A person's recording made from the built speech (20 dB quieter, a DC offset, room noise, silence at
    both ends): (its seconds, time to master it, time of a bare MP3 encode of it, the recording)."""
    import numpy as np

    from broadcast.audio import ffmpeg
    from broadcast.audio.master import MasterSpec, master
    from broadcast.audio.recording import prepare

    sr = settings.audio.sample_rate
    speech = ffmpeg.decode(speech_wav, sr) * np.float32(0.1)
    silence = np.zeros(sr, dtype=np.float32)
    raw = np.concatenate([silence, speech, silence]) + np.float32(0.02)
    raw += np.random.default_rng(1).normal(0, 0.001, raw.size).astype(np.float32)
    source = base / "recording.wav"
    ffmpeg.encode_wav(raw, sr, source)
    t = time.perf_counter()
    samples, _ = prepare(source, sr, settings.audio.loudness_lufs)
    master(samples, MasterSpec.of(settings.audio), mp3=base / "recording.mp3", wav=base / "recording-master.wav")
    master_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), "-c:a", "libmp3lame", "-b:a", "128k",
                    str(base / "recording-bare.mp3")], check=True)
    return raw.size / sr, master_s, time.perf_counter() - t, source


def attaching(source: Path, base: Path) -> tuple[float, int, float]:
    """`broadcast record FILE --bulletin ID` through the application layer, on a station of its own (an
    empty cache): (seconds, times the recording was prepared, seconds of preparing)."""
    from broadcast.app.recording import attach_recording
    from broadcast.audio import recording

    station = base / "attach"
    (station / "bulletins").mkdir(parents=True)
    (station / "bulletins" / "a.yaml").write_text(
        "id: tin-a\ntitle: Thông báo lịch tiếp công dân\ntopic: general\nbody: Ủy ban nhân dân xã thông báo.\n",
        encoding="utf-8")
    spent = []
    real = recording.prepare

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)

    recording.prepare = timed
    try:
        t = time.perf_counter()
        attach_recording(Settings(base_dir=station), "tin-a", source)
        return time.perf_counter() - t, len(spent), sum(spent)
    finally:
        recording.prepare = real


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short bulletin and a 1-minute memory run")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--child-recording", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    if args.child_recording:
        child_recording(args.child_recording)
        return
    minutes = 0.5 if args.quick else 3.0
    load_at_start = _load()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        settings = Settings(base_dir=base)
        bulletin = bench_bulletin(minutes)

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

        recorded = recording_mastering(result.wav, base, settings)
        attached = attaching(recorded[3], base)

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
    seconds, master_s, bare_s, _ = recorded
    print(f"mastering a {seconds / 60:.1f}-minute recording (decode, check, DC, trim, gate, loudness, limiter, MP3 + WAV) "
          f"{master_s * 1000:.0f} ms; bare encode {bare_s * 1000:.0f} ms; ratio {master_s / bare_s:.2f}x   (target <= 3x)")
    attach_s, prepared_n, prepare_s = attached
    print(f"attaching it to a bulletin (check, keep, build with it) {attach_s * 1000:.0f} ms; the recording prepared "
          f"{prepared_n}x ({prepare_s * 1000:.0f} ms)")
    print(f"peak memory of a cold build (the child process's own RSS high-water, VmHWM; this process's own: "
          f"{own_peak_mb():.0f} MB, not counted; the ffmpeg encoders are processes of their own):")
    for length in ((1.0,) if args.quick else (3.0, 30.0)):
        seconds, mb, lufs, peak = peak_memory(length)
        print(f"  {seconds / 60:5.1f} min of audio  {mb:6.0f} MB   ({lufs:.1f} LUFS, {peak:.1f} dBTP)"
              + ("   (target < 600 MB)" if length >= 30 else ""))
    print("peak memory of preparing a person's recording (stereo 48 kHz WAV, as a phone records; child process):")
    with tempfile.TemporaryDirectory() as tmp:
        for length in ((0.5,) if args.quick else (3.0, 15.0)):
            seconds, mb = recording_peak_memory(length, Path(tmp))
            print(f"  {length:5.1f} min recorded    {mb:6.0f} MB   ({seconds / 60:.1f} min after trimming)")
    print(f"load average: {load_at_start} at the start, {_load()} at the end (2 cores)")
    if args.quick:
        return
    sys.path.insert(0, str(REPO / "bench"))
    from engines import main as engines_main  # real-time factor per engine (eSpeak, Piper)

    engines_main()


if __name__ == "__main__":
    main()
