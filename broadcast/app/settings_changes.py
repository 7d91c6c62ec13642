"""Changing station.yaml from the console: the station's voice (speech.engine and speech.voice) set in the
file with its comments and layout kept (broadcast.yamledit), the new file loaded as every command loads it
before it replaces the old one, then the running service asked to reload it."""

from __future__ import annotations

import json

from broadcast.app.schedule_changes import Changed, reload_service
from broadcast.atomic import staged, writing_into
from broadcast.config import Settings, load_settings
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems import renamed
from broadcast.yamledit import set_value


def set_station_voice(settings: Settings, engine: str, voice: str, user: str) -> tuple[Settings, Changed]:
    """The station speaks with `engine`'s `voice` from now on: station.yaml's speech.engine and speech.voice,
    the fallback chain as it is. Returns the new settings (a long-running caller takes them) and what the
    running service said; nothing is written when the new file would not load."""
    file = settings.source_file
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    new = set_value(set_value(text, "speech", "engine", engine), "speech", "voice", voice)
    with writing_into(file.parent), staged(file) as trial:
        trial.write_text(new, encoding="utf-8")
        try:
            load_settings(trial)
        except UserError as exc:
            raise UserError(renamed(exc.details, str(trial), str(file))) from None
    audit.append(settings.data_dir, user, "settings", "speech", json.dumps({"engine": engine, "voice": voice}))
    return load_settings(file), reload_service(settings)
