"""`broadcast play FILE`: air a file now — through the running service (control socket) or, without one,
on the schedule's sound-card zones (the default sound device when there are none).

An MP3/WAV is first brought to the station's loudness and kept under audio_out/instant/
(broadcast.playout.instant), here in the client, before the service is asked: the service's
emergency interrupt is as quick as ever, and what airs is the kept copy, in both paths. A bulletin
YAML is built first and its build (already at the station's loudness) airs as it is."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from broadcast.errors import UserError

DIRECT_ZONE = "mac-dinh"


def audio_for(path: Path, settings, priority: str | None = None) -> tuple[Path, str | None, str | None]:
    """(audio file, title, priority): a bulletin YAML is built first; an audio file is levelled and kept
    (`priority` is the one asked for: an emergency airs the file as it is if no copy can be kept)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        from broadcast.build import build_bulletin
        from broadcast.content.bulletin import load_bulletin

        bulletin = load_bulletin(path)
        result = build_bulletin(bulletin, settings)
        for w in result.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)
        return result.mp3.resolve(), bulletin.title, bulletin.priority.value
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not an audio file")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    check_audio(path)
    return prepared_copy(path, settings, priority), None, None


def prepared_copy(path: Path, settings, priority: str | None) -> Path:
    """The levelled copy of an audio file under audio_out/instant/ (made now, or kept from before)."""
    from broadcast.playout.instant import InstantStorageError, prepare

    try:
        copy = prepare(path, settings, quick=priority == "emergency")
    except InstantStorageError as exc:
        if priority != "emergency":
            raise
        click.secho(f"warning: {'; '.join(exc.problems)}; the emergency airs {path.name} as it is, at its own "
                    f"loudness, and no copy is kept for the evidence", fg="yellow", err=True)
        return path.resolve()
    for w in copy.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if copy.made:
        before = copy.manifest.original.measured.get("integrated_lufs")
        after = copy.manifest.measured
        was = f"{before} LUFS" if before is not None else "too short to measure"
        if copy.manifest.quick:
            gain = copy.manifest.quick_gain_db
            done = (f"{gain:+.1f} dB in one pass, peaks limited" if gain is not None else "peaks limited")
        else:
            done = f"→ {after.integrated_lufs} LUFS, peak {after.true_peak_dbtp} dBTP"
        click.echo(f"levelled {path.name}: {was} {done} ({copy.seconds:.1f} s); kept as {_shown(copy.path, settings)}",
                   err=True)
    elif copy.path != path.resolve():
        click.echo(f"levelled copy of {path.name} from before: {_shown(copy.path, settings)}", err=True)
    return copy.path


def _shown(path: Path, settings) -> str:
    try:
        return str(path.relative_to(settings.base_dir.resolve()))
    except ValueError:
        return str(path)


def check_audio(path: Path) -> None:
    """A user error unless ffmpeg finds an audio stream and can decode its start (a quick look, not a full decode)."""
    import subprocess

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


def _station_schedule(settings):
    from broadcast.schedule.validation import load_schedule

    try:
        return load_schedule(settings.schedule_file)
    except UserError:
        return None


def unreached_zones(settings) -> list[str]:
    """The schedule's zones a direct play does not reach (everything but sound-card zones), as 'id (type)'."""
    schedule = _station_schedule(settings)
    if schedule is None:
        return []
    return [f"{zid} ({zone.sink.type})" for zid, zone in schedule.zones.items() if zone.sink.type != "device"]


def direct_schedule(settings):
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


def play_direct(settings, path: Path, priority: str, title: str | None):
    """No service running: play on the schedule's sound-card zones (else the default sound device) and
    log it like any broadcast."""
    from broadcast.asrun import open_log, reasons
    from broadcast.playout.clock import SystemClock
    from broadcast.playout.programme import take_from_file
    from broadcast.playout.runner import Runner
    from broadcast.playout.service import build_sinks

    tz = settings.station.tz
    clock = SystemClock(tz)
    schedule = direct_schedule(settings)
    with open_log(settings) as logbook:
        runner = Runner(schedule=schedule, preparer=None, sinks=build_sinks(schedule, clock, base_dir=settings.base_dir),
                        log=logbook, clock=clock, tz=tz)
        previous = signal.signal(signal.SIGINT, lambda *_: runner.stop(reasons.USER_STOPPED))
        try:
            return runner.play(take_from_file(path, title=title, priority=priority), priority)
        finally:
            signal.signal(signal.SIGINT, previous)


@click.command("play")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--priority", type=click.Choice(["normal", "priority", "emergency"]), default=None,
              help="emergency interrupts what is airing (default: the bulletin's own, else normal).")
@click.option("--zone", "zones", multiple=True, help="Only these zones (default: all). Needs the running service.")
@click.option("--direct", is_flag=True, help="Play here on the default sound device even if the service runs.")
def play(file: Path, priority: str | None, zones: tuple[str, ...], direct: bool) -> None:
    """Air FILE (MP3, WAV or a bulletin YAML) now; an MP3/WAV airs at the station's loudness, from a copy
    kept in audio_out/instant/ for the evidence."""
    from broadcast.playout.control import SOCKET_NAME, request

    settings = click.get_current_context().obj.settings
    path, title, own_priority = audio_for(file, settings, priority)
    priority = priority or own_priority or "normal"
    sock = settings.data_dir / SOCKET_NAME
    if not direct and sock.exists():
        try:
            reply = request(sock, {"cmd": "play", "path": str(path), "priority": priority,
                                   "zones": list(zones) or None, "title": title})
        except (OSError, ValueError):
            reply = None  # a stale socket: nobody is listening
        if reply is not None:
            if not reply.get("ok"):
                raise UserError(f"the service refused: {reply.get('error')}")
            interrupting = reply.get("interrupting")
            click.echo(f"sent to the running service ({priority})"
                       + (f"; interrupting the session '{interrupting}'" if interrupting else ""))
            return
    if zones:
        raise UserError("--zone needs the running service (`broadcast run`); without it FILE plays on the sound-card zones")
    if not direct:
        missed = unreached_zones(settings)
        click.secho("warning: no broadcast service is running, so this plays only on this computer's sound card"
                    + (f"; these zones are NOT reached: {', '.join(missed)}" if missed else
                       "; the IP loudspeaker zones (Icecast) are not reached")
                    + ". To reach every zone, start the service (`broadcast run`, or `systemctl start broadcast`) "
                      "and play again.", fg="yellow", err=True)
    rows = play_direct(settings, path, priority, title)
    for r in rows:
        span = f"{r.start:%H:%M:%S}–{r.end:%H:%M:%S}" if r.start and r.end else "—"
        click.echo(f"{r.outcome.value:11} {span}  {r.bulletin_id}  {r.sink}" + (f"  ({r.reason})" if r.reason else ""))
    if any(r.outcome.value == "failed" for r in rows):
        raise UserError(f"{path.name}: could not be played: {rows[0].reason}")


COMMANDS = [play]
