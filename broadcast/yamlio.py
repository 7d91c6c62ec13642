"""YAML loading that remembers where each key is, so every validation problem names its file and line."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from broadcast.errors import UserError

Loc = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Parsed YAML data plus the line (1-based) of every key and list item, by path."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int | None:
        """Line of the deepest known prefix of `loc` (a missing key points at its parent)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None

    def where(self, loc: Loc) -> str:
        line = self.line_of(loc)
        return f"{self.path}:{line}" if line else str(self.path)

    def in_order(self, problems: list[str]) -> list[str]:
        """This file's problems by line (file-wide ones first), each once: checks that run side by side
        (schema, references, template data) read as one list, top to bottom."""
        prefix = f"{self.path}:"

        def line(problem: str) -> int:
            found = re.match(r"(\d+):", problem[len(prefix):]) if problem.startswith(prefix) else None
            return int(found.group(1)) if found else 0

        return sorted(dict.fromkeys(problems), key=line)


def _index(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[loc + (key,)] = key_node.start_mark.line + 1
            _index(value_node, loc + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[loc + (i,)] = item.start_mark.line + 1
            _index(item, loc + (i,), lines)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the models parse them, so an impossible date (2024-02-30)
    is one problem among all the others, with its key and line, instead of stopping the parse."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a UserError naming file and line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{path}{line}: malformed YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: malformed YAML: {exc}") from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlDoc(path=path, data=data, lines=lines)


def load_yaml(path: Path) -> YamlDoc:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_yaml(text, Path(path))


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of `loc`, for "did you mean" suggestions."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        annotation = fields[part].annotation
        inner = getattr(annotation, "__args__", None)
        candidates = [annotation, *(inner or ())]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if current is None:
            return None
    return current


def describe_errors(doc: YamlDoc, exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per problem: where, which key, what is wrong, and a suggestion when one helps."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")  # our validators' own words need no pydantic prefix
        if err["type"] == "extra_forbidden":
            owner = _model_at(model, loc)
            known = list(owner.model_fields) if owner else []
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else (f"; known keys: {', '.join(known)}" if known else "")
            msg = f"unknown key{hint}"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"].startswith("date"):
            msg = f"{msg}: {err.get('input')!r} (write dates as YYYY-MM-DD, e.g. 2024-05-06)"
        problems.append(f"{doc.where(loc)}: {key}: {msg}")
    return problems


def validate(doc: YamlDoc, model: type[BaseModel], context: dict | None = None):
    """Validate a YAML document against a model, reporting all problems at once as a UserError."""
    if doc.data is None and model.model_fields and any(f.is_required() for f in model.model_fields.values()):
        raise UserError(f"{doc.path}: the file is empty")
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise UserError(f"{doc.path}:1: expected a mapping of keys to values at the top level")
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise UserError(describe_errors(doc, exc, model)) from None
