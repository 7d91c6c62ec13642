"""Bulletin (or a session's programme) → audio_out/<id>.mp3 + .wav master + .json manifest.

render → normalise → synthesise (cached) → mix → encode → measure, with every file written to a
temporary name and renamed into place, so a failed build never replaces the last good audio.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from broadcast import __version__
from broadcast.atomic import staged
from broadcast.audio import ffmpeg, loudness
from broadcast.audio.jingle import load_jingle
from broadcast.audio.mix import Part, mix, pause
from broadcast.content.bulletin import Bulletin
from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.content.render import Segment, render_programme
from broadcast.speech.lexicon import load_lexicon
from broadcast.speech.normalise import normalise
from broadcast.speech.synth import Speaker

BUILD_FORMAT = 1  # bump when the same inputs would now give different audio
PARAGRAPH_PAUSE_S = 0.5
TITLE_PAUSE_S = 0.7
MP3_MARGIN_DB = 0.6  # limiter ceiling below the target peak, room for MP3's overshoot
MAX_ENCODE_TRIES = 3
LOUDNESS_WARN_LU = 0.5


@dataclass
class BuildResult:
    id: str
    mp3: Path
    wav: Path
    manifest_path: Path
    manifest: dict
    up_to_date: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.manifest["title"]

    @property
    def duration_s(self) -> float:
        return self.manifest["durations"]["total_s"]

    @property
    def lufs(self) -> float:
        return self.manifest["measured"]["integrated_lufs"]

    @property
    def true_peak_dbtp(self) -> float:
        return self.manifest["measured"]["true_peak_dbtp"]

    @property
    def warnings(self) -> list[str]:
        return self.manifest.get("warnings", [])


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spoken_segments(segments: list[Segment], settings: Settings, lexicon=None) -> list[tuple[Segment, str]]:
    """Each segment with its spoken form; an item that normalises to nothing is the editor's mistake."""
    lexicon = lexicon if lexicon is not None else load_lexicon(settings.lexicon_file)
    out, problems = [], []
    for seg in segments:
        spoken = normalise(seg.text, lexicon).strip()
        if not any(ch.isalpha() for ch in spoken):
            problems.append(f"{seg.bulletin_id or 'programme'}: the {seg.kind} has no words to speak: {seg.text!r}")
        out.append((seg, spoken))
    if problems:
        raise UserError(problems)
    return out


def ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UserError(f"{folder}: output folder is not writable ({exc.strerror})") from None


