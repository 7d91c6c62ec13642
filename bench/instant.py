"""Benchmark: an instant play of a file never seen before — an emergency from the command to audio on the
sound card, and how long a normal play spends levelling before it airs.

Run: .venv/bin/python bench/instant.py [--repeat N]     (--quick: one short emergency, what the tests run)

Emergency: a real `broadcast run` service with one sound-card zone on a PulseAudio null sink (started
here, as tests/playout_fixtures.py does), the sink's monitor recorded; each repeat makes a new quiet
3-minute MP3 (eSpeak speech at about -35 LUFS; new bytes every time, so no kept copy helps), runs
`broadcast play --priority emergency NEW.mp3` and times from just before the command starts to the first
audible sample in the recording (the service levels the file as it airs, broadcast.playout.live).
Target: median <= 1 s. The service is restarted between repeats (a stop fades the play out).

Normal play: the same kind of file prepared by the full path (meter iterations, MP3 encode and
true-peak check) before it is sent, for 30 s and 3 minutes, then once more from the kept copy.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from bench.engines import VI_TEXT  # noqa: E402
from playout_fixtures import pulse_env, pulse_server, read_wav  # noqa: E402

from broadcast.audio import ffmpeg, loudness  # noqa: E402
from broadcast.config import Settings  # noqa: E402
from broadcast.playout import instant  # noqa: E402
from broadcast.playout.control import SOCKET_NAME  # noqa: E402
from broadcast.speech.synth import station_engine  # noqa: E402

RATE = 44100


def speech(settings: Settings) -> np.ndarray:
    s = station_engine("espeak", settings).synthesize(VI_TEXT, "vi", 150)
    return np.interp(np.arange(0, s.samples.size, s.sample_rate / RATE), np.arange(s.samples.size), s.samples)


def recording(voice: np.ndarray, seconds: float, path: Path, seed: int = 0) -> Path:
    """`seconds` of the speech at -35 LUFS (a quiet phone recording), rolled by `seed` so the bytes are new;
    a WAV, or an MP3 when `path` says so."""
    x = np.roll(np.tile(voice, int(np.ceil(seconds * RATE / voice.size)) + 1), seed * 4410)[: int(seconds * RATE)]
    x = (x * 10 ** ((-35.0 - loudness.integrated_lufs(x, RATE)) / 20)).astype(np.float32)
    wav = path.with_suffix(".wav")
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes())
    if path.suffix == ".mp3":
        subprocess.run([ffmpeg.ffmpeg_exe(), "-y", "-v", "error", "-i", str(wav), "-b:a", "128k", str(path)], check=True)
        wav.unlink()
    return path


def timed(source: Path, root: Path) -> tuple[float, float, float]:
    """Full path: (seconds to prepare anew, seconds to reuse the kept copy, loudness of the copy)."""
    settings = Settings(base_dir=root)
    settings.paths.audio_out = root / "out"
    t = time.perf_counter()
    copy = instant.prepare(source, settings)
    made = time.perf_counter() - t
    t = time.perf_counter()
    again = instant.prepare(source, settings)
    reused = time.perf_counter() - t
    assert copy.made and not again.made
    return made, reused, loudness.integrated_lufs(ffmpeg.decode(copy.path, RATE), RATE)


def station(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "station.yaml").write_text(
        "speech: {engine: fake, fallback: [], voice: fake}\n"
        "paths: {audio_out: audio_out, cache: cache, data: data, bulletins: ., schedule: schedule.yaml}\n",
        encoding="utf-8")
    (root / "schedule.yaml").write_text("zones:\n  loa: {name: Loa, sink: {type: device, device: bulletin}}\n",
                                        encoding="utf-8")
    return root / "station.yaml"


def onset_after(samples: np.ndarray, rate: int, t0: float, after: float, threshold: float = 0.02) -> float | None:
    """Wall time of the first audible sample after wall time `after` (recording starts at wall time t0)."""
    start = max(0, int((after - t0) * rate))
    win = 44
    part = samples[start:]
    n = part.size // win
    loud = np.nonzero(np.abs(part[: n * win]).reshape(n, win).max(axis=1) > threshold)[0]
    return t0 + (start + loud[0] * win) / rate if loud.size else None


def emergencies(voice: np.ndarray, root: Path, repeat: int, seconds: float) -> tuple[list[float], list[float], list[float]]:
    """(command-to-audio seconds, client seconds, the service's seconds from the request to its first
    levelled audio) for `repeat` new files through a running service."""
    settings_file = station(root / "station")
    env = dict(os.environ, BROADCAST_SETTINGS=str(settings_file))
    asked, client, service_part = [], [], []
    with pulse_server(root / "pa") as pulse, pulse_env(pulse):
        env.update({k: os.environ[k] for k in ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "XDG_RUNTIME_DIR", "HOME")})
        rec = root / "rec.wav"
        with pulse.recording(rec) as info:
            for i in range(repeat):
                new = recording(voice, seconds, root / f"khan-cap-{i}.mp3", seed=i + 1)
                service = subprocess.Popen([sys.executable, "-m", "broadcast", "run"], cwd=settings_file.parent, env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                sock = settings_file.parent / "data" / SOCKET_NAME
                deadline = time.monotonic() + 30
                while not sock.exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(0.5)
                t = time.time()
                done = subprocess.run([sys.executable, "-m", "broadcast", "play", "--priority", "emergency", str(new)],
                                      cwd=settings_file.parent, env=env, check=True, capture_output=True, text=True)
                client.append(time.time() - t)
                said = re.search(r"on air ([\d.]+) s after the request", done.stderr)
                service_part.append(float(said[1]) if said else float("nan"))
                asked.append(t)
                time.sleep(3.0)
                service.send_signal(signal.SIGTERM)
                service.wait(30)
                time.sleep(1.0)
    samples, rate = read_wav(rec)
    heard = [onset_after(samples, rate, info["t0"], t) for t in asked]
    if any(h is None for h in heard):
        sys.exit(f"no audio found after some emergencies; recording in {rec}")
    return [h - t for h, t in zip(heard, asked)], client, service_part


def interpreter_start(repeat: int) -> float:
    """Median seconds of `broadcast --version`: a Python start and the CLI's import, what every command pays."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "broadcast", "--version"], check=True, capture_output=True)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one 20 s emergency and a 5 s normal play (the tests)")
    args = parser.parse_args()
    long_s, lengths = (20.0, (5.0,)) if args.quick else (180.0, (30.0, 180.0))
    repeat = 1 if args.quick else args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = Settings(base_dir=tmp)
        voice = speech(settings)
        to_audio, client, service_part = emergencies(voice, tmp / "emergency", repeat, long_s)
        print(f"emergency, a new {long_s:.0f} s MP3, `broadcast play --priority emergency` to audio on the sound card: "
              f"median {statistics.median(to_audio):.2f} s, worst {max(to_audio):.2f} s over {repeat} "
              f"(target: median <= 1 s); the command itself returned in {statistics.median(client):.2f} s, "
              f"of which the service's part (request to its first levelled audio) {statistics.median(service_part):.2f} s; "
              f"a bare `broadcast --version` takes {interpreter_start(repeat):.2f} s")
        timed(recording(voice, 2.0, tmp / "warm.wav"), tmp / "warm")  # LAME's level, once per process
        for seconds in lengths:
            source = recording(voice, seconds, tmp / f"rec-{seconds:.0f}.wav")
            runs = [timed(source, tmp / f"{seconds:.0f}-{i}") for i in range(1 if args.quick else 3)]
            made, reused, lufs = (statistics.median(r[k] for r in runs) for k in range(3))
            print(f"normal play, a new {seconds:.0f} s recording levelled before it is sent (full path, MP3): "
                  f"{made:.2f} s -> {lufs:.1f} LUFS; kept copy reused in {reused * 1000:.0f} ms")


if __name__ == "__main__":
    main()
