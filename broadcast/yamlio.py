"""YAML loading that remembers where each key is, so every validation problem names its file and line."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from broadcast.errors import UserError
from broadcast.problems import Loc, Problem, did_you_mean, field_path, in_line_order


@dataclass
class YamlDoc:
    """Parsed YAML data plus the place (1-based line and column) of every key and list item, by path.

    `duplicates` holds what the parse noticed but YAML itself lets pass: a key given twice in one mapping
    (YAML keeps the last value and drops the first without a word). Loaders report them with the rest
    (`check`), so one run shows them all."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    columns: dict[Loc, int] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)  # (the key's path, the line it was first given)

    def _known(self, loc: Loc) -> Loc | None:
        """The deepest prefix of `loc` that has a place (a missing key points at its parent)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return loc[:end]
        return None

    def line_of(self, loc: Loc) -> int | None:
        known = self._known(loc)
        return None if known is None else self.lines[known]

    def where(self, loc: Loc) -> str:
        line = self.line_of(loc)
        return f"{self.path}:{line}" if line else str(self.path)

    def problem(self, loc: Loc, message: str, *, hint: str = "", path: str | None = None,
                show_path: bool = True, code: str = "", params: Mapping[str, object] | None = None) -> Problem:
        """A problem at key `loc`; `path` defaults to the key's field path (`data.lines[1].number`)."""
        known = self._known(loc)
        return Problem(message, str(self.path), self.lines.get(known) if known is not None else None,
                       self.columns.get(known) if known is not None else None,
                       field_path(loc) if path is None else path, hint, show_path, code, params or {})

    def file_problem(self, message: str, line: int | None = None, code: str = "") -> Problem:
        """A problem of the whole file (empty, not a mapping), not of one key."""
        return Problem(message, str(self.path), line, code=code)

    def duplicate_problems(self, label: Callable[[Loc], str] = field_path) -> list[Problem]:
        """Each key given twice, naming both lines; `label` names the key as the file's loader does."""
        return [self.problem(loc, f"given twice (lines {first} and {self.lines[loc]}); YAML would keep only the "
                                  f"second and drop the first without a word", hint="delete one, or merge them",
                             path=label(loc), code="yaml.duplicate_key", params={"first": first, "second": self.lines[loc]})
                for loc, first in self.duplicates]

    def in_order(self, problems: Iterable[str | Problem]) -> list[Problem]:
        """This file's problems by line (file-wide ones first), each once."""
        return in_line_order(problems, str(self.path))


def _key(node: yaml.Node) -> str:
    # A key is text in every file we read; a list or mapping used as a key is named by its place only.
    return node.value if isinstance(node, yaml.ScalarNode) else f"<{node.id} key>"


