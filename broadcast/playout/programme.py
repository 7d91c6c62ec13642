"""From a slot to audio ready to air: item durations (built or estimated), the plan, and the pre-roll build with its fallbacks.

Fallback policy when the programme cannot be built (speech engine down, a broken bulletin): each
bulletin is built on its own; one that still fails airs from its last good audio
(audio_out/<id>.mp3, a complete mini-programme with its own jingle and greeting) or, without one,
is skipped and logged `failed` with the reason. The station never goes silent because one item broke.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from broadcast.asrun import reasons
from broadcast.audio.layout import BuildFiles, audio_out
from broadcast.audio.manifest import AudioFiles, Durations, ItemSpan, Manifest, read_manifest, verified
from broadcast.audio.mix import PARAGRAPH_PAUSE_S, TITLE_PAUSE_S
from broadcast.build import build_bulletin, build_programme, spoken_segments, station_recording_seconds
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin, bulletin_files, load_bulletin
from broadcast.content.length import item_seconds, speech_seconds
from broadcast.desk.approval import may_air
from broadcast.digest import sha256_file, sha256_text
from broadcast.errors import UserError
from broadcast.schedule.model import Schedule
from broadcast.schedule.planning import Duration, SlotPlan, plan_programme
from broadcast.schedule.slots import Slot, slot_turn

log = logging.getLogger(__name__)
# A session's WAV master (~23 MB for 4 minutes) is only what the sinks decode from; the MP3 beside it is
# what the log's audio_sha256 names and what evidence keeps. Masters untouched this long are removed
# at the next pre-roll, so a year of two sessions a day does not fill the disk with ~17 GB of WAVs.
KEEP_MASTERS_DAYS = 2


def prune_masters(folder: Path, keep_days: float = KEEP_MASTERS_DAYS, now: float | None = None) -> list[Path]:
    """Delete programme WAV masters not modified for `keep_days` whose MP3 is kept; return what went."""
    import time

    cutoff = (time.time() if now is None else now) - keep_days * 86400
    gone = []
    for wav in folder.glob("*.wav"):
        try:
            if wav.stat().st_mtime < cutoff and wav.with_suffix(".mp3").is_file():
                wav.unlink()
                gone.append(wav)
        except OSError as exc:  # a file vanishing or locked is no reason to stop a pre-roll
            log.warning("could not remove old programme master %s: %s", wav, exc)
    return gone


@dataclass(frozen=True)
class ItemInfo:
    """One bulletin inside a built audio file, as the log records it."""

    bulletin_id: str
    title: str
    topic: str
    priority: str
    start_s: float
    end_s: float
    spoken_text: str = ""
    engine: str = ""
    voice: str = ""

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.spoken_text) if self.spoken_text else ""


def manifest_items(manifest: Manifest) -> list[ItemInfo]:
    """The items of a build manifest (programme or single bulletin) with their offsets and spoken text."""
    meta = {b.id: (b.title, b.topic, b.priority) for b in manifest.bulletins}
    if manifest.kind == "bulletin":
        meta[manifest.id] = (manifest.title, manifest.topic, manifest.priority)
    out = []
    for item in manifest.items:
        bid = item.bulletin_id
        segs = [s for s in manifest.segments if s.bulletin_id == bid]
        title, topic, priority = meta.get(bid, (bid, "", "normal"))
        out.append(ItemInfo(
            bid, title, topic, priority, float(item.start_s), float(item.end_s),
            "\n".join(s.spoken for s in segs),
            "+".join(dict.fromkeys(s.engine for s in segs)),
            "+".join(dict.fromkeys(s.voice for s in segs)),
        ))
    return out


@dataclass
class Take:
    """One audio file to air (normally the whole programme) and what is in it."""

    mp3: Path
    manifest: Manifest
    wav: Path | None = None
    note: str = ""  # why this file (e.g. "last good audio"), in Vietnamese: it goes into the log
    priority: str | None = None  # an instant play's requested priority, logged instead of the build's

    def file_for(self, wants: str) -> Path:
        return self.wav if wants == "wav" and self.wav and self.wav.is_file() else self.mp3

    @property
    def items(self) -> list[ItemInfo]:
        items = manifest_items(self.manifest)
        return [replace(i, priority=self.priority) for i in items] if self.priority else items

    @property
    def audio_sha256(self) -> str:
        # `mp3` is the file that airs and is kept: an MP3, or the WAV of an emergency's quick copy.
        return self.manifest.audio_sha256(self.mp3) or sha256_file(self.mp3)

    @property
    def duration_s(self) -> float:
        return float(self.manifest.durations.total_s)

    def settle(self) -> None:
        """Called after the play, before its rows are made: a take still being made finishes here."""

    @classmethod
    def from_build(cls, result, note: str = "") -> Take:
        return cls(result.mp3, result.manifest, result.wav, note)


@dataclass(frozen=True)
class Skipped:
    """A bulletin that will not air this slot, and why (logged `failed`)."""

    bulletin_id: str
    title: str
    topic: str
    priority: str
    reason: str


@dataclass
class Prepared:
    slot: Slot
    plan: SlotPlan
    takes: list[Take] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Preparer(Protocol):
    def plan(self, slot: Slot) -> SlotPlan:
        """What the slot would air (no audio built)."""
        ...

    def prepare(self, slot: Slot) -> Prepared:
        """Build the slot's audio (the pre-roll). MUST NOT raise: failures become `skipped` items."""
        ...


