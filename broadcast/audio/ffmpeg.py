"""The ffmpeg adapter: find a binary, decode any file or bytes to PCM, encode MP3 and WAV as streams."""

from __future__ import annotations

import errno
import functools
import os
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from broadcast.errors import UserError

_READ_BLOCK = 1 << 16  # samples per block when a decode is streamed


class DecodeError(Exception):
    """ffmpeg could not read the input (missing, corrupt or not audio)."""


class EncodeError(Exception):
    """ffmpeg could not encode (a bug, or a broken ffmpeg: a full disk is an OSError instead)."""


@functools.cache
def ffmpeg_exe() -> str:
    """The system ffmpeg when present, else the one shipped in the imageio-ffmpeg wheel."""
    import shutil

    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # noqa: BLE001 - any failure here means "no ffmpeg"
        raise UserError(f"no ffmpeg found: install Debian's ffmpeg or the imageio-ffmpeg wheel ({exc})") from None


def _decode_cmd(source: Path | bytes, sample_rate: int) -> tuple[list[str], bytes | None]:
    if isinstance(source, (str, Path)):
        args, stdin = ["-i", str(source)], None
    else:
        args, stdin = ["-i", "pipe:0"], bytes(source)
    cmd = [ffmpeg_exe(), "-nostdin" if stdin is None else "-hide_banner", "-v", "error", *args,
           "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    return cmd, stdin


def _last_line(stderr: bytes, code: int) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"ffmpeg exited with {code}"


def decode(source: Path | bytes, sample_rate: int) -> np.ndarray:
    """Decode a file path or in-memory bytes (WAV, MP3, ...) to float32 mono at `sample_rate`.

    Uses ffmpeg directly rather than pydub's from_file, which needs ffprobe (absent from the wheel).
    """
    cmd, stdin = _decode_cmd(source, sample_rate)
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        raise DecodeError(_last_line(proc.stderr, proc.returncode))
    samples = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    if samples.size == 0:
        raise DecodeError("no audio in the input")
    return samples


def decode_blocks(path: Path, sample_rate: int, block: int = _READ_BLOCK) -> Iterator[np.ndarray]:
    """Decode a file block by block (float32 mono), for measuring long files in little memory."""
    cmd, _ = _decode_cmd(Path(path), sample_rate)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, preexec_fn=_yield_cpu)
        try:
            while chunk := proc.stdout.read(block * 4):
                yield np.frombuffer(chunk[: len(chunk) // 4 * 4], dtype="<f4")
        finally:
            proc.stdout.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            raise DecodeError(_last_line(errors.read(), code))


ENCODER_NICENESS = 10


def _yield_cpu() -> None:
    """In the encoder's process: the encoder runs beside the build's own work, so on a busy machine it
    gives way to what is on air (playout paces the sound card itself and must not wait for a build)."""
    os.nice(ENCODER_NICENESS)


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def _mp3_cmd(sample_rate: int, bitrate_kbps: int, out: str) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostats", "-v", "error", "-y", "-f", "s16le", "-ar", str(sample_rate),
            "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-ac", "1", "-f", "mp3", out]


@functools.cache
def mp3_encoder_gain(sample_rate: int, bitrate_kbps: int) -> float:
    """The level change of an MP3 round trip, measured once per process.

    LAME as driven by ffmpeg scales its input by 0.95 (-0.45 dB, seen with ffmpeg 5.1 and 7.x):
    uncorrected, every bulletin would land 0.45 LU below its loudness target.
    """
    t = np.arange(sample_rate) / sample_rate
    tone = (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    proc = subprocess.run(_mp3_cmd(sample_rate, bitrate_kbps, "pipe:1"), input=to_pcm16(tone),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise EncodeError(f"MP3 encoder: {_last_line(proc.stderr, proc.returncode)}")
    back = decode(proc.stdout, sample_rate)
    core = slice(sample_rate // 4, 3 * sample_rate // 4)  # away from encoder delay and padding
    return float(np.sqrt(np.mean(back[core] ** 2)) / np.sqrt(np.mean(tone[core] ** 2)))


class Mp3Writer:
    """A CBR MP3 file written block by block (ffmpeg with libmp3lame on a pipe), level-true.

    Use as a context manager; a full disk surfaces as OSError(ENOSPC) when it closes."""

    def __init__(self, out: Path, sample_rate: int, bitrate_kbps: int):
        self.out = Path(out)
        self._gain = np.float32(1.0 / mp3_encoder_gain(sample_rate, bitrate_kbps))
        self._errors = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(_mp3_cmd(sample_rate, bitrate_kbps, str(self.out)), stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, stderr=self._errors, preexec_fn=_yield_cpu)

    def write(self, samples: np.ndarray) -> None:
        try:
            self._proc.stdin.write(to_pcm16(samples * self._gain))
        except BrokenPipeError:
            pass  # ffmpeg stopped: close() says why

    def close(self) -> None:
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        code = self._proc.wait()
        self._errors.seek(0)
        message = self._errors.read().decode("utf-8", "replace")
        self._errors.close()
        if code != 0:
            if "No space left on device" in message:
                raise OSError(errno.ENOSPC, "No space left on device", str(self.out))
            raise EncodeError(f"MP3 encoder: {_last_line(message.encode(), code)}")

    def abort(self) -> None:
        self._proc.kill()
        self._proc.wait()
        self._errors.close()

    def __enter__(self) -> Mp3Writer:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class WavWriter:
    """A 16-bit mono PCM WAV written block by block, to a path or an open binary file."""

    def __init__(self, out: Path | BinaryIO, sample_rate: int):
        self._wav = wave.open(str(out) if isinstance(out, Path) else out, "wb")
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(sample_rate)

    def write(self, samples: np.ndarray) -> None:
        self._wav.writeframesraw(to_pcm16(samples))

    def close(self) -> None:
        self._wav.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close()


def encode_mp3(samples: np.ndarray, sample_rate: int, bitrate_kbps: int, out: Path) -> None:
    """Encode mono PCM to a CBR MP3 file, level-true."""
    with Mp3Writer(out, sample_rate, bitrate_kbps) as mp3:
        for start in range(0, samples.size, _READ_BLOCK):
            mp3.write(samples[start:start + _READ_BLOCK])


def encode_wav(samples: np.ndarray, sample_rate: int, out: Path | BinaryIO) -> None:
    """16-bit PCM WAV master, to a path or an open binary file."""
    with WavWriter(out, sample_rate) as wav:
        for start in range(0, samples.size, _READ_BLOCK):
            wav.write(samples[start:start + _READ_BLOCK])
