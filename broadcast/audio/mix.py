"""The programme mix: jingle in, speech with pauses, jingle out; short fades; the pauses between parts."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.signal import butter, sosfilt

from broadcast.audio import loudness

FADE_SPEECH_S = 0.01  # removes clicks at cut points without touching the words
FADE_JINGLE_OUT_S = 0.15
JINGLE_BELOW_SPEECH_LU = 2.0  # the jingle frames the speech; it should not shout over it
TITLE_PAUSE_S = 0.7  # after an item's title
PARAGRAPH_PAUSE_S = 0.5  # between paragraphs of one item


@dataclass(frozen=True)
class Part:
    kind: str  # "jingle", "speech" or "pause"
    samples: np.ndarray | None  # None: read from `load` when mixed (kept on disk meanwhile)
    source: str = ""  # who made it (engine/voice): parts from different sources are levelled apart
    load: Callable[[], np.ndarray] | None = None
    size: int = 0  # the samples' count when they are not held

    @property
    def length(self) -> int:
        return self.samples.size if self.samples is not None else self.size

    def audio(self) -> np.ndarray:
        return self.samples if self.samples is not None else self.load()


def pause(seconds: float, sample_rate: int) -> Part:
    return Part("pause", np.zeros(int(round(seconds * sample_rate)), dtype=np.float32))


def fade(samples: np.ndarray, sample_rate: int, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    out = samples.astype(np.float32, copy=True)
    n_in = min(out.size, int(fade_in_s * sample_rate))
    n_out = min(out.size, int(fade_out_s * sample_rate))
    if n_in:
        out[:n_in] *= np.linspace(0.0, 1.0, n_in, dtype=np.float32)
    if n_out:
        out[-n_out:] *= np.linspace(1.0, 0.0, n_out, dtype=np.float32)
    return out


def mix(parts: list[Part], sample_rate: int, target_lufs: float) -> np.ndarray:
    """Level the parts (jingles a little below speech) and lay them end to end, ready for mastering.

    When speech comes from several engines or voices, each speech part is first levelled to the
    target so items sound equally loud; speech from one source keeps its natural dynamics (and
    the build saves a meter pass). Mastering (broadcast.audio.master) then brings the whole
    programme to the target and under the true-peak ceiling.

    `parts` is emptied as the programme is laid out, so a long programme is held once, not twice.
    """
    mixed_sources = len({p.source for p in parts if p.kind == "speech"}) > 1
    speech_lufs = target_lufs
    if not mixed_sources:
        meter = loudness.LoudnessMeter(sample_rate)  # the speech as if joined, without joining it
        for p in parts:
            if p.kind == "speech":
                for block in loudness.blocks(p.audio()):
                    meter.add(block)
        speech_lufs = meter.lufs if meter.samples else target_lufs
    out = np.empty(sum(p.length for p in parts), dtype=np.float32)
    at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        samples = part.audio()
        if part.kind == "pause":
            x = samples
        elif part.kind == "jingle":
            # Relative to the speech as it is now, so the final gain keeps the jingle below it.
            level = (speech_lufs if np.isfinite(speech_lufs) else target_lufs) - JINGLE_BELOW_SPEECH_LU
            x = fade(loudness.gain_to(samples, sample_rate, level), sample_rate, 0.0, FADE_JINGLE_OUT_S)
        else:
            x = loudness.gain_to(samples, sample_rate, target_lufs) if mixed_sources else samples
            x = fade(x, sample_rate, FADE_SPEECH_S, FADE_SPEECH_S)
        out[at:at + x.size] = x
        at += x.size
        del part, samples, x
    return out


def band_limit(samples: np.ndarray, sample_rate: int, *, in_place: bool = False) -> np.ndarray:
    """80 Hz - 15 kHz: horns reproduce nothing below, and MP3 at 128 kbps drops what is above,
    which would lower the loudness measured after encoding (about 0.4 LU on eSpeak).

    Filtered block by block; `in_place` overwrites `samples` (float32) instead of making a copy."""
    band = BandLimiter(sample_rate)
    out = samples if in_place else np.empty(samples.size, dtype=np.float32)
    for start in range(0, samples.size, loudness.BLOCK):
        block = band.filter(samples[start:start + loudness.BLOCK])
        out[start:start + block.size] = block
    return out


class BandLimiter:
    """`band_limit` for a signal that arrives in blocks (an emergency decoded as it airs): the filters'
    state carries from block to block, so the result is the same as filtering the whole signal."""

    def __init__(self, sample_rate: int) -> None:
        self._sos = _band_filter(sample_rate)
        self._zi = np.zeros((self._sos.shape[0], 2))

    def filter(self, block: np.ndarray) -> np.ndarray:
        out, self._zi = sosfilt(self._sos, block, zi=self._zi)
        return out.astype(np.float32, copy=False)


@functools.cache
def _band_filter(sample_rate: int) -> np.ndarray:
    high = butter(2, 80, btype="highpass", fs=sample_rate, output="sos")
    low = butter(8, 15000, btype="lowpass", fs=sample_rate, output="sos")
    return np.vstack([high, low])
