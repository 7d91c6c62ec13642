"""The running broadcast service as data, asked over its control socket (never by importing it): is it
up, what airs now on which zones, what is next. The web console's dashboard reads this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from broadcast.config import Settings
from broadcast.playout.control import SOCKET_NAME, request


@dataclass(frozen=True)
class ServiceStatus:
    running: bool
    state: str = "stopped"  # idle | playing | stopping | stopped
    on_air: dict | None = None  # session, slot, zones, since
    next: list[dict] = field(default_factory=list)  # slot, session
    zones: dict[str, str] = field(default_factory=dict)  # zone id -> sink label
    log: dict = field(default_factory=dict)
    error: str = ""

    @property
    def since(self) -> datetime | None:
        return datetime.fromisoformat(self.on_air["since"]) if self.on_air and self.on_air.get("since") else None


def service_status(settings: Settings, timeout: float = 2.0) -> ServiceStatus:
    """What `broadcast run` says of itself, or why it cannot be asked (not running, stale socket)."""
    sock = settings.data_dir / SOCKET_NAME
    if not sock.exists():
        return ServiceStatus(False, error="Dịch vụ phát sóng chưa chạy (broadcast run / systemctl start broadcast).")
    try:
        reply = request(sock, {"cmd": "status"}, timeout=timeout)
    except (OSError, ValueError) as exc:
        return ServiceStatus(False, error=f"Không liên lạc được với dịch vụ phát sóng ({exc}).")
    if not reply.get("ok"):
        return ServiceStatus(False, error=str(reply.get("error", "")))
    s = reply["status"]
    return ServiceStatus(True, s.get("state", "idle"), s.get("on_air"), list(s.get("next", [])),
                         dict(s.get("zones", {})), dict(s.get("log") or {}))
