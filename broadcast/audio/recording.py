"""A person reads the bulletin: their recording, checked, cleaned and kept by its hash for the build.

The build masters it like synthesised speech (the mix levels it to the target, mastering limits the
true peak and encodes); here it is decoded (anything ffmpeg reads: WAV, MP3, OGG/Opus, WebM/Opus,
M4A) at its own rate and channels, so the clipping check sees the samples the recorder wrote, then
made mono at the station's rate; refused when it cannot air well (one line each: empty, not audio, an
unusable sample rate or channel layout, clipped, silent, no speech, too quiet to raise without raising
the room's noise); and cleaned: the DC offset removed, rumble cut (high-pass), leading and trailing
silence trimmed, and a gentle gate applied only where the measured noise, raised to the target,
would be heard in the pauses.

Recordings are kept in the station's `recordings/` folder (`paths.recordings`) as
`<sha256>/<original name>`, never overwritten: the manifest and the as-run log name that hash and the
file's original name. A kept file whose content no longer matches its folder's hash is refused.

A recording is prepared once (`prepare_once`): the prepared audio and its facts wait in the cache
(`<cache>/recordings-prepared/`), keyed by the recording's sha256 and what preparing depends on, so
checking it, attaching it, and every session programme that airs it later do not decode and clean it again.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from scipy.ndimage import binary_opening, maximum_filter1d, uniform_filter1d
from scipy.signal import butter, sosfilt, sosfilt_zi

from broadcast.atomic import ensure_writable, staged, writing_into
from broadcast.audio import loudness
from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.digest import sha256_file, sha256_text
from broadcast.errors import UserError
from broadcast.problems import Problem, coded
from broadcast.speech.synth import resample

_UNSAFE = re.compile(r"[^\w.-]+")
_SHA = re.compile(r"^[0-9a-f]{64}$")
ENGINE = "recording"  # the "engine" the manifest and the log name for a person's voice
MIN_RATE_HZ, MAX_RATE_HZ = 8000, 384000  # below 8 kHz speech is unintelligible; ffmpeg also "reads" 1 Hz files
MAX_CHANNELS = 8  # 7.1 at most: more is a multitrack session, not a reading
FRAME_S = 0.01  # levels are measured in 10 ms frames
CLIP_LEVEL = 0.99  # a sample this close to full scale counts as clipped (lossy decoders ripple around 1.0)
CLIPPED_SHARE = 0.002  # more than 0.2 % of samples at full scale: the recording distorted
SILENT_DBFS = -60.0  # a recording whose loudest 10 ms stay below this has nothing to air
MIN_SPEECH_S = 0.5  # less sound than this above the noise: nothing was said
SPEECH_ABOVE_NOISE_DB = 12.0  # a frame this far above the noise floor is sound (speech, breath)
SPEECH_BELOW_TOP_DB = 40.0  # ... and within this of the loudest frame
MIN_SOUND_S = 0.05  # shorter bursts at the ends are clicks, not speech
LEAD_PAD_S = 0.15  # of the silence before the first sound, kept (a breath, a soft consonant)
TAIL_PAD_S = 0.2  # ... and after the last (a word's decay)
HIGH_PASS_HZ = 80.0  # DC, rumble, handling and wind noise: horns reproduce nothing below anyway
MAX_GAIN_DB = 30.0  # raising a recording more than this brings the room's noise up with the voice
NOISE_LIMIT_DBFS = -32.0  # ... and so does any gain that would lift the noise floor above this
GATE_FROM_DBFS = -60.0  # a noise floor that the gain lifts above this would be heard in the pauses: gate it
GATE_OPEN_ABOVE_NOISE_DB = 10.0  # the gate is open at this much above the noise floor
GATE_RANGE_DB = 12.0  # and never attenuates more than this (gentle: pauses keep their room tone)
GATE_HOLD_S = 0.12  # open this long before and after each sound, so onsets and decays are untouched
MASTERING_VERSION = 2  # bump when the same recording would now give different audio (build and prepared cache keys)
PREPARED_FOLDER = "recordings-prepared"  # in the cache folder: each recording prepared once
KEEP_PREPARED_DAYS = 60  # a prepared recording nothing has used for this long is removed (it can be prepared again)


@dataclass(frozen=True)
class SourceFormat:
    """What the file holds, as ffmpeg decoded it."""

    codec: str
    sample_rate: int
    channels: int
    duration_s: float


@dataclass(frozen=True)
class RecordingFacts:
    """What the mastering of a recording found and did."""

    sha256: str
    original_name: str
    stored: Path
    duration_s: float  # after trimming
    lead_in_trimmed_s: float
    tail_trimmed_s: float
    lufs_before: float  # integrated loudness of the trimmed, cleaned recording, before levelling
    peak_dbfs: float  # loudest sample as decoded
    dc_offset: float  # mean of the decoded samples (full scale = 1), removed
    noise_floor_dbfs: float | None  # the quietest tenth of its 10 ms frames; None: no pauses to measure
    gated: bool
    source: SourceFormat | None = None
    clipped_share: float = 0.0  # share of samples at full scale
    gain_to_target_db: float = 0.0  # what levelling adds
    gate_db: float = 0.0  # largest attenuation the gate applied in the pauses

    @property
    def voice(self) -> str:
        """How the manifest and the log name the voice: the file it came from and its hash."""
        return f"{self.original_name} sha256:{self.sha256}"

    def as_dict(self) -> dict:
        """Plain data for the manifest and the web console."""
        def num(x: float | None, digits: int = 2) -> float | None:
            return None if x is None or not math.isfinite(x) else round(x, digits)

        return {
            "source": vars(self.source) if self.source else None, "duration_s": num(self.duration_s, 3),
            "lead_in_trimmed_s": num(self.lead_in_trimmed_s, 3), "tail_trimmed_s": num(self.tail_trimmed_s, 3),
            "lufs_before": num(self.lufs_before), "peak_dbfs": num(self.peak_dbfs), "dc_offset": num(self.dc_offset, 5),
            "noise_floor_dbfs": num(self.noise_floor_dbfs, 1), "clipped_share": num(self.clipped_share, 6),
            "gain_to_target_db": num(self.gain_to_target_db, 1), "gated": self.gated, "gate_db": num(self.gate_db, 1),
        }


def store(source: Path, folder: Path, original_name: str | None = None) -> tuple[Path, str]:
    """Keep `source` in the recordings `folder` under its hash; returns (kept path, sha256).

    A file already kept (it is inside the folder) is not copied again, but its content must still match
    its folder's hash; the same content given again under any name is the recording already kept."""
    source = Path(source)
    try:
        digest = sha256_file(source)
    except OSError as exc:
        raise UserError(coded(f"{source}: cannot be read ({exc.strerror or exc})", "recording.unreadable",
                              name=source.name)) from None
    folder = Path(folder)
    if folder.is_dir() and source.resolve().parent.parent == folder.resolve() and _SHA.match(source.parent.name):
        if source.parent.name != digest:
            why = recording_problem(source, folder)
            raise UserError(coded(f"{source}: {why.message}; attach the reading again with `broadcast record`", why.code))
        return source.resolve(), digest
    kept_dir = folder / digest
    earlier = sorted(p for p in kept_dir.iterdir() if p.is_file() and not p.name.startswith(".")) if kept_dir.is_dir() else []
    if earlier:
        return earlier[0], digest  # the same recording, kept before (under the name it came with then)
    ensure_writable(kept_dir)
    name = _UNSAFE.sub("-", original_name or source.name).strip("-.") or "ghi-am"
    kept = kept_dir / name
    with writing_into(kept_dir), staged(kept) as tmp:
        shutil.copyfile(source, tmp)
    return kept, digest


