"""A bulletin (tin, bài): the YAML file the radio editor writes, validated with file and line for every problem."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from broadcast.config import RATE_MAX, RATE_MIN
from broadcast.content.template import check_fields, get_template
from broadcast.errors import UserError
from broadcast.problems import Loc, Problem, field_path
from broadcast.topics import TOPICS, Priority
from broadcast.yamlio import YamlDoc, check, invalid, load_yaml, parse_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class AirWindow(BaseModel):
    """The dates (inclusive) on which the bulletin may air."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise invalid("bulletin.air_order", "'to' ({end}) is before 'from' ({start})", end=self.end, start=self.start)
        return self

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Bulletin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=1)
    topic: str
    template: str = "free"
    data: dict[str, Any] = Field(default_factory=dict)
    body: str = ""
    priority: Priority = Priority.normal
    air: AirWindow | None = None
    voice: str | None = None
    rate: int | None = None  # words per minute for this bulletin's item; None: the station's speech.rate
    recording: Path | None = None  # the item read by a person (any audio file; beside the bulletin unless absolute)
    source: Path | None = Field(None, exclude=True)
    _doc: YamlDoc | None = PrivateAttr(None)

    @property
    def recording_file(self) -> Path | None:
        """The recording's path, resolved against the bulletin file's folder."""
        if self.recording is None:
            return None
        path = Path(self.recording).expanduser()
        return path if path.is_absolute() or self.source is None else Path(self.source).parent / path  # the file it was read from: where each key is, for problems after loading

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise invalid("bulletin.id_shape", "use lower-case letters, digits, '-', '_' or '.' (it names the audio files), "
                                               "e.g. 'hotline-2024-05'", id=value)
        return value

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise invalid("bulletin.topic", "unknown topic '{topic}'; use one of: {known}", topic=value, known=", ".join(TOPICS))
        return value

    @field_validator("rate")
    @classmethod
    def _rate_range(cls, value: int | None) -> int | None:
        if value is not None and not RATE_MIN <= value <= RATE_MAX:
            raise invalid("bulletin.rate", "reading rate {rate} words per minute is outside {low}-{high}; "
                                           "leave 'rate' out to read at the station's speech.rate",
                          rate=value, low=RATE_MIN, high=RATE_MAX)
        return value

    def reading_rate(self, station_rate: int) -> int:
        """Words per minute this bulletin's item is read at: its own rate, else the station's."""
        return self.rate or station_rate

    @field_validator("body")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def on_air(self, day: date) -> bool:
        return self.air is None or self.air.covers(day)

    def problem(self, loc: Loc, message: str, *, hint: str = "", path: str | None = None,
                show_path: bool = True, code: str = "", params: Mapping[str, object] | None = None) -> Problem:
        """A problem at key `loc` of the bulletin, with its file and line when it was read from a file."""
        if self._doc is not None:
            return self._doc.problem(loc, message, hint=hint, path=path, show_path=show_path, code=code, params=params)
        return Problem(message, str(self.source or self.id), path=field_path(loc) if path is None else path,
                       hint=hint, show_path=show_path, code=code, params=params or {})


def load_bulletin(path: Path) -> Bulletin:
    """The bulletin in `path`, validated (every problem of the file at once, as a UserError)."""
    return _from_doc(load_yaml(Path(path)))


def parse_bulletin(text: str, path: Path) -> Bulletin:
    """A bulletin from YAML text that is (or will be) the file `path`: an edit not saved yet."""
    return _from_doc(parse_yaml(text, Path(path)))


def _from_doc(doc: YamlDoc) -> Bulletin:
    path = doc.path
    bulletin, problems = check(doc, Bulletin)
    if problems:
        # The data is checked against its template too, so one run shows every problem of the file.
        raise UserError(doc.in_order(problems + _template_problems(doc)))
    bulletin.source = Path(path)
    bulletin._doc = doc
    return bulletin


def _template_problems(doc: YamlDoc) -> list[Problem]:
    """The template name and the data against its fields, read from the raw YAML of a bulletin that
    failed its schema (a loaded bulletin has them checked when it is rendered)."""
    raw = doc.data if isinstance(doc.data, dict) else {}
    name, data = raw.get("template", "free"), raw.get("data", {})
    if not isinstance(name, str):
        return []  # the schema says what is wrong with it
    try:
        spec = get_template(name, doc)
    except UserError as exc:
        return exc.details
    return check_fields(data, spec, doc)[1] if isinstance(data, dict) else []


def bulletin_files(paths: list[Path]) -> list[Path]:
    """Expand folders to their *.yaml / *.yml files (sorted); files are kept as given."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise UserError(Problem("no such file or folder", str(path), code="file.missing"))
    return files


def load_each(paths: list[Path]) -> tuple[list[Bulletin], list[Problem]]:
    """Every bulletin that loads, and the problems of all that don't (ids must be unique)."""
    bulletins, problems, seen = [], [], {}
    for file in bulletin_files(paths):
        try:
            b = load_bulletin(file)
        except UserError as exc:
            problems += exc.details
            continue
        if b.id in seen:
            problems.append(b.problem(("id",), f"id '{b.id}' is already used by {seen[b.id]}; ids must be unique",
                                      show_path=False, code="bulletin.id_taken", params={"id": b.id}))
            continue
        seen[b.id] = file
        bulletins.append(b)
    return bulletins, problems


def load_bulletins(paths: list[Path]) -> list[Bulletin]:
    """Load every bulletin, collecting all problems of all files before failing."""
    bulletins, problems = load_each(paths)
    if problems:
        raise UserError(problems)
    return bulletins
