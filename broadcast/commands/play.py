"""`broadcast play FILE`: air a file now — through the running service (control socket) or, without one,
on the schedule's sound-card zones (the default sound device when there are none). The work is
broadcast.app.play.play_now; this parses, calls, prints and maps errors to exit codes."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from broadcast.errors import UserError


def _shown(path: Path, base_dir: Path | None) -> str:
    try:
        return str(path.relative_to(base_dir.resolve())) if base_dir is not None else str(path)
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
                f"{_shown(levelled.copy, settings.base_dir)}")
    if levelled.copy != levelled.source.resolve():
        return f"levelled copy of {levelled.source.name} from before: {_shown(levelled.copy, settings.base_dir)}"
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
    from broadcast.app.play import PlayControl, air, is_bulletin_file, prepare_play, send_emergency

    app = click.get_current_context().obj
    if priority == "emergency" and not direct and not is_bulletin_file(file):
        # Straight to the running service: the settings are loaded only when none answers.
        sent = send_emergency(file, settings_path=app.settings_path, zones=zones)
        if sent is not None:
            report_sent(sent)
            return
    settings = app.settings
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
    if outcome.via == "service":
        report_sent(outcome, already_warned=len(plan.warnings))
        return
    for w in outcome.warnings[len(plan.warnings):]:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if outcome.levelling is not None:
        click.echo(levelling_message(plan.audio, outcome.levelling, outcome.base_dir), err=True)
    if plan.via == "service" and not direct:  # the service went away between the check and the play
        click.secho(no_service_warning(outcome.unreached), fg="yellow", err=True)
    for r in outcome.rows:
        span = f"{r.start:%H:%M:%S}–{r.end:%H:%M:%S}" if r.start and r.end else "—"
        click.echo(f"{r.outcome.value:11} {span}  {r.bulletin_id}  {r.sink}" + (f"  ({r.reason})" if r.reason else ""))
    if outcome.failed:
        raise UserError(f"{outcome.audio.name}: could not be played: {outcome.failed[0].reason}")


def report_sent(outcome, already_warned: int = 0) -> None:
    """What the service said to a play it accepted."""
    for w in outcome.warnings[already_warned:]:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if outcome.levelling is not None:
        click.echo(levelling_message(outcome.audio, outcome.levelling, outcome.base_dir), err=True)
    click.echo(f"sent to the running service ({outcome.priority})"
               + (f"; interrupting the session '{outcome.interrupting}'" if outcome.interrupting else ""))


def levelling_message(source: Path, levelling: dict, base_dir: Path | None) -> str:
    """How an emergency's file is being levelled (by the service, or here)."""
    copy = Path(levelling["copy"]) if levelling.get("copy") else None
    if levelling.get("live"):
        return (f"levelling {source.name} as it airs (on air {levelling['first_audio_s']:.1f} s after the request); "
                + (f"the copy is kept as {_shown(copy, base_dir)}" if copy else "no copy is kept"))
    if copy is not None and copy != source:
        return f"levelled copy of {source.name} from before: {_shown(copy, base_dir)}"
    return f"{source.name} is the station's own audio: it airs as it is"


def no_service_warning(unreached: list[str]) -> str:
    return ("warning: no broadcast service is running, so this plays only on this computer's sound card"
            + (f"; these zones are NOT reached: {', '.join(unreached)}" if unreached else
               "; the IP loudspeaker zones (Icecast) are not reached")
            + ". To reach every zone, start the service (`broadcast run`, or `systemctl start broadcast`) "
              "and play again.")


COMMANDS = [play]
