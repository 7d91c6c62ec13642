"""Play now: air a file (MP3, WAV or a bulletin YAML) at once, with a priority and on chosen zones, as data.

Through the running service (its control socket) when there is one, else directly on the schedule's
sound-card zones, logged like any broadcast. Everything the user can get wrong (no such file, not
audio, unknown zones, --zone without a service) is refused before any audio work, so a refused play
leaves nothing behind. An MP3/WAV airs at the station's loudness from a copy kept under
audio_out/instant/ (broadcast.playout.instant); a bulletin YAML is built and airs as built.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from broadcast.errors import UserError
from broadcast.playout.control import SOCKET_NAME, locate_station, request

if TYPE_CHECKING:
    from broadcast.asrun import AsRunRecord
    from broadcast.config import Settings
    from broadcast.playout.programme import Take
    from broadcast.playout.runner import Runner
    from broadcast.schedule.model import Schedule

# The settings model, the as-run log and the audio, runner and schedule modules (pydantic, numpy, scipy,
# sqlite) are imported where they are used, not here: an emergency sent to the running service
# (`send_emergency`) needs none of them, and their import would be most of its one-second budget.
# tests/test_play_fast.py holds this module to that.

PRIORITIES = ("normal", "priority", "emergency")
DIRECT_ZONE = "mac-dinh"


@dataclass
class Levelled:
    """What was done to an audio file before it aired (for the message)."""

    source: Path
    copy: Path  # what airs (the original itself when no copy could be kept)
    made: bool  # levelled now (False: a copy from before, or the station's own build)
    seconds: float
    before_lufs: float | None
    after_lufs: float | None
    true_peak_dbtp: float | None
    quick_gain_db: float | None  # the emergency's one-pass gain
    kept: bool = True  # False: no copy could be kept, the original airs as it is


@dataclass
class PlayOutcome:
    """What `play_now` did."""

    via: str  # "service" or "direct"
    priority: str
    audio: Path  # the file that airs
    title: str | None
    levelled: Levelled | None = None  # None for a bulletin build
    interrupting: str | None = None  # the session an emergency cuts (through the service)
    unreached: list[str] = field(default_factory=list)  # zones a direct play does not reach, "id (type)"
    rows: list[AsRunRecord] = field(default_factory=list)  # what a direct play logged
    warnings: list[str] = field(default_factory=list)
    # An emergency levelled as it airs: {"live": true, "copy": the WAV to be kept, "first_audio_s"}, or a
    # copy from before used as it is: {"live": false, "copy": ..., "made": false}
    levelling: dict | None = None
    base_dir: Path | None = None  # the station's folder (paths in messages are shown relative to it)

    @property
    def failed(self) -> list[AsRunRecord]:
        return [r for r in self.rows if r.outcome.value == "failed"]


class PlayControl:
    """Lets the caller stop a direct play from another thread or a signal handler (Ctrl+C)."""

    def __init__(self) -> None:
        self._runner: Runner | None = None
        self._lock = threading.Lock()
        self.reason: str | None = None

    def attach(self, runner: Runner) -> None:
        with self._lock:
            self._runner = runner
            if self.reason:
                runner.stop(self.reason)

    def stop(self, reason: str | None = None) -> None:
        if reason is None:
            from broadcast.asrun.reasons import USER_STOPPED as reason
        with self._lock:
            self.reason = reason
            if self._runner is not None:
                self._runner.stop(reason)


@dataclass
class PlayPlan:
    """A play checked and made ready (`prepare_play`), not yet aired (`air`)."""

    settings: Settings
    via: str  # "service" or "direct"
    audio: Path
    priority: str
    title: str | None
    zones: tuple[str, ...]
    levelled: Levelled | None
    unreached: list[str]
    warnings: list[str]
    level_live: bool = False  # an emergency: levelled as it airs (by the service, or here when direct)


def is_bulletin_file(file: Path) -> bool:
    return Path(file).suffix.lower() in (".yaml", ".yml")


def _check_audio_path(file: Path) -> None:
    if file.is_dir():
        raise UserError(f"{file}: is a folder, not an audio file")
    if not file.is_file():
        raise UserError(f"{file}: no such file")


def send_emergency(file: Path, *, settings_path: str | Path | None = None, zones: tuple[str, ...] = (),
                   title: str | None = None) -> PlayOutcome | None:
    """An emergency MP3/WAV to the running service at once, levelled by the service as it airs.

    The fast path of `broadcast play --priority emergency FILE` (the issue's one second, command to
    audio): no settings model, no status request, no audio work here; the service checks the file is
    audio and the zones exist, and refuses before anything is cut. Returns None when no service
    answers: the caller then plays it here (`prepare_play` and `air`, which load the settings)."""
    file = Path(file)
    _check_audio_path(file)
    place = locate_station(settings_path)
    if place is None or not place.socket.exists():
        return None
    message = {"cmd": "play", "path": str(file.resolve()), "priority": "emergency", "zones": list(zones) or None,
               "title": title, "level": True}
    try:
        reply = request(place.socket, message)
    except (OSError, ValueError):
        return None  # a stale socket: nobody is listening
    return _sent(reply, "emergency", file.resolve(), title, None, [], place.base_dir)


def _sent(reply: dict, priority: str, audio: Path, title: str | None, levelled: Levelled | None,
          warnings: list[str], base_dir: Path) -> PlayOutcome:
    """The outcome of a play the service accepted; a UserError when it refused."""
    if not reply.get("ok"):
        raise UserError(f"the service refused: {reply.get('error')}")
    outcome = PlayOutcome("service", priority, audio, title, levelled, reply.get("interrupting"), warnings=warnings,
                          levelling=reply.get("levelling"), base_dir=base_dir)
    if outcome.levelling and outcome.levelling.get("warning"):
        outcome.warnings.append(outcome.levelling["warning"])
    return outcome


def prepare_play(settings: Settings, file: Path, *, priority: str | None = None, zones: tuple[str, ...] = (),
                 direct: bool = False) -> PlayPlan:
    """Check everything, then make the audio ready: a bulletin YAML built, an MP3/WAV levelled and kept.
    `priority` None: the bulletin's own, else normal. `zones` need the running service; `direct` plays on
    this computer's sound card even when a service runs."""
    file = Path(file)
    if priority is not None and priority not in PRIORITIES:
        raise UserError(f"unknown priority '{priority}': use {', '.join(PRIORITIES)}")
    is_bulletin = is_bulletin_file(file)
    if not is_bulletin:
        _check_audio_path(file)
    status = None if direct else _service_status(settings)
    if zones:
        if status is None:
            raise UserError("--zone needs the running service (`broadcast run`); without it FILE plays on the "
                            "sound-card zones")
        unknown = [z for z in zones if z not in status["zones"]]
        if unknown:
            raise UserError(f"unknown zones: {', '.join(unknown)} (the service's zones: {', '.join(status['zones'])})")
    warnings: list[str] = []
    levelled = None
    via = "service" if status is not None else "direct"
    live = False
    if is_bulletin:
        audio, title, own_priority = _built(file, settings, warnings)
    elif priority == "emergency":
        # Not a moment lost: the file is levelled while it airs (the service, or `air` here, checks it is audio).
        audio, title, own_priority, live = file.resolve(), None, None, True
    else:
        check_audio(file)
        levelled = _levelled(file, settings, priority, warnings)
        audio, title, own_priority = levelled.copy, None, None
    return PlayPlan(settings, via, audio, priority or own_priority or "normal", title, tuple(zones), levelled,
                    [] if direct or via == "service" else unreached_zones(settings), warnings, live)


