"""Changing the schedule from the console: a date without broadcast or a one-off session added to
schedule.yaml with its comments and layout kept, checked exactly as `schedule check` checks the file
before it is written, then the running service asked to reload it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from broadcast.atomic import atomic_write
from broadcast.config import Settings
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems import renamed
from broadcast.playout.control import SOCKET_NAME, request
from broadcast.schedule.validation import load_schedule
from broadcast.yamledit import append_to_list


@dataclass(frozen=True)
class Changed:
    reloaded: bool  # the running service took the new schedule (False: none running, it reads it at start)
    message: str  # what the service said when it did not reload


def _write(settings: Settings, text: str) -> None:
    """Check the new schedule as `schedule check` does (every problem at once), then write it whole."""
    file = settings.schedule_file
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / file.name
        trial.write_text(text, encoding="utf-8")
        try:
            load_schedule(trial)
        except UserError as exc:
            raise UserError(renamed(exc.details, str(trial), str(file))) from None
    atomic_write(file, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def reload_service(settings: Settings) -> Changed:
    """Ask the running service (if any) to read schedule.yaml and station.yaml again."""
    sock = settings.data_dir / SOCKET_NAME
    if not sock.exists():
        return Changed(False, "")
    try:
        reply = request(sock, {"cmd": "reload"}, timeout=10)
    except (OSError, ValueError):
        return Changed(False, "")
    return Changed(bool(reply.get("ok")), "" if reply.get("ok") else str(reply.get("error", "")))


def add_skip(settings: Settings, day: date, reason: str, sessions: list[str] | None, user: str) -> Changed:
    """No broadcast on `day` (all sessions, or only the named ones), for `reason`."""
    entry: dict = {"date": day, "reason": reason.strip()}
    if sessions:
        entry["sessions"] = list(sessions)
    text = append_to_list(settings.schedule_file.read_text(encoding="utf-8"), "skip", entry)
    _write(settings, text)
    audit.append(settings.data_dir, user, "schedule", "skip", f"không phát ngày {day:%d/%m/%Y}: {reason.strip()}")
    return reload_service(settings)


def add_one_off(settings: Settings, name: str, day: date, at: time, zones: list[str] | None, user: str) -> Changed:
    """A session on `day` at `at` only, on `zones` (all when none are given)."""
    entry = {"name": name.strip(), "date": day, "time": f"{at:%H:%M}", "zones": list(zones) if zones else ["all"]}
    text = append_to_list(settings.schedule_file.read_text(encoding="utf-8"), "one_off", entry)
    _write(settings, text)
    audit.append(settings.data_dir, user, "schedule", "one_off", f"phiên {name.strip()} {day:%d/%m/%Y} {at:%H:%M}")
    return reload_service(settings)
