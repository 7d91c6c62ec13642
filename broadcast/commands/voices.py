"""`broadcast voices`: every voice the station can use right now, the speech chain, and a sample to hear.

The work is in broadcast.app.voices (shared with the web console); the click command only prints.
"""

from __future__ import annotations

from pathlib import Path

import click

from broadcast.app.voices import VoiceRow, chain, list_voices, write_sample

def _state(row: VoiceRow) -> str:
    return {True: "ok", False: "NO", None: "?"}[row.usable]


@click.command("voices")
@click.option("--sample", "sample", metavar="VOICE", help="Write a short Vietnamese sample: ENGINE:VOICE (e.g. espeak:vi-vn-x-south, piper:vi_VN-vais1000-medium) or a voice name.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Sample file (default: sample-ENGINE-VOICE.wav here).")
@click.option("--text", "text", help="Read this text in the sample instead of the standard one.")
@click.option("--no-network", is_flag=True, help="Do not check whether the gTTS server is reachable.")
@click.option("--quick", is_flag=True, help="Read Piper voice configs only, without loading the models.")
def voices(sample: str | None, out: Path | None, text: str | None, no_network: bool, quick: bool) -> None:
    """List the voices the station can use now and the engine chain; or write a sample to listen to."""
    settings = click.get_current_context().obj.settings  # AppContext, set by the group in broadcast.cli
    if sample:
        path, speech, engine_name, voice = write_sample(settings, sample, out, text)
        click.echo(f"wrote {path}: {speech.duration_s:.1f} s of {engine_name}:{voice} at {speech.sample_rate} Hz")
        return
    from broadcast.app.recording import recording_voice_row

    rows = list_voices(settings, network=not no_network, check_models=not quick) + [recording_voice_row(settings)]
    steps = []
    for name in chain(settings):
        used = next((r.voice for r in rows if r.engine == name and r.role), None)
        steps.append(f"{name}:{used}" if used else f"{name} (no usable voice)")
    click.echo("Speech chain: " + " → ".join(steps))
    click.echo(f"(speech.engine, then speech.fallback; voice '{settings.speech.voice}', rate {settings.speech.rate} wpm)\n")
    width = max(len(r.voice) for r in rows) if rows else 10
    ew = max([7] + [len(r.engine) for r in rows])
    click.echo(f"   {'ENGINE':{ew}} {'VOICE':{width}}  {'LANG':6} {'QUALITY':28} {'RATE':>6}  OK  ROLE")
    for r in rows:
        mark = "*" if r.role == "speaks" else " "
        rate = str(r.sample_rate) if r.sample_rate else "-"
        click.echo(f" {mark} {r.engine:{ew}} {r.voice:{width}}  {r.language or '-':6} {r.quality or '-':28} {rate:>6}  "
                   f"{_state(r):3} {r.role}")
        if r.detail:
            click.echo(f"   {'':{ew}} {'':{width}}  {r.detail}")
    click.echo("\n* speaks first. Hear one: broadcast voices --sample ENGINE:VOICE")


COMMANDS = [voices]
