"""`broadcast record FILE --bulletin ID`: a person's reading of a bulletin, checked, mastered and built."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from broadcast.app.recording import attach_recording, record_from_mic
from broadcast.errors import UserError


@click.command("record")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bulletin", "bulletin_id", required=True, help="The id of the bulletin the recording reads.")
@click.option("--from-mic", is_flag=True, help="Record from the sound card's input (parecord) until Enter is pressed.")
@click.option("--seconds", type=float, help="With --from-mic: stop after this many seconds.")
def record(file: Path | None, bulletin_id: str, from_mic: bool, seconds: float | None) -> None:
    """Attach a recording of bulletin ID (MP3, WAV, OGG/Opus, WebM/Opus, M4A...) and build it."""
    settings = click.get_current_context().obj.settings  # AppContext, set by the group in broadcast.cli
    if from_mic == (file is not None):
        raise UserError("give a recording FILE, or --from-mic to record one now (not both)")
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        if from_mic:
            file = Path(tmp) / f"{bulletin_id}.wav"
            click.echo("recording from the sound card" + (f" for {seconds:g} s" if seconds else ": press Enter to stop"),
                       err=True)
            record_from_mic(file, seconds)
        done = attach_recording(settings, bulletin_id, file)
    f, r = done.facts, done.build
    click.echo(f"{done.bulletin.id}: {f.original_name} (sha256 {f.sha256[:12]}…) kept as {f.stored}")
    click.echo(f"  {f.duration_s:.1f} s after trimming {f.lead_in_trimmed_s:.2f} s before and {f.tail_trimmed_s:.2f} s "
               f"after; was {f.lufs_before:.1f} LUFS, peak {f.peak_dbfs:.1f} dBFS; noise floor {f.noise_floor_dbfs:.0f} dBFS"
               + (" (gated)" if f.gated else ""))
    click.echo(f"  built {r.mp3}: {r.duration_s:.1f} s, {r.lufs:.1f} LUFS, {r.true_peak_dbtp:.1f} dBTP")
    for w in r.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)


COMMANDS = [record]
