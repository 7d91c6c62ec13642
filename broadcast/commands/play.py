"""`broadcast play FILE`: air a file now — through the running service (control socket) or, without one,
on the schedule's sound-card zones (the default sound device when there are none). The work is
broadcast.app.play.play_now; this parses, calls, prints and maps errors to exit codes."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from broadcast.errors import UserError


def _shown(path: Path, settings) -> str:
    try:
        return str(path.relative_to(settings.base_dir.resolve()))
    except ValueError:
        return str(path)


def levelled_message(levelled, settings) -> str | None:
    """The line that says how an audio file was levelled (None: nothing was done to it)."""
    if not levelled.kept:
        return None
    if levelled.made:
        was = f"{levelled.before_lufs} LUFS" if levelled.before_lufs is not None else "too short to measure"
        if levelled.quick_gain_db is not None or levelled.after_lufs is None:
            done = (f"{levelled.quick_gain_db:+.1f} dB in one pass, peaks limited" if levelled.quick_gain_db is not None
                    else "peaks limited")
        else:
            done = f"→ {levelled.after_lufs} LUFS, peak {levelled.true_peak_dbtp} dBTP"
        return (f"levelled {levelled.source.name}: {was} {done} ({levelled.seconds:.1f} s); kept as "
                f"{_shown(levelled.copy, settings)}")
    if levelled.copy != levelled.source.resolve():
        return f"levelled copy of {levelled.source.name} from before: {_shown(levelled.copy, settings)}"
    return None


@click.command("play")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--priority", type=click.Choice(["normal", "priority", "emergency"]), default=None,
              help="emergency interrupts what is airing (default: the bulletin's own, else normal).")
@click.option("--zone", "zones", multiple=True, help="Only these zones (default: all). Needs the running service.")
@click.option("--direct", is_flag=True, help="Play here on the default sound device even if the service runs.")
def play(file: Path, priority: str | None, zones: tuple[str, ...], direct: bool) -> None:
    """Air FILE (MP3, WAV or a bulletin YAML) now; an MP3/WAV airs at the station's loudness, from a copy
    kept in audio_out/instant/ for the evidence."""
    from broadcast.app.play import PlayControl, air, prepare_play

    settings = click.get_current_context().obj.settings
    plan = prepare_play(settings, file, priority=priority, zones=zones, direct=direct)
    for w in plan.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if plan.levelled is not None and (line := levelled_message(plan.levelled, settings)):
        click.echo(line, err=True)
    if plan.via == "direct" and not direct:
        click.secho(no_service_warning(plan.unreached), fg="yellow", err=True)
    control = PlayControl()
    previous = signal.signal(signal.SIGINT, lambda *_: control.stop())
    try:
        outcome = air(plan, control)
    finally:
        signal.signal(signal.SIGINT, previous)
    for w in outcome.warnings[len(plan.warnings):]:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if outcome.levelling is not None:
        click.echo(levelling_message(plan.audio, outcome.levelling, settings), err=True)
    if outcome.via == "service":
        click.echo(f"sent to the running service ({outcome.priority})"
                   + (f"; interrupting the session '{outcome.interrupting}'" if outcome.interrupting else ""))
        return
    if plan.via == "service" and not direct:  # the service went away between the check and the play
        click.secho(no_service_warning(outcome.unreached), fg="yellow", err=True)
    for r in outcome.rows:
        span = f"{r.start:%H:%M:%S}–{r.end:%H:%M:%S}" if r.start and r.end else "—"
        click.echo(f"{r.outcome.value:11} {span}  {r.bulletin_id}  {r.sink}" + (f"  ({r.reason})" if r.reason else ""))
    if outcome.failed:
        raise UserError(f"{outcome.audio.name}: could not be played: {outcome.failed[0].reason}")


def levelling_message(source: Path, levelling: dict, settings) -> str:
    """How an emergency's file is being levelled (by the service, or here)."""
    copy = Path(levelling["copy"]) if levelling.get("copy") else None
    if levelling.get("live"):
        return (f"levelling {source.name} as it airs (on air {levelling['first_audio_s']:.1f} s after the request); "
                + (f"the copy is kept as {_shown(copy, settings)}" if copy else "no copy is kept"))
    if copy is not None and copy != source:
        return f"levelled copy of {source.name} from before: {_shown(copy, settings)}"
    return f"{source.name} is the station's own audio: it airs as it is"


def no_service_warning(unreached: list[str]) -> str:
    return ("warning: no broadcast service is running, so this plays only on this computer's sound card"
            + (f"; these zones are NOT reached: {', '.join(unreached)}" if unreached else
               "; the IP loudspeaker zones (Icecast) are not reached")
            + ". To reach every zone, start the service (`broadcast run`, or `systemctl start broadcast`) "
              "and play again.")


COMMANDS = [play]
