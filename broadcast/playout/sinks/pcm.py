"""PCM for sinks: read a file as 16-bit mono samples, and stream it to a player process in paced chunks.

Streaming PCM ourselves (rather than handing the file to a player) is what lets every sink fade out
and stop within a fraction of a second: we never hand the player more than `lead_s` of audio.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import threading
import time
import wave
from pathlib import Path
from typing import Protocol

import numpy as np

from broadcast.asrun import reasons
from broadcast.audio import ffmpeg
from broadcast.playout.clock import Clock, SystemClock, sleep_until
from broadcast.playout.sinks import PlayReport, SinkError

F_SETPIPE_SZ = 1031  # Linux fcntl: shrink the pipe so little audio sits in it (fast stop)


def read_pcm(path: Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """(int16 mono samples, rate): WAV masters are read directly (no decode delay), others via ffmpeg."""
    path = Path(path)
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as w:
                if w.getsampwidth() == 2 and w.getnchannels() == 1 and sample_rate in (None, w.getframerate()):
                    return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()
        except (wave.Error, EOFError):
            pass
    rate = sample_rate or 44100
    try:
        samples = ffmpeg.decode(path, rate)
    except ffmpeg.DecodeError as exc:
        raise SinkError(f"{path}: {reasons.cannot_decode(exc)}") from None
    return (np.clip(samples, -1, 1) * 32767).astype("<i2"), rate


class PcmSource(Protocol):
    """16-bit mono PCM a sink reads from position to position: a decoded file, or audio still being
    made (an emergency levelled as it airs, broadcast.playout.live)."""

    rate: int
    name: str  # what file sinks name their output after (the original file's stem)

    def read(self, pos: int, n: int) -> np.ndarray:
        """Up to `n` samples from `pos`; fewer only at the end (waits for audio still being made)."""
        ...


class ArrayPcm:
    """A file decoded whole (WAV masters are read directly, anything else through ffmpeg)."""

    def __init__(self, samples: np.ndarray, rate: int, name: str) -> None:
        self.samples, self.rate, self.name = samples, rate, name

    def read(self, pos: int, n: int) -> np.ndarray:
        return self.samples[pos:pos + n]


def open_pcm(source: Path | PcmSource) -> PcmSource:
    """What a sink plays: a path is decoded; a PcmSource is read as it is."""
    if isinstance(source, (str, Path)):
        samples, rate = read_pcm(Path(source))
        return ArrayPcm(samples, rate, Path(source).stem)
    return source


def fade_out(samples: np.ndarray, n: int) -> np.ndarray:
    part = samples[:n].astype(np.float32)
    return (part * np.linspace(1.0, 0.0, part.size, dtype=np.float32)).astype("<i2")


class PipeSink:
    """Base for sinks that feed raw PCM to a player process's stdin (pacat, ffmpeg)."""

    label = "pipe"
    wants = "wav"
    chunk_s = 0.05
    lead_s = 0.3  # how far ahead of real time we write: bounds the stop delay (unless `cut_on_stop`)
    pipe_bytes = 8192  # the pipe to the player, shrunk so little audio sits in it
    # On a stop, kill the player (dropping what it holds) and fade out from what is being heard in a new
    # one: the buffer may then be as deep as a loaded machine needs without slowing the stop.
    cut_on_stop = False
    exit_timeout_s = 5.0

    def __init__(self, clock: Clock | None = None, fade_s: float = 0.5) -> None:
        self.clock = clock or SystemClock()
        self.fade_s = fade_s

    def command(self, sample_rate: int) -> list[str]:
        raise NotImplementedError

    def redact(self, message: str) -> str:
        """Remove secrets from a player's message before it reaches the log."""
        return message

    def play(self, source: Path | PcmSource, stop: threading.Event, start_at=None) -> PlayReport:
        pcm = open_pcm(source)
        rate = pcm.rate
        try:
            proc = subprocess.Popen(self.command(rate), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
        except OSError as exc:
            raise SinkError(f"{self.label}: {reasons.cannot_start_player(exc)}") from None
        self._shrink_pipe(proc)
        stderr_lines: list[bytes] = []
        reader = threading.Thread(target=lambda: stderr_lines.extend(proc.stderr), daemon=True)
        reader.start()

        def failure(message: str, start, pos) -> SinkError:
            proc.kill()
            proc.wait()
            reader.join(1)
            detail = b"".join(stderr_lines).decode("utf-8", "replace").strip().splitlines()
            msg = f"{self.label}: {message}" + (f": {detail[-1]}" if detail else "")
            msg = self.redact(msg)
            rep = PlayReport(self.label, start, self.clock.now() if start else None, pos / rate, pos * 2, False, msg)
            return SinkError(msg, rep)

        if start_at is not None and sleep_until(self.clock, start_at, stop):
            proc.kill()
            proc.wait()
            return PlayReport(self.label, None, None, 0.0, 0, False, getattr(stop, "reason", "") or reasons.STOPPED_BEFORE_START)
        if proc.poll() is not None:
            raise failure(reasons.player_exited(proc.returncode, None), None, 0)
        chunk = max(1, int(self.chunk_s * rate))
        start = self.clock.now()
        t0 = time.monotonic()
        pos, reason, ended = 0, "", False
        try:
            while True:
                if stop.is_set():
                    reason = getattr(stop, "reason", "") or reasons.STOPPED
                    fade_n = int(self.fade_s * rate)
                    if self.cut_on_stop and pos:
                        # What is heard now lags what was written by the depth of the buffers.
                        heard = min(pos, int((time.monotonic() - t0) * rate))
                        proc.kill()
                        proc.wait()
                        with contextlib.suppress(OSError, ValueError):
                            proc.stdin.close()
                        tail = fade_out(pcm.read(heard, fade_n), fade_n)
                        pos = heard + tail.size
                        self._play_tail(rate, tail)
                        ended = None  # the player that was killed is not judged by its exit code
                        break
                    tail = fade_out(pcm.read(pos, fade_n), fade_n)
                    proc.stdin.write(tail.tobytes())
                    pos += tail.size
                    break
                ahead = pos / rate - (time.monotonic() - t0)
                if ahead > self.lead_s:
                    stop.wait(min(ahead - self.lead_s, self.chunk_s))
                    continue
                if proc.poll() is not None:
                    raise failure(reasons.player_exited(proc.returncode, pos / rate), start, pos)
                block = pcm.read(pos, chunk)
                if block.size:
                    proc.stdin.write(block.tobytes())
                    pos += block.size
                if block.size < chunk:
                    ended = True
                    break
            if ended is None:
                return PlayReport(self.label, start, self.clock.now(), pos / rate, pos * 2, False, reason)
            proc.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            raise failure(reasons.player_stopped_taking(pos / rate), start, pos) from None
        try:
            code = proc.wait(timeout=self.exit_timeout_s + max(0.0, pos / rate - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            raise failure(reasons.PLAYER_HUNG, start, pos) from None
        if code != 0 and not reason:
            raise failure(reasons.player_exit_code(code), start, pos)
        reader.join(1)
        return PlayReport(self.label, start, self.clock.now(), pos / rate, pos * 2, not reason and ended, reason)

    def _shrink_pipe(self, proc: subprocess.Popen) -> None:
        try:
            fcntl.fcntl(proc.stdin.fileno(), F_SETPIPE_SZ, self.pipe_bytes)
        except OSError:
            pass

    def _play_tail(self, rate: int, tail: np.ndarray) -> None:
        """The fade-out in a player of its own (`cut_on_stop`); a failure here only loses the fade."""
        try:
            proc = subprocess.Popen(self.command(rate), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        except OSError:
            return
        try:
            proc.stdin.write(tail.tobytes())
            proc.stdin.close()
            proc.wait(timeout=self.exit_timeout_s + tail.size / rate)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

