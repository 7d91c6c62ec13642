"""Writing bulletins from the console: a new one's id and file, the YAML of a filled-in form, checked
and saved all-or-nothing, with the audit trail told who created or edited it.

Bulletins stay YAML files in the station's folder, so the CLI and git keep working on them (a file
saved here loses its hand-written comments).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from broadcast.app import bulletins as app_bulletins
from broadcast.atomic import atomic_write
from broadcast.content.bulletin import Bulletin, bulletin_files
from broadcast.config import Settings
from broadcast.desk import audit
from broadcast.desk.approval import content_hash
from broadcast.errors import UserError
from broadcast.problems import Problem

KEY_ORDER = ("id", "title", "topic", "template", "priority", "air", "voice", "rate", "data", "body", "recording")


def slug(text: str) -> str:
    """'Đường dây nóng 2024' → 'duong-day-nong-2024' (what an id may hold)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")


def taken_ids(settings: Settings) -> set[str]:
    """Ids used by the station's bulletin files (a file that does not load still claims its name)."""
    ids = set()
    for file in bulletin_files([settings.bulletins_dir]) if settings.bulletins_dir.is_dir() else []:
        ids.add(file.stem)
        try:
            found = re.search(r"^id:\s*['\"]?([^'\"\s#]+)", file.read_text(encoding="utf-8"), re.M)
        except (OSError, UnicodeDecodeError):
            continue
        if found:
            ids.add(found.group(1))
    return ids


def new_id(settings: Settings, title: str, today: date) -> str:
    """An unused id from the title and the month: 'duong-day-nong-2024-05', then '-2', '-3', ..."""
    base = f"{slug(title) or 'ban-tin'}-{today:%Y-%m}"
    taken, candidate, n = taken_ids(settings), base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def bulletin_yaml(doc: dict) -> str:
    """The file's text: keys in the order an editor reads them, Unicode as written (NFC)."""
    ordered = {k: doc[k] for k in KEY_ORDER if k in doc and doc[k] not in (None, "", {}, [])}
    ordered |= {k: v for k, v in doc.items() if k not in ordered and k not in KEY_ORDER}
    text = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Saved:
    bulletin: Bulletin
    path: Path
    content_hash: str
    created: bool


def save(settings: Settings, doc: dict, user: str, *, path: Path | None = None) -> Saved:
    """Check `doc` as the bulletin file it will be and write it; every problem at once (UserError with
    field paths) and nothing written when it has any. `path` is the file being edited (None: a new one)."""
    created = path is None
    if created:
        doc = dict(doc, id=doc.get("id") or new_id(settings, doc.get("title", ""), datetime.now(settings.station.tz).date()))
        path = settings.bulletins_dir / f"{doc['id']}.yaml"
        if doc["id"] in taken_ids(settings) or path.exists():
            raise UserError(Problem(f"id '{doc['id']}' is already used by another bulletin", str(path), path="id",
                                    code="bulletin.id_taken", params={"id": doc["id"]}))
    if not created and "recording" not in doc and (kept := recording_of(path)):
        doc = dict(doc, recording=kept)  # a form knows nothing of the reading: the bulletin keeps it
    text = bulletin_yaml(doc)
    problems = app_bulletins.check(path, settings, text)
    if problems:
        raise UserError(problems)
    if not created and path.read_text(encoding="utf-8") == text:
        b = app_bulletins.load(path)
        return Saved(b, path, content_hash(path), False)  # nothing changed: nothing to record
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    b = app_bulletins.load(path)
    digest = content_hash(path)
    audit.append(settings.data_dir, user, "created" if created else "edited", b.id, b.title, digest)
    return Saved(b, path, digest, created)


def recording_of(path: Path) -> str | None:
    """The `recording:` a bulletin file names, as written (None when it names none or cannot be read).

    Attaching and removing a person's reading are their own actions (app/recording); saving the text from
    a form must not silently switch a recorded bulletin back to synthesised speech."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = data.get("recording") if isinstance(data, dict) else None
    return str(value) if value else None
