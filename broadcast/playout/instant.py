"""An instant play's audio, made ready to air: the station's loudness, and a copy kept as evidence.

`broadcast play FILE` hands the user's MP3/WAV to `prepare_instant` before anything airs. The file
is decoded (mono, the station's sample rate) and mastered exactly as a bulletin build is
(broadcast.audio.master: band limit, loudness under the true-peak ceiling, the MP3 encode with its
true-peak check), and kept as

    audio_out/instant/<YYYYmmdd-HHMMSS>-<stem>-<sha8 of the original>.mp3
    audio_out/instant/<same name>.json   the manifest: the original file's path, size and sha256, its
                                         loudness and peak before, the copy's after, the change,
                                         the copy's sha256 (the hash the as-run log records)

both written atomically (the MP3 first, the manifest that describes it last). The manifest is also a
playout manifest (`items`, `files.mp3_sha256`), so the runner logs the original's name as the item
and the copy's hash as `audio_sha256`, and `broadcast evidence --with-audio` finds the copy (it
searches audio_out/instant/) with the manifest that ties it to the original.

The same original (by sha256) at the same target is prepared once: a later play reuses the kept copy
(after checking its hash), or, when the file now has another name, copies its audio under the new
name without encoding again. Audio the station built itself (a build manifest beside it that names
the file's hash, e.g. audio_out/<bulletin>.mp3 or a kept instant copy) is already at the station's
loudness and is used as it is.

An emergency takes the quick path: a kept MP3 copy if there is one, else one loudness reading, one
gain and the true-peak limiter into a WAV (`<name>.wav` + manifest, `files.wav_sha256`) with no meter
iterations and no MP3 encode: about 1.1 s instead of about 6.7 s for 3 minutes of speech on a 2-core
machine, so the operator's emergency is not held up. Where the limiter works hard it lands under the
target: -17.3 LUFS for eSpeak speech whose peaks stand 19 dB above its loudness (1.3 LU, about the
smallest step a listener notices); its manifest records the gain, not a loudness it did not measure.

Limits: the gain is at most MAX_GAIN_DB (a near-silent recording would otherwise air as hiss at full
loudness; a warning says the target was not reached); a file with no measurable sound is refused; a
file shorter than the meter's 0.4 s block is only limited to the ceiling.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import threading
import time
import wave
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from broadcast import __version__
from broadcast.atomic import ensure_writable, staged
from broadcast.audio import ffmpeg, loudness
from broadcast.audio.layout import INSTANT_DIR, BuildFiles, audio_out
from broadcast.audio.manifest import (AudioFiles, AudioFormat, Durations, ItemSpan, Manifest, Measured, OriginalFile,
                                      Target, read_manifest, write_manifest)
from broadcast.audio.master import MasterSpec, master, master_quick
from broadcast.config import Settings
from broadcast.digest import sha256_file, sha256_text
from broadcast.errors import UserError
from broadcast.problems import coded
from broadcast.playout import live
from broadcast.playout.live import DecodeFailed, LiveLevel, LiveResult, StandbyDecoder
from broadcast.playout.programme import Take

PREPARE_FORMAT = 1  # bump when the same original and target would now give different audio
MAX_GAIN_DB = 30.0
_UNSAFE = re.compile(r"[^\w.-]+")


class InstantStorageError(UserError):
    """The prepared copy could not be written (audio_out/instant/ missing rights, disk full): the
    audio itself is fine, so an emergency may still air the original as it is."""


@dataclass
class InstantCopy:
    """What `prepare` did: the file to air, its manifest, and whether it was made now."""

    path: Path
    manifest: Manifest
    made: bool  # False: an earlier copy (or the station's own build) was used
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def prepare_instant(source: Path, settings: Settings, *, quick: bool = False) -> Path:
    """The path of the copy of `source` to air: at the station's loudness, kept under audio_out/instant/."""
    return prepare(source, settings, quick=quick).path


