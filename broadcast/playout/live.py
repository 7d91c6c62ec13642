"""An emergency levelled as it airs: decode, band-limit, a streaming loudness estimate and gain, the
true-peak limiter, read by the sinks while it is being made.

`broadcast play --priority emergency NEW.mp3` must be on air within a second, and levelling a whole
3-minute file first takes longer than that. So the file is decoded by ffmpeg as a stream and worked
through block by block in a thread, far faster than real time, while the sinks read what is ready.
Each stage is the bulletin build's own, in its streaming form, so the chain is the build's:

- the band limit (broadcast.audio.mix.BandLimiter: the filters' state carries across blocks);
- the loudness of everything decoded so far (broadcast.audio.loudness.LoudnessMeter), so the first
  gain is chosen from the first `ESTIMATE_S` seconds and later ones from ever more of the file; the
  gain follows the estimate at most `SLEW_DB_PER_S` per second of audio, so a correction is a slow
  drift, never a jump;
- the true-peak limiter (broadcast.audio.loudness.Limiter, fed block by block, `WINDOW` samples at a
  time); what it takes off (tried on the first seconds, then measured before and after it) is added
  to the gain, so peaky speech still lands on the target.

A file shorter than `ESTIMATE_S` gets one gain, and comes out sample for sample as the whole-file
chain would make it (tests/test_live.py).

ffmpeg's own start is most of the service's part of an emergency's second (Debian's ffmpeg loads
215 libraries: 80-140 ms on an idle 2-core machine, 0.6 s seen under load), so the service keeps one
started ahead (`StandbyDecoder`), waiting for a file on its standard input; a file it cannot read
from a pipe is decoded again from its path.

The result is read from memory by every sink; when the file is done, the caller keeps it as a WAV
(broadcast.playout.instant) with its measured loudness, which the manifest records (the copy is
measured as it is made, not estimated).
"""

from __future__ import annotations

import collections
import math
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from broadcast.audio import loudness
from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.audio.loudness import Limiter, LoudnessMeter
from broadcast.audio.mix import BandLimiter

ESTIMATE_S = 3.0  # audio measured before the first gain is chosen (all of it when the file is shorter)
SLEW_DB_PER_S = 2.0  # how fast the gain may follow a changing estimate, per second of audio
WINDOW = 16384  # samples the limiter works on at a time (0.37 s at 44.1 kHz)
READ_SAMPLES = 16384  # samples read from ffmpeg at a time
FEED_BYTES = 1 << 16  # bytes of the file handed to a standby decoder at a time


@dataclass
class LiveResult:
    """What the levelling did, once the whole file went through."""

    samples: np.ndarray  # the levelled audio, int16 mono
    rate: int
    before_lufs: float  # the original (decoded, mono) as measured
    before_peak: float  # its sample peak (linear)
    after_lufs: float  # the levelled audio as measured
    first_gain_db: float
    last_gain_db: float
    gain_range_db: tuple[float, float]
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.rate


class DecodeFailed(Exception):
    """ffmpeg gave no audio: not an audio file, or unreadable."""


