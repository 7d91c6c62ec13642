"""What an editor does with bulletins: start one from a template, check it, preview what will be said,
build its audio. The CLI (`broadcast new|render|build`) and the web console both call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from broadcast.audio.master import Tap
from broadcast.audio.mix import PARAGRAPH_PAUSE_S, TITLE_PAUSE_S
from broadcast.build import BuildResult, build_bulletin, spoken_segments
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin, bulletin_files, load_bulletin, load_each, parse_bulletin
from broadcast.content.length import FIX, SpokenLength, item_seconds
from broadcast.content.render import render_programme
from broadcast.content.template import TemplateSpec, skeleton, templates
from broadcast.errors import UserError
from broadcast.problems import Problem, did_you_mean
from broadcast.speech.normalise import suggestion, unspeakable
from broadcast.speech.synth import Speaker


def list_templates() -> list[TemplateSpec]:
    """The built-in templates, each with its fields (type, required, help text, example) to build a form from."""
    return list(templates().values())


def new_bulletin(template: str, settings: Settings) -> str:
    """The YAML of a new bulletin from `template`: every field filled with its example, ready to edit."""
    return skeleton(template, datetime.now(settings.station.tz).date())  # the station's date, not the machine's (UTC)


def write_new_bulletin(template: str, settings: Settings, out: Path) -> Path:
    """`new_bulletin` written to `out`, which must not exist yet (an editor's work is never overwritten)."""
    text = new_bulletin(template, settings)
    out = Path(out)
    if out.exists():
        raise UserError(Problem("already exists; choose another name or delete it first", str(out), code="file.exists"))
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(Problem(f"cannot write ({exc.strerror})", str(out))) from None
    return out


@dataclass(frozen=True)
class Unspeakable:
    """A token the engine would still stumble on, and the fix (speech.normalise.suggestion)."""

    token: str
    hint: str = ""

    @property
    def message(self) -> str:
        return self.hint or suggestion(self.token)


@dataclass(frozen=True)
class SpokenSegment:
    """One stretch of speech: `kind` is greeting, title, paragraph or signoff; script as written, spoken as read."""

    kind: str
    bulletin_id: str
    script: str
    spoken: str


@dataclass(frozen=True)
class Preview:
    """What the engine will read for a bulletin, inside the programme wrapper, what it may misread, and
    how long the bulletin speaks against the station's limits."""

    bulletin: Bulletin
    segments: tuple[SpokenSegment, ...]
    unspeakable: tuple[Unspeakable, ...]
    length: SpokenLength

    @property
    def script_text(self) -> str:
        return "\n\n".join(s.script for s in self.segments)

    @property
    def spoken_text(self) -> str:
        return "\n\n".join(s.spoken for s in self.segments)

    @property
    def warnings(self) -> list[str]:
        """Unspeakable tokens, then a length above the warning limit (a length above the cap is refused)."""
        return [u.message for u in self.unspeakable] + ([f"the bulletin {self.length.describe()}"] if self.length.long else [])


def load(path: Path, text: str | None = None) -> Bulletin:
    """The bulletin at `path` (or `text`, an unsaved edit of it), validated; problems raise UserError."""
    return load_bulletin(path) if text is None else parse_bulletin(text, path)


def find_bulletin(settings: Settings, bulletin_id: str) -> Bulletin:
    """The bulletin with this id in the station's bulletins folder; a broken file of that name says why.

    The file named after the id is read first (the console names new files so); then every file."""
    folder = settings.bulletins_dir
    files = bulletin_files([folder]) if folder.is_dir() else []
    named = [f for f in files if f.stem == bulletin_id]
    ids, broken = [], []
    for file in named + [f for f in files if f.stem != bulletin_id]:
        try:
            b = load_bulletin(file)
        except UserError as exc:
            if file.stem == bulletin_id:
                broken += exc.details
            continue
        if b.id == bulletin_id:
            return b
        ids.append(b.id)
    if broken:
        raise UserError(broken)
    raise UserError(Problem(f"no bulletin with id '{bulletin_id}' in {folder}", hint=did_you_mean(bulletin_id, ids),
                            code="bulletin.not_found", params={"id": bulletin_id}))


def _length(bulletin: Bulletin, spoken: list[tuple], settings: Settings, measured_s: float | None = None) -> SpokenLength:
    """The bulletin's spoken length: measured when given, else estimated from its spoken segments."""
    limits = settings.bulletin_length
    if measured_s is None:
        own = [text for seg, text in spoken if seg.bulletin_id == bulletin.id]
        rate = bulletin.reading_rate(settings.speech.rate)
        return SpokenLength(item_seconds(own, rate, TITLE_PAUSE_S, PARAGRAPH_PAUSE_S), False,
                            limits.warn_minutes, limits.max_minutes)
    return SpokenLength(measured_s, True, limits.warn_minutes, limits.max_minutes)


def _refuse_if_too_long(bulletin: Bulletin, length: SpokenLength) -> None:
    if length.too_long:
        raise UserError(bulletin.problem(("body",), f"the bulletin {length.describe()}", hint=FIX, show_path=False,
                                         code="bulletin.too_long", params=length.params()))


def preview(bulletin: Bulletin, settings: Settings) -> Preview:
    """Render and normalise the bulletin as a build would; a problem with its data, or a length above
    the station's cap, raises UserError."""
    pairs = spoken_segments(render_programme([bulletin], settings), settings)
    length = _length(bulletin, pairs, settings)
    _refuse_if_too_long(bulletin, length)
    found: dict[str, None] = {}
    for _, spoken in pairs:
        found.update(dict.fromkeys(unspeakable(spoken)))
    return Preview(bulletin, tuple(SpokenSegment(seg.kind, seg.bulletin_id, seg.text, spoken) for seg, spoken in pairs),
                   tuple(Unspeakable(t, suggestion(t)) for t in found), length)


def check(path: Path, settings: Settings, text: str | None = None) -> list[Problem]:
    """Every problem of the bulletin at `path` (or of `text`): its file, its data against its template,
    and what it would say. Empty when it is ready to build."""
    try:
        preview(load(path, text), settings)
    except UserError as exc:
        return exc.details
    return []


@dataclass
class Batch:
    """Bulletins to build: those that loaded, and the problems of every file that did not."""

    bulletins: list[Bulletin]
    problems: list[Problem] = field(default_factory=list)


def load_batch(paths: Iterable[Path]) -> Batch:
    """The bulletin files and folders given (a folder: its *.yaml); none at all is a mistake."""
    paths = list(paths)
    if not bulletin_files(paths):
        raise UserError(f"no bulletins (*.yaml) in {', '.join(map(str, paths))}")
    return Batch(*load_each(paths))


@dataclass
class BuildOutcome:
    """What `build` made (one result per bulletin built or up to date), every problem of the others, and
    warnings (a lesser voice stood in, a bulletin longer than the station's warning limit)."""

    results: list[BuildResult]
    problems: list[Problem]
    length_warnings: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings] + self.length_warnings