def _identify(source: Path) -> tuple[Path, str, Manifest | None]:
    """The file resolved, its sha256, and the station's own build it is (None when it is not one)."""
    source = Path(source).resolve()
    try:
        digest = sha256_file(source)
    except OSError as exc:
        raise UserError(coded(f"{source}: cannot be read ({exc.strerror or exc})", "audio.unreadable")) from None
    return source, digest, _station_built(source, digest)


def prepare(source: Path, settings: Settings, *, quick: bool = False) -> InstantCopy:
    """`prepare_instant` with what it did (for the command's message and the tests).

    `quick` (emergencies): a kept MP3 copy if there is one, else a WAV levelled in one pass (see
    `_make_quick`), about three times faster than the MP3 path, so an emergency is not held up."""
    t0 = time.perf_counter()
    source, digest, own = _identify(source)
    if own is not None:
        return InstantCopy(source, own, made=False, seconds=time.perf_counter() - t0)

    folder = audio_out(settings).instant
    try:
        ensure_writable(folder)
    except UserError as exc:
        raise InstantStorageError(exc.problems) from None
    stem = source.stem  # the item's name in the log, as before: the original file's name
    key = prepare_key(digest, settings)
    quick_key = prepare_key(digest, settings, quick=True)
    earlier = _kept(folder, digest, key, stem) or (_kept(folder, digest, quick_key, stem) if quick else None)
    try:
        if earlier and earlier.manifest.id == stem:
            earlier.seconds = time.perf_counter() - t0
            return earlier
        name = f"{datetime.now(settings.station.tz):%Y%m%d-%H%M%S}-{safe_stem(stem)}-{digest[:8]}"
        files = BuildFiles.named(folder, name)
        if earlier:  # the same audio under another name: the log names the file as the user called it now
            out = files.wav if earlier.path.suffix == ".wav" else files.mp3
            with staged(out) as tmp:
                shutil.copyfile(earlier.path, tmp)
            kind = out.suffix.lstrip(".")
            was = earlier.manifest
            manifest = was.model_copy(update={
                "id": stem, "title": stem,
                "items": [was.items[0].model_copy(update={"bulletin_id": stem})],
                "original": was.original.model_copy(update={"path": str(source)}),
                "files": was.files.model_copy(update={kind: out.name}),
                "copied_from": earlier.path.name})
        elif quick:
            out = files.wav
            manifest = _make_quick(source, digest, quick_key, stem, out, settings)
        else:
            out = files.mp3
            manifest = _make(source, digest, key, stem, out, settings)
        manifest.prepared_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_manifest(files.manifest, manifest)
    except OSError as exc:
        raise InstantStorageError(f"{folder}: cannot keep the prepared copy ({exc.strerror or exc})") from None
    return InstantCopy(out, manifest, made=True, seconds=time.perf_counter() - t0, warnings=manifest.warnings)


def safe_stem(stem: str) -> str:
    """A file-name-safe form of the original's name (letters with diacritics kept), at most 60 characters."""
    return _UNSAFE.sub("-", stem).strip("-.")[:60].strip("-.") or "am-thanh"


def prepare_key(source_sha256: str, settings: Settings, *, quick: bool = False) -> str:
    """What the copy depends on: the original's bytes, the station's audio target and format, the path."""
    a = settings.audio
    payload = {"format": PREPARE_FORMAT, "source_sha256": source_sha256, "loudness_lufs": a.loudness_lufs,
               "true_peak_dbtp": a.true_peak_dbtp, "sample_rate": a.sample_rate, "mp3_bitrate_kbps": a.mp3_bitrate_kbps,
               "max_gain_db": MAX_GAIN_DB}
    if quick:
        payload["quick"] = True
    return sha256_text(json.dumps(payload, sort_keys=True))


def _station_built(path: Path, digest: str) -> Manifest | None:
    """The manifest beside `path` when it is the station's own output describing exactly this file."""
    manifest = read_manifest(BuildFiles.beside(path).manifest)
    if manifest is not None and manifest.files.claims(digest) and manifest.items:
        return manifest
    return None