def air(plan: PlayPlan, control: PlayControl | None = None) -> PlayOutcome:
    """Send the play to the service, or (none running) play it here and log it."""
    settings = plan.settings
    if plan.via == "service":
        message = {"cmd": "play", "path": str(plan.audio), "priority": plan.priority,
                   "zones": list(plan.zones) or None, "title": plan.title}
        reply = _send(settings, {**message, "level": True} if plan.level_live else message)
        if reply is not None:
            return _sent(reply, plan.priority, plan.audio, plan.title, plan.levelled, plan.warnings, settings.base_dir)
        if plan.zones:
            raise UserError("the service stopped meanwhile; --zone needs the running service")
        plan.unreached = unreached_zones(settings)  # the service went away meanwhile: play here
    from broadcast.playout.instant import LiveCopy, LiveTake, prepare_emergency
    from broadcast.playout.programme import take_from_file

    outcome = PlayOutcome("direct", plan.priority, plan.audio, plan.title, plan.levelled, unreached=plan.unreached,
                          warnings=plan.warnings, base_dir=settings.base_dir)
    if plan.level_live:
        prepared = prepare_emergency(plan.audio, settings)
        if isinstance(prepared, LiveCopy):
            take = LiveTake.of(prepared, plan.title)
            kept = prepared.files.wav if prepared.files else None
            outcome.levelling = {"live": True, "copy": str(kept) if kept else None,
                                 "first_audio_s": round(prepared.started_s, 3)}
            if prepared.storage_problem:
                outcome.warnings.append(prepared.storage_problem)
        else:
            take = take_from_file(prepared.path, title=plan.title, priority=plan.priority)
            outcome.levelling = {"live": False, "copy": str(prepared.path), "made": prepared.made}
    else:
        take = take_from_file(plan.audio, title=plan.title, priority=plan.priority)
    outcome.rows = play_direct(settings, take, plan.priority, control)
    return outcome


