"""A person reads the bulletin: their recording, checked, cleaned and kept by its hash for the build.

The build masters it like synthesised speech (the mix levels it to the target, mastering limits the
true peak and encodes); here it is decoded (anything ffmpeg reads: WAV, MP3, OGG/Opus, WebM/Opus,
M4A) to mono at the station's rate, refused when it cannot air well (one line each: not audio,
empty, silent, clipped, too quiet to raise without raising the room's noise), and cleaned: the DC
offset removed, rumble cut (high-pass), leading and trailing silence trimmed, and a gentle gate
applied only where the measured noise floor needs one.

Recordings are kept in the station's `recordings/` folder (beside station.yaml) as
`<sha256>/<original name>`, never overwritten: the manifest and the as-run log name that hash and
the file's original name.
"""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, sosfilt

from broadcast.atomic import ensure_writable, staged, writing_into
from broadcast.audio import ffmpeg, loudness
from broadcast.digest import sha256_file
from broadcast.errors import UserError

RECORDINGS_DIR = "recordings"
_UNSAFE = re.compile(r"[^\w.-]+")
ENGINE = "recording"  # the "engine" the manifest and the log name for a person's voice
FRAME_S = 0.02
CLIPPED_SHARE = 0.002  # more than 0.2 % of samples at full scale: the recording distorted
SILENT_DBFS = -60.0  # a recording whose loudest frame is below this has nothing to air
TRIM_UNDER_DB = 35.0  # frames this far under the voice's level are silence at the ends
TRIM_OVER_NOISE_DB = 10.0  # ... and so are frames within this of the room's noise
KEEP_S = 0.15  # of the silence at each end, so the first word is not cut
MAX_GAIN_DB = 30.0  # raising a recording more than this brings the room's noise up with the voice
GATE_FLOOR_DBFS = -60.0  # a noise floor above this gets the gate
GATE_OPEN_DB = 6.0  # frames within this of the floor are noise
GATE_DEPTH_DB = 12.0  # how much the gate lowers them: gentle, so the voice's quiet ends survive


@dataclass(frozen=True)
class RecordingFacts:
    """What the mastering of a recording found and did."""

    sha256: str
    original_name: str
    stored: Path
    duration_s: float  # after trimming
    lead_in_trimmed_s: float
    tail_trimmed_s: float
    lufs_before: float
    peak_dbfs: float
    dc_offset: float
    noise_floor_dbfs: float
    gated: bool

    @property
    def voice(self) -> str:
        """How the manifest and the log name the voice: the file it came from and its hash."""
        return f"{self.original_name} sha256:{self.sha256}"


def recordings_dir(base_dir: Path) -> Path:
    return Path(base_dir) / RECORDINGS_DIR


def store(source: Path, base_dir: Path, original_name: str | None = None) -> tuple[Path, str]:
    """Keep `source` in the station's recordings folder under its hash; returns (stored path, sha256).

    A file already kept (it is inside the folder, or its hash is there) is not copied again."""
    source = Path(source)
    try:
        digest = sha256_file(source)
    except OSError as exc:
        raise UserError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    folder = recordings_dir(base_dir) / digest
    if source.resolve().parent == folder.resolve():
        return source, digest
    ensure_writable(folder)
    name = _UNSAFE.sub("-", original_name or source.name).strip("-.") or "ghi-am"
    kept = folder / name
    if not kept.is_file():  # the same hash is the same recording: never written twice
        with writing_into(folder), staged(kept) as tmp:
            shutil.copyfile(source, tmp)
    return kept, digest


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf


def _frame_rms(x: np.ndarray, n: int) -> np.ndarray:
    frames = x[: x.size // n * n].reshape(-1, n)
    return np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) if frames.size else np.zeros(0)


def prepare(path: Path, sample_rate: int, target_lufs: float, *, original_name: str | None = None,
            sha256: str | None = None) -> tuple[np.ndarray, RecordingFacts]:
    """Decode, check and clean a recording: (float32 mono samples at `sample_rate`, facts).

    Raises UserError (one line) when it cannot air well; the build then writes nothing."""
    path = Path(path)
    name = original_name or path.name
    try:
        x = ffmpeg.decode(path, sample_rate)
    except ffmpeg.DecodeError as exc:
        raise UserError(f"{name}: not a recording ffmpeg can read ({exc})") from None
    peak = float(np.max(np.abs(x)))
    if x.size < loudness.MIN_MEASURABLE_S * sample_rate:
        raise UserError(f"{name}: the recording is empty or shorter than {loudness.MIN_MEASURABLE_S:g} s")
    clipped = float(np.mean(np.abs(x) >= 0.999))
    if clipped > CLIPPED_SHARE:
        raise UserError(f"{name}: the recording is clipped ({clipped:.1%} of samples at full scale): record again "
                        f"with the microphone further away or the input level lower")
    dc = float(np.mean(x, dtype=np.float64))
    x = (x - np.float32(dc)).astype(np.float32)
    x = sosfilt(_highpass(sample_rate), x).astype(np.float32)  # rumble and what is left of the DC
    n = int(FRAME_S * sample_rate)
    rms = _frame_rms(x, n)
    loud = float(np.percentile(rms, 95)) if rms.size else 0.0
    if _db(loud) < SILENT_DBFS:
        raise UserError(f"{name}: the recording is silent (loudest parts at {_db(loud):.0f} dBFS)")
    # Silence at the ends: frames far under the voice, or near the room's noise when that is louder.
    noise = float(np.percentile(rms, 10))
    threshold = max(loud * 10 ** (-TRIM_UNDER_DB / 20), min(noise * 10 ** (TRIM_OVER_NOISE_DB / 20), loud / 3))
    voiced = np.flatnonzero(rms > threshold)
    keep = int(KEEP_S / FRAME_S)
    first, last = max(0, voiced[0] - keep), min(rms.size, voiced[-1] + 1 + keep)
    lead_in, tail = first * n, x.size - last * n
    x = x[first * n: last * n]
    floor = noise  # the room between the words: the quietest tenth of the recording
    gated = _db(floor) > GATE_FLOOR_DBFS and _db(loud) - _db(floor) > 2 * GATE_OPEN_DB
    if gated:
        x = _gate(x, n, floor)
    lufs = loudness.integrated_lufs(x, sample_rate)
    if not math.isfinite(lufs) or target_lufs - lufs > MAX_GAIN_DB:
        raise UserError(f"{name}: the recording is too quiet ({lufs:.0f} LUFS): raising it to {target_lufs:g} LUFS "
                        f"would raise the room's noise too; record closer to the microphone")
    facts = RecordingFacts(sha256 or sha256_file(path), name, path, round(x.size / sample_rate, 3),
                           round(lead_in / sample_rate, 3), round(tail / sample_rate, 3), round(lufs, 2),
                           round(_db(peak), 2), round(dc, 5), round(_db(floor), 1), gated)
    return x, facts


def _gate(x: np.ndarray, n: int, floor: float) -> np.ndarray:
    """Lower the frames that are only room noise by GATE_DEPTH_DB, with smoothed gain (no clicks)."""
    rms = _frame_rms(x, n)
    gain = np.where(rms < floor * 10 ** (GATE_OPEN_DB / 20), 10 ** (-GATE_DEPTH_DB / 20), 1.0)
    gain = uniform_filter1d(gain, size=5, mode="nearest")
    per_sample = np.repeat(gain, n).astype(np.float32)
    out = x.copy()
    out[: per_sample.size] *= per_sample
    return out


def _highpass(sample_rate: int) -> np.ndarray:
    return butter(2, 70, btype="highpass", fs=sample_rate, output="sos")