def _build_key(spoken: list[tuple[Segment, str]], voices: dict[str, str | None], settings: Settings, jingle_id: str) -> str:
    speech = settings.speech
    payload = {
        "format": BUILD_FORMAT,
        "segments": [[s.kind, s.bulletin_id, text, voices.get(s.bulletin_id)] for s, text in spoken],
        "engines": [speech.engine, *speech.fallback],
        "voice": speech.voice,
        "rate": speech.rate,
        "audio": settings.audio.model_dump(mode="json", exclude={"jingle"}),
        "jingle": jingle_id,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _previous(manifest_path: Path, key: str, mp3: Path, wav: Path) -> dict | None:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("build_key") != key or not mp3.is_file() or not wav.is_file():
        return None
    if manifest.get("fell_back"):
        return None  # a lesser voice stood in last time: try the preferred engine again (speech is cached)
    if manifest.get("files", {}).get("mp3_sha256") != sha256_file(mp3):
        return None
    return manifest


def build_segments(
    name: str,
    info: dict,
    segments: list[Segment],
    settings: Settings,
    *,
    voices: dict[str, str | None] | None = None,
    out_dir: Path | None = None,
    speaker: Speaker | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the audio of rendered segments under `name` in `out_dir` (default audio_out/).

    `info` goes into the manifest (title, topic, priority, ...); `voices` maps a bulletin id to the
    voice its segments ask for.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    voices = voices or {}
    out_dir = Path(out_dir or settings.audio_out)
    ensure_writable(out_dir)
    mp3, wav, manifest_path = (out_dir / f"{name}{ext}" for ext in (".mp3", ".wav", ".json"))
    sr = settings.audio.sample_rate
    intro, outro, jingle_id = load_jingle(settings.jingle_file, sr)

    spoken = spoken_segments(segments, settings)
    timings["normalise"] = time.perf_counter() - t0
    key = _build_key(spoken, voices, settings, jingle_id)
    if not force and (previous := _previous(manifest_path, key, mp3, wav)):
        timings["total"] = time.perf_counter() - t0
        return BuildResult(name, mp3, wav, manifest_path, previous, up_to_date=True, timings=timings)

    t = time.perf_counter()
    voiced = _speak(spoken, speaker or Speaker(settings), voices, settings, intro, outro)
    timings["synthesise"] = time.perf_counter() - t

    t = time.perf_counter()
    ceiling = settings.audio.true_peak_dbtp - MP3_MARGIN_DB
    audio, master_lufs = mix(voiced.parts, sr, settings.audio.loudness_lufs, ceiling)
    timings["mix"] = time.perf_counter() - t

    t = time.perf_counter()
    warnings = voiced.warnings
    with staged(wav) as wav_tmp, staged(mp3) as mp3_tmp:
        audio, master_lufs, mp3_peak = encode_within_peak(audio, master_lufs, ceiling, settings, mp3_tmp)
        if abs(master_lufs - settings.audio.loudness_lufs) > LOUDNESS_WARN_LU:
            warnings.append(f"loudness {master_lufs:.1f} LUFS misses the target {settings.audio.loudness_lufs:g} LUFS")
        ffmpeg.encode_wav(audio, sr, wav_tmp)
        files = {"mp3": mp3.name, "wav": wav.name, "mp3_sha256": sha256_file(mp3_tmp), "wav_sha256": sha256_file(wav_tmp)}
    # The audio is in place; the manifest that describes it goes last.
    timings["encode"] = time.perf_counter() - t
    records = voiced.records
    spoken_text = "\n".join(text for _, text in spoken)
    manifest = {
        **info,
        "id": name,
        "spoken_text": spoken_text,
        "script_text": "\n\n".join(s.text for s, _ in spoken),
        "engine": _summary(records, "engine"),
        "voice": _summary(records, "voice"),
        "segments": records,
        "items": voiced.items,
        "durations": {
            "total_s": round(audio.size / sr, 3),
            "speech_s": round(sum(r["duration_s"] for r in records), 3),
            "jingle_s": round((intro.size + outro.size) / sr, 3),
        },
        "measured": {
            "integrated_lufs": round(master_lufs, 2),
            "true_peak_dbtp": round(mp3_peak, 2),
            "of": "integrated loudness of the WAV master; true peak of the decoded MP3",
        },
        "target": {"integrated_lufs": settings.audio.loudness_lufs, "true_peak_dbtp": settings.audio.true_peak_dbtp},
        "format": {"sample_rate": sr, "channels": 1, "mp3_bitrate_kbps": settings.audio.mp3_bitrate_kbps},
        "files": files,
        "text_sha256": sha256_text(spoken_text),
        "jingle": jingle_id,
        "warnings": list(dict.fromkeys(warnings)),
        "fell_back": voiced.fell_back,
        "build_key": key,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "software": f"broadcast {__version__}",
    }
    with staged(manifest_path) as man_tmp:
        man_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    timings["total"] = time.perf_counter() - t0
    return BuildResult(name, mp3, wav, manifest_path, manifest, timings=timings)


@dataclass
class _Voiced:
    """Speech laid out for the mix, with what the manifest says about it."""

    parts: list[Part]
    records: list[dict]  # one per segment: script, spoken text, engine, voice, offset, duration
    items: list[dict]  # one per bulletin: its offsets in the programme (the log times items by these)
    warnings: list[str]
    fell_back: bool


def _speak(spoken: list[tuple[Segment, str]], speaker: Speaker, voices: dict[str, str | None],
           settings: Settings, intro, outro) -> _Voiced:
    """Synthesise every segment (cache first) and lay the programme out: jingle, speech, pauses, jingle."""
    sr = settings.audio.sample_rate
    parts: list[Part] = [Part("jingle", intro), pause(settings.audio.pause_after_jingle_s, sr)]
    records, items, fell_back = [], {}, False
    said_why: dict[str, list[str]] = {}  # one warning per distinct reason, naming every segment it hit
    offset = sum(p.samples.size for p in parts)
    for i, (seg, text) in enumerate(spoken):
        said = speaker.say(text, voices.get(seg.bulletin_id))
        who = seg.bulletin_id or seg.kind
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
        parts.append(Part("speech", said.samples, f"{said.engine}/{said.voice}"))
        records.append({
            "kind": seg.kind, "bulletin_id": seg.bulletin_id, "script": seg.text, "spoken": text,
            "engine": said.engine, "voice": said.voice, "cached": said.cached,
            "start_s": round(offset / sr, 3), "duration_s": round(said.samples.size / sr, 3),
        })
        if seg.bulletin_id:
            item = items.setdefault(seg.bulletin_id, {"bulletin_id": seg.bulletin_id, "start_s": round(offset / sr, 3)})
            item["end_s"] = round((offset + said.samples.size) / sr, 3)
        offset += said.samples.size
        nxt = spoken[i + 1][0] if i + 1 < len(spoken) else None
        gap = (settings.audio.pause_after_jingle_s if nxt is None
               else TITLE_PAUSE_S if seg.kind == "title"
               else PARAGRAPH_PAUSE_S if nxt.bulletin_id and nxt.bulletin_id == seg.bulletin_id
               else settings.audio.pause_between_items_s)
        parts.append(pause(gap, sr))
        offset += parts[-1].samples.size
    parts.append(Part("jingle", outro))
    warnings = [f"{', '.join(dict.fromkeys(whos))}: {why}" for why, whos in said_why.items()]
    return _Voiced(parts, records, list(items.values()), warnings, fell_back)


def _language(speaker: Speaker, engine: str, voice: str) -> str | None:
    """The voice's language when its engine can tell (Piper voices carry one in their config)."""
    ask = getattr(speaker.engine(engine), "voice_language", None)
    return ask(voice) if ask else None


def encode_within_peak(audio, lufs: float, ceiling: float, settings: Settings, mp3_tmp: Path):
    """Encode the MP3; if decoding it shows a true peak over the target, limit harder and encode again.

    The MP3 is what airs, so its peak is the one checked. Its loudness equals the master's (the
    encoder's level change is corrected in encode_mp3), which the mix already measured.
    Returns (audio, its loudness, the MP3's true peak).
    """
    sr = settings.audio.sample_rate
    for _ in range(MAX_ENCODE_TRIES):
        ffmpeg.encode_mp3(audio, sr, settings.audio.mp3_bitrate_kbps, mp3_tmp)
        peak = loudness.true_peak_dbtp(ffmpeg.decode(mp3_tmp, sr))
        excess = peak - settings.audio.true_peak_dbtp
        if excess <= 0:
            break
        ceiling -= excess + 0.2
        audio = loudness.limit(audio, sr, ceiling)
        lufs = loudness.integrated_lufs(audio, sr)
    return audio, lufs, peak


def _summary(records: list[dict], key: str) -> str:
    """The engine (or voice) that spoke, or 'a+b' when several did."""
    values = list(dict.fromkeys(r[key] for r in records))
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
                          voices={bulletin.id: bulletin.voice}, **kwargs)


def build_programme(name: str, bulletins: list[Bulletin], settings: Settings, info: dict | None = None, **kwargs) -> BuildResult:
    """Several bulletins in one programme (a broadcast session), in the given order."""
    segments = render_programme(bulletins, settings)
    top = min((b.priority for b in bulletins), key=lambda p: p.rank).value if bulletins else "normal"
    meta = {"kind": "programme", "title": name, "topic": "", "priority": top,
            "bulletins": [dict(bulletin_info(b), id=b.id) for b in bulletins], **(info or {})}
    return build_segments(name, meta, segments, settings, voices={b.id: b.voice for b in bulletins}, **kwargs)
