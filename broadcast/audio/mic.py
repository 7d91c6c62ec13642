"""The microphone adapter: record from a PulseAudio source with `parecord`, with levels as it goes.

parecord streams raw 16-bit PCM to us (20 ms latency); we keep it in a WAV and report the level of
every 50 ms, so a caller can draw a meter and stop when the reader is done (or at a time limit).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcast.errors import UserError

RATE = 48000  # what sound cards and browsers record at; the build resamples
CHUNK_S = 0.05
NO_SERVER_HINT = "is PulseAudio running for this user? (`pactl info`)"


@dataclass(frozen=True)
class Captured:
    path: Path
    source: str
    duration_s: float
    peak_dbfs: float


def _pactl(*args: str) -> str:
    exe = shutil.which("pactl")
    if exe is None:
        raise UserError("recording from the microphone needs PulseAudio's pactl and parecord (apt-get install pulseaudio-utils)")
    try:
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=5, check=False)
    except subprocess.TimeoutExpired:
        raise UserError(f"no sound card input to record from: the sound server does not answer; {NO_SERVER_HINT}") from None
    if proc.returncode != 0:
        why = (proc.stderr or proc.stdout).strip().splitlines()
        raise UserError(f"no sound card input to record from: no sound server ({why[-1] if why else 'pactl failed'}); "
                        f"{NO_SERVER_HINT}")
    return proc.stdout


def sources() -> list[str]:
    """The names of the sound server's inputs (monitors of outputs included, named '*.monitor')."""
    return [line.split("\t")[1] for line in _pactl("list", "short", "sources").splitlines() if "\t" in line]


def choose_source(name: str | None) -> str:
    """The source to record: `name` if the server has it, else the default input, which must be a
    microphone (a sound card input), not the monitor of an output."""
    found = sources()
    if name:
        if name not in found:
            raise UserError(f"no input named '{name}'; inputs here: {', '.join(found) or 'none'}")
        return name
    default = _pactl("get-default-source").strip()
    mics = [s for s in found if not s.endswith(".monitor")]
    if default and default in found and not default.endswith(".monitor"):
        return default
    if mics:
        return mics[0]
    raise UserError("no microphone: no sound card input to record from"
                    + (f" (only {', '.join(found)}, which record what is played)" if found else "")
                    + "; plug one in, or record elsewhere and attach the file")


def capture(out: Path, *, source: str, stop: threading.Event, max_seconds: float,
            on_level: Callable[[float, float], None] | None = None, rate: int = RATE) -> Captured:
    """Record `source` into the WAV `out` until `stop` is set or `max_seconds` pass.

    `on_level(seconds, dbfs)` is called for every 50 ms with its peak level."""
    exe = shutil.which("parecord")
    if exe is None:
        raise UserError("recording from the microphone needs PulseAudio's parecord (apt-get install pulseaudio-utils)")
    cmd = [exe, "--raw", "--format=s16le", f"--rate={rate}", "--channels=1", "--latency-msec=20", "-d", source]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunk = int(rate * CHUNK_S) * 2
    got, peak = 0, 0
    started = time.monotonic()
    try:
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            while not stop.is_set() and got / 2 / rate < max_seconds:
                data = proc.stdout.read(chunk)
                if not data:
                    break
                w.writeframes(data)
                samples = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
                level = int(np.max(np.abs(samples.astype(np.int32)))) if samples.size else 0
                peak = max(peak, level)
                got += len(data)
                if on_level:
                    on_level(got / 2 / rate, _dbfs(level))
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    if got == 0:
        why = err.decode("utf-8", "replace").strip().splitlines() if err else []
        raise UserError(f"nothing was recorded from '{source}'" + (f" ({why[-1]})" if why else "")
                        + f" after {time.monotonic() - started:.1f} s")
    return Captured(Path(out), source, got / 2 / rate, _dbfs(peak))


def _dbfs(level: int) -> float:
    return 20 * math.log10(level / 32768) if level > 0 else -math.inf

