"""An emergency levelled as it airs: decode, band-limit, a streaming loudness estimate and gain, the
true-peak limiter, read by the sinks while it is being made.

`broadcast play --priority emergency NEW.mp3` must be on air within a second, and levelling a whole
3-minute file first takes longer than that. So the file is decoded by ffmpeg as a stream and worked
through block by block in a thread, far faster than real time, while the sinks read what is ready:

- the band limit of the bulletin build (broadcast.audio.mix.band_limit), run over each block with the
  samples before it as context, which makes it the same as filtering the whole file;
- the loudness of everything decoded so far (broadcast.audio.loudness.LoudnessMeter, fed block by
  block), so the first gain is chosen from the first `ESTIMATE_S` seconds and later ones from ever
  more of the file; the gain follows the estimate at most `SLEW_DB_PER_S` per second of audio, so a
  correction is a slow drift, never a jump;
- the true-peak limiter of the build (broadcast.audio.loudness.limit) over segments with its
  look-ahead either side as context, which makes it the same as limiting the whole file; what the
  limiter takes off (tried on the first seconds, then measured before and after it) is added to the
  gain, so peaky speech still lands on the target.

The result is read from memory by every sink; when the file is done, the caller keeps it as a WAV
(broadcast.playout.instant) with its measured loudness, which the manifest records (the copy is
measured as it is made, not estimated).
"""

from __future__ import annotations

import math
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from broadcast.audio import loudness
from broadcast.audio.loudness import LoudnessMeter
from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.audio.mix import band_limit

ESTIMATE_S = 3.0  # audio measured before the first gain is chosen (all of it when the file is shorter)
SLEW_DB_PER_S = 2.0  # how fast the gain may follow a changing estimate, per second of audio
CONTEXT = 4096  # samples of filter and limiter context either side (a multiple of the limiter's 16)
SEGMENT = 16384  # samples limited at a time (a multiple of 16)
READ_SAMPLES = 16384  # samples read from ffmpeg at a time


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


class LiveLevel:
    """A `PcmSource` (broadcast.playout.sinks.pcm) that levels `source` while sinks read it."""

    def __init__(self, source: Path, *, rate: int, target_lufs: float, ceiling_dbtp: float, max_gain_db: float,
                 name: str | None = None) -> None:
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
        cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(self.source), "-f", "f32le", "-acodec", "pcm_f32le",
               "-ac", "1", "-ar", str(rate), "pipe:1"]
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE)
        except OSError as exc:
            raise DecodeFailed(f"ffmpeg could not start ({exc})") from None
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
            self._level()
        except Exception as exc:  # noqa: BLE001 - a reader must never wait forever: finish with the reason
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._proc.stdout.close()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
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
        rate = self.rate
        ceiling = self.ceiling_dbtp
        meter_in, meter_src, meter_out = LoudnessMeter(rate), LoudnessMeter(rate), LoudnessMeter(rate)
        meter_pre = LoudnessMeter(rate)  # the gained audio before the limiter, over what meter_out has seen
        loss = 0.0  # LU the limiter takes off
        raw_tail = np.zeros(0, dtype=np.float32)
        waiting: list[np.ndarray] = []  # band-limited blocks not yet given a gain
        gained = np.zeros(0, dtype=np.float32)  # gained audio from `gained_at` on, not yet limited (+ context)
        gained_at = 0
        out_pos = 0
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
                both = np.concatenate([raw_tail, x])
                filtered = band_limit(both, rate)[raw_tail.size:]
                raw_tail = both[-CONTEXT:]
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
                gained = np.concatenate([gained, block * (10 ** (np.asarray(ramp, dtype=np.float32) / 20))])
            waiting.clear()
            # Limit what has its look-ahead context decoded (everything at the end).
            end_avail = gained_at + gained.size
            while out_pos < end_avail and (eof or end_avail >= out_pos + SEGMENT + CONTEXT):
                end = min(out_pos + SEGMENT, end_avail)
                w0, w1 = max(gained_at, out_pos - CONTEXT), min(end_avail, end + CONTEXT)
                limited = loudness.limit(gained[w0 - gained_at:w1 - gained_at], rate, ceiling)
                segment = limited[out_pos - w0:end - w0]
                meter_pre.add(gained[out_pos - gained_at:end - gained_at])
                meter_out.add(segment)
                self._emit(segment)
                out_pos = end
                keep_from = max(gained_at, out_pos - CONTEXT)
                gained = gained[keep_from - gained_at:]
                gained_at = keep_from
        code = self._proc.wait()
        if decoded == 0:
            detail = self._proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            self.error = detail[-1].replace(f"{self.source}: ", "") if detail else f"ffmpeg exited with {code}"
            return
        warnings = []
        if code != 0:
            warnings.append(f"{self.source.name}: ffmpeg stopped part way (exit {code}); "
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