def build(batch: Batch, settings: Settings, *, force: bool = False, out_dir: Path | None = None,
          items: Iterable[Bulletin] | None = None, tap: Tap | None = None) -> BuildOutcome:
    """Build the audio of every loaded bulletin; one that fails is a problem, the others are still built.

    A bulletin whose estimated length is above the station's cap is refused before any synthesis; a
    built one longer than the warning limit is named with its measured length. `items` is
    `batch.bulletins` as the caller wants to walk it (e.g. inside a progress bar); a `tap` hears each
    bulletin built as it is mastered (the console's "Nghe thử" of one bulletin)."""
    speaker = Speaker(settings)
    outcome = BuildOutcome([], list(batch.problems))
    for b in batch.bulletins if items is None else items:
        try:
            _refuse_if_too_long(b, _length(b, spoken_segments(render_programme([b], settings), settings), settings))
            result = build_bulletin(b, settings, speaker=speaker, force=force, out_dir=out_dir, tap=tap)
        except UserError as exc:  # a station-wide one (its jingle, greeting, sign-off) is said once, not per bulletin
            outcome.problems += [p for p in exc.details if p not in outcome.problems]
            continue
        outcome.results.append(result)
        measured = sum(i.end_s - i.start_s for i in result.manifest.items if i.bulletin_id == b.id)
        length = _length(b, [], settings, measured)
        if length.long:
            outcome.length_warnings.append(f"{b.id}: the bulletin {length.describe()}")
    return outcome
