"""A bulletin as an HTML form and back: fields generated from the template's typed fields, input names
that are the problems' field paths (`data.lines[0].number`), so each problem lands next to its field,
in Vietnamese."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from broadcast.problems import Problem
from broadcast.problems_vi import in_vietnamese
from broadcast.content.template import FieldSpec, TemplateSpec

EXTRA_ROWS = 2  # empty entry rows a form offers without JavaScript


@dataclass
class FormField:
    """One input of the form: its name (= field path), label, help, kind of input and current value."""

    name: str
    label: str
    help: str = ""
    kind: str = "text"  # text | textarea | date | number | lines | entries | select
    value: Any = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""  # the template's example
    columns: list[tuple[str, str]] = field(default_factory=list)  # entries: (key, label)
    rows: list[dict] = field(default_factory=list)  # entries: one dict per row
    errors: list[str] = field(default_factory=list)


def label_and_help(text: str) -> tuple[str, str]:
    """'Thời hạn giải quyết, ví dụ: 05 ngày làm việc' → ('Thời hạn giải quyết', 'ví dụ: 05 ngày làm việc')."""
    text = text.strip()
    if m := re.match(r"^(.*?),?\s*(ví dụ:?.*)$", text):
        return m.group(1).strip(), m.group(2).strip()
    if m := re.match(r"^([^(]+)\((.*)\)\s*$", text):
        return m.group(1).strip(), m.group(2).strip()
    if m := re.match(r"^([^:]+):\s*(.+)$", text):
        return m.group(1).strip(), m.group(2).strip()
    return text, ""


def entry_columns(f: FieldSpec) -> list[tuple[str, str]]:
    """An entries field's keys with their Vietnamese names, read from its help ('purpose (nội dung), ...')."""
    named = dict(re.findall(r"(\w+) \(([^)]+)\)", f.help))
    keys = list(f.keys) + [k for k in named if k not in f.keys]
    return [(k, named.get(k, k).split(",")[0].strip().capitalize()) for k in keys]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def data_fields(spec: TemplateSpec, data: dict) -> list[FormField]:
    out = []
    for name, f in spec.fields.items():
        label, help_text = label_and_help(f.help or name)
        value = data.get(name)
        path = f"data.{name}"
        if f.type == "entries":
            # Its help names the columns ("Các số đường dây nóng: purpose (nội dung), ..."): they head the
            # rows, so the label is what comes before them.
            label = (f.help or name).split(":")[0].strip()
            rows = [dict((k, _text(v)) for k, v in row.items()) for row in (value or []) if isinstance(row, dict)]
            rows += [{} for _ in range(EXTRA_ROWS)]
            out.append(FormField(path, label, "Mỗi dòng một mục; dòng để trống bị bỏ qua.", "entries",
                                 required=f.required, columns=entry_columns(f), rows=rows))
        elif f.type == "list":
            lines = "\n".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
            out.append(FormField(path, label, "Mỗi mục một dòng.", "lines", lines, f.required))
        elif f.type == "date":
            out.append(FormField(path, label, "", "date", _text(value), f.required))
        elif f.type == "count":
            out.append(FormField(path, label, help_text, "number", _text(value), f.required,
                                 placeholder=_text(f.example)))
        else:
            long = len(_text(f.example)) > 60 or name in ("gist", "body")
            out.append(FormField(path, label, help_text, "textarea" if long else "text", _text(value), f.required,
                                 placeholder=_text(f.example)))
    return out


def parse_form(form, spec: TemplateSpec) -> dict:
    """The bulletin document (as its YAML will hold it) from a submitted form."""
    get = lambda key: str(form.get(key) or "").strip()  # noqa: E731
    doc: dict[str, Any] = {"id": get("id"), "title": get("title"), "topic": get("topic") or spec.topic,
                           "template": spec.name, "priority": get("priority") or "normal"}
    start, end = get("air.from"), get("air.to")
    if start or end:
        doc["air"] = {"from": _date_or_text(start) if start else None}
        if end:
            doc["air"]["to"] = _date_or_text(end)
    if get("voice"):
        doc["voice"] = get("voice")
    if get("rate"):
        doc["rate"] = int(get("rate")) if get("rate").isdigit() else get("rate")  # else the check names it
    data: dict[str, Any] = {}
    for name, f in spec.fields.items():
        key = f"data.{name}"
        if f.type == "entries":
            rows = []
            for i in range(200):
                keys = [k for k, _ in entry_columns(f)]
                if not any(f"{key}[{i}].{k}" in form for k in keys):
                    break
                row = {k: get(f"{key}[{i}].{k}") for k in keys}
                if any(row.values()):
                    rows.append({k: v for k, v in row.items() if v or k in f.keys})
            if rows:
                data[name] = rows
        elif f.type == "list":
            items = [line.strip() for line in get(key).splitlines() if line.strip()]
            if items:
                data[name] = items
        elif get(key):
            value = get(key)
            if f.type == "date":
                value = _date_or_text(value)
            elif f.type == "count" and value.isdigit():
                value = int(value)
            data[name] = value
    if data:
        doc["data"] = data
    if get("body"):
        doc["body"] = form.get("body").replace("\r\n", "\n").strip() + "\n"
    return doc


def _date_or_text(value: str):
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


# --- problems, in Vietnamese, at their fields -----------------------------------------------------


def _field_of(path: str) -> str:
    """'data.lines[1].number' → 'data.lines'; 'air.to' → 'air.to'."""
    return re.sub(r"\[\d+\].*$", "", path)


def labeller(labels: dict[str, str]):
    """A field path as the form names it ('data.lines[1].number' → the list's label), else the path."""
    return lambda path: labels.get(path) or labels.get(_field_of(path)) or path


def place(problems: list[Problem], fields: list[FormField], labels: dict[str, str]) -> list[str]:
    """Attach each problem, in Vietnamese, to its field (by path); return those with no field on the form."""
    by_name = {f.name: f for f in fields}
    label = labeller(labels)
    loose = []
    for p in problems:
        text = in_vietnamese(p, label)
        target = by_name.get(p.path) or by_name.get(_field_of(p.path))
        if target is None and p.path.startswith("air"):
            target = by_name.get("air.to" if p.code == "bulletin.air_order" else "air.from")
        if target is None and p.code in ("bulletin.empty", "bulletin.too_long"):
            target = by_name.get("body")
        if target is not None:
            if text not in target.errors:
                target.errors.append(text)
        elif text not in loose:
            loose.append(text)
    return loose