def _kept(folder: Path, digest: str, key: str, stem: str) -> InstantCopy | None:
    """A copy prepared earlier from the same original for the same target, still intact: one kept
    under the same name first, else the newest."""
    candidates = []
    for manifest_path in sorted(folder.glob(f"*-{digest[:8]}.json"), reverse=True):
        manifest = read_manifest(manifest_path)
        if manifest and manifest.prepare_key == key and manifest.original and manifest.original.sha256 == digest:
            candidates.append((manifest.id != stem, manifest_path, manifest))
    for _, manifest_path, manifest in sorted(candidates, key=lambda c: c[0]):
        files = BuildFiles.beside(manifest_path)
        audio = files.mp3 if manifest.files.mp3_sha256 else files.wav
        try:
            if sha256_file(audio) == manifest.audio_sha256(audio):
                return InstantCopy(audio, manifest, made=False)
        except OSError:
            continue
    return None


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf


def _make(source: Path, digest: str, key: str, stem: str, out: Path, settings: Settings) -> Manifest:
    """Decode, level (gain found against the meter), encode into the MP3 `out` (atomically); its manifest."""
    return _level_and_write(source, digest, key, stem, out, settings, quick=False)


def _make_quick(source: Path, digest: str, key: str, stem: str, out: Path, settings: Settings) -> Manifest:
    """The emergency path: one loudness reading, one gain, the true-peak limiter, a 16-bit WAV `out`.

    No meter iterations and no MP3 encode and check (what makes the MP3 path take ~5 s for 3 minutes):
    where the limiter works hard the result lands up to about 1.5 LU under the target (see the
    module's docstring); the sinks play WAV in any case."""
    return _level_and_write(source, digest, key, stem, out, settings, quick=True)


def _level_and_write(source: Path, digest: str, key: str, stem: str, out: Path, settings: Settings, *, quick: bool) -> Manifest:
    spec = MasterSpec.of(settings.audio)
    sr = spec.sample_rate
    target = spec.loudness_lufs
    try:
        audio = ffmpeg.decode(source, sr)
    except ffmpeg.DecodeError as exc:
        raise UserError(coded(f"{source}: not an audio file ({str(exc).replace(f'{source}: ', '')})", "audio.not_audio")) from None
    before_lufs = loudness.integrated_lufs(audio, sr)
    before_peak = float(np.max(np.abs(audio)))  # the sample peak: a true-peak pass on the original costs seconds
    duration_s = audio.size / sr
    warnings = []
    quick_gain = None  # the one gain of the quick path, in dB
    aim = target
    if before_peak == 0.0:
        raise UserError(coded(f"{source}: no sound in it (digital silence)", "audio.silent"))
    if duration_s < loudness.MIN_MEASURABLE_S:
        warnings.append(f"{source.name}: too short to measure its loudness ({duration_s:.2f} s): "
                        f"only limited to {spec.true_peak_dbtp:g} dBTP")
    elif not math.isfinite(before_lufs):
        raise UserError(coded(f"{source}: no sound in it (silent or far too quiet to air)", "audio.silent"))
    else:
        if target - before_lufs > MAX_GAIN_DB:
            aim = before_lufs + MAX_GAIN_DB
            warnings.append(f"{source.name}: very quiet ({before_lufs:.1f} LUFS): raised by {MAX_GAIN_DB:g} dB only, "
                            f"so it airs at about {aim:.1f} LUFS, below the station's {target:g} LUFS")
        # The band limit barely moves loudness for speech; the limiter only takes peaks off.
        quick_gain = aim - before_lufs if quick else None
    with staged(out) as tmp:
        if quick:
            done = master_quick(audio, spec, wav=tmp, gain_db=quick_gain)
        else:
            done = master(audio, spec, mp3=tmp, aim_lufs=aim)
    lufs = done.lufs
    seconds = round(done.duration_s, 3)
    kind = out.suffix.lstrip(".")

    def level(value: float | None) -> float | None:
        return round(value, 2) if value is not None and math.isfinite(value) else None

    return Manifest(
        kind="bulletin",  # one item, so the log names it like a bulletin (broadcast.playout.programme)
        instant=True,
        quick=quick,
        id=stem,
        title=stem,
        topic="general",
        priority="normal",
        items=[ItemSpan(bulletin_id=stem, start_s=0.0, end_s=seconds)],
        durations=Durations(total_s=seconds),
        original=OriginalFile(
            path=str(source),
            name=source.name,
            size_bytes=source.stat().st_size,
            sha256=digest,
            measured={"integrated_lufs": level(before_lufs), "sample_peak_dbfs": level(_db(before_peak)),
                      "duration_s": round(duration_s, 3), "of": "decoded to mono at the station's rate"},
        ),
        change_lu=level(lufs - before_lufs),
        quick_gain_db=level(quick_gain),
        measured=Measured(integrated_lufs=level(lufs), true_peak_dbtp=level(done.true_peak_dbtp),
                          of=("not measured (emergency path): one gain of quick_gain_db then the true-peak limiter, "
                              "which takes up to about 1.5 LU off very peaky speech"
                              if quick else "integrated loudness of the levelled audio; true peak of the decoded MP3")),
        target=Target(integrated_lufs=target, true_peak_dbtp=spec.true_peak_dbtp),
        format=AudioFormat(sample_rate=sr, channels=1, mp3_bitrate_kbps=None if quick else spec.mp3_bitrate_kbps),
        files=AudioFiles(**{kind: out.name, f"{kind}_sha256": done.wav_sha256 if quick else done.mp3_sha256}),
        warnings=warnings,
        prepare_key=key,
        software=f"broadcast {__version__}",
    )


