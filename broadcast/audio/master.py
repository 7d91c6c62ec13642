"""Mastering: the one recipe that makes audio ready to air, for bulletin builds and instant plays alike.

band-limit (80 Hz-15 kHz) → gain to the loudness target under the true-peak ceiling (limiter) →
MP3 encoded and decoded again to check its true peak (limit harder and encode again if it is over)
→ 16-bit WAV master. The limiter aims MP3_MARGIN_DB under the station's true peak, room for the
MP3's overshoot. The quick path (an emergency) is one gain and the limiter into a WAV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg, loudness
from broadcast.audio.mix import band_limit
from broadcast.digest import sha256_file

MP3_MARGIN_DB = 0.6  # limiter ceiling below the target peak, room for MP3's overshoot
MAX_ENCODE_TRIES = 3


@dataclass(frozen=True)
class MasterSpec:
    """What mastering aims at: the station's loudness, true peak and file format (settings.audio)."""

    loudness_lufs: float
    true_peak_dbtp: float
    sample_rate: int
    mp3_bitrate_kbps: int

    @classmethod
    def of(cls, audio) -> MasterSpec:
        """From the station's `audio` settings section."""
        return cls(audio.loudness_lufs, audio.true_peak_dbtp, audio.sample_rate, audio.mp3_bitrate_kbps)

    @property
    def ceiling_dbtp(self) -> float:
        """The limiter's ceiling for audio that will be encoded to MP3."""
        return self.true_peak_dbtp - MP3_MARGIN_DB


@dataclass(frozen=True)
class Mastered:
    """What mastering wrote and measured."""

    samples: int
    sample_rate: int
    lufs: float  # integrated loudness of the master; -inf: too short to measure; nan: not measured
    true_peak_dbtp: float | None  # of the decoded MP3 (None when no MP3 was written)
    mp3_sha256: str | None = None
    wav_sha256: str | None = None

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate


def master(audio: np.ndarray, spec: MasterSpec, *, mp3: Path, wav: Path | None = None,
           aim_lufs: float | None = None) -> Mastered:
    """Master `audio` (float32 mono at spec.sample_rate) into the MP3 `mp3` and the WAV `wav`.

    `aim_lufs` replaces the target (an instant play of a very quiet file is raised only so far).
    Audio too short to measure is only limited. The files are written in place: give temp paths
    (broadcast.atomic.staged) when readers may look at the final names.
    """
    sr = spec.sample_rate
    aim = spec.loudness_lufs if aim_lufs is None else aim_lufs
    levelled, lufs = loudness.gain_and_limit(band_limit(audio, sr), sr, aim, spec.ceiling_dbtp)
    if not math.isfinite(lufs):  # too short to measure: left as it was, so only limit it
        levelled = loudness.limit(levelled, sr, spec.ceiling_dbtp)
    levelled, lufs, peak = encode_within_peak(levelled, lufs, spec, mp3)
    if wav is not None:
        ffmpeg.encode_wav(levelled, sr, wav)
    return Mastered(levelled.size, sr, lufs, peak, sha256_file(mp3), sha256_file(wav) if wav is not None else None)


def master_quick(audio: np.ndarray, spec: MasterSpec, *, wav: Path, gain_db: float | None) -> Mastered:
    """The emergency path: band-limit, one gain (None: none), the limiter at the true peak, a WAV.

    No meter iterations and no MP3 encode: where the limiter works hard the result lands under the
    target (its loudness is not measured back)."""
    sr = spec.sample_rate
    filtered = band_limit(audio, sr)
    if gain_db is not None:
        filtered = filtered * np.float32(10 ** (gain_db / 20))
    levelled = loudness.limit(filtered, sr, spec.true_peak_dbtp)
    ffmpeg.encode_wav(levelled, sr, wav)
    return Mastered(levelled.size, sr, math.nan, None, None, sha256_file(wav))


def encode_within_peak(audio: np.ndarray, lufs: float, spec: MasterSpec, mp3: Path) -> tuple[np.ndarray, float, float]:
    """Encode the MP3; if decoding it shows a true peak over the target, limit harder and encode again.

    The MP3 is what airs, so its peak is the one checked. Its loudness equals the master's (the
    encoder's level change is corrected in encode_mp3), which the caller measured.
    Returns (audio, its loudness, the MP3's true peak).
    """
    sr = spec.sample_rate
    ceiling = spec.ceiling_dbtp
    peak = math.inf
    for _ in range(MAX_ENCODE_TRIES):
        ffmpeg.encode_mp3(audio, sr, spec.mp3_bitrate_kbps, mp3)
        peak = loudness.true_peak_dbtp(ffmpeg.decode(mp3, sr))
        excess = peak - spec.true_peak_dbtp
        if excess <= 0:
            break
        ceiling -= excess + 0.2
        audio = loudness.limit(audio, sr, ceiling)
        lufs = loudness.integrated_lufs(audio, sr)
    return audio, lufs, peak
