"""Play now: send a built bulletin or an audio file to the running service (an emergency interrupts what
airs). The file is levelled and kept first, as `broadcast play` does, so the service only starts it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.playout.control import SOCKET_NAME, request


@dataclass(frozen=True)
class PlayReply:
    path: Path
    priority: str
    interrupting: str | None


def send_to_service(settings: Settings, path: Path, priority: str, zones: list[str] | None = None,
                    title: str | None = None) -> PlayReply:
    """Ask the running service to air `path` (already at the station's loudness) now."""
    sock = settings.data_dir / SOCKET_NAME
    try:
        reply = request(sock, {"cmd": "play", "path": str(Path(path).resolve()), "priority": priority,
                               "zones": zones or None, "title": title})
    except (OSError, ValueError):
        raise UserError("Dịch vụ phát sóng không chạy nên không phát được: hãy khởi động nó "
                        "(systemctl start broadcast) rồi thử lại.") from None
    if not reply.get("ok"):
        raise UserError(f"Dịch vụ phát sóng từ chối: {reply.get('error')}")
    return PlayReply(Path(path), priority, reply.get("interrupting"))


def level_upload(settings: Settings, path: Path, priority: str) -> Path:
    """An uploaded MP3/WAV at the station's loudness, kept under audio_out/instant/ (quick path for an emergency)."""
    from broadcast.playout.instant import prepare_instant

    return prepare_instant(path, settings, quick=priority == "emergency")


def zones(settings: Settings) -> dict[str, str]:
    """The schedule's zones (id -> name) a play can be sent to."""
    from broadcast.schedule.validation import load_schedule

    return {zid: zone.name for zid, zone in load_schedule(settings.schedule_file).zones.items()}