def recording_problem(path: Path, folder: Path) -> Problem | None:
    """Why the recording at `path` cannot be used as it is named (missing; kept in `folder` but changed
    since), or None."""
    path = Path(path)
    if not path.is_file():
        return coded(f"recording not found: {path}", "recording.missing")
    folder = Path(folder)
    if folder.is_dir() and path.resolve().parent.parent == folder.resolve() and _SHA.match(path.parent.name):
        if sha256_file(path) != path.parent.name:
            return coded(f"the kept recording {path} was changed after it was kept (its content no longer matches its "
                         "folder's sha256)", "recording.changed")
    return None


def prepare(path: Path, sample_rate: int, target_lufs: float, *, original_name: str | None = None,
            sha256: str | None = None) -> tuple[np.ndarray, RecordingFacts]:
    """Decode, check and clean a recording: (float32 mono samples at `sample_rate`, facts).

    Raises UserError (one line, naming the file) when it cannot air well; the build then writes nothing."""
    path = Path(path)
    name = original_name or path.name

    def refuse(message: str, code: str, **params: object) -> UserError:
        return UserError(coded(f"{name}: {message}", code, name=name, **params))

    # Memory: the decoded file is the largest thing held (every channel, float32); it is measured and mixed
    # down block by block and let go before the rest, and each step below works in blocks or in place.
    frames, source = _decode_native(path, refuse)
    clipped, peak, native = _measure_and_mix_down(frames)
    del frames
    if clipped > CLIPPED_SHARE:
        raise refuse(f"the recording is clipped ({clipped:.1%} of samples at full scale, at most {CLIPPED_SHARE:.1%}): "
                     "record again with the microphone further away or the input level lower", "recording.clipped",
                     share=f"{clipped:.1%}".replace(".", ","))
    mono = resample(native, source.sample_rate, sample_rate)
    del native
    if mono.size < loudness.MIN_MEASURABLE_S * sample_rate:
        raise refuse(f"the recording is empty or shorter than {loudness.MIN_MEASURABLE_S:g} s", "recording.empty",
                     seconds=loudness.MIN_MEASURABLE_S)
    dc = float(np.mean(mono, dtype=np.float64))
    n_mono = mono.size
    mono -= np.float32(dc)
    x = high_pass(mono, sample_rate, in_place=True)  # rumble and what is left of the DC
    del mono
    levels = frame_levels(x, sample_rate)
    top = float(levels.max())
    if top < SILENT_DBFS:
        raise refuse(f"the recording is silent (its loudest moment is {top:.0f} dBFS): check that the microphone "
                     "was on and not muted", "recording.silent")
    noise: float | None = float(np.percentile(levels, 10))
    if top - noise < SPEECH_ABOVE_NOISE_DB:
        noise = None  # no quiet stretch at all (a reading without pauses): its noise cannot be measured
    sound = levels >= max(-math.inf if noise is None else noise + SPEECH_ABOVE_NOISE_DB, top - SPEECH_BELOW_TOP_DB)
    if sound.sum() * FRAME_S < MIN_SPEECH_S:
        raise refuse(f"the recording has no speech: nothing stands above its background noise for {MIN_SPEECH_S:g} s",
                     "recording.no_speech")
    frame = int(round(FRAME_S * sample_rate))
    # A click (a codec's start, a touch of the microphone) is shorter than any sound of speech: it does
    # not end the silence at either end.
    lasting = binary_opening(sound, structure=np.ones(int(MIN_SOUND_S / FRAME_S), dtype=bool))
    ends = lasting if lasting.any() else sound
    first, last = int(np.argmax(ends)), int(ends.size - 1 - np.argmax(ends[::-1]))
    start = max(0, first * frame - int(LEAD_PAD_S * sample_rate))
    end = min(x.size, (last + 1) * frame + int(TAIL_PAD_S * sample_rate))
    x = x[start:end]
    lufs = loudness.integrated_lufs(x, sample_rate)
    gain = target_lufs - lufs if math.isfinite(lufs) else math.inf
    raised = -math.inf if noise is None else noise + gain
    if gain > MAX_GAIN_DB or (gain > 0 and raised > NOISE_LIMIT_DBFS):
        noisy = f" and its background noise to {raised:.0f} dBFS" if math.isfinite(raised) else ""
        raise refuse(f"the recording is too quiet ({lufs:.0f} LUFS): raising it {gain:.0f} dB to {target_lufs:g} LUFS "
                     f"(at most {MAX_GAIN_DB:g} dB) would raise the room's noise too{noisy}; record closer to the "
                     "microphone or with more input gain", "recording.too_quiet", gain=f"{gain:.0f}")
    gate_db = 0.0
    if raised > GATE_FROM_DBFS:
        x, gate_db = noise_gate(x, sample_rate, noise)
    facts = RecordingFacts(
        sha256 or sha256_file(path), name, path, round(x.size / sample_rate, 3), round(start / sample_rate, 3),
        round((n_mono - end) / sample_rate, 3), round(lufs, 2), round(_db(peak), 2), round(dc, 5),
        None if noise is None else round(noise, 1), gate_db > 0, source, clipped, round(gain, 2), round(gate_db, 1))
    return x.astype(np.float32, copy=False), facts