def play_now(settings: Settings, file: Path, *, priority: str | None = None, zones: tuple[str, ...] = (),
             direct: bool = False, control: PlayControl | None = None) -> PlayOutcome:
    """`prepare_play` then `air`, for callers with nothing to say in between."""
    return air(prepare_play(settings, file, priority=priority, zones=zones, direct=direct), control)


def _service_status(settings: Settings) -> dict | None:
    reply = _send(settings, {"cmd": "status"})
    return reply["status"] if reply and reply.get("ok") else None


def _send(settings: Settings, message: dict) -> dict | None:
    sock = settings.data_dir / SOCKET_NAME
    if not sock.exists():
        return None
    try:
        return request(sock, message)
    except (OSError, ValueError):
        return None  # a stale socket: nobody is listening


def _built(path: Path, settings: Settings, warnings: list[str]) -> tuple[Path, str, str]:
    from broadcast.build import build_bulletin
    from broadcast.content.bulletin import load_bulletin

    bulletin = load_bulletin(path)
    result = build_bulletin(bulletin, settings)
    warnings += result.warnings
    return result.mp3.resolve(), bulletin.title, bulletin.priority.value


def _levelled(path: Path, settings: Settings, priority: str | None, warnings: list[str]) -> Levelled:
    """The levelled copy under audio_out/instant/ (made now, or kept from before); an emergency airs the
    original as it is when no copy can be kept."""
    from broadcast.playout.instant import InstantCopy, InstantStorageError, prepare

    try:
        copy: InstantCopy = prepare(path, settings, quick=priority == "emergency")
    except InstantStorageError as exc:
        if priority != "emergency":
            raise
        warnings.append(f"{'; '.join(exc.problems)}; the emergency airs {path.name} as it is, at its own "
                        f"loudness, and no copy is kept for the evidence")
        return Levelled(path, path.resolve(), False, 0.0, None, None, None, None, kept=False)
    warnings += copy.warnings
    m = copy.manifest
    before = m.original.measured.get("integrated_lufs") if m.original else None
    measured = m.measured  # None on the station's own build manifests of old
    return Levelled(path, copy.path, copy.made, copy.seconds, before, measured.integrated_lufs if measured else None,
                    measured.true_peak_dbtp if measured else None, m.quick_gain_db if m.quick else None)


def check_audio(path: Path) -> None:
    """A user error unless ffmpeg finds an audio stream and can decode its start (a quick look, not a full decode)."""
    from broadcast.audio.ffmpeg import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-t", "0.5", "-f", "null", "-"]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"{path}: cannot be read as audio ({exc})") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = (lines[-1] if lines else f"ffmpeg exited with {proc.returncode}").replace(f"{path}: ", "")
        if "matches no streams" in detail:
            detail = "no audio stream in it"
        raise UserError(f"{path}: not an audio file ({detail})")


