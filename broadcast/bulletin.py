"""A bulletin (tin, bài): the YAML file the radio editor writes, validated with file and line for every problem."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from broadcast.errors import UserError
from broadcast.topics import TOPICS, Priority
from broadcast.yamlio import YamlDoc, load_yaml, validate

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class AirWindow(BaseModel):
    """The dates (inclusive) on which the bulletin may air."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
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
    source: Path | None = Field(None, exclude=True)
    _lines: dict = PrivateAttr(default_factory=dict)  # YAML key path -> line, for messages after loading

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("use lower-case letters, digits, '-', '_' or '.' (it names the audio files), e.g. 'hotline-2024-05'")
        return value

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise ValueError(f"unknown topic '{value}'; use one of: {', '.join(TOPICS)}")
        return value

    @field_validator("body")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def on_air(self, day: date) -> bool:
        return self.air is None or self.air.covers(day)

    def where(self, *loc: str | int) -> str:
        """'file:line' of a key (or of its nearest parent) in the bulletin's file, for messages."""
        place = str(self.source or self.id)
        for end in range(len(loc), -1, -1):
            if loc[:end] in self._lines:
                return f"{place}:{self._lines[loc[:end]]}"
        return place


def load_bulletin(path: Path) -> Bulletin:
    doc = load_yaml(Path(path))
    try:
        bulletin = validate(doc, Bulletin)
    except UserError as exc:
        # The data is checked against its template too, so one run shows every problem of the file.
        raise UserError(doc.in_order(exc.problems + _template_problems(doc))) from None
    bulletin.source = Path(path)
    bulletin._lines = doc.lines
    return bulletin


def _template_problems(doc: YamlDoc) -> list[str]:
    """The template name and the data against its fields, read from the raw YAML of a bulletin that
    failed its schema (a loaded bulletin has them checked when it is rendered)."""
    from broadcast.render import check_fields, get_template  # render imports this module: import late

    raw = doc.data if isinstance(doc.data, dict) else {}
    name, data = raw.get("template", "free"), raw.get("data", {})
    if not isinstance(name, str):
        return []  # the schema says what is wrong with it
    try:
        spec = get_template(name, doc.where(("template",)))
    except UserError as exc:
        return exc.problems
    return check_fields(data, spec, lambda *loc: doc.where(loc))[1] if isinstance(data, dict) else []


def bulletin_files(paths: list[Path]) -> list[Path]:
    """Expand folders to their *.yaml / *.yml files (sorted); files are kept as given."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return files


def load_each(paths: list[Path]) -> tuple[list[Bulletin], list[str]]:
    """Every bulletin that loads, and the problems of all that don't (ids must be unique)."""
    bulletins, problems, seen = [], [], {}
    for file in bulletin_files(paths):
        try:
            b = load_bulletin(file)
        except UserError as exc:
            problems += exc.problems
            continue
        if b.id in seen:
            problems.append(f"{b.where('id')}: id '{b.id}' is already used by {seen[b.id]}; ids must be unique")
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
