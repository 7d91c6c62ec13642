"""The bulletin templates (content/templates/*.yaml): their typed fields with help text, the check of a
bulletin's data against them, and a new bulletin's skeleton. Below both the bulletin model (which checks
a broken file's data too) and the renderer (which fills the template's text)."""

from __future__ import annotations

import functools
import re
from datetime import date
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from broadcast.errors import UserError
from broadcast.problems import Locator, Problem, did_you_mean


class FieldSpec(BaseModel):
    """One data field of a template: what it holds, checked before rendering so bad data never airs."""

    model_config = ConfigDict(extra="forbid")
    example: Any = None
    required: bool = True
    help: str = ""
    type: Literal["text", "date", "count", "list", "entries"] = "text"
    keys: list[str] = Field(default_factory=list, description="entries: keys every entry must have")
    at_most: str | None = Field(None, description="count: may not exceed this other count field")


class TemplateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    title: str
    topic: str
    description: str
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    text: str


@functools.cache
def templates() -> dict[str, TemplateSpec]:
    """The built-in templates, one YAML file each in broadcast/content/templates/."""
    found = {}
    for entry in (resources.files("broadcast.content") / "templates").iterdir():
        if entry.name.endswith(".yaml"):
            name = entry.name[: -len(".yaml")]
            found[name] = TemplateSpec(name=name, **yaml.safe_load(entry.read_text(encoding="utf-8")))
    return dict(sorted(found.items()))


def get_template(name: str, at: Locator | None = None) -> TemplateSpec:
    """The template called `name`; an unknown name is a problem at the `template` key of `at` (a bulletin)."""
    try:
        return templates()[name]
    except KeyError:
        message, hint = f"unknown template '{name}'", f"available: {', '.join(templates())}"
        code, params = "bulletin.template", {"template": name}
        raise UserError(at.problem(("template",), message, hint=hint, show_path=False, code=code, params=params)
                        if at is not None else
                        Problem(message, path="template", hint=hint, show_path=False, code=code, params=params)) from None


_COUNT_HINT = "a whole number; YAML reads 1.245 as one point two four five, so write 1245 (or quote it: '1.245')"


def _check_field(f: FieldSpec, value: Any) -> tuple[Any, list[tuple[tuple, str, str, dict]]]:
    """(value converted for the template, its problems as (key path below the field, message, code, params))."""
    if value is None:
        return None, []
    if f.type == "text":
        if isinstance(value, (list, dict)):
            return value, [((), "must be text, not a list or mapping", "template.text", {})]
        return value, []
    if f.type == "date":
        if isinstance(value, date):
            return value, []
        try:
            return date.fromisoformat(str(value).strip()), []
        except ValueError:
            return value, [((), f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2024-05-06", "template.date", {"value": str(value)})]
    if f.type == "count":
        if isinstance(value, bool):
            return value, [((), f"must be {_COUNT_HINT}", "template.count", {"value": str(value)})]
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", value.strip()):
            value = int(value.strip().replace(".", ""))  # Vietnamese digit grouping, quoted
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or value < 0:
            return value, [((), f"{value!r} is not {_COUNT_HINT}", "template.count", {"value": str(value)})]
        return value, []
    if f.type == "list":
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            return value, [((), "must be a list: put each item on its own line starting with '- '", "template.list", {})]
        return value, []
    # entries: a list of mappings that each have f.keys
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return value, [((), f"must be a list of entries, each with {', '.join(f.keys)} (e.g. '- {{{f.keys[0]}: ..., ...}}')",
                        "template.entries", {})]
    return value, [((i, key), f"required key is missing (each entry needs {', '.join(f.keys)})", "template.entry_missing",
                    {"row": i + 1, "key": key})
                   for i, entry in enumerate(value) for key in f.keys if entry.get(key) in (None, "")]


def check_fields(data: dict, spec: TemplateSpec, at: Locator) -> tuple[dict[str, Any], list[Problem]]:
    """(data converted for the template, every problem) of a data mapping against the template's fields.

    `at` places a key (a parsed YAML file or a loaded bulletin), so a bulletin with other errors still
    has its data checked; each problem's path names the field (`data.lines[1].number`)."""
    problems, converted = [], {}
    for key in data:
        if key not in spec.fields:
            hint = did_you_mean(key, spec.fields, f"the template's fields are: {', '.join(spec.fields) or 'none'}")
            problems.append(at.problem(("data", key), f"not a field of template '{spec.name}'", hint=hint,
                                       code="template.unknown_field", params={"key": str(key)}))
    for name, f in spec.fields.items():
        if name not in data or data[name] in (None, ""):
            if f.required:
                problems.append(at.problem(("data",), f"template '{spec.name}' needs data key '{name}' ({f.help})",
                                           path=f"data.{name}", show_path=False, code="template.missing",
                                           params={"key": name}))
            converted[name] = None  # optional fields may be left out; the template sees them as empty
            continue
        converted[name], found = _check_field(f, data[name])
        problems += [at.problem(("data", name, *below), message, code=code, params=params)
                     for below, message, code, params in found]
    for name, f in spec.fields.items():
        limit, value = f.at_most, converted.get(name)
        if limit and isinstance(value, int) and isinstance(converted.get(limit), int) and value > converted[limit]:
            problems.append(at.problem(("data", name), f"data.{name} ({value}) is more than data.{limit} "
                                                       f"({converted[limit]})", show_path=False, code="template.at_most",
                                       params={"value": value, "limit_key": f"data.{limit}", "limit": converted[limit]}))
    return converted, problems


def skeleton(template: str, today: date) -> str:
    """A new bulletin's YAML: every field with its example and help, on air from `today`, ready to edit."""
    spec = get_template(template)
    doc = {
        "id": f"{template.replace('_', '-')}-{today:%Y%m%d}",
        "title": spec.title,
        "topic": spec.topic,
        "template": spec.name,
        "priority": "normal",
        "air": {"from": today, "to": None},
        "data": {name: f.example for name, f in spec.fields.items()},
        "body": "" if spec.name != "free" else "Nội dung tin viết ở đây.",
    }
    if not doc["data"]:
        del doc["data"]
    header = f"# {spec.title}: {spec.description}\n"
    helps = "".join(f"#   {n}: {f.help}{'' if f.required else ' (không bắt buộc)'}\n" for n, f in spec.fields.items())
    return header + (f"# data:\n{helps}" if helps else "") + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
