"""The station jingle (nhạc hiệu): the station's own file, or a chime generated in code (no binary assets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from broadcast.audio.ffmpeg import DecodeError, decode
from broadcast.digest import sha256_file
from broadcast.errors import UserError
from broadcast.problems import coded

# A rising major arpeggio then a held chord; all energy above 250 Hz, where loudspeaker horns work.
_NOTES_HZ = (523.25, 659.25, 783.99, 1046.50)
_NOTE_S = 0.32
_CHORD_S = 1.4
GENERATED_ID = "generated-chime-v1"


def _bell(freq: float, seconds: float, sample_rate: int) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = np.sin(2 * np.pi * freq * t) + 0.35 * np.sin(2 * np.pi * 2 * freq * t) + 0.12 * np.sin(2 * np.pi * 3 * freq * t)
    envelope = np.exp(-3.2 * t / seconds) * np.minimum(1.0, t / 0.008)  # 8 ms attack avoids a click
    return tone * envelope


def generated_jingle(sample_rate: int, descending: bool = False) -> np.ndarray:
    """About 2.7 s: four bell notes (rising for the intro, falling for the outro) then a chord."""
    notes = _NOTES_HZ[::-1] if descending else _NOTES_HZ
    step = int(_NOTE_S * sample_rate)
    total = step * len(notes) + int(_CHORD_S * sample_rate)
    out = np.zeros(total)
    for i, f in enumerate(notes):
        bell = _bell(f, _NOTE_S * 2.5, sample_rate)
        start = i * step
        end = min(total, start + bell.size)
        out[start:end] += bell[: end - start]
    chord_start = step * len(notes)
    chord = sum(_bell(f, _CHORD_S, sample_rate) for f in (_NOTES_HZ[0], _NOTES_HZ[2], _NOTES_HZ[3]))
    out[chord_start:chord_start + chord.size] += chord
    out /= np.max(np.abs(out))
    return (0.7 * out).astype(np.float32)


def load_jingle(path: Path | None, sample_rate: int) -> tuple[np.ndarray, np.ndarray, str]:
    """(intro, outro, identity). A station file serves as both; `identity` keys the build cache."""
    if path is None:
        return generated_jingle(sample_rate), generated_jingle(sample_rate, descending=True), GENERATED_ID
    if not path.is_file():
        raise UserError(coded(f"{path}: jingle file not found (set audio.jingle in the station settings, or remove it to use "
                              "the built-in chime)", "jingle.missing", file=path.name))
    try:
        samples = decode(path, sample_rate)
    except DecodeError as exc:
        raise UserError(coded(f"{path}: jingle cannot be decoded ({exc}); use a WAV or MP3 file", "jingle.undecodable",
                              file=path.name)) from None
    if float(np.max(np.abs(samples))) < 1e-3:
        raise UserError(coded(f"{path}: jingle is silent", "jingle.silent", file=path.name))
    identity = sha256_file(path)
    return samples, samples, identity
