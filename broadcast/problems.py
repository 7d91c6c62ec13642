"""Problems in what the user wrote, as data: where (file, line, column, field path), what, and the fix.

A terminal prints a problem as one line (`FILE:LINE: field: message; hint`); a form places it next to
its field by `path` (`data.lines[1].number`, `sessions[sáng].time`) without parsing that line.

`message` and `hint` are the CLI's English. A problem a person may meet in the web console also says
what kind it is, `code` (e.g. `schedule.overlap`), with the values its message names, `params`: the
console words it in Vietnamese from those (broadcast.problems_vi), never by parsing the English.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Protocol

Loc = tuple[str | int, ...]  # a key path inside a YAML document: ("data", "lines", 1, "number")


@dataclass(frozen=True)
class Problem:
    """One thing to fix. `line` and `column` are 1-based; `path` names the field ("" when none applies)."""

    message: str
    file: str | None = None  # the file read (or what was read, when it is not a file)
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str = ""  # how to fix it, e.g. "did you mean 'title'?"
    show_path: bool = True  # False when the message already names its field: the printed line does not repeat it
    code: str = ""  # what kind of problem, for wording it in another language ("" : the message is all there is)
    params: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)  # the values it names

    @property
    def where(self) -> str:
        """`FILE:LINE`, `FILE`, or "" — the prefix of the printed line."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        parts = [self.where] if self.where else []
        if self.path and self.show_path:
            parts.append(self.path)
        text = ": ".join(parts + [self.message])
        return f"{text}; {self.hint}" if self.hint else text

    def as_dict(self) -> dict:
        """Plain data for JSON (the web console, the control socket): every field plus the printed line."""
        return {**asdict(self), "text": str(self)}


class Locator(Protocol):
    """Something that knows where its keys are (a parsed YAML file, a loaded bulletin)."""

    def problem(self, loc: Loc, message: str, *, hint: str = "", path: str | None = None,
                show_path: bool = True, code: str = "", params: Mapping[str, object] | None = None) -> Problem:
        """A problem at the key `loc` (or at its nearest parent that has a place)."""
        ...


def as_problem(problem: str | Problem) -> Problem:
    """Plain text (a message that carries its own place, if any) as a Problem."""
    return problem if isinstance(problem, Problem) else Problem(str(problem))


def renamed(problems: Iterable[Problem], old: str, new: str) -> list[Problem]:
    """`problems` of a trial copy at `old` told of the file at `new` it stands for (message and file)."""
    return [replace(p, message=p.message.replace(old, new), file=p.file and p.file.replace(old, new)) for p in problems]


def coded(message: str, code: str, hint: str = "", **params: object) -> Problem:
    """A problem with no place in a file (the place, if any, is in `message`), of kind `code`."""
    return Problem(message, hint=hint, code=code, params=params)


def field_path(loc: Loc) -> str:
    """`("data", "lines", 1, "number")` → `data.lines[1].number` (list positions 0-based, as in the data)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def did_you_mean(word: object, choices: Iterable[object], otherwise: str = "") -> str:
    """The hint for an unknown name: the closest known one, else `otherwise` (e.g. the list of known names)."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"did you mean '{close[0]}'?" if close else otherwise


def in_line_order(problems: Iterable[str | Problem], file: str | None = None) -> list[Problem]:
    """Problems top to bottom, each once; problems of the whole file (or of another file) first.

    Checks that run side by side (schema, references, template data) then read as one list."""
    unique: dict[str, Problem] = {}
    for p in map(as_problem, problems):
        unique.setdefault(str(p), p)
    return sorted(unique.values(), key=lambda p: (p.line or 0) if file is None or p.file == file else 0)
