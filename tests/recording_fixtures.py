"""Recordings for tests: real speech (eSpeak) made quiet, offset and noisy as a cheap microphone would,
known tones, and files in the formats people bring (WAV of any rate and channels, WebM/Opus, M4A)."""

from __future__ import annotations

import functools
import struct
import subprocess
from pathlib import Path

import numpy as np

from broadcast.audio.ffmpeg import ffmpeg_exe

RATE = 44100
SENTENCE = ("Ủy ban nhân dân xã thông báo lịch tiếp công dân trong tháng năm. "
            "Bà con cần mang theo căn cước công dân khi đến bộ phận một cửa.")


@functools.cache
def speech(rate: int = RATE) -> np.ndarray:
    """About 8 s of real Vietnamese speech (eSpeak NG), peaking near full scale."""
    from broadcast.config import Settings
    from broadcast.speech.engines import make_engine
    from broadcast.speech.synth import resample

    said = make_engine("espeak", Settings()).synthesize(SENTENCE, "vi", 150)
    x = resample(said.samples, said.sample_rate, rate)
    return (x / np.max(np.abs(x)) * 0.9).astype(np.float32)


def cheap_mic(lead_s: float = 2.0, tail_s: float = 1.5, gain_db: float = -22.0, dc: float = 0.2,
              noise_dbfs: float = -72.0, hum_dbfs: float = -50.0, rate: int = RATE, seed: int = 1) -> np.ndarray:
    """Speech recorded quietly, with silence (room noise) at both ends, a DC offset, hiss and 30 Hz rumble."""
    rng = np.random.default_rng(seed)
    body = speech(rate) * np.float32(10 ** (gain_db / 20))
    x = np.concatenate([np.zeros(int(lead_s * rate)), body, np.zeros(int(tail_s * rate))])
    t = np.arange(x.size) / rate
    x = x + dc + 10 ** (noise_dbfs / 20) * rng.standard_normal(x.size) + 10 ** (hum_dbfs / 20) * np.sin(2 * np.pi * 30 * t)
    return x.astype(np.float32)


def tones(freqs: list[float], step_s: float, rate: int = RATE, level: float = 0.3, gap_s: float = 0.0) -> np.ndarray:
    """Consecutive sine steps, with optional silence between them."""
    parts = []
    for f in freqs:
        t = np.arange(int(step_s * rate)) / rate
        parts += [level * np.sin(2 * np.pi * f * t), np.zeros(int(gap_s * rate))]
    return np.concatenate(parts).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    """16-bit PCM WAV; `samples` (mono) is copied to every channel. Values beyond ±1 are clipped."""
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    frames = np.repeat(pcm[:, None], channels, axis=1).tobytes()
    return write_raw_wav(path, frames, rate, channels)


def write_raw_wav(path: Path, data: bytes, rate: int, channels: int, bits: int = 16) -> Path:
    """A WAV whose header says whatever it is told (rates and channel counts no recorder makes)."""
    align = max(channels, 1) * bits // 8
    header = (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
              + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * align, align, bits)
              + b"data" + struct.pack("<I", len(data)))
    Path(path).write_bytes(header + data)
    return Path(path)


def encode(src_wav: Path, out: Path, *args: str) -> Path:
    """ffmpeg src_wav → out with codec arguments (e.g. '-c:a', 'libopus' for a browser's WebM)."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(src_wav), *args, str(out)], check=True)
    return out


def browser_webm(src_wav: Path, out: Path) -> Path:
    """What Chrome's MediaRecorder uploads: WebM with Opus at 48 kHz, stereo."""
    return encode(src_wav, out, "-c:a", "libopus", "-b:a", "64k", "-ar", "48000", "-ac", "2", "-f", "webm")