def _measure_and_mix_down(frames: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(share of samples at full scale, loudest sample, the channels' mean) of decoded frames, in blocks."""
    clipped, peak = 0, 0.0
    mono = np.empty(frames.shape[0], dtype=np.float32)
    for start in range(0, frames.shape[0], loudness.BLOCK):
        block = np.abs(frames[start:start + loudness.BLOCK])
        clipped += int(np.count_nonzero(block >= CLIP_LEVEL))
        peak = max(peak, float(block.max()))
        mono[start:start + block.shape[0]] = frames[start:start + loudness.BLOCK].mean(axis=1)
    return clipped / max(1, frames.size), peak, mono


# --- prepared once -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A recording ready for the mix: what preparing found and did, and its samples, held or waiting in
    the cache until they are mixed (so a long recording is not held while the rest is synthesised)."""

    facts: RecordingFacts
    size: int  # samples at the station's rate
    samples: np.ndarray | None = None
    load: Callable[[], np.ndarray] | None = None
    cached: bool = False  # the preparation was found in the cache (nothing was decoded)

    def audio(self) -> np.ndarray:
        return self.samples if self.samples is not None else self.load()


def prepare_once(path: Path, sample_rate: int, target_lufs: float, cache_dir: Path | None, *,
                 original_name: str | None = None, sha256: str | None = None) -> Prepared:
    """`prepare`, done once per recording: the result is kept in `cache_dir` (None: not kept) under the
    recording's sha256 and the preparation's parameters, and found there the next time.

    A refused recording is not kept: the next call refuses it again, with the same line."""
    path = Path(path)
    digest = sha256 or sha256_file(path)
    name = original_name or path.name
    entry = _PreparedEntry(Path(cache_dir), digest, sample_rate, target_lufs) if cache_dir is not None else None
    if entry is not None and (found := entry.read()) is not None:
        facts, size = found
        return Prepared(replace(facts, original_name=name, stored=path), size,
                        load=functools.partial(entry.samples, path, sample_rate, target_lufs), cached=True)
    samples, facts = prepare(path, sample_rate, target_lufs, original_name=name, sha256=digest)
    if entry is not None and entry.write(samples, facts):
        return Prepared(facts, samples.size, load=functools.partial(entry.samples, path, sample_rate, target_lufs))
    return Prepared(facts, samples.size, samples)


# What reading a damaged or half-written cache entry raises: it is prepared again.
_DAMAGED = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


class _PreparedEntry:
    """One prepared recording in the cache: `<key>.npz` holding the samples and the facts (as JSON)."""

    def __init__(self, cache_dir: Path, sha256: str, sample_rate: int, target_lufs: float):
        self.folder = cache_dir / PREPARED_FOLDER
        self.sha256 = sha256
        key = sha256_text(json.dumps([sha256, sample_rate, float(target_lufs), MASTERING_VERSION]))
        self.file = self.folder / f"{key}.npz"

    def read(self) -> tuple[RecordingFacts, int] | None:
        """(facts, sample count), or None when it is not kept (or damaged: prepared again)."""
        try:
            with np.load(self.file, allow_pickle=False) as npz:
                data = json.loads(str(npz["facts"]))
                size = int(npz["size"])
            source = data.pop("source")
            facts = RecordingFacts(**{**data, "stored": Path(data["stored"]),
                                      "source": SourceFormat(**source) if source else None})
            os.utime(self.file)  # used: kept from pruning
        except _DAMAGED:
            return None
        return (facts, size) if facts.sha256 == self.sha256 else None

    def samples(self, path: Path, sample_rate: int, target_lufs: float) -> np.ndarray:
        """The prepared samples; prepared again when the entry vanished meanwhile (a cache is only a cache)."""
        try:
            with np.load(self.file, allow_pickle=False) as npz:
                return npz["samples"]
        except _DAMAGED:
            return prepare(path, sample_rate, target_lufs, sha256=self.sha256)[0]

    def write(self, samples: np.ndarray, facts: RecordingFacts) -> bool:
        """Keep it; False when the cache cannot be written (that costs only time). Prunes old entries."""
        facts_json = json.dumps({**asdict(facts), "stored": str(facts.stored)}, ensure_ascii=False)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with staged(self.file) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, samples=samples.astype(np.float32, copy=False), facts=np.array(facts_json),
                         size=np.array(samples.size))
        except OSError:
            return False
        self.prune()
        return True

    def prune(self, keep_days: float = KEEP_PREPARED_DAYS) -> None:
        cutoff = time.time() - keep_days * 86400
        for old in self.folder.glob("*.npz"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except OSError:
                pass  # vanished meanwhile: nothing to do


# --- decoding ---------------------------------------------------------------------------------


_STREAM = re.compile(r"Stream #\d+:\d+[^:\n]*: Audio: ([^,\s]+)[^,\n]*, (\d+) Hz, ([^,\n]+)")


def _decode_native(path: Path, refuse) -> tuple[np.ndarray, SourceFormat]:
    """Every sample of the file's first audio stream at its own rate and channels: (frames x channels, format)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror or exc})", "recording.unreadable") from None
    if size == 0:
        raise refuse("the recording is empty (the file has 0 bytes)", "recording.empty", seconds=loudness.MIN_MEASURABLE_S)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-f", "f32le",
           "-c:a", "pcm_f32le", "pipe:1"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    log = proc.stderr.decode("utf-8", "replace")
    streams = _STREAM.findall(log)  # the input's stream, then the output's (when ffmpeg got that far)
    if proc.returncode != 0 or not streams:
        raise refuse(_decode_failure(log, streams), "recording.not_audio")
    codec, rate, layout = streams[0][0], int(streams[-1][1]), streams[-1][2].strip()
    channels = _channel_count(layout)
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise refuse(f"the recording's sample rate ({rate} Hz) is unusable (speech needs {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz); "
                     "export it again as WAV or MP3 at 44100 or 48000 Hz", "recording.rate", rate=rate)
    if channels is None or not 1 <= channels <= MAX_CHANNELS:
        raise refuse(f"the recording's channel layout ({layout}) is unusable (at most {MAX_CHANNELS} channels); "
                     "export it again as mono or stereo", "recording.channels", layout=layout)
    raw = np.frombuffer(proc.stdout, dtype="<f4")
    frames = raw[: raw.size - raw.size % channels].reshape(-1, channels)
    if frames.shape[0] == 0:
        raise refuse(f"the recording is empty or shorter than {loudness.MIN_MEASURABLE_S:g} s (no samples)",
                     "recording.empty", seconds=loudness.MIN_MEASURABLE_S)
    return frames, SourceFormat(codec, rate, channels, round(frames.shape[0] / rate, 3))


def _decode_failure(log: str, streams: list[tuple[str, str, str]]) -> str:
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    last = re.sub(r"^\[[^]]+\]\s*", "", lines[-1] if lines else "ffmpeg failed")[:200]
    if "matches no streams" in log or ("does not contain any stream" in log and not streams):
        return "not a recording ffmpeg can read: it has no sound track (a picture, a video without sound?)"
    if m := re.search(r"Invalid sample rate:? *(-?\d+)", log):
        return f"the recording's sample rate ({m.group(1)} Hz) is unusable: ffmpeg cannot decode it; export it again"
    if not streams:
        return "not a recording ffmpeg can read (MP3, WAV, OGG/Opus, WebM, M4A ...): is it audio?"
    codec, rate, layout = streams[0]
    return f"ffmpeg cannot decode the recording ({codec}, {rate} Hz, {layout.strip()}): {last}; export it again as WAV or MP3"


def _channel_count(layout: str) -> int | None:
    """Channels in an ffmpeg layout name: 'mono', 'stereo', '5.1(side)', '40 channels', 'quad' ..."""
    layout = re.sub(r"\(.*\)", "", layout).strip()
    named = {"mono": 1, "stereo": 2, "downmix": 2, "binaural": 2, "quad": 4, "hexagonal": 6, "octagonal": 8,
             "hexadecagonal": 16}
    if layout in named:
        return named[layout]
    if m := re.fullmatch(r"(\d+) channels", layout):
        return int(m.group(1))
    if m := re.fullmatch(r"(\d+)\.(\d+)", layout):
        return int(m.group(1)) + int(m.group(2))
    return None


# --- signal steps -----------------------------------------------------------------------------


def high_pass(samples: np.ndarray, sample_rate: int, *, in_place: bool = False) -> np.ndarray:
    """4th-order Butterworth at HIGH_PASS_HZ: removes what DC removal leaves (drift) and rumble.

    The filter starts as if the first sample had always been there: a file that opens off zero (an
    offset an encoder only partly removed, as Opus does) would otherwise start with a click. Filtered
    block by block; `in_place` overwrites `samples` (float32) instead of making a copy."""
    sos = _high_pass(sample_rate)
    if samples.size == 0:
        return samples.astype(np.float32)
    out = samples if in_place else np.empty(samples.size, dtype=np.float32)
    zi = sosfilt_zi(sos) * samples[0]
    for start in range(0, samples.size, loudness.BLOCK):
        block, zi = sosfilt(sos, samples[start:start + loudness.BLOCK], zi=zi)
        out[start:start + block.size] = block
    return out


@functools.cache
def _high_pass(sample_rate: int) -> np.ndarray:
    return butter(4, HIGH_PASS_HZ, btype="highpass", fs=sample_rate, output="sos")


def frame_levels(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS level of each 10 ms frame, dBFS (a digitally silent frame is -120)."""
    frame = int(round(FRAME_S * sample_rate))
    n = samples.size // frame
    if n == 0:
        return np.full(1, -120.0)
    power = np.empty(n)
    step = max(1, loudness.BLOCK // frame)  # frames per block
    for first in range(0, n, step):
        last = min(n, first + step)
        x = samples[first * frame: last * frame].astype(np.float64).reshape(last - first, frame)
        power[first:last] = np.mean(x * x, axis=1)
    return 10 * np.log10(np.maximum(power, 1e-12))


def noise_gate(samples: np.ndarray, sample_rate: int, noise_dbfs: float) -> tuple[np.ndarray, float]:
    """A gentle downward expander: stretches near the noise floor are lowered by up to GATE_RANGE_DB.

    The gate opens GATE_OPEN_ABOVE_NOISE_DB above the floor; below that, each dB lower is one dB more
    attenuation, capped. The gain is held open GATE_HOLD_S around every sound and smoothed, so onsets,
    decays and soft consonants pass untouched. Returns the audio and the largest attenuation (dB)."""
    levels = frame_levels(samples, sample_rate)
    cut_db = -np.clip(noise_dbfs + GATE_OPEN_ABOVE_NOISE_DB - levels, 0.0, GATE_RANGE_DB)
    hold = max(1, int(round(GATE_HOLD_S / FRAME_S)))
    cut_db = maximum_filter1d(cut_db, size=2 * hold + 1, mode="nearest")
    cut_db = uniform_filter1d(cut_db, size=5, mode="nearest")  # 50 ms ramps: no clicks
    frame = int(round(FRAME_S * sample_rate))
    centres = (np.arange(cut_db.size) + 0.5) * frame
    out = np.empty(samples.size, dtype=np.float32)
    for start in range(0, samples.size, loudness.BLOCK):
        at = np.arange(start, min(samples.size, start + loudness.BLOCK))
        gain = np.power(10.0, np.interp(at, centres, cut_db) / 20).astype(np.float32)
        out[start:start + at.size] = samples[start:start + at.size] * gain
    return out, float(-cut_db.min()) if cut_db.size else 0.0


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf
