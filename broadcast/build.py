"""Bulletin (or a session's programme) → audio_out/<id>.mp3 + .wav master + .json manifest.

render → normalise → synthesise (cached) → mix → encode → measure, with every file written to a
temporary name and renamed into place, so a failed build never replaces the last good audio.

A person's recording stands in for synthesised speech in two places: a bulletin's item (its
`recording:` line) and the station's own greeting and sign-off (`programme.greeting_recording`,
`programme.signoff_recording` in station.yaml). Both go the same way: checked, prepared once
(audio/recording.py), kept by hash, levelled and mastered with the programme, named in the manifest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from broadcast import __version__
from broadcast.atomic import ensure_writable, staged_all, writing_into
from broadcast.audio.jingle import load_jingle
from broadcast.audio.layout import BuildFiles
from broadcast.audio.manifest import (AudioFiles, AudioFormat, BulletinEntry, Durations, ItemSpan, Manifest, Measured,
                                      RecordingInfo, SegmentRecord, Target, verified, write_manifest)
from broadcast.audio.master import MasterSpec, Tap, master
from broadcast.audio.mix import PARAGRAPH_PAUSE_S, TITLE_PAUSE_S, Part, mix, pause
from broadcast.audio.recording import ENGINE as RECORDING_ENGINE
from broadcast.audio.recording import MASTERING_VERSION as RECORDING_MASTERING
from broadcast.audio.recording import Prepared, prepare_once, recording_problem
from broadcast.audio.recording import store as store_recording
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin
from broadcast.content.length import item_seconds
from broadcast.content.render import Segment, render_programme
from broadcast.digest import sha256_file, sha256_text
from broadcast.errors import UserError
from broadcast.problems import Problem, coded
from broadcast.speech.lexicon import load_lexicon
from broadcast.speech.normalise import normalise
from broadcast.speech.synth import Speaker

BUILD_FORMAT = 1  # bump when the same inputs would now give different audio
LOUDNESS_WARN_LU = 0.5


@dataclass
class BuildResult:
    id: str
    files: BuildFiles
    manifest: Manifest
    up_to_date: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def mp3(self) -> Path:
        return self.files.mp3

    @property
    def wav(self) -> Path:
        return self.files.wav

    @property
    def manifest_path(self) -> Path:
        return self.files.manifest

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def duration_s(self) -> float:
        return self.manifest.durations.total_s

    @property
    def lufs(self) -> float:
        return self.manifest.measured.integrated_lufs

    @property
    def true_peak_dbtp(self) -> float:
        return self.manifest.measured.true_peak_dbtp

    @property
    def warnings(self) -> list[str]:
        return self.manifest.warnings


def spoken_segments(segments: list[Segment], settings: Settings, lexicon=None) -> list[tuple[Segment, str]]:
    """Each segment with its spoken form; an item that normalises to nothing is the editor's mistake."""
    lexicon = lexicon if lexicon is not None else load_lexicon(settings.lexicon_file)
    out, problems = [], []
    for seg in segments:
        spoken = normalise(seg.text, lexicon).strip()
        if not any(ch.isalpha() for ch in spoken):
            problems.append(Problem(f"{seg.bulletin_id or 'programme'}: the {seg.kind} has no words to speak: {seg.text!r}",
                                    code="bulletin.no_words", params={"text": seg.text, "kind": seg.kind}))
        out.append((seg, spoken))
    if problems:
        raise UserError(problems)
    return out


RECORDING_LENGTH_WARN = 2.0  # a recording this many times longer or shorter than the text's reading is suspect
# The station's own parts a recording may stand in for: segment kind -> its key under `programme:` in station.yaml.
STATION_PARTS = {"greeting": "greeting_recording", "signoff": "signoff_recording"}


@dataclass(frozen=True)
class _Recorded:
    """A recording named for a bulletin's item or a station part: where it is, its hash, and how a
    message about it is placed (the bulletin's id before it, or its station.yaml line)."""

    path: Path
    sha256: str
    problem: Callable[[Problem], Problem]  # a problem of preparing it, placed where the recording is named


def _recording_length_warnings(spoken: list[tuple[Segment, str]], prepared: dict[str, Prepared],
                               station: dict[str, Prepared], rates: dict[str, int | None],
                               settings: Settings) -> list[str]:
    """A recording far longer or shorter than its text takes to read is probably of another text."""
    out = []
    for who, rec, texts in ([(bid, rec, [t for s, t in spoken if s.bulletin_id == bid]) for bid, rec in prepared.items()]
                            + [(kind, rec, [t for s, t in spoken if not s.bulletin_id and s.kind == kind])
                               for kind, rec in station.items()]):
        expected = item_seconds(texts, rates.get(who) or settings.speech.rate, TITLE_PAUSE_S, PARAGRAPH_PAUSE_S)
        actual = rec.size / settings.audio.sample_rate
        if expected and not 1 / RECORDING_LENGTH_WARN <= actual / expected <= RECORDING_LENGTH_WARN:
            whose = "this bulletin" if who in prepared else f"the {who} (programme.{who} in station.yaml)"
            out.append(f"{who}: the recording {rec.facts.original_name} lasts {actual:.0f} s but its text takes about "
                       f"{expected:.0f} s to read: is it the recording of {whose}?")
    return out


def _recording_sha256(who: str, path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:
        raise UserError(coded(f"{who}: recording {path} cannot be read ({exc.strerror or exc})",
                              "recording.unreadable", name=Path(path).name)) from None


def station_recordings(settings: Settings) -> dict[str, Path]:
    """The station's own recordings of its greeting and sign-off, by segment kind (the ones set)."""
    out = {}
    for kind, key in STATION_PARTS.items():
        value = getattr(settings.programme, key)
        if value is not None:
            out[kind] = settings.resolve(value)
    return out


def _station_recorded(settings: Settings, kinds: set[str] | None = None) -> dict[str, _Recorded]:
    """The station parts' recordings (of `kinds`, default all) that the build uses; a missing one, or a
    kept one changed since, is a problem of its station.yaml line (all at once)."""
    found, problems = {}, []
    for kind, path in station_recordings(settings).items():
        if kinds is not None and kind not in kinds:
            continue
        key = STATION_PARTS[kind]
        why = recording_problem(path, settings.recordings_dir)
        if why:
            problems.append(settings.problem(("programme", key), why.message, code=why.code, hint=(
                f"record it again with `broadcast record FILE --{_option(kind)}`, or remove the line")))
        else:
            found[kind] = _Recorded(path, _recording_sha256(f"programme.{key}", path),
                                    lambda p, key=key: settings.problem(("programme", key), p.message, hint=p.hint,
                                                                        code=p.code, params=p.params))
    if problems:
        raise UserError(problems)
    return found


def _option(kind: str) -> str:
    return "sign-off" if kind == "signoff" else kind


def _prepare_recordings(settings: Settings, *groups: dict[str, _Recorded]) -> tuple[dict[str, Prepared], ...]:
    """Every recording of each group checked and prepared (once: the cache keeps it) before anything is
    written; every problem at once, each placed where the recording is named."""
    ready, problems = [], []
    for group in groups:
        ready.append({})
        for who, rec in group.items():
            try:
                ready[-1][who] = prepare_once(rec.path, settings.audio.sample_rate, settings.audio.loudness_lufs,
                                              settings.cache_dir, sha256=rec.sha256)
            except UserError as exc:
                problems += [rec.problem(p) for p in exc.details]
    if problems:
        raise UserError(problems)
    return tuple(ready)


def _keep(prepared: dict[str, Prepared], settings: Settings) -> dict[str, Prepared]:
    """The build's own copy of each recording, by hash: what aired stays findable."""
    out = {}
    for who, rec in prepared.items():
        kept, _ = store_recording(rec.facts.stored, settings.recordings_dir)
        out[who] = replace(rec, facts=replace(rec.facts, stored=kept))
    return out


def station_recording_problems(settings: Settings) -> list[Problem]:
    """What `schedule check` says of the station's greeting and sign-off recordings: the build's own checks
    (missing, changed since kept, and every check of preparing it), each at its station.yaml line."""
    try:
        _prepare_recordings(settings, _station_recorded(settings))
    except UserError as exc:
        return exc.details
    return []


def station_recording_seconds(settings: Settings) -> dict[str, float]:
    """How long each station part's recording airs (for planning); a part whose recording has a problem
    is left out (planned by its text; the build and `schedule check` say why)."""
    out = {}
    for kind in station_recordings(settings):
        try:
            (prepared,) = _prepare_recordings(settings, _station_recorded(settings, {kind}))
        except UserError:
            continue
        out[kind] = prepared[kind].size / settings.audio.sample_rate
    return out


def _build_key(spoken: list[tuple[Segment, str]], voices: dict[str, str | None], rates: dict[str, int | None],
               settings: Settings, jingle_id: str,
               recordings: dict[str, str] | None = None, station: dict[str, str] | None = None) -> str:
    speech = settings.speech
    payload = {
        "format": BUILD_FORMAT,
        "segments": [[s.kind, s.bulletin_id, text, voices.get(s.bulletin_id)]
                     + ([rates[s.bulletin_id]] if rates.get(s.bulletin_id) else [])  # older keys stay valid
                     for s, text in spoken],
        "engines": [speech.engine, *speech.fallback],
        "voice": speech.voice,
        "rate": speech.rate,
        "audio": settings.audio.model_dump(mode="json", exclude={"jingle"}),
        "jingle": jingle_id,
    }
    if recordings:
        payload["recordings"] = recordings
    if station:
        payload["station_recordings"] = station
    if recordings or station:
        payload["recording_mastering"] = RECORDING_MASTERING
    return sha256_text(json.dumps(payload, ensure_ascii=False, sort_keys=True))


def _previous(files: BuildFiles, key: str) -> Manifest | None:
    """The build already there, if it is of the same inputs and whole (its files match its manifest)."""
    build = verified(files)
    if build is None or build.manifest.build_key != key or build.wav is None:
        return None
    if build.manifest.fell_back:
        return None  # a lesser voice stood in last time: try the preferred engine again (speech is cached)
    return build.manifest


def build_segments(
    name: str,
    info: dict,
    segments: list[Segment],
    settings: Settings,
    *,
    voices: dict[str, str | None] | None = None,
    rates: dict[str, int | None] | None = None,
    out_dir: Path | None = None,
    speaker: Speaker | None = None,
    force: bool = False,
    recordings: dict[str, Path] | None = None,
    tap: Tap | None = None,
) -> BuildResult:
    """Build the audio of rendered segments under `name` in `out_dir` (default audio_out/).

    `info` goes into the manifest (title, topic, priority, ...); `voices` maps a bulletin id to the
    voice its segments ask for, `rates` to the words per minute they are read at (none: speech.rate);
    `recordings` a bulletin id to the recording a person made of it (the
    greeting and sign-off are the station's recordings when station.yaml names them); a `tap` hears the
    programme as it is mastered (nothing when the build is up to date).
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    voices, rates = voices or {}, rates or {}
    out_dir = Path(out_dir or settings.audio_out)
    ensure_writable(out_dir)
    files = BuildFiles.named(out_dir, name)
    mp3, wav, manifest_path = files.mp3, files.wav, files.manifest
    sr = settings.audio.sample_rate
    intro, outro, jingle_id = load_jingle(settings.jingle_file, sr)

    spoken = spoken_segments(segments, settings)
    timings["normalise"] = time.perf_counter() - t0
    recorded = {bid: _Recorded(path, _recording_sha256(bid, path),
                               lambda p, bid=bid: replace(p, message=f"{bid}: {p.message}"))
                for bid, path in (recordings or {}).items()}
    station = _station_recorded(settings, {s.kind for s, _ in spoken if not s.bulletin_id})
    key = _build_key(spoken, voices, rates, settings, jingle_id, {bid: r.sha256 for bid, r in recorded.items()},
                     {kind: r.sha256 for kind, r in station.items()})
    if not force and (previous := _previous(files, key)):
        timings["total"] = time.perf_counter() - t0
        return BuildResult(name, files, previous, up_to_date=True, timings=timings)

    t = time.perf_counter()
    prepared, station_parts = _prepare_recordings(settings, recorded, station)  # every check before anything is written
    prepared, station_parts = _keep(prepared, settings), _keep(station_parts, settings)
    voiced = _speak(spoken, speaker or Speaker(settings), voices, rates, settings, intro, outro, prepared, station_parts)
    voiced.warnings += _recording_length_warnings(spoken, prepared, station_parts, rates, settings)
    timings["synthesise"] = time.perf_counter() - t

    t = time.perf_counter()
    joined = mix(voiced.parts, sr, settings.audio.loudness_lufs)
    timings["mix"] = time.perf_counter() - t

    t = time.perf_counter()
    warnings = voiced.warnings
    spec = MasterSpec.of(settings.audio)
    with writing_into(out_dir), staged_all(mp3, wav) as (mp3_tmp, wav_tmp):
        done = master(joined, spec, mp3=mp3_tmp, wav=wav_tmp, tap=tap)
        if abs(done.lufs - spec.loudness_lufs) > LOUDNESS_WARN_LU:
            warnings.append(f"loudness {done.lufs:.1f} LUFS misses the target {spec.loudness_lufs:g} LUFS")
    # The audio is in place; the manifest that describes it goes last.
    timings["encode"] = time.perf_counter() - t
    records = voiced.records
    spoken_text = "\n".join(text for _, text in spoken)
    manifest = Manifest(
        **info,
        id=name,
        spoken_text=spoken_text,
        script_text="\n\n".join(s.text for s, _ in spoken),
        engine=_summary(records, "engine"),
        voice=_summary(records, "voice"),
        segments=records,
        items=voiced.items,
        durations=Durations(
            total_s=round(done.duration_s, 3),
            speech_s=round(sum(r.duration_s for r in records), 3),
            jingle_s=round((intro.size + outro.size) / sr, 3),
        ),
        measured=Measured(integrated_lufs=round(done.lufs, 2), true_peak_dbtp=round(done.true_peak_dbtp, 2),
                          of="integrated loudness of the WAV master; true peak of the decoded MP3"),
        target=Target(integrated_lufs=spec.loudness_lufs, true_peak_dbtp=spec.true_peak_dbtp),
        format=AudioFormat(sample_rate=sr, channels=1, mp3_bitrate_kbps=spec.mp3_bitrate_kbps),
        files=AudioFiles(mp3=mp3.name, wav=wav.name, mp3_sha256=done.mp3_sha256, wav_sha256=done.wav_sha256),
        text_sha256=sha256_text(spoken_text),
        jingle=jingle_id,
        warnings=list(dict.fromkeys(warnings)),
        fell_back=voiced.fell_back,
        build_key=key,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        software=f"broadcast {__version__}",
    )
    with writing_into(out_dir):
        write_manifest(manifest_path, manifest)
    timings["total"] = time.perf_counter() - t0
    return BuildResult(name, files, manifest, timings=timings)


@dataclass
class _Voiced:
    """Speech laid out for the mix, with what the manifest says about it."""

    parts: list[Part]
    records: list[SegmentRecord]  # one per segment: script, spoken text, engine, voice, offset, duration
    items: list[ItemSpan]  # one per bulletin: its offsets in the programme (the log times items by these)
    warnings: list[str]
    fell_back: bool


def _speak(spoken: list[tuple[Segment, str]], speaker: Speaker, voices: dict[str, str | None],
           rates: dict[str, int | None], settings: Settings, intro, outro,
           recordings: dict[str, Prepared] | None = None, station: dict[str, Prepared] | None = None) -> _Voiced:
    """Synthesise every segment (cache first) and lay the programme out: jingle, speech, pauses, jingle.

    A bulletin in `recordings` (id -> Prepared) is its recording instead: one part for all its
    segments (kind `recording`); a station part in `station` (greeting, signoff -> Prepared) is the
    station's recording. Both are named as engine `recording` with the file's name and hash as the voice."""
    sr = settings.audio.sample_rate
    recordings, station = recordings or {}, station or {}
    parts: list[Part] = [Part("jingle", intro), pause(settings.audio.pause_after_jingle_s, sr)]
    records, items, fell_back = [], {}, False
    said_why: dict[str, list[str]] = {}  # one warning per distinct reason, naming every segment it hit
    offset = sum(p.length for p in parts)
    i = 0
    while i < len(spoken):
        seg, text = spoken[i]
        who = seg.bulletin_id or seg.kind
        rec = recordings.get(seg.bulletin_id) if seg.bulletin_id else station.get(seg.kind)
        if rec is not None:
            j = i + 1
            while seg.bulletin_id and j < len(spoken) and spoken[j][0].bulletin_id == seg.bulletin_id:
                j += 1  # a bulletin's recording stands for its title and every paragraph
            facts, group = rec.facts, spoken[i:j]
            parts.append(Part("speech", rec.samples, f"{RECORDING_ENGINE}/{facts.sha256}", rec.load, rec.size))
            records.append(SegmentRecord(
                kind="recording" if seg.bulletin_id else seg.kind, bulletin_id=seg.bulletin_id,
                script="\n\n".join(s.text for s, _ in group),
                spoken="\n".join(t for _, t in group), engine=RECORDING_ENGINE, voice=facts.voice, cached=rec.cached,
                start_s=round(offset / sr, 3), duration_s=round(rec.size / sr, 3),
                recording=RecordingInfo(sha256=facts.sha256, original_name=facts.original_name, file=str(facts.stored),
                                        prepared=facts.as_dict()),
            ))
            size, last = rec.size, group[-1][0]
        else:
            rate = rates.get(seg.bulletin_id) or settings.speech.rate
            said = speaker.say(text, voices.get(seg.bulletin_id), rate)
            if said.fell_back_from:
                fell_back = True
                said_why.setdefault(f"spoken by {said.engine}/{said.voice} because " + "; ".join(said.failures), []).append(who)
            elif said.asked_voice:
                said_why.setdefault(f"{said.engine} has no voice '{said.asked_voice}'; spoken with '{said.voice}' "
                                    f"(see `broadcast voices`)", []).append(who)
            language = _language(speaker, said.engine, said.voice)
            if language and not language.lower().startswith("vi"):
                said_why.setdefault(f"{said.engine} voice '{said.voice}' speaks {language}, not Vietnamese: the text "
                                    f"will be misread on air", []).append(who)
            load = speaker.kept(said)  # kept on disk until mixed, so the speech is not all held at once
            parts.append(Part("speech", None if load else said.samples, f"{said.engine}/{said.voice}", load,
                              said.samples.size))
            records.append(SegmentRecord(
                kind=seg.kind, bulletin_id=seg.bulletin_id, script=seg.text, spoken=text,
                engine=said.engine, voice=said.voice, rate=rate, cached=said.cached,
                start_s=round(offset / sr, 3), duration_s=round(said.samples.size / sr, 3),
            ))
            size, last, j = said.samples.size, seg, i + 1
        if seg.bulletin_id:
            end_s = round((offset + size) / sr, 3)
            item = items.setdefault(seg.bulletin_id, ItemSpan(bulletin_id=seg.bulletin_id, start_s=round(offset / sr, 3),
                                                              end_s=end_s))
            item.end_s = end_s
        offset += size
        nxt = spoken[j][0] if j < len(spoken) else None
        gap = (settings.audio.pause_after_jingle_s if nxt is None
               else TITLE_PAUSE_S if last.kind == "title"
               else PARAGRAPH_PAUSE_S if nxt.bulletin_id and nxt.bulletin_id == last.bulletin_id
               else settings.audio.pause_between_items_s)
        parts.append(pause(gap, sr))
        offset += parts[-1].length
        i = j
    parts.append(Part("jingle", outro))
    warnings = [f"{', '.join(dict.fromkeys(whos))}: {why}" for why, whos in said_why.items()]
    return _Voiced(parts, records, list(items.values()), warnings, fell_back)


def _language(speaker: Speaker, engine: str, voice: str) -> str | None:
    """The voice's language when its engine can tell (Piper voices carry one in their config)."""
    ask = getattr(speaker.engine(engine), "voice_language", None)
    return ask(voice) if ask else None


def _summary(records: list[SegmentRecord], key: str) -> str:
    """The engine (or voice) that spoke, or 'a+b' when several did."""
    values = list(dict.fromkeys(getattr(r, key) for r in records))
    return "+".join(values)


def bulletin_info(b: Bulletin) -> dict:
    return {
        "kind": "bulletin",
        "title": b.title,
        "topic": b.topic,
        "priority": b.priority.value,
        "source": str(b.source) if b.source else None,
        "air": b.air.model_dump(mode="json", by_alias=True) if b.air else None,
    }


def build_bulletin(bulletin: Bulletin, settings: Settings, **kwargs) -> BuildResult:
    """One bulletin with the programme wrapper: jingle, greeting, the item, sign-off, jingle."""
    segments = render_programme([bulletin], settings)
    return build_segments(bulletin.id, bulletin_info(bulletin), segments, settings,
                          voices={bulletin.id: bulletin.voice}, rates={bulletin.id: bulletin.rate},
                          recordings=_recordings([bulletin], settings), **kwargs)


def build_programme(name: str, bulletins: list[Bulletin], settings: Settings, info: dict | None = None, **kwargs) -> BuildResult:
    """Several bulletins in one programme (a broadcast session), in the given order."""
    segments = render_programme(bulletins, settings)
    top = min((b.priority for b in bulletins), key=lambda p: p.rank).value if bulletins else "normal"
    meta = {"kind": "programme", "title": name, "topic": "", "priority": top,
            "bulletins": [BulletinEntry(**bulletin_info(b), id=b.id) for b in bulletins], **(info or {})}
    return build_segments(name, meta, segments, settings, voices={b.id: b.voice for b in bulletins},
                          rates={b.id: b.rate for b in bulletins},
                          recordings=_recordings(bulletins, settings), **kwargs)


def _recordings(bulletins: list[Bulletin], settings: Settings) -> dict[str, Path]:
    """Each bulletin's recording; a missing file, or a kept one changed since, is a problem of the
    bulletin's `recording:` line (every bulletin's at once)."""
    found, problems = {}, []
    for b in bulletins:
        if b.recording_file is None:
            continue
        why = recording_problem(b.recording_file, settings.recordings_dir)
        if why:
            problems.append(b.problem(("recording",), why.message, hint=f"attach one with `broadcast record FILE --bulletin {b.id}`"
                                                                       ", or remove the line", code=why.code))
        else:
            found[b.id] = b.recording_file
    if problems:
        raise UserError(problems)
    return found
