"""Loudness (ITU-R BS.1770), true peak, and a look-ahead limiter: all of them streaming.

Each works on blocks of audio in order, keeping only a few thousand samples of state, so a programme
of any length is measured and limited without whole-programme copies (a 30-minute programme is
80 million samples: one float64 copy is 635 MB). The array functions (`integrated_lufs`,
`true_peak_dbtp`, `limit`) are the same code fed one block.

The meter is pyloudnorm's (its K-weighting filters and gating, which the tests compare against)
made incremental: pyloudnorm wants the whole signal, and copies it to float64 twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import sosfilt

MIN_MEASURABLE_S = 0.4  # one 400 ms gating block
BLOCK = 1 << 16  # samples per processing block (1.5 s at 44.1 kHz)


@dataclass(frozen=True)
class Measurement:
    lufs: float
    true_peak_dbtp: float
    duration_s: float


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf


def blocks(samples: np.ndarray, size: int = BLOCK) -> Iterator[np.ndarray]:
    """Views of `samples`, `size` at a time (no copies)."""
    for start in range(0, samples.size, size):
        yield samples[start:start + size]


# ---------------------------------------------------------------- loudness


class LoudnessMeter:
    """BS.1770 integrated loudness, fed block by block (mono).

    Mean squares of the K-weighted signal are kept per 100 ms hop; a 400 ms gating block is four
    hops (75 % overlap), gated at -70 LUFS and then 10 LU under the ungated mean, as pyloudnorm does.
    """

    def __init__(self, sample_rate: int):
        stages = pyloudnorm.Meter(sample_rate)._filters.values()  # K-weighting: high shelf, then high pass
        self._sos = np.array([[*f.b, *f.a] for f in stages], dtype=np.float64)
        self._gain = float(np.prod([f.passband_gain for f in stages]))
        self._zi = np.zeros((len(self._sos), 2))
        self.sample_rate = sample_rate
        self.hop = int(round(0.1 * sample_rate))
        self._hops: list[float] = []  # sum of squares per completed hop
        self._acc = 0.0  # the hop being filled
        self._fill = 0
        self.samples = 0

    def add(self, block: np.ndarray) -> None:
        if block.size == 0:
            return
        weighted, self._zi = sosfilt(self._sos, block, zi=self._zi)
        sq = np.square(weighted * self._gain)
        i = min(self.hop - self._fill, sq.size)
        self._acc += float(sq[:i].sum())
        self._fill += i
        if self._fill == self.hop:
            self._hops.append(self._acc)
            self._acc, self._fill = 0.0, 0
        whole = (sq.size - i) // self.hop
        if whole:
            self._hops.extend(sq[i:i + whole * self.hop].reshape(whole, self.hop).sum(axis=1).tolist())
            i += whole * self.hop
        self._acc += float(sq[i:].sum())
        self._fill += sq.size - i
        self.samples += block.size

    @property
    def lufs(self) -> float:
        """Integrated loudness of everything added; -inf when shorter than one gating block or silent."""
        if self.samples < MIN_MEASURABLE_S * self.sample_rate:
            return -math.inf
        n_blocks = int(np.round((self.samples / self.sample_rate - 0.4) / 0.1)) + 1
        hops = np.zeros(n_blocks + 3)
        done = np.array(self._hops + [self._acc])[: hops.size]
        hops[: done.size] = done
        z = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self.hop)
        with np.errstate(divide="ignore"):
            level = -0.691 + 10 * np.log10(z)
        gated = z[level >= -70.0]
        if gated.size == 0:
            return -math.inf
        relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
        kept = z[(level > relative) & (level > -70.0)]
        return -0.691 + 10 * math.log10(kept.mean()) if kept.size and kept.mean() > 0 else -math.inf


def integrated_lufs(samples: np.ndarray, sample_rate: int) -> float:
    meter = LoudnessMeter(sample_rate)
    for block in blocks(samples):
        meter.add(block)
    return meter.lufs


# ---------------------------------------------------------------- true peak

# 4x oversampling as BS.1770 asks, evaluated only near loud samples: an inter-sample peak can
# exceed its neighbouring samples by a few dB at most, so samples more than _NEAR_DB below the
# level of interest cannot produce one. This keeps a 3-minute programme at tens of milliseconds.
_TAPS = np.arange(-11, 13)  # 24-tap windowed-sinc interpolator per phase
_BEFORE, _AFTER = 11, 12  # samples of context each side of a sample
_PHASES = np.array([0.25, 0.5, 0.75])
_KERNEL = (np.sinc(_PHASES[None, :] - _TAPS[:, None]) * np.kaiser(_TAPS.size, 6.0)[:, None]).astype(np.float32)
_KERNEL /= _KERNEL.sum(axis=0, keepdims=True)
_NEAR_DB = 6.0


def _oversampled_abs(samples: np.ndarray, level: float | None = None, context: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Per-sample peak of |x| over the sample and the 3 interpolated points after it.

    Only samples within _NEAR_DB of `level` (default: the sample peak) are interpolated; the rest
    keep |x|, which is exact for judging anything at or above `level`. `context` says how many
    samples at each end of `samples` are only there as neighbours (zeros are assumed beyond).
    Returns the peaks of the samples between the context.
    """
    before, after = context
    core = slice(before, samples.size - after)
    peaks = np.abs(samples[core]).astype(np.float32)
    if peaks.size == 0:
        return peaks
    top = float(peaks.max()) if level is None else level
    threshold = top * 10 ** (-_NEAR_DB / 20)
    loud = np.abs(samples[before:samples.size - after + 1]) >= threshold  # a sample, or the one after it
    idx = np.flatnonzero(loud[:-1] | loud[1:] if loud.size > peaks.size else loud)
    pad = np.pad(samples.astype(np.float32, copy=False), (_BEFORE - before, _AFTER - after))
    for chunk in np.array_split(idx, max(1, idx.size // 100_000)):
        if chunk.size == 0:
            continue
        windows = pad[chunk[:, None] + _BEFORE + _TAPS[None, :]]
        between = np.abs(windows @ _KERNEL).max(axis=1)
        peaks[chunk] = np.maximum(peaks[chunk], between)
    return peaks


class TruePeakMeter:
    """BS.1770 true peak (4x oversampled sample peak), fed block by block."""

    def __init__(self) -> None:
        self._tail = np.zeros(0, dtype=np.float32)  # the last samples, not yet judged (they need neighbours)
        self._before = 0
        self.peak = 0.0

    def add(self, block: np.ndarray) -> None:
        joined = np.concatenate([self._tail, block.astype(np.float32, copy=False)])
        if joined.size - self._before <= _AFTER:
            self._tail = joined
            return
        peaks = _oversampled_abs(joined, context=(self._before, _AFTER))
        self.peak = max(self.peak, float(peaks.max(initial=0.0)))
        self._tail = joined[-(_BEFORE + _AFTER):]
        self._before = self._tail.size - _AFTER

    @property
    def dbtp(self) -> float:
        if self._tail.size > self._before:  # the last samples, with silence after them
            peaks = _oversampled_abs(self._tail, context=(self._before, 0))
            return _db(max(self.peak, float(peaks.max(initial=0.0))))
        return _db(self.peak)


def true_peak_dbtp(samples: np.ndarray) -> float:
    """BS.1770 true peak: the sample peak of a 4x oversampled signal."""
    if samples.size == 0:
        return -math.inf
    meter = TruePeakMeter()
    for block in blocks(samples):
        meter.add(block)
    return meter.dbtp


def measure(samples: np.ndarray, sample_rate: int) -> Measurement:
    return Measurement(integrated_lufs(samples, sample_rate), true_peak_dbtp(samples), samples.size / sample_rate)


# ---------------------------------------------------------------- limiter

_STEP = 16  # the limiter's gain is computed per 16 samples (0.36 ms at 44.1 kHz): 16x less work


class Limiter:
    """Look-ahead peak limiter, vectorised per window and streamed with overlapping windows.

    The gain each step of samples needs is min-filtered over +-hold (look-ahead and hold in one),
    then smoothed by a moving average narrower than the hold, so the smoothed gain never exceeds
    what any sample in reach needs: no overshoot, and no clicks from instant gain changes. Linear
    interpolation back to samples stays below the need because every step value is already the
    minimum of its neighbours.

    Windows overlap by more than a sample's reach (hold + attack + one step, plus the interpolator's
    taps), so the output is the same as limiting the whole signal at once.
    """

    def __init__(self, sample_rate: int, ceiling_dbtp: float, attack_s: float = 0.003, hold_s: float = 0.02,
                 window: int = BLOCK):
        self.ceiling = 10 ** (ceiling_dbtp / 20)
        self.hold = max(2, int(hold_s * sample_rate / _STEP))
        self.attack = max(1, min(self.hold - 1, int(attack_s * sample_rate / _STEP)))
        reach = (self.hold + self.attack + 2) * _STEP + _AFTER
        self.margin = -(-reach // _STEP) * _STEP
        self.window = max(window // _STEP, 1) * _STEP
        self._buf = np.zeros(0, dtype=np.float32)  # from `_start` (global sample index) on
        self._start = 0
        self._emitted = 0  # global index of the next sample to emit

    def push(self, block: np.ndarray) -> np.ndarray:
        """Add `block`; returns the limited samples that are ready (they lag the input by a margin)."""
        self._buf = np.concatenate([self._buf, block.astype(np.float32, copy=False)])
        out = []
        while self._start + self._buf.size - self._emitted >= self.window + self.margin:
            out.append(self._emit(self.window, final=False))
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def flush(self) -> np.ndarray:
        """The rest: the signal ends here."""
        rest = self._start + self._buf.size - self._emitted
        return self._emit(rest, final=True) if rest else np.zeros(0, dtype=np.float32)

    def _emit(self, count: int, final: bool) -> np.ndarray:
        lo = self._emitted - self._start  # where the samples to emit start in the buffer
        hi = self._buf.size if final else lo + count + self.margin
        window = self._buf[:hi]
        gain = _gain_curve(window, self.ceiling, self.hold, self.attack, context=0 if final else self.margin)
        out = window[lo:lo + count] * gain[lo:lo + count] if gain is not None else window[lo:lo + count].copy()
        self._emitted += count
        drop = max(0, self._emitted - self.margin - self._start)
        drop -= drop % _STEP  # windows start on a step boundary of the whole signal
        self._buf = self._buf[drop:]
        self._start += drop
        return out


def _gain_curve(window: np.ndarray, ceiling: float, hold: int, attack: int, context: int) -> np.ndarray | None:
    """Per-sample gain for `window` (None: nothing reaches the ceiling); the last `context` samples
    are only neighbours."""
    peaks = _oversampled_abs(window, level=ceiling, context=(0, min(context, _AFTER)))
    if float(peaks.max(initial=0.0)) <= ceiling:
        return None
    n = peaks.size
    steps = -(-n // _STEP)
    padded = np.pad(peaks, (0, steps * _STEP - n), constant_values=0.0)
    need = np.minimum(1.0, ceiling / np.maximum(padded.reshape(steps, _STEP).max(axis=1), 1e-12))
    gain = minimum_filter1d(need, size=2 * hold + 1, mode="nearest")
    gain = uniform_filter1d(gain, size=2 * attack + 1, mode="nearest")
    # Ramp linearly from each step's value to the next's across the step.
    nxt = np.append(gain[1:], gain[-1])
    ramp = np.arange(_STEP, dtype=np.float32) / _STEP
    per_sample = (gain[:, None] + (nxt - gain)[:, None] * ramp[None, :]).astype(np.float32).ravel()[:n]
    return np.pad(per_sample, (0, window.size - n), constant_values=1.0)


def limit(samples: np.ndarray, sample_rate: int, ceiling_dbtp: float,
          attack_s: float = 0.003, hold_s: float = 0.02) -> np.ndarray:
    """The limiter over a whole array (a new array; `samples` is left as it was)."""
    limiter = Limiter(sample_rate, ceiling_dbtp, attack_s, hold_s)
    out = [limiter.push(block) for block in blocks(samples)] + [limiter.flush()]
    return np.concatenate(out).astype(np.float32, copy=False)


# ---------------------------------------------------------------- reaching a loudness target


def gain_to(samples: np.ndarray, sample_rate: int, target_lufs: float) -> np.ndarray:
    """Plain gain to a loudness target (no limiting); parts too short to measure are left alone."""
    lufs = integrated_lufs(samples, sample_rate)
    if not math.isfinite(lufs):
        return samples
    return (samples * 10 ** ((target_lufs - lufs) / 20)).astype(np.float32)


def limited_blocks(source: Iterable[np.ndarray], sample_rate: int, gain_db: float, ceiling_dbtp: float) -> Iterator[np.ndarray]:
    """`source`'s blocks with a gain then the limiter (blocks of the output, in order)."""
    limiter = Limiter(sample_rate, ceiling_dbtp)
    gain = np.float32(10 ** (gain_db / 20))
    for block in source:
        out = limiter.push(block * gain)
        if out.size:
            yield out
    out = limiter.flush()
    if out.size:
        yield out


def find_gain(samples: np.ndarray, sample_rate: int, target_lufs: float, ceiling_dbtp: float,
              tolerance_lu: float = 0.25, rounds: int = 6) -> tuple[float, float]:
    """The gain (dB) that, with the limiter after it, brings `samples` to `target_lufs`, and the
    loudness it gives: (gain_db, lufs). lufs is -inf when the audio is too short or silent.

    Limiting lowers loudness by an amount that depends on the gain, so the gain is corrected by
    the remaining error and the limiter re-applied to the original (never to already limited
    audio). The first correction assumes 1 LU per dB; later ones use the slope measured between
    the last two limited results (secant steps). Two or three meter readings usually suffice.
    Each reading is one streaming pass: nothing of the size of `samples` is allocated.
    """
    lufs = integrated_lufs(samples, sample_rate)
    if not math.isfinite(lufs):
        return 0.0, lufs
    gain_db = target_lufs - lufs
    previous: tuple[float, float] | None = None
    for _ in range(rounds):
        meter = LoudnessMeter(sample_rate)
        for out in limited_blocks(blocks(samples), sample_rate, gain_db, ceiling_dbtp):
            meter.add(out)
        lufs = meter.lufs
        if abs(lufs - target_lufs) <= tolerance_lu:
            break
        slope = 1.0
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.05, (lufs - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, lufs)
        gain_db += (target_lufs - lufs) / slope
    return gain_db, lufs


def gain_and_limit(samples: np.ndarray, sample_rate: int, target_lufs: float, ceiling_dbtp: float,
                   tolerance_lu: float = 0.25, rounds: int = 6) -> tuple[np.ndarray, float]:
    """`find_gain`, applied: the audio at the target under the ceiling, and its measured loudness.

    Audio too short to measure comes back as it was (with -inf)."""
    gain_db, lufs = find_gain(samples, sample_rate, target_lufs, ceiling_dbtp, tolerance_lu, rounds)
    if not math.isfinite(lufs):
        return samples.astype(np.float32, copy=False), lufs
    return np.concatenate(list(limited_blocks(blocks(samples), sample_rate, gain_db, ceiling_dbtp))), lufs
