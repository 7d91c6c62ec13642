"""A person reads a bulletin, or the station's own greeting or sign-off: attach their recording (a file,
or bytes from the web console's upload or microphone), check and master it, and build with it; the
facts come back as data.

The CLI (`broadcast record`) and the web console ("Thu âm") both call these. Every check comes first:
a recording that cannot air well is a UserError (one line) and nothing is kept or changed. A recording
is prepared once (its preparation waits in the cache, keyed by its sha256): the build that follows
the check, and every later build that airs it, find it there.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from broadcast.app.bulletins import find_bulletin
from broadcast.app.schedule_changes import reload_service
from broadcast.atomic import atomic_write, staged, writing_into
from broadcast.audio import loudness, recording
from broadcast.audio.master import MasterSpec, master
from broadcast.audio.mix import band_limit
from broadcast.build import STATION_PARTS, BuildResult, build_bulletin, station_recordings
from broadcast.config import Settings, load_settings
from broadcast.content.bulletin import Bulletin, bulletin_files, load_bulletin, parse_bulletin
from broadcast.content.render import render_wrapper
from broadcast.errors import UserError
from broadcast.problems import Problem, coded
from broadcast.yamledit import set_value

_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
_RECORDING_LINE = re.compile(r"^recording[ \t]*:.*(\n|$)", re.M)
MAX_MIC_SECONDS = 20 * 60.0  # a microphone left open stops by itself


@dataclass(frozen=True)
class AttachedRecording:
    """The recording as checked and kept, and the bulletin built with it (loudness and peak as aired)."""

    bulletin: Bulletin
    facts: recording.RecordingFacts
    build: BuildResult
    replaced: str | None = None  # the `recording:` value it replaced, if the bulletin had one


@dataclass(frozen=True)
class RecordingCheck:
    """A recording measured without keeping anything: what preparing it found and did, and its level
    once levelled and limited like the programme (from the MP3 when `preview_recording` wrote one)."""

    facts: recording.RecordingFacts
    lufs: float
    true_peak_dbtp: float

    @property
    def duration_s(self) -> float:
        return self.facts.duration_s


@dataclass(frozen=True)
class RecordedBulletin:
    """A bulletin read by a person (for `broadcast voices` and the console's lists)."""

    bulletin_id: str
    recording: str
    found: bool


def attach_recording(settings: Settings, bulletin_id: str, source: Path, original_name: str | None = None) -> AttachedRecording:
    """Check `source`, keep it by its hash, point the bulletin's `recording:` at the kept copy, build.

    Every check comes first: a recording that cannot air well is a UserError and changes nothing."""
    source = Path(source)
    if not source.is_file():
        raise UserError(coded(f"{source}: no such file", "file.missing", file=source.name))
    bulletin = find_bulletin(settings, bulletin_id)
    name = original_name or source.name
    facts = _prepare_once(settings, source, name).facts  # the build below finds this preparation in the cache
    kept, _ = recording.store(source, settings.recordings_dir, original_name=name)
    replaced = _point_at(bulletin, kept)
    bulletin = load_bulletin(bulletin.source)
    result = build_bulletin(bulletin, settings)
    return AttachedRecording(bulletin, replace(facts, stored=kept), result, replaced)


def attach_recording_bytes(settings: Settings, bulletin_id: str, data: bytes, original_name: str) -> AttachedRecording:
    """`attach_recording` for an upload or a browser recording (e.g. WebM/Opus from MediaRecorder)."""
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        path = _as_file(data, original_name, Path(tmp))
        return attach_recording(settings, bulletin_id, path, original_name=Path(original_name).name)


def check_recording(settings: Settings, source: Path | bytes, original_name: str = "") -> RecordingCheck:
    """Prepare and measure a recording (levelled and limited in memory); nothing is kept in the station's
    recordings or bulletins (its preparation waits in the cache, for the attach that usually follows)."""
    samples, facts = _prepare(settings, source, original_name)
    return _as_it_would_air(settings, samples, facts)


def _as_it_would_air(settings: Settings, samples, facts: recording.RecordingFacts) -> RecordingCheck:
    spec = MasterSpec.of(settings.audio)
    sr = spec.sample_rate
    levelled, lufs = loudness.gain_and_limit(band_limit(samples, sr), sr, spec.loudness_lufs, spec.ceiling_dbtp)
    return RecordingCheck(facts, lufs if math.isfinite(lufs) else math.nan, loudness.true_peak_dbtp(levelled))


def preview_recording(settings: Settings, source: Path | bytes, out_mp3: Path, original_name: str = "") -> RecordingCheck:
    """The recording alone, prepared and mastered like the programme into `out_mp3`, to hear before it is
    attached (the console plays it back); loudness and true peak are the MP3's. Nothing else is kept
    (but the preparation, in the cache)."""
    samples, facts = _prepare(settings, source, original_name)
    done = []
    atomic_write(Path(out_mp3), lambda tmp: done.append(master(samples, MasterSpec.of(settings.audio), mp3=tmp)))
    return RecordingCheck(facts, done[0].lufs, done[0].true_peak_dbtp)


def detach_recording(settings: Settings, bulletin_id: str) -> str | None:
    """Remove the bulletin's `recording:` line (it is synthesised again at its next build); the kept file
    stays, as evidence of what aired. Returns the value removed, None when it had none."""
    bulletin = find_bulletin(settings, bulletin_id)
    if bulletin.recording is None:
        return None
    _rewrite(bulletin, _RECORDING_LINE.sub("", Path(bulletin.source).read_text(encoding="utf-8")))
    return bulletin.recording.as_posix()


def record_from_mic(settings: Settings, bulletin_id: str | None, *, stop: threading.Event,
                    on_level: Callable[[float, float], None] | None = None, source: str | None = None,
                    max_seconds: float = MAX_MIC_SECONDS, part: str | None = None):
    """Record the sound card's input (PulseAudio, parecord) until `stop` is set or `max_seconds` pass,
    then attach it like a file: to the bulletin, or as the station's `part` (greeting, signoff).
    `on_level(seconds, dbfs)` follows the level every 50 ms."""
    from broadcast.audio import mic

    # What it is for is checked before the reader starts talking.
    name = find_bulletin(settings, bulletin_id).id if part is None else _station_part(part)[0]
    chosen = mic.choose_source(source)
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        wav = Path(tmp) / f"{name}-mic-{datetime.now(settings.station.tz):%Y%m%d-%H%M%S}.wav"
        mic.capture(wav, source=chosen, stop=stop, max_seconds=max_seconds, on_level=on_level)
        return attach_recording(settings, name, wav) if part is None else set_station_recording(settings, part, wav)


# --- the station's own greeting and sign-off --------------------------------------------------


@dataclass(frozen=True)
class StationPartChange:
    """The station's greeting or sign-off read by a person (or synthesised again), as station.yaml says now."""

    part: str  # "greeting" or "signoff"
    settings: Settings  # station.yaml as written now: a long-running caller (the console) takes these
    previous: str | None  # the recording station.yaml named before (None: it was synthesised)
    reloaded: bool  # a running service took the new station.yaml now (else at its next check, within the hour)
    check: RecordingCheck | None = None  # the new recording: what preparing found, its level as it will air


@dataclass(frozen=True)
class StationPartRecording:
    """One of the station's parts and the recording station.yaml names for it (None: synthesised)."""

    part: str
    recording: str | None
    found: bool
    text: str = ""  # the words the part stands for (what a person reads), from station.yaml's programme


def set_station_recording(settings: Settings, part: str, source: Path,
                          original_name: str | None = None) -> StationPartChange:
    """A person's reading of the station's greeting or sign-off: checked and prepared exactly as a
    bulletin's recording is, kept by its hash in the recordings folder, and named in station.yaml
    (`programme.greeting_recording` / `signoff_recording`, its comments kept); every bulletin and session
    built from then on opens (or closes) with it. A recording that cannot air well changes nothing."""
    part, key = _station_part(part)
    source = Path(source)
    if not source.is_file():
        raise UserError(coded(f"{source}: no such file", "file.missing", file=source.name))
    name = original_name or source.name
    prepared = _prepare_once(settings, source, name)
    checked = _as_it_would_air(settings, prepared.audio(), prepared.facts)
    kept, _ = recording.store(source, settings.recordings_dir, original_name=name)
    value = Path(os.path.relpath(kept, settings.base_dir)).as_posix()  # relative to station.yaml's folder
    fresh = _set_station_key(settings, key, value)
    return StationPartChange(part, fresh, _previous(settings, key), reload_service(settings).reloaded,
                             replace(checked, facts=replace(checked.facts, stored=kept)))


def set_station_recording_bytes(settings: Settings, part: str, data: bytes, original_name: str) -> StationPartChange:
    """`set_station_recording` for an upload or a browser recording."""
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        path = _as_file(data, original_name, Path(tmp))
        return set_station_recording(settings, part, path, original_name=Path(original_name).name)


def remove_station_recording(settings: Settings, part: str) -> StationPartChange:
    """Take the station's recording of `part` off station.yaml (the text is synthesised again at the next
    build); the kept file stays, as evidence of what aired."""
    part, key = _station_part(part)
    previous = _previous(settings, key)
    if previous is None:
        return StationPartChange(part, settings, None, False)
    fresh = _set_station_key(settings, key, None)
    return StationPartChange(part, fresh, previous, reload_service(settings).reloaded)


def station_part_recordings(settings: Settings) -> list[StationPartRecording]:
    """The station's greeting and sign-off: which a person reads (and whether the file is there)."""
    named = station_recordings(settings)
    try:
        texts = {segment.kind: segment.text for segment in render_wrapper(settings)}
    except UserError:  # a broken greeting template: `check` names it; the recordings are still listed
        texts = {}
    return [StationPartRecording(part, _previous(settings, key), part in named and named[part].is_file(),
                                 texts.get(part, ""))
            for part, key in STATION_PARTS.items()]


def station_part_file(settings: Settings, part: str) -> Path | None:
    """The kept file a person read `part` into, when station.yaml names one and it is there."""
    part, _ = _station_part(part)
    path = station_recordings(settings).get(part)
    return path if path is not None and path.is_file() else None


def _station_part(part: str) -> tuple[str, str]:
    """("greeting" or "signoff", its key under `programme:`); "sign-off" is the sign-off too."""
    kind = part.replace("-", "").replace("_", "").lower()
    if kind not in STATION_PARTS:
        raise UserError(Problem(f"unknown station part '{part}'", hint="use greeting or signoff"))
    return kind, STATION_PARTS[kind]


def _previous(settings: Settings, key: str) -> str | None:
    value = getattr(settings.programme, key)
    return None if value is None else Path(value).as_posix()


def _set_station_key(settings: Settings, key: str, value: str | None) -> Settings:
    """station.yaml with `programme.<key>` set (None: removed), its comments and layout kept; the new file
    is loaded as every command loads it before it replaces the old one. Returns the new settings."""
    file = settings.source_file
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    new = set_value(text, "programme", key, value)
    with writing_into(file.parent), staged(file) as trial:
        trial.write_text(new, encoding="utf-8")
        try:
            load_settings(trial)
        except UserError as exc:
            raise UserError([p.replace(str(trial), str(file)) for p in exc.problems]) from None
    return load_settings(file)


def recorded_bulletins(settings: Settings) -> list[RecordedBulletin]:
    """Every bulletin of the station that names a recording, and whether its file is there."""
    out = []
    for file in bulletin_files([settings.bulletins_dir]) if settings.bulletins_dir.is_dir() else []:
        try:
            b = load_bulletin(file)
        except UserError:
            continue
        if b.recording_file is not None:
            out.append(RecordedBulletin(b.id, b.recording.as_posix(), b.recording_file.is_file()))
    return out


def recording_voice_row(settings: Settings):
    """`broadcast voices`' row for a person's voice: which bulletins are read from a recording."""
    from broadcast.app.voices import VoiceRow

    found = recorded_bulletins(settings)
    parts = [p for p in station_part_recordings(settings) if p.recording is not None]
    missing = [r.bulletin_id for r in found if not r.found] + [f"the {p.part}" for p in parts if not p.found]
    reads = ([f"{len(found)} bulletin(s): {', '.join(r.bulletin_id for r in found)}"] if found else []) + [
        f"the station's {' and '.join(p.part for p in parts)}"] * bool(parts)
    row = VoiceRow(recording.ENGINE, "recording", "vi", "a person's voice (recorded)", settings.audio.sample_rate,
                   detail=(f"reads {'; '.join(reads)}" if reads
                           else "no bulletin is recorded; attach one: broadcast record FILE --bulletin ID"))
    if missing:
        row.usable, row.detail = False, f"recording file missing for: {', '.join(missing)}"
    return row


def recording_note(bulletin: Bulletin) -> str:
    """One line for `render`: which recording reads the item (its text is what it stands for)."""
    state = "" if bulletin.recording_file and bulletin.recording_file.is_file() else " — NOT FOUND: the build will refuse it"
    return (f"{bulletin.recording}{state}: a person reads the item; the text below is what the recording stands for "
            "(the greeting and sign-off are the station's)")


# --- the steps --------------------------------------------------------------------------------


def _as_file(data: bytes, original_name: str, folder: Path) -> Path:
    suffix = Path(original_name).suffix.lower()
    path = folder / ("upload" + (suffix if _SUFFIX.fullmatch(suffix) else ".audio"))
    path.write_bytes(bytes(data))
    return path


def _prepare_once(settings: Settings, path: Path, original_name: str) -> recording.Prepared:
    return recording.prepare_once(path, settings.audio.sample_rate, settings.audio.loudness_lufs, settings.cache_dir,
                                  original_name=original_name)


def _prepare(settings: Settings, source: Path | bytes, original_name: str):
    """(samples, facts) of a recording given as a path or as bytes."""
    if isinstance(source, (str, Path)):
        if not Path(source).is_file():
            raise UserError(coded(f"{source}: no such file", "file.missing", file=Path(source).name))
        prepared = _prepare_once(settings, Path(source), original_name or str(source))
        return prepared.audio(), prepared.facts
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        prepared = _prepare_once(settings, _as_file(source, original_name or "recording", Path(tmp)),
                                 original_name or "recording")
        return prepared.audio(), prepared.facts


def _point_at(bulletin: Bulletin, kept: Path) -> str | None:
    """Set the bulletin file's `recording:` line (added at the end when it has none); returns the old value."""
    file = Path(bulletin.source)
    text = file.read_text(encoding="utf-8")
    line = f"recording: {Path(os.path.relpath(kept, file.parent)).as_posix()}\n"
    new = _RECORDING_LINE.sub(lambda _: line, text, count=1) if _RECORDING_LINE.search(text) else (
        text.rstrip("\n") + "\n" + line)
    _rewrite(bulletin, new)
    return bulletin.recording.as_posix() if bulletin.recording else None


def _rewrite(bulletin: Bulletin, text: str) -> None:
    """Write the bulletin's new text, which must still be the same valid bulletin (only that line changed)."""
    file = Path(bulletin.source)
    parsed = parse_bulletin(text, file)  # raises with the file's problems rather than writing a broken file
    if parsed.id != bulletin.id:
        raise UserError(Problem("cannot set its recording: line automatically; edit it by hand", str(file)))
    atomic_write(file, lambda tmp: tmp.write_text(text, encoding="utf-8"))