# -- an emergency levelled as it airs -------------------------------------------------------------


@dataclass
class LiveCopy:
    """An emergency on air while it is levelled (broadcast.playout.live); `keep` writes the copy once
    the whole file went through: `<name>.wav` and its manifest under audio_out/instant/."""

    source: Path
    level: LiveLevel
    files: BuildFiles | None  # None: nowhere to keep a copy (the audio airs all the same)
    digest: str
    key: str
    stem: str
    spec: MasterSpec
    started_s: float  # from the request to the first levelled audio
    storage_problem: str | None = None

    def keep(self) -> tuple[Path | None, Manifest]:
        """(the kept WAV or None, its manifest); waits for the levelling to finish."""
        result = self.level.join()
        if result is None:
            raise UserError(coded(f"{self.source}: not an audio file ({self.level.error})", "audio.not_audio"))
        manifest = self._manifest(result)
        if self.files is None:
            manifest.warnings.append(self.storage_problem or "no copy kept")
            return None, manifest
        try:
            with staged(self.files.wav) as tmp:
                with wave.open(str(tmp), "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(result.rate)
                    w.writeframes(result.samples.tobytes())
                manifest.files = AudioFiles(wav=self.files.wav.name, wav_sha256=sha256_file(tmp))
            manifest.prepared_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            write_manifest(self.files.manifest, manifest)
        except OSError as exc:
            manifest.files = AudioFiles()
            manifest.warnings.append(f"{self.files.wav.parent}: cannot keep the levelled copy ({exc.strerror or exc})")
            return None, manifest
        return self.files.wav, manifest

    def _manifest(self, result: LiveResult) -> Manifest:
        def level(value: float | None) -> float | None:
            return round(value, 2) if value is not None and math.isfinite(value) else None

        seconds = round(result.duration_s, 3)
        out = result.samples.astype(np.float32) / 32767.0
        first, last = result.first_gain_db, result.last_gain_db
        return Manifest(
            kind="bulletin", instant=True, quick=True, id=self.stem, title=self.stem, topic="general",
            priority="normal",
            items=[ItemSpan(bulletin_id=self.stem, start_s=0.0, end_s=seconds)],
            durations=Durations(total_s=seconds),
            original=OriginalFile(
                path=str(self.source), name=self.source.name, size_bytes=self.source.stat().st_size,
                sha256=self.digest,
                measured={"integrated_lufs": level(result.before_lufs), "sample_peak_dbfs": level(_db(result.before_peak)),
                          "duration_s": seconds, "of": "decoded to mono at the station's rate, as it streamed"}),
            change_lu=level(result.after_lufs - result.before_lufs),
            quick_gain_db=level(first),
            measured=Measured(integrated_lufs=level(result.after_lufs), true_peak_dbtp=level(loudness.true_peak_dbtp(out)),
                              of=(f"levelled as it aired: a gain of {first:+.1f} dB from the first {live.ESTIMATE_S:g} s, "
                                  f"then following the loudness of the whole file as it decoded (ending at {last:+.1f} "
                                  f"dB, at most {live.SLEW_DB_PER_S:g} dB per second), and the true-peak limiter; "
                                  "loudness and true peak measured on this copy")),
            target=Target(integrated_lufs=self.spec.loudness_lufs, true_peak_dbtp=self.spec.true_peak_dbtp),
            format=AudioFormat(sample_rate=result.rate, channels=1),
            warnings=list(result.warnings),
            prepare_key=self.key,
            software=f"broadcast {__version__}",
        )


def prepare_emergency(source: Path, settings: Settings, standby: StandbyDecoder | None = None) -> InstantCopy | LiveCopy:
    """An emergency's audio, at once: the station's own build or a kept copy as they are, else the file
    levelled as it airs (`LiveCopy`, first audio within a few hundred milliseconds; decoded by the
    `standby` ffmpeg when there is one). A file that gives no audio is a UserError before anything airs."""
    t0 = time.perf_counter()
    source, digest, own = _identify(source)
    if own is not None:
        return InstantCopy(source, own, made=False, seconds=time.perf_counter() - t0)
    folder = audio_out(settings).instant
    stem = source.stem
    quick_key = prepare_key(digest, settings, quick=True)
    files, problem = None, None
    try:
        ensure_writable(folder)
        if _kept(folder, digest, prepare_key(digest, settings), stem) or _kept(folder, digest, quick_key, stem):
            return prepare(source, settings, quick=True)  # a copy from before (renamed if need be): no levelling
        files = BuildFiles.named(folder, f"{datetime.now(settings.station.tz):%Y%m%d-%H%M%S}-{safe_stem(stem)}-{digest[:8]}")
    except UserError as exc:
        problem = "; ".join(exc.problems) + "; the emergency airs levelled, but no copy is kept for the evidence"
    spec = MasterSpec.of(settings.audio)
    try:
        level = LiveLevel(source, rate=spec.sample_rate, target_lufs=spec.loudness_lufs,
                          ceiling_dbtp=spec.true_peak_dbtp, max_gain_db=MAX_GAIN_DB,
                          decoder=standby.take() if standby is not None and standby.rate == spec.sample_rate else None)
        level.wait_started()
    except DecodeFailed as exc:
        raise UserError(coded(f"{source}: not an audio file ({exc})", "audio.not_audio")) from None
    return LiveCopy(source, level, files, digest, quick_key, stem, spec, time.perf_counter() - t0, problem)


@dataclass
class LiveTake(Take):
    """A Take whose audio is still being levelled: sinks read it from memory; `settle` (after the play)
    keeps the copy and points the take, and so the log row's hash, at it."""

    live: LiveCopy | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _settled: bool = False

    @classmethod
    def of(cls, copy: LiveCopy, title: str | None = None) -> LiveTake:
        provisional = Manifest(kind="bulletin", id=copy.stem, title=title or copy.stem, topic="general",
                               items=[ItemSpan(bulletin_id=copy.stem, start_s=0.0, end_s=0.0)],
                               durations=Durations(total_s=0.0))
        return cls(copy.source, provisional, None, live=copy)

    def file_for(self, wants: str):
        return self.live.level if not self._settled else super().file_for(wants)

    def settle(self) -> None:
        with self._lock:
            if self._settled:
                return
            kept, manifest = self.live.keep()
            if self.manifest.title != self.manifest.id:
                manifest.title = self.manifest.title
            self.manifest = manifest
            if kept is not None:
                self.mp3 = self.wav = kept
            else:  # what aired is in no file: the log records the original's hash, and says why
                self.manifest.files = AudioFiles(**{f"{self.mp3.suffix.lstrip('.').lower()}_sha256": self.live.digest})
                self.note = "không giữ được bản sao đã chỉnh mức âm lượng; mã băm là của tệp gốc"
            self._settled = True

