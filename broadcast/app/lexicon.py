"""The station's lexicon (lexicon.yaml: written form → spoken form) for the console: its entries, how a
text is read with a proposed entry, and adding, changing or removing one line, checked before saving."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from broadcast.atomic import atomic_write
from broadcast.config import Settings
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.speech.lexicon import Lexicon, load_lexicon
from broadcast.speech.normalise import normalise


@dataclass(frozen=True)
class Entry:
    written: str
    spoken: str


def lexicon_file(settings: Settings) -> Path:
    return settings.lexicon_file or settings.base_dir / "lexicon.yaml"


def entries(settings: Settings) -> list[Entry]:
    file = lexicon_file(settings)
    if not file.exists():
        return []
    return [Entry(w, s) for w, s in sorted(load_lexicon(file).station.items(), key=lambda e: e[0].lower())]


def _line(written: str, spoken: str) -> str:
    return yaml.safe_dump({written: spoken}, allow_unicode=True, width=1000).strip() + "\n"


def _with(settings: Settings, written: str, spoken: str | None) -> str:
    """The file's text with `written` set to `spoken` (None: removed); other lines and comments kept."""
    file = lexicon_file(settings)
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True) if file.exists() else []
    out, done = [], False
    for line in lines:
        try:
            parsed = yaml.safe_load(line) if line.strip() and not line.lstrip().startswith("#") else None
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict) and list(parsed) == [written]:
            if spoken is not None and not done:
                out.append(_line(written, spoken))
            done = True
            continue
        out.append(line)
    if spoken is not None and not done:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(_line(written, spoken))
    return "".join(out)


def _checked(settings: Settings, text: str) -> Lexicon:
    """The lexicon `text` would be, with every problem (UserError) before anything is written."""
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / lexicon_file(settings).name
        trial.write_text(text, encoding="utf-8")
        return load_lexicon(trial)


def how_read(settings: Settings, text: str, written: str = "", spoken: str = "") -> str:
    """`text` as the engine will read it, with `written: spoken` added to the station lexicon."""
    if written.strip() and spoken.strip():
        lexicon = _checked(settings, _with(settings, written.strip(), spoken.strip()))
    else:
        file = lexicon_file(settings)
        lexicon = load_lexicon(file if file.exists() else None)
    return normalise(text, lexicon)


def set_entry(settings: Settings, written: str, spoken: str, user: str) -> Entry:
    written, spoken = written.strip(), spoken.strip()
    if not written or not spoken:
        raise UserError("Cần điền cả chữ viết và cách đọc.")
    text = _with(settings, written, spoken)
    _checked(settings, text)
    atomic_write(lexicon_file(settings), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    audit.append(settings.data_dir, user, "lexicon", written, f"{written} → {spoken}")
    return Entry(written, spoken)


def remove_entry(settings: Settings, written: str, user: str) -> None:
    text = _with(settings, written, None)
    atomic_write(lexicon_file(settings), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    audit.append(settings.data_dir, user, "lexicon", written, f"xóa {written}")
