"""Bulletin → script text: its template rendered in Jinja2's sandbox, wrapped in the programme.

A programme reads: greeting, then per bulletin its title and paragraphs, then the sign-off.
Everything here is pure: data in, text out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin
from broadcast.content.template import TemplateSpec, check_fields, get_template
from broadcast.errors import UserError
from broadcast.problems import Problem


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
    def fail(message: str, path: str = "", code: str = "render.failed", **params) -> UserError:
        return UserError(Problem(message, where, path=path, show_path=False, code=code, params=params))

    try:
        return _environment().from_string(source).render(**context)
    except jinja2.UndefinedError as exc:
        name = re.search(r"'([^']+)' is undefined", str(exc)) or re.search(r"has no attribute '([^']+)'", str(exc))
        what = f"data key '{name.group(1)}'" if name else str(exc)
        raise fail(f"the text needs {what}: add it under data:", f"data.{name.group(1)}" if name else "data",
                   "render.undefined", key=name.group(1) if name else "") from None
    except jinja2.TemplateSyntaxError as exc:
        raise fail(f"template syntax error at line {exc.lineno}: {exc.message}", code="render.syntax", line=exc.lineno) from None
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
                                show_path=False, code="bulletin.empty"))
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