class StationPreparer:
    """The real preparer: bulletins from the station's folder, audio built with the station's engine."""

    def __init__(self, settings: Settings, schedule: Schedule, bulletins_dir: Path | None = None) -> None:
        self.settings = settings
        self.schedule = schedule
        self.bulletins_dir = Path(bulletins_dir or settings.bulletins_dir)
        self.awaiting_approval: list[Bulletin] = []  # valid bulletins held back by `load` until approved

    # -- what is on air ----------------------------------------------------------------------

    def load(self) -> tuple[list[Bulletin], list[Skipped]]:
        """Every valid bulletin; an invalid file is reported (and logged) instead of stopping the day."""
        good, bad, seen = [], [], set()
        try:
            files = bulletin_files([self.bulletins_dir])
        except UserError as exc:
            return [], [Skipped("", "", "", "normal", reasons.bulletins_unreadable("; ".join(exc.problems)))]
        for file in files:
            try:
                b = load_bulletin(file)
            except UserError as exc:
                bad.append(Skipped(file.stem, file.name, "", "normal", reasons.bulletin_invalid("; ".join(exc.problems))))
                continue
            if b.id in seen:
                bad.append(Skipped(b.id, b.title, b.topic, b.priority.value, reasons.duplicate_bulletin(file, b.id)))
                continue
            seen.add(b.id)
            good.append(b)
        # Only approved content airs when the station requires approval. Drafts are no broadcast attempt:
        # they are not logged, only listed (schedule check and the console say what awaits approval).
        allowed = may_air(self.settings, {b.id: b.source for b in good})
        self.awaiting_approval = [b for b in good if b.id not in allowed]
        return [b for b in good if b.id in allowed], bad

    def duration(self, bulletin: Bulletin) -> Duration:
        """From the bulletin's built audio when it matches the current text, else estimated from its spoken text."""
        from broadcast.content.render import render_bulletin

        try:
            segments = render_bulletin(bulletin, self.settings)
        except UserError:
            return Duration(0.0, "estimated")
        manifest = read_manifest(audio_out(self.settings).bulletin(bulletin.id).manifest)
        if manifest is not None:
            built = [s.script for s in manifest.segments if s.bulletin_id == bulletin.id]
            item = next((i for i in manifest.items if i.bulletin_id == bulletin.id), None)
            # Joined, so a recorded item (one segment standing for them all) compares with its text too.
            if "\n\n".join(built) == "\n\n".join(s.text for s in segments) and item is not None:
                return Duration(round(item.end_s - item.start_s, 1), "built")
        try:
            spoken = [text for _, text in spoken_segments(segments, self.settings)]
        except UserError:  # a segment with no words: the build says why
            return Duration(0.0, "estimated")
        rate = bulletin.reading_rate(self.settings.speech.rate)
        seconds = item_seconds(spoken, rate, TITLE_PAUSE_S, PARAGRAPH_PAUSE_S)
        return Duration(round(seconds, 1), "estimated")

    def wrapper(self) -> Duration:
        """Jingles, greeting, sign-off and the pauses around them."""
        from broadcast.audio.jingle import load_jingle
        from broadcast.content.render import render_wrapper

        sr = self.settings.audio.sample_rate
        try:
            intro, outro, _ = load_jingle(self.settings.jingle_file, sr)
            jingles = (intro.size + outro.size) / sr
        except UserError:
            jingles = 6.0
        greeting, signoff = render_wrapper(self.settings)
        recorded = station_recording_seconds(self.settings)  # the station's own readings: their real length
        speech = sum(recorded.get(s.kind) or speech_seconds(s.text, self.settings.speech.rate) for s in (greeting, signoff))
        pauses = 2 * self.settings.audio.pause_after_jingle_s + 2 * self.settings.audio.pause_between_items_s
        return Duration(round(jingles + speech + pauses, 1), "estimated")

    def plan(self, slot: Slot, bulletins: list[Bulletin] | None = None, *,
             durations: dict[str, Duration] | None = None, wrapper: Duration | None = None) -> SlotPlan:
        """The slot's plan; `durations` and `wrapper` may be given when planning many slots (schedule check)."""
        if bulletins is None:
            bulletins, _ = self.load()
        on_air = [b for b in bulletins if b.on_air(slot.when.date())]
        if durations is None or any(b.id not in durations for b in on_air):
            durations = {**(durations or {}), **{b.id: self.duration(b) for b in on_air if b.id not in (durations or {})}}
        cap_s = self.schedule.caps.minutes_per_session * 60
        return plan_programme(slot, on_air, durations, wrapper or self.wrapper(), cap_s,
                              self.settings.audio.pause_between_items_s, turn=slot_turn(self.schedule, slot))

    # -- the pre-roll ------------------------------------------------------------------------

    def prepare(self, slot: Slot) -> Prepared:
        bulletins, bad = self.load()
        plan = self.plan(slot, bulletins)
        prepared = Prepared(slot, plan, skipped=list(bad))
        if not plan.items:
            return prepared
        out_dir = audio_out(self.settings).programmes
        info = {"slot": slot.when.isoformat(), "session": slot.session, "zones": list(slot.zones),
                "held_over": [h.bulletin.id for h in plan.held_over]}
        try:
            result = build_programme(slot.key, plan.bulletins, self.settings, info=info, out_dir=out_dir)
            prune_masters(out_dir)
            prepared.takes.append(Take.from_build(result))
            prepared.warnings += result.warnings
            return prepared
        except Exception as exc:  # noqa: BLE001 - any build failure must not silence the slot: fall back per item
            why = "; ".join(exc.problems) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            log.warning("programme %s failed to build (%s); building item by item", slot.key, why)
            prepared.warnings.append(f"the programme failed to build ({why}); items built one by one")
        for b in plan.bulletins:
            try:
                result = build_bulletin(b, self.settings)
                prepared.takes.append(Take.from_build(result, note=reasons.BUILT_ALONE))
                prepared.warnings += result.warnings
                continue
            except Exception as exc:  # noqa: BLE001 - same boundary as above, per item
                why = "; ".join(exc.problems) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            last = self._last_good(b)
            if last:
                last.note = reasons.last_good_audio(last.manifest.built_at or '?', why)
                prepared.takes.append(last)
                prepared.warnings.append(f"{b.id}: airs its last good audio; build failed: {why}")
            else:
                prepared.skipped.append(Skipped(b.id, b.title, b.topic, b.priority.value,
                                                reasons.no_audio(why)))
        return prepared

    def _last_good(self, b: Bulletin) -> Take | None:
        build = verified(audio_out(self.settings).bulletin(b.id))
        return Take(build.audio, build.manifest, build.wav) if build else None


