"""Changing the schedule from the console: a date without broadcast or a one-off session added to
schedule.yaml with its comments and layout kept, checked exactly as `schedule check` checks the file
before it is written, then the running service asked to reload it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path

import yaml

from broadcast.atomic import atomic_write
from broadcast.config import Settings
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.playout.control import SOCKET_NAME, request
from broadcast.schedule.validation import load_schedule


@dataclass(frozen=True)
class Changed:
    reloaded: bool  # the running service took the new schedule (False: none running, it reads it at start)
    message: str  # what the service said when it did not reload


def _append_to_list(text: str, key: str, entry: dict) -> str:
    """`text` with `entry` added as the last item of the top-level list `key` (created at the end if absent)."""
    item = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    root = yaml.compose(text) if text.strip() else None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if isinstance(root, yaml.MappingNode):
        for key_node, value in root.value:
            if key_node.value != key:
                continue
            if isinstance(value, yaml.SequenceNode) and value.value and value.flow_style is False:
                dash = max(0, value.value[0].start_mark.column - 2)  # where the items' "- " stands
                block = "".join(" " * dash + ln if ln.strip() else ln for ln in item.splitlines(keepends=True))
                end = value.end_mark.line if value.end_mark.column == 0 else value.end_mark.line + 1
                while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
                    end -= 1  # after the last item, before the blank lines and comments that follow it
                return "".join(lines[:end]) + block + "".join(lines[end:])
            # An empty or flow-style list: rewrite the key's value as a block list with the new entry.
            start, stop = key_node.start_mark.line, value.end_mark.line + (0 if value.end_mark.column == 0 else 1)
            current = yaml.safe_load("".join(lines[start:stop]))[key] or []
            new = yaml.safe_dump({key: [*current, entry]}, allow_unicode=True, sort_keys=False, width=1000)
            return "".join(lines[:start]) + new + "".join(lines[stop:])
    return "".join(lines) + ("\n" if lines else "") + yaml.safe_dump({key: [entry]}, allow_unicode=True,
                                                                       sort_keys=False, width=1000)


def _write(settings: Settings, text: str) -> None:
    """Check the new schedule as `schedule check` does (every problem at once), then write it whole."""
    file = settings.schedule_file
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / file.name
        trial.write_text(text, encoding="utf-8")
        try:
            load_schedule(trial)
        except UserError as exc:
            raise UserError([replace(p, message=p.message.replace(str(trial), str(file)),
                                     file=p.file and p.file.replace(str(trial), str(file))) for p in exc.details]) from None
    atomic_write(file, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _reload(settings: Settings) -> Changed:
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
    text = _append_to_list(settings.schedule_file.read_text(encoding="utf-8"), "skip", entry)
    _write(settings, text)
    audit.append(settings.data_dir, user, "schedule", "skip", f"không phát ngày {day:%d/%m/%Y}: {reason.strip()}")
    return _reload(settings)


def add_one_off(settings: Settings, name: str, day: date, at: time, zones: list[str] | None, user: str) -> Changed:
    """A session on `day` at `at` only, on `zones` (all when none are given)."""
    entry = {"name": name.strip(), "date": day, "time": f"{at:%H:%M}", "zones": list(zones) if zones else ["all"]}
    text = _append_to_list(settings.schedule_file.read_text(encoding="utf-8"), "one_off", entry)
    _write(settings, text)
    audit.append(settings.data_dir, user, "schedule", "one_off", f"phiên {name.strip()} {day:%d/%m/%Y} {at:%H:%M}")
    return _reload(settings)
