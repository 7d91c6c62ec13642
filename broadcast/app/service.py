"""The broadcast service as user actions: start it, ask how it is (as data), play a day on a simulated clock.

`broadcast run`, `broadcast simulate`, `broadcast demo` and the web console's dashboard call these;
the running service is reached only through its control socket (broadcast.playout.control).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from broadcast.asrun import open_log
from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.playout.clock import SystemClock
from broadcast.playout.control import SOCKET_NAME, request
from broadcast.playout.programme import StationPreparer
from broadcast.playout.runner import STATE_FILE, Runner
from broadcast.playout.service import Service, build_sinks
from broadcast.playout.simulate import SimulatedDay, day_problems, format_table, simulate_day
from broadcast.schedule.slots import schedule_tz
from broadcast.schedule.validation import load_schedule

__all__ = ["RunningService", "ServiceStatus", "SimulatedDay", "day_problems", "format_table", "service_status",
           "simulate", "start_service"]


@dataclass
class RunningService:
    """A started service and the log it writes; `stop` says whether every row reached the log."""

    service: Service
    log: object

    @property
    def socket(self) -> Path | None:
        return self.service.control.path if self.service.control else None

    def next_sessions(self, n: int = 1000) -> list[dict]:
        return self.service.next_slots(n=n)

    def reload(self) -> dict:
        return self.service.reload(force=True)

    def stop(self, reason: str) -> dict:
        """Fade out, log, close the log; returns the log's health (Runner.log_status)."""
        self.service.stop(reason)
        self.log.close()
        return self.service.runner.log_status()


def start_service(settings: Settings, *, settings_file: Path | str | None = None, control: bool = True) -> RunningService:
    """Build the real service from the station's files and start it (scheduler, control socket).

    `settings_file` is the station.yaml the settings came from (reloaded on SIGHUP); None: the
    $BROADCAST_SETTINGS or ./station.yaml that load_settings would read."""
    schedule = load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    clock = SystemClock(tz)
    log = open_log(settings, spool=True)  # rows the log refuses wait in the spool (log.spool), retried
    runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule),
                    sinks=build_sinks(schedule, clock, base_dir=settings.base_dir), log=log, clock=clock,
                    state_path=settings.data_dir / STATE_FILE, tz=tz)
    service = Service(runner, tz, settings.data_dir, control=control, schedule_file=settings.schedule_file,
                      make_sinks=lambda s: build_sinks(s, clock, base_dir=settings.base_dir),
                      settings=settings, settings_file=settings_file)
    try:
        service.start()
    except OSError as exc:  # the control socket or state file cannot be made: a folder the user can fix
        log.close()
        raise UserError(f"{settings.data_dir}: cannot run the service with its data folder here "
                        f"({exc.strerror or exc}); make the folder writable or point paths.data elsewhere") from None
    except BaseException:
        log.close()
        raise
    return RunningService(service, log)


@dataclass(frozen=True)
class ZoneReach:
    """Whether a zone's sink answers now (`reachable` None: this service does not say)."""

    zone: str
    kind: str  # device | icecast | file | ... (its sink label's prefix)
    reachable: bool | None
    detail: str = ""  # the probe's own words (technical), when it cannot be reached


@dataclass(frozen=True)
class ServiceStatus:
    """What the running service says about itself (the control socket's status reply, typed), or why it
    cannot be asked (`running` False, `error` in Vietnamese for the console)."""

    running: bool
    state: str = "stopped"  # idle | playing | stopping | stopped (why, when not running: `stopped`)
    on_air: dict | None = None  # {"session", "slot", "zones", "since"}
    next: list[dict] = field(default_factory=list)  # {"slot", "session", "job"}
    zones: dict[str, str] = field(default_factory=dict)  # zone -> its sink's label
    log: dict = field(default_factory=dict)  # {"ok", "unwritten", "error", "since"}
    error: str = ""
    on_air_by_zone: dict[str, str | None] = field(default_factory=dict)  # zone -> session on air there
    sinks: dict[str, dict] = field(default_factory=dict)  # sink label -> {"reachable", "detail"}
    alerts: list[str] = field(default_factory=list)  # what needs a person now
    now: str = ""
    stopped: str = ""  # when not running: "no-socket" (not started) or "silent" (a socket nobody answers)

    @property
    def since(self) -> datetime | None:
        return datetime.fromisoformat(self.on_air["since"]) if self.on_air and self.on_air.get("since") else None

    @property
    def reach(self) -> list[ZoneReach]:
        """Each zone the service plays to, with whether its sink can be reached now."""
        out = []
        for zone, label in self.zones.items():
            probe = self.sinks.get(label)
            out.append(ZoneReach(zone, label.split(":", 1)[0], None if probe is None else bool(probe.get("reachable")),
                                 "" if probe is None else str(probe.get("detail") or "")))
        return out

    @property
    def log_waiting(self) -> bool:
        """Rows the as-run log refused wait in the service's spool (a full disk, a read-only data folder)."""
        return bool(self.log) and self.log.get("ok") is False


def service_status(settings: Settings, timeout: float = 3.0) -> ServiceStatus:
    """What `broadcast run` says of itself, or why it cannot be asked (not running, stale socket)."""
    sock = settings.data_dir / SOCKET_NAME
    if not sock.exists():
        return ServiceStatus(False, error="Dịch vụ phát sóng chưa chạy (broadcast run / systemctl start broadcast).",
                             stopped="no-socket")
    try:
        reply = request(sock, {"cmd": "status"}, timeout=timeout)
    except (OSError, ValueError) as exc:
        return ServiceStatus(False, error=f"Không liên lạc được với dịch vụ phát sóng ({exc}).", stopped="silent")
    if not reply.get("ok"):
        return ServiceStatus(False, error=str(reply.get("error", "")))
    s = reply["status"]
    return ServiceStatus(True, s.get("state", "idle"), s.get("on_air"), list(s.get("next", [])),
                         dict(s.get("zones", {})), dict(s.get("log") or {}), "", dict(s.get("on_air_by_zone", {})),
                         dict(s.get("sinks", {})), list(s.get("alerts", [])), s.get("now", ""))


def simulate(settings: Settings, day: date, speedup: float = 600.0, out_dir: Path | None = None) -> SimulatedDay:
    """One broadcast day through the real runner on a fast simulated clock, into file sinks and its own log."""
    return simulate_day(settings, day, speedup, out_dir)