def take_from_file(path: Path, *, title: str | None = None, priority: str = "normal", topic: str = "general") -> Take:
    """A ready audio file (MP3/WAV) to air as one item; its build manifest beside it is used when present."""
    from broadcast.audio.ffmpeg import DecodeError, decode

    path = Path(path)
    build = verified(BuildFiles.beside(path))  # a build's manifest is used only when it describes these files
    if build is not None and build.manifest.items:
        return Take(build.audio, build.manifest, build.wav)
    try:
        seconds = decode(path, 8000).size / 8000
    except DecodeError as exc:
        detail = str(exc).replace(f"{path}: ", "")
        raise UserError(f"{path.name}: not an audio file ({detail})") from None
    kind = path.suffix.lstrip(".").lower()
    manifest = Manifest(
        kind="bulletin", id=path.stem, title=title or path.stem, topic=topic, priority=priority,
        items=[ItemSpan(bulletin_id=path.stem, start_s=0.0, end_s=round(seconds, 3))],
        durations=Durations(total_s=round(seconds, 3)),
        files=AudioFiles(**({f"{kind}_sha256": sha256_file(path)} if kind in ("mp3", "wav") else {})),
    )
    is_wav = path.suffix.lower() == ".wav"
    return Take(path, manifest, path if is_wav else None)
