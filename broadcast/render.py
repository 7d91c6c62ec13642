"""Bulletin → script text: built-in templates rendered in Jinja2's sandbox, wrapped in the programme.

A programme reads: greeting, then per bulletin its title and paragraphs, then the sign-off.
Everything here is pure: data in, text out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any, Callable, Literal

import jinja2
import yaml
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field

from broadcast.bulletin import Bulletin
from broadcast.config import Settings
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
    """The built-in templates, one YAML file each in broadcast/templates/."""
    found = {}
    for entry in resources.files("broadcast.templates").iterdir():
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
        raise UserError(at.problem(("template",), message, hint=hint, show_path=False) if at is not None
                        else Problem(message, path="template", hint=hint, show_path=False)) from None


def vn_number(value: Any, decimals: int | None = None) -> str:
    """Vietnamese digits: '.' groups thousands, ',' marks decimals (1.245; 98,5)."""
    if isinstance(value, float) and decimals is None:
        decimals = 0 if value.is_integer() else 2
    text = f"{value:,.{decimals or 0}f}" if isinstance(value, (int, float)) else str(value)
    text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def percent(part: float, whole: float, decimals: int = 1) -> str:
    if not whole:
        return "0"
    return vn_number(round(100.0 * part / whole, decimals), decimals)


def _finalize(value: Any) -> Any:
    # YAML gives dates as date objects; read them the Vietnamese way, d/m/yyyy.
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}"
    return "" if value is None else value


@functools.cache
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, finalize=_finalize,
                               keep_trailing_newline=False)
    env.filters["num"] = vn_number
    env.globals["percent"] = percent
    return env


def _render(source: str, context: dict[str, Any], where: str) -> str:
    """`source` filled from `context`; a failure is a problem of `where` (the bulletin's file, a setting)."""
    def fail(message: str, path: str = "") -> UserError:
        return UserError(Problem(message, where, path=path, show_path=False))

    try:
        return _environment().from_string(source).render(**context)
    except jinja2.UndefinedError as exc:
        name = re.search(r"'([^']+)' is undefined", str(exc)) or re.search(r"has no attribute '([^']+)'", str(exc))
        what = f"data key '{name.group(1)}'" if name else str(exc)
        raise fail(f"the text needs {what}: add it under data:", f"data.{name.group(1)}" if name else "data") from None
    except jinja2.TemplateSyntaxError as exc:
        raise fail(f"template syntax error at line {exc.lineno}: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise fail(f"not allowed in a template: {exc}") from None
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise fail(f"cannot fill the template: {exc}") from None


def _paragraphs(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    paras = [re.sub(r"[ \t]*\n[ \t]*", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [re.sub(r"[ \t]{2,}", " ", p) for p in paras if p]


@dataclass(frozen=True)
class Segment:
    """One stretch of speech: `kind` is greeting, title, paragraph or signoff."""

    kind: str
    text: str
    bulletin_id: str = ""


def _context(settings: Settings) -> dict[str, Any]:
    return {"station": settings.station.model_dump(), "programme": settings.programme.model_dump()}


_COUNT_HINT = "a whole number; YAML reads 1.245 as one point two four five, so write 1245 (or quote it: '1.245')"


def _check_field(f: FieldSpec, value: Any) -> tuple[Any, list[tuple[tuple, str]]]:
    """(value converted for the template, its problems as (key path below the field, message))."""
    if value is None:
        return None, []
    if f.type == "text":
        if isinstance(value, (list, dict)):
            return value, [((), "must be text, not a list or mapping")]
        return value, []
    if f.type == "date":
        if isinstance(value, date):
            return value, []
        try:
            return date.fromisoformat(str(value).strip()), []
        except ValueError:
            return value, [((), f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2024-05-06")]
    if f.type == "count":
        if isinstance(value, bool):
            return value, [((), f"must be {_COUNT_HINT}")]
        if isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", value.strip()):
            value = int(value.strip().replace(".", ""))  # Vietnamese digit grouping, quoted
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or value < 0:
            return value, [((), f"{value!r} is not {_COUNT_HINT}")]
        return value, []
    if f.type == "list":
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            return value, [((), "must be a list: put each item on its own line starting with '- '")]
        return value, []
    # entries: a list of mappings that each have f.keys
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return value, [((), f"must be a list of entries, each with {', '.join(f.keys)} (e.g. '- {{{f.keys[0]}: ..., ...}}')")]
    return value, [((i, key), f"required key is missing (each entry needs {', '.join(f.keys)})")
                   for i, entry in enumerate(value) for key in f.keys if entry.get(key) in (None, "")]


def check_fields(data: dict, spec: TemplateSpec, at: Locator) -> tuple[dict[str, Any], list[Problem]]:
    """(data converted for the template, every problem) of a data mapping against the template's fields.

    `at` places a key (a parsed YAML file or a loaded bulletin), so a bulletin with other errors still
    has its data checked; each problem's path names the field (`data.lines[1].number`)."""
    problems, converted = [], {}
    for key in data:
        if key not in spec.fields:
            hint = did_you_mean(key, spec.fields, f"the template's fields are: {', '.join(spec.fields) or 'none'}")
            problems.append(at.problem(("data", key), f"not a field of template '{spec.name}'", hint=hint))
    for name, f in spec.fields.items():
        if name not in data or data[name] in (None, ""):
            if f.required:
                problems.append(at.problem(("data",), f"template '{spec.name}' needs data key '{name}' ({f.help})",
                                           path=f"data.{name}", show_path=False))
            converted[name] = None  # optional fields may be left out; the template sees them as empty
            continue
        converted[name], found = _check_field(f, data[name])
        problems += [at.problem(("data", name, *below), message) for below, message in found]
    for name, f in spec.fields.items():
        limit, value = f.at_most, converted.get(name)
        if limit and isinstance(value, int) and isinstance(converted.get(limit), int) and value > converted[limit]:
            problems.append(at.problem(("data", name), f"data.{name} ({value}) is more than data.{limit} "
                                                       f"({converted[limit]})", show_path=False))
    return converted, problems


def check_data(bulletin: Bulletin, spec: TemplateSpec) -> dict[str, Any]:
    """The bulletin's data checked against the template's fields; every problem at once, with lines."""
    data, problems = check_fields(bulletin.data, spec, bulletin)
    if problems:
        raise UserError(problems)
    return data


def render_bulletin(bulletin: Bulletin, settings: Settings) -> list[Segment]:
    """The bulletin's own speech (title, then its paragraphs), without the programme wrapper."""
    where = str(bulletin.source or bulletin.id)
    spec = get_template(bulletin.template, bulletin)
    data = check_data(bulletin, spec)
    context = _context(settings) | data | {"body": bulletin.body, "title": bulletin.title}
    text = _render(spec.text, context, where)
    uses_body = "body" in meta.find_undeclared_variables(_environment().parse(spec.text))
    if bulletin.body and not uses_body:
        text += "\n\n" + bulletin.body
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise UserError(Problem("the bulletin has nothing to say (empty body and template text)", where, path="body",
                                show_path=False))
    title = _paragraphs(bulletin.title)[0].rstrip(".") + "."
    return [Segment("title", title, bulletin.id)] + [Segment("paragraph", p, bulletin.id) for p in paragraphs]


def render_wrapper(settings: Settings) -> tuple[Segment, Segment]:
    context = _context(settings)
    greeting = " ".join(_paragraphs(_render(settings.programme.greeting, context, "settings programme.greeting")))
    signoff = " ".join(_paragraphs(_render(settings.programme.signoff, context, "settings programme.signoff")))
    return Segment("greeting", greeting), Segment("signoff", signoff)


def render_programme(bulletins: list[Bulletin], settings: Settings) -> list[Segment]:
    """Greeting, each bulletin in the given order, sign-off. Collects every bulletin's problems."""
    greeting, signoff = render_wrapper(settings)
    segments, problems = [greeting], []
    for b in bulletins:
        try:
            segments += render_bulletin(b, settings)
        except UserError as exc:
            problems += exc.details
    if problems:
        raise UserError(problems)
    return segments + [signoff]


def script_text(segments: list[Segment]) -> str:
    return "\n\n".join(s.text for s in segments)


def skeleton(template: str, settings: Settings) -> str:
    """A bulletin YAML for `broadcast new`: every field with its example, ready to edit."""
    spec = get_template(template)
    today = datetime.now(settings.station.tz).date()  # the station's date, not the machine's (UTC)
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
