"""Mastering: the one recipe that makes audio ready to air, for bulletin builds and instant plays alike.

band-limit (80 Hz-15 kHz) → gain to the loudness target under the true-peak ceiling (limiter) →
MP3 encoded, then decoded again to check its true peak (limit harder and encode again if it is
over) → 16-bit WAV master. The limiter aims MP3_MARGIN_DB under the station's true peak, room for
the MP3's overshoot. The quick path (an emergency) is one gain and the limiter into a WAV.

Everything after the band limit streams in blocks (broadcast.audio.loudness): the audio is held
once, as the caller's float32 array, however long the programme.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from broadcast.audio import ffmpeg, loudness
from broadcast.audio.mix import band_limit
from broadcast.digest import sha256_file

MP3_MARGIN_DB = 0.6  # limiter ceiling below the target peak, room for MP3's overshoot
MAX_ENCODE_TRIES = 3


class Tap(Protocol):
    """Someone listening while a programme is mastered (the console's "Nghe thử"): `begin` once the gain is
    found, with the length to come; every mastered block in order; `end` when the last one is out. The
    blocks are the ones the WAV master gets (the first encoding attempt), before the MP3 is checked."""

    def begin(self, samples: int, sample_rate: int) -> None: ...

    def write(self, block: np.ndarray) -> None: ...

    def end(self) -> None: ...


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


def _writable(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.dtype != np.float32 or not audio.flags.writeable or not audio.flags.c_contiguous:
        audio = np.array(audio, dtype=np.float32)
    return audio


def master(audio: np.ndarray, spec: MasterSpec, *, mp3: Path, wav: Path | None = None,
           aim_lufs: float | None = None, tap: Tap | None = None) -> Mastered:
    """Master `audio` (float32 mono at spec.sample_rate) into the MP3 `mp3` and the WAV `wav`.

    `audio` is band-limited in place (a long programme is held once); `aim_lufs` replaces the
    target (an instant play of a very quiet file is raised only so far). Audio too short to measure
    is only limited. The files are written in place: give temp paths (broadcast.atomic.staged) when
    readers may look at the final names. A `tap` hears the mastered audio as it is written.
    """
    sr = spec.sample_rate
    audio = band_limit(_writable(audio), sr, in_place=True)
    aim = spec.loudness_lufs if aim_lufs is None else aim_lufs
    gain_db, lufs = loudness.find_gain(audio, sr, aim, spec.ceiling_dbtp)
    if not math.isfinite(lufs):
        gain_db = 0.0  # too short to measure: only limited
    ceiling = spec.ceiling_dbtp
    peak = math.inf
    if tap is not None:
        tap.begin(audio.size, sr)
    for attempt in range(MAX_ENCODE_TRIES):
        meter = loudness.LoudnessMeter(sr) if attempt else None  # the first attempt is find_gain's last reading
        listener = tap if attempt == 0 else None
        with ffmpeg.Mp3Writer(mp3, sr, spec.mp3_bitrate_kbps) as mp3_out, \
                (ffmpeg.WavWriter(wav, sr) if wav is not None else contextlib.nullcontext()) as wav_out:
            for block in loudness.limited_blocks(loudness.blocks(audio), sr, gain_db, ceiling):
                if listener:
                    listener.write(block)  # first: the listener waits, the encoder has its own process
                mp3_out.write(block)
                if wav_out:
                    wav_out.write(block)
                if meter:
                    meter.add(block)
            if listener:
                listener.end()
        if meter:
            lufs = meter.lufs
        # The MP3 is what airs, so its peak is the one checked (the encoder's overshoot).
        tp = loudness.TruePeakMeter()
        for block in ffmpeg.decode_blocks(mp3, sr):
            tp.add(block)
        peak = tp.dbtp
        excess = peak - spec.true_peak_dbtp
        if excess <= 0:
            break
        ceiling -= excess + 0.2
    return Mastered(audio.size, sr, lufs, peak, sha256_file(mp3), sha256_file(wav) if wav is not None else None)


def master_quick(audio: np.ndarray, spec: MasterSpec, *, wav: Path, gain_db: float | None) -> Mastered:
    """The emergency path: band-limit, one gain (None: none), the limiter at the true peak, a WAV.

    No meter iterations and no MP3 encode: where the limiter works hard the result lands under the
    target (its loudness is not measured back). `audio` is band-limited in place."""
    sr = spec.sample_rate
    audio = band_limit(_writable(audio), sr, in_place=True)
    with ffmpeg.WavWriter(wav, sr) as out:
        for block in loudness.limited_blocks(loudness.blocks(audio), sr, gain_db or 0.0, spec.true_peak_dbtp):
            out.write(block)
    return Mastered(audio.size, sr, math.nan, None, None, sha256_file(wav))
