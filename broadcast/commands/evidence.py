"""`broadcast evidence`: the period's report, log export, chain check and checksums in one zip."""

from __future__ import annotations

import click

from broadcast.app import reports


@click.command("evidence")
@click.option("--period", required=True, help=f"Reporting period: {reports.PERIOD_HELP}.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The zip file to write.")
@click.option("--with-audio", is_flag=True,
              help="Include the audio that aired, found by the sha256 the log recorded (session programmes in "
                   "audio_out/programmes/, bulletin MP3s in audio_out/, instant plays in audio_out/instant/, and --audio-dir "
                   "folders), and the recordings people read for the items that aired (recordings/<sha256>/).")
@click.option("--audio-dir", "audio_dirs", multiple=True, type=click.Path(file_okay=False),
              help="Another folder to look in for aired audio (e.g. files played before instant plays were kept); repeatable.")
@click.option("--db", type=click.Path(dir_okay=False), help="As-run log file (default: <data folder>/asrun.sqlite).")
@click.pass_context
def evidence_command(ctx: click.Context, period, out, with_audio, audio_dirs, db) -> None:
    """Bundle the evidence of a period's broadcasts into a zip with SHA256SUMS.

    A log whose hash chain is broken, or whose end cannot be checked, still gets its bundle (the
    verdict is itself evidence, in kiem-tra-chuoi.txt), but the command exits 1, as `log verify` and
    `report` do, so a script or an officer cannot take it for a sound one."""
    result = reports.evidence(ctx.obj.settings, period, out, with_audio=with_audio, audio_dirs=audio_dirs, db=db)
    click.echo(f"{result.path}: {len(result.files)} files, {result.rows} log rows")
    if result.missing_audio:
        click.echo(f"warning: no audio file matches {len(result.missing_audio)} audio sha256(s) recorded in the log; "
                   "listed in DOC-TOI.txt in the zip", err=True)
    if result.missing_recordings:
        click.echo(f"warning: no kept recording in {ctx.obj.settings.recordings_dir} matches "
                   f"{len(result.missing_recordings)} recording sha256(s) the log names; listed in DOC-TOI.txt in the zip",
                   err=True)
    if result.chain.state == "broken":
        click.secho("warning: THE AS-RUN LOG IS BROKEN: its hash chain does not verify; the bundle was written "
                    "with the details in kiem-tra-chuoi.txt (run `broadcast log verify` for the first broken row)",
                    fg="red", bold=True, err=True)
        ctx.exit(1)
    if result.chain.state == "unchecked":
        click.secho(f"warning: THE END OF THE AS-RUN LOG IS UNCHECKED: {result.chain.summary()}; the bundle was "
                    "written and says so in kiem-tra-chuoi.txt", fg="red", bold=True, err=True)
        ctx.exit(1)


COMMANDS = [evidence_command]