def _station_schedule(settings: Settings) -> Schedule | None:
    from broadcast.schedule.validation import load_schedule

    try:
        return load_schedule(settings.schedule_file)
    except UserError:
        return None


def unreached_zones(settings: Settings) -> list[str]:
    """The schedule's zones a direct play does not reach (everything but sound-card zones), as 'id (type)'."""
    schedule = _station_schedule(settings)
    if schedule is None:
        return []
    return [f"{zid} ({zone.sink.type})" for zid, zone in schedule.zones.items() if zone.sink.type != "device"]


def direct_schedule(settings: Settings) -> Schedule:
    """The zones a direct play reaches: the schedule's sound-card zones with their own sinks and ids,
    or, with no usable schedule, the default sound device."""
    from broadcast.schedule.model import Schedule

    schedule = _station_schedule(settings)
    devices = {zid: zone.model_dump(mode="json") for zid, zone in schedule.zones.items()
               if zone.sink.type == "device"} if schedule else {}
    if not devices:
        devices = {DIRECT_ZONE: {"name": "Loa mặc định", "sink": {"type": "device"}}}
    playout = schedule.playout.model_dump(mode="json") if schedule else {}
    return Schedule.model_validate({"zones": devices, "playout": playout})


def play_direct(settings: Settings, take: Take, priority: str, control: PlayControl | None = None) -> list[AsRunRecord]:
    """No service running: play on the schedule's sound-card zones (else the default sound device) and
    log it like any broadcast; returns the rows."""
    from broadcast.asrun import open_log
    from broadcast.playout.clock import SystemClock
    from broadcast.playout.runner import Runner
    from broadcast.playout.service import build_sinks

    tz = settings.station.tz
    clock = SystemClock(tz)
    schedule = direct_schedule(settings)
    with open_log(settings) as log:
        runner = Runner(schedule=schedule, preparer=None, sinks=build_sinks(schedule, clock, base_dir=settings.base_dir),
                        log=log, clock=clock, tz=tz)
        if control is not None:
            control.attach(runner)
        return runner.play(take, priority)


# -- for the web console (its upload and send steps) ------------------------------------------------


@dataclass(frozen=True)
class PlayReply:
    path: Path
    priority: str
    interrupting: str | None
    levelling: dict | None = None  # with `level`: how the service levelled it (control.py's "levelling")


def send_to_service(settings: Settings, path: Path, priority: str, zones: list[str] | None = None,
                    title: str | None = None, *, level: bool = False) -> PlayReply:
    """Ask the running service to air `path` now: already at the station's loudness, or with `level` (an
    emergency sent as the user's file) levelled by the service as it airs, as `broadcast play` does."""
    sock = settings.data_dir / SOCKET_NAME
    message = {"cmd": "play", "path": str(Path(path).resolve()), "priority": priority, "zones": zones or None,
               "title": title}
    try:
        reply = request(sock, {**message, "level": True} if level else message)
    except (OSError, ValueError):
        raise UserError("Dịch vụ phát sóng không chạy nên không phát được: hãy khởi động nó "
                        "(systemctl start broadcast) rồi thử lại.") from None
    if not reply.get("ok"):
        raise UserError(f"Dịch vụ phát sóng từ chối: {reply.get('error')}")
    return PlayReply(Path(path), priority, reply.get("interrupting"), reply.get("levelling"))


def level_upload(settings: Settings, path: Path) -> Path:
    """An uploaded MP3/WAV at the station's loudness, kept under audio_out/instant/ (a normal or priority
    play; an emergency is sent as it is, with `level`, and the service levels it as it airs)."""
    from broadcast.playout.instant import prepare_instant

    return prepare_instant(path, settings)


def zones(settings: Settings) -> dict[str, str]:
    """The schedule's zones (id -> name) a play can be sent to."""
    from broadcast.schedule.validation import load_schedule

    return {zid: zone.name for zid, zone in load_schedule(settings.schedule_file).zones.items()}
