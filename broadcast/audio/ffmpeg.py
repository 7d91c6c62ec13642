"""The ffmpeg adapter: find a binary, decode any file or bytes to PCM, encode MP3 through pydub."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave
from pathlib import Path
from typing import BinaryIO

import numpy as np

from broadcast.errors import UserError


class DecodeError(Exception):
    """ffmpeg could not read the input (missing, corrupt or not audio)."""


@functools.cache
def ffmpeg_exe() -> str:
    """The system ffmpeg when present, else the one shipped in the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # noqa: BLE001 - any failure here means "no ffmpeg"
        raise UserError(f"no ffmpeg found: install Debian's ffmpeg or the imageio-ffmpeg wheel ({exc})") from None


def decode(source: Path | bytes, sample_rate: int) -> np.ndarray:
    """Decode a file path or in-memory bytes (WAV, MP3, ...) to float32 mono at `sample_rate`.

    Uses ffmpeg directly rather than pydub's from_file, which needs ffprobe (absent from the wheel).
    """
    if isinstance(source, (str, Path)):
        args, stdin = ["-i", str(source)], None
    else:
        args, stdin = ["-i", "pipe:0"], bytes(source)
    cmd = [ffmpeg_exe(), "-nostdin" if stdin is None else "-hide_banner", "-v", "error", *args,
           "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DecodeError(lines[-1] if lines else f"ffmpeg exited with {proc.returncode}")
    samples = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    if samples.size == 0:
        raise DecodeError("no audio in the input")
    return samples


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def _export_mp3(samples: np.ndarray, sample_rate: int, bitrate_kbps: int, out: Path | BinaryIO) -> None:
    from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    segment = AudioSegment(data=to_pcm16(samples), sample_width=2, frame_rate=sample_rate, channels=1)
    if isinstance(out, Path):
        with open(out, "wb") as fh:
            segment.export(fh, format="mp3", bitrate=f"{bitrate_kbps}k", parameters=["-ac", "1"])
    else:
        segment.export(out, format="mp3", bitrate=f"{bitrate_kbps}k", parameters=["-ac", "1"])


@functools.cache
def mp3_encoder_gain(sample_rate: int, bitrate_kbps: int) -> float:
    """The level change of an MP3 round trip, measured once per process.

    LAME as driven by ffmpeg scales its input by 0.95 (-0.45 dB, seen with ffmpeg 5.1 and 7.x):
    uncorrected, every bulletin would land 0.45 LU below its loudness target.
    """
    t = np.arange(sample_rate) / sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    buf = io.BytesIO()
    _export_mp3(tone, sample_rate, bitrate_kbps, buf)
    back = decode(buf.getvalue(), sample_rate)
    core = slice(sample_rate // 4, 3 * sample_rate // 4)  # away from encoder delay and padding
    return float(np.sqrt(np.mean(back[core] ** 2)) / np.sqrt(np.mean(tone[core] ** 2)))


def encode_mp3(samples: np.ndarray, sample_rate: int, bitrate_kbps: int, out: Path) -> None:
    """Encode mono PCM to a CBR MP3 file (pydub drives ffmpeg with libmp3lame), level-true."""
    _export_mp3(samples / mp3_encoder_gain(sample_rate, bitrate_kbps), sample_rate, bitrate_kbps, out)


def encode_wav(samples: np.ndarray, sample_rate: int, out: Path | BinaryIO) -> None:
    """16-bit PCM WAV master, to a path or an open binary file."""
    with wave.open(str(out) if isinstance(out, Path) else out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_pcm16(samples))