def _decoder_cmd(rate: int, source: Path | None) -> list[str]:
    """ffmpeg decoding `source` (None: its standard input) to float32 mono at `rate` on its standard output."""
    return [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(source) if source else "pipe:0", "-f", "f32le",
            "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(rate), "pipe:1"]


class StandbyDecoder:
    """An ffmpeg started ahead of need, waiting for a file on its standard input (see the module's docstring)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._closed = False

    def warm(self) -> None:
        """Start one if none waits (the service calls this at start and after each use)."""
        with self._lock:
            if self._closed or (self._proc is not None and self._proc.poll() is None):
                return
            try:
                self._proc = subprocess.Popen(_decoder_cmd(self.rate, None), stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            except Exception:  # noqa: BLE001 - no standby: a decoder is started when needed
                self._proc = None

    def take(self) -> subprocess.Popen | None:
        """The waiting decoder (None when there is none, or it died), and a new one starts behind it."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is not None:
            proc = None
        threading.Thread(target=self.warm, name="standby decoder", daemon=True).start()
        return proc

    def close(self) -> None:
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                pipe.close()


class LiveLevel:
    """A `PcmSource` (broadcast.playout.sinks.pcm) that levels `source` while sinks read it.

    `decoder`: a `StandbyDecoder`'s waiting ffmpeg to use (None: one is started for the file)."""

    def __init__(self, source: Path, *, rate: int, target_lufs: float, ceiling_dbtp: float, max_gain_db: float,
                 name: str | None = None, decoder: subprocess.Popen | None = None) -> None:
        self.source = Path(source)
        self.rate = rate
        self.name = name or self.source.stem
        self.target_lufs = target_lufs
        self.ceiling_dbtp = ceiling_dbtp
        self.max_gain_db = max_gain_db
        self._buf = np.empty(rate * 30, dtype="<i2")
        self._size = 0
        self._cond = threading.Condition()
        self._finished = False
        self.error: str | None = None
        self.result: LiveResult | None = None
        self._piped = decoder is not None
        self._proc = decoder if decoder is not None else self._start(self.source)
        if self._piped:
            threading.Thread(target=self._feed, args=(self._proc,), name=f"feed {self.name}", daemon=True).start()
        self._stderr = self._collect_stderr(self._proc)
        self._thread = threading.Thread(target=self._run, name=f"level {self.name}", daemon=True)
        self._thread.start()

    # -- what sinks call -----------------------------------------------------------------------

    def read(self, pos: int, n: int) -> np.ndarray:
        with self._cond:
            while self._size < pos + n and not self._finished:
                self._cond.wait(0.5)
            return self._buf[pos:min(pos + n, self._size)].copy()

    # -- what the caller calls -----------------------------------------------------------------

    def wait_started(self, timeout: float = 10.0) -> None:
        """Return once the first audio is ready; DecodeFailed if the file gives none."""
        with self._cond:
            self._cond.wait_for(lambda: self._size > 0 or self._finished, timeout)
            if self._size == 0 and self._finished:
                raise DecodeFailed(self.error or "no audio in it")

    def join(self, timeout: float | None = None) -> LiveResult | None:
        """Wait for the whole file; its result (None if it gave no audio)."""
        self._thread.join(timeout)
        return self.result

    @property
    def finished(self) -> bool:
        return self._finished

    # -- the decoder -----------------------------------------------------------------------------

    def _start(self, source: Path) -> subprocess.Popen:
        try:
            return subprocess.Popen(_decoder_cmd(self.rate, source), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise DecodeFailed(f"ffmpeg could not start ({exc})") from None

    def _feed(self, proc: subprocess.Popen) -> None:
        """The file into a standby decoder's standard input (it stops reading when it gives up)."""
        try:
            with open(self.source, "rb") as f:
                while block := f.read(FEED_BYTES):
                    proc.stdin.write(block)
        except (OSError, ValueError):
            pass  # unreadable, or the decoder gave up on it: its exit and messages say why
        finally:
            try:
                proc.stdin.close()
            except (OSError, ValueError):
                pass

    @staticmethod
    def _collect_stderr(proc: subprocess.Popen) -> collections.deque:
        """ffmpeg's last messages, read as they come (a damaged file can say more than a pipe holds)."""
        lines: collections.deque = collections.deque(maxlen=20)
        threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
        return lines

    def _ended(self, proc: subprocess.Popen) -> int:
        proc.stdout.close()
        try:
            return proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()

    def _ffmpeg_said(self, code: int) -> str:
        detail = b"".join(self._stderr).decode("utf-8", "replace").strip().splitlines()
        return (detail[-1].replace(f"{self.source}: ", "").replace("pipe:0: ", "") if detail
                else f"ffmpeg exited with {code}")

    # -- the work --------------------------------------------------------------------------------

    def _emit(self, samples: np.ndarray) -> None:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
        with self._cond:
            if self._size + pcm.size > self._buf.size:
                bigger = np.empty(max(self._buf.size * 2, self._size + pcm.size), dtype="<i2")
                bigger[:self._size] = self._buf[:self._size]
                self._buf = bigger
            self._buf[self._size:self._size + pcm.size] = pcm
            self._size += pcm.size
            self._cond.notify_all()

    def _run(self) -> None:
        try:
            try:
                self._level()
            except DecodeFailed:
                if not self._piped:
                    raise
                # What a pipe cannot give (a container that must be read out of order): the file itself.
                self._piped = False
                self._proc = self._start(self.source)
                self._stderr = self._collect_stderr(self._proc)
                self._level()
        except DecodeFailed as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a reader must never wait forever: finish with the reason
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            if self._proc.returncode is None:
                self._ended(self._proc)
            with self._cond:
                self._finished = True
                self._cond.notify_all()

    def _gain_towards(self, current: float | None, meter: LoudnessMeter, seconds: float, loss: float) -> float:
        estimate = self.target_lufs - meter.lufs
        if not math.isfinite(estimate):
            return current if current is not None else 0.0  # nothing measurable yet: do not raise noise
        estimate = min(estimate, self.max_gain_db) + loss
        if current is None:
            return estimate
        step = SLEW_DB_PER_S * seconds
        return current + max(-step, min(step, estimate - current))

    def _limiter_loss(self, filtered: np.ndarray, gain_db: float) -> float:
        """LU the limiter takes off `filtered` at `gain_db` (0 when not measurable)."""
        gained = filtered * np.float32(10 ** (gain_db / 20))
        before, after = LoudnessMeter(self.rate), LoudnessMeter(self.rate)
        before.add(gained)
        after.add(loudness.limit(gained, self.rate, self.ceiling_dbtp))
        loss = before.lufs - after.lufs
        return loss if math.isfinite(loss) else 0.0

    def _level(self) -> None:
        """Decode, level and emit the whole file; DecodeFailed when ffmpeg gives no audio at all."""
        rate = self.rate
        band = BandLimiter(rate)
        limiter = Limiter(rate, self.ceiling_dbtp, window=WINDOW)
        meter_in, meter_src, meter_out = LoudnessMeter(rate), LoudnessMeter(rate), LoudnessMeter(rate)
        meter_pre = LoudnessMeter(rate)  # the gained audio before the limiter, over what meter_out has seen
        loss = 0.0  # LU the limiter takes off
        waiting: list[np.ndarray] = []  # band-limited blocks not yet given a gain
        pre = np.zeros(0, dtype=np.float32)  # gained audio in the limiter, not yet out of it
        decoded = 0
        peak = 0.0
        gain: float | None = None
        gains: list[float] = []
        eof = False
        while not eof:
            data = self._proc.stdout.read(READ_SAMPLES * 4)
            x = np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").astype(np.float32)
            eof = len(data) < READ_SAMPLES * 4
            if x.size:
                filtered = band.filter(x)
                meter_in.add(filtered)
                meter_src.add(x)
                peak = max(peak, float(np.max(np.abs(x))))
                waiting.append(filtered)
                decoded += x.size
            if gain is None and not (decoded >= ESTIMATE_S * rate or eof):
                continue
            if gain is None and waiting:
                # What the limiter will take off at the first gain, tried on the audio already decoded, so
                # the start is on target too (the build iterates against the meter; one step does here).
                loss = self._limiter_loss(np.concatenate(waiting), self._gain_towards(None, meter_in, 0.0, 0.0))
            elif meter_out.samples >= rate * 3:
                measured = meter_pre.lufs - meter_out.lufs
                loss = measured if math.isfinite(measured) else loss
            for block in waiting:
                previous = gain
                gain = self._gain_towards(gain, meter_in, block.size / rate, loss)
                gains.append(gain)
                start = gain if previous is None else previous
                ramp = np.linspace(start, gain, block.size, endpoint=False, dtype=np.float32) if start != gain else gain
                gained = block * (10 ** (np.asarray(ramp, dtype=np.float32) / 20))
                pre = np.concatenate([pre, gained])
                out = limiter.push(gained)
                self._out(out, pre[:out.size], meter_pre, meter_out)
                pre = pre[out.size:]
            waiting.clear()
        code = self._ended(self._proc)
        if decoded == 0:
            raise DecodeFailed(self._ffmpeg_said(code))
        out = limiter.flush()
        self._out(out, pre, meter_pre, meter_out)
        warnings = []
        if code != 0:
            warnings.append(f"{self.source.name}: ffmpeg stopped part way (exit {code}: {self._ffmpeg_said(code)}); "
                            f"{decoded / rate:.1f} s of audio aired")
        before = meter_src.lufs
        if math.isfinite(before) and self.target_lufs - before > self.max_gain_db:
            warnings.append(f"{self.source.name}: very quiet ({before:.1f} LUFS): raised by {self.max_gain_db:g} dB "
                            f"only, so it airs at about {before + self.max_gain_db:.1f} LUFS, below the station's "
                            f"{self.target_lufs:g} LUFS")
        if not math.isfinite(meter_in.lufs):
            warnings.append(f"{self.source.name}: no measurable sound in it (silent or too short): aired as it is, "
                            f"only limited to {self.ceiling_dbtp:g} dBTP")
        with self._cond:
            samples = self._buf[:self._size]
        self.result = LiveResult(samples, rate, before, peak, meter_out.lufs, gains[0], gains[-1],
                                 (min(gains), max(gains)), warnings)

    def _out(self, limited: np.ndarray, gained: np.ndarray, meter_pre: LoudnessMeter, meter_out: LoudnessMeter) -> None:
        """Limited audio out to the sinks, and both sides of the limiter measured over it."""
        if limited.size:
            meter_pre.add(gained)
            meter_out.add(limited)
            self._emit(limited)