def _index(node: yaml.Node, loc: Loc, doc: YamlDoc) -> None:
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    doc.columns.setdefault(loc, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            here = loc + (key,)
            line = key_node.start_mark.line + 1
            if key != "<<" and (key_node.tag, key) in first:
                doc.duplicates.append((here, first[key_node.tag, key]))
            first.setdefault((key_node.tag, key), line)
            doc.lines[here] = line
            doc.columns[here] = key_node.start_mark.column + 1
            _index(value_node, here, doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[loc + (i,)] = item.start_mark.line + 1
            doc.columns[loc + (i,)] = item.start_mark.column + 1
            _index(item, loc + (i,), doc)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: the models parse them, so an impossible date (2024-02-30)
    is one problem among all the others, with its key and line, instead of stopping the parse."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser: about ten times faster (a station may hold a thousand
        bulletins, read at every planning). Errors are worded by the pure-Python parser (see parse_yaml)."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = _Loader


_PARSED: OrderedDict[tuple[str, str], YamlDoc] = OrderedDict()  # (path, text) -> parsed, most recent last
_PARSED_MAX = 4096
_PARSED_LOCK = threading.Lock()


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a UserError naming file and line.

    A key given twice in one mapping is not a syntax error for PyYAML; it is kept in `doc.duplicates`.
    The same text of the same file is parsed once (the planner and the console read every bulletin
    again and again); each caller gets its own copy of the data."""
    key = (str(path), text)
    with _PARSED_LOCK:
        doc = _PARSED.get(key)
        if doc is not None:
            _PARSED.move_to_end(key)
    if doc is None:
        doc = _parse_yaml(text, path)
        with _PARSED_LOCK:
            _PARSED[key] = doc
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return YamlDoc(doc.path, copy.deepcopy(doc.data), dict(doc.lines), dict(doc.columns), list(doc.duplicates))


def _parse_yaml(text: str, path: Path) -> YamlDoc:
    try:
        try:
            node = yaml.compose(text, Loader=_FastLoader)
            data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError:
            # Parse again to word the error as the pure-Python parser does (the messages users know).
            node = yaml.compose(text, Loader=_Loader)
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UserError(Problem(f"malformed YAML: {exc.problem or exc}", str(path),
                                mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                code="yaml.malformed")) from None
    except yaml.YAMLError as exc:
        raise UserError(Problem(f"malformed YAML: {exc}", str(path), code="yaml.malformed")) from None
    doc = YamlDoc(path=path, data=data)
    if node is not None:
        _index(node, (), doc)
    return doc


def load_yaml(path: Path) -> YamlDoc:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(Problem("file not found", str(path), code="file.missing")) from None
    except UnicodeDecodeError as exc:
        raise UserError(Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", str(path),
                                hint="save it as UTF-8", code="file.not_utf8")) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read: {exc.strerror}", str(path), code="file.unreadable",
                                params={"reason": str(exc.strerror)})) from None
    return parse_yaml(text, Path(path))


def invalid(code: str, message: str, **params: object) -> PydanticCustomError:
    """What a model's validator raises: the CLI's English `message` ({name} filled from `params`), with the
    code and values the console words in Vietnamese (broadcast.problems_vi)."""
    return PydanticCustomError(code, message, {k: _plain(v) for k, v in params.items()})


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


def describe_errors(doc: YamlDoc, exc: ValidationError, model: type[BaseModel],
                    label: Callable[[Loc], str] = field_path) -> list[Problem]:
    """One problem per error: where, which key (`label` names it), what is wrong, and a hint when one helps."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        msg, hint = err["msg"].removeprefix("Value error, "), ""  # our validators' own words need no pydantic prefix
        # Our validators raise PydanticCustomError with a code of ours ("bulletin.air_order"); pydantic's own
        # errors are "schema.<its type>". The values go along for the console's wording (problems_vi).
        code = err["type"] if "." in err["type"] else f"schema.{err['type']}"
        params = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
        if not isinstance(err.get("input"), (dict, list)):
            params.setdefault("input", _plain(err.get("input")))
        if err["type"] == "extra_forbidden":
            owner = _model_at(model, loc)
            known = list(owner.model_fields) if owner else []
            msg, hint = "unknown key", did_you_mean(loc[-1], known, f"known keys: {', '.join(known)}" if known else "")
            params["key"] = str(loc[-1])
        elif err["type"] == "missing":
            msg = "required key is missing"
            params["key"] = str(loc[-1]) if loc else ""
        elif err["type"].startswith("date"):
            msg = f"{msg}: {err.get('input')!r} (write dates as YYYY-MM-DD, e.g. 2024-05-06)"
        problems.append(doc.problem(loc, msg, hint=hint, path=label(loc) or "(top level)", code=code, params=params))
    return problems


def _plain(value: Any) -> object:
    """A value as problem params hold them (plain JSON: text, numbers, booleans, None)."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def check(doc: YamlDoc, model: type[BaseModel], context: dict | None = None,
          label: Callable[[Loc], str] = field_path) -> tuple[Any, list[Problem]]:
    """(the validated model or None, every problem): the schema's problems and the parse's (a key twice)."""
    if doc.data is None and model.model_fields and any(f.is_required() for f in model.model_fields.values()):
        return None, [doc.file_problem("the file is empty", code="yaml.empty")]
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return None, [doc.file_problem("expected a mapping of keys to values at the top level", 1, code="yaml.not_mapping")]
    problems = doc.duplicate_problems(label)
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        return None, doc.in_order(problems + describe_errors(doc, exc, model, label))
    return (None if problems else result), problems


def validate(doc: YamlDoc, model: type[BaseModel], context: dict | None = None):
    """Validate a YAML document against a model, reporting all problems at once as a UserError."""
    result, problems = check(doc, model, context)
    if problems:
        raise UserError(problems)
    return result
