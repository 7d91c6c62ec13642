"""Commands on bulletins: new (a skeleton from a template), render (script and spoken text), build (audio).

Each command imports `broadcast.app.bulletins` when it runs: that module loads the audio stack (numpy,
scipy: seconds), which `broadcast --help` and the other commands should not wait for."""

from __future__ import annotations

from pathlib import Path

import click

from broadcast.errors import UserError


def _settings():
    return click.get_current_context().obj.settings  # AppContext, set by the group in broadcast.cli


def _app():
    from broadcast.app import bulletins

    return bulletins


@click.command("new")
@click.argument("template", required=False)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--list", "list_only", is_flag=True, help="List the built-in templates.")
def new(template: str | None, out: Path | None, list_only: bool) -> None:
    """Print a bulletin skeleton for TEMPLATE, every field filled with an example to edit."""
    app = _app()
    if list_only or not template:
        for spec in app.list_templates():
            click.echo(f"{spec.name:18} {spec.title} — {spec.description}")
        return
    if out is None:
        click.echo(app.new_bulletin(template, _settings()), nl=False)
        return
    app.write_new_bulletin(template, _settings(), out)
    click.echo(f"wrote {out}: edit it, then `broadcast render {out}`")


@click.command("render")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--spoken-only", is_flag=True, help="Print only the spoken text.")
def render(file: Path, spoken_only: bool) -> None:
    """Show FILE's script text and the spoken text the engine will read, with warnings."""
    app = _app()
    shown = app.preview(app.load(file), _settings())
    if not spoken_only:
        if shown.bulletin.recording is not None:  # read by a person: the text is what the recording stands for
            from broadcast.app.recording import recording_note

            click.secho(f"— Recording — {recording_note(shown.bulletin)}", bold=True)
        click.secho("— Script —", bold=True)
        click.echo(shown.script_text)
        click.secho("\n— Spoken —", bold=True)
    click.echo(shown.spoken_text)
    for warning in shown.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


@click.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Rebuild even when the audio is up to date.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: audio_out/).")
def build(paths: tuple[Path, ...], force: bool, out_dir: Path | None) -> None:
    """Build audio for bulletin FILEs or every bulletin in DIRs."""
    app = _app()
    settings = _settings()
    batch = app.load_batch(paths)
    # The good bulletins are built; the problems of all the others are reported together at the end.
    with click.progressbar(batch.bulletins, label="building", item_show_func=lambda b: b.id if b else "",
                           file=click.get_text_stream("stderr")) as bar:
        outcome = app.build(batch, settings, force=force, out_dir=out_dir, items=bar)
    click.echo(results_table(outcome.results, settings.speech.rate))
    for w in outcome.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if outcome.problems:
        raise UserError(outcome.problems)


def results_table(results, station_rate: int) -> str:
    """One row a build; the voice column adds a bulletin's own reading rate (other than `station_rate`)."""
    rows = [("id", "title", "duration", "loudness", "peak", "voice", "file")]
    for r in results:
        m = r.manifest
        rows.append((r.id, _clip(r.title, 34), f"{r.duration_s:6.1f} s", f"{r.lufs:6.1f} LUFS",
                     f"{r.true_peak_dbtp:5.1f} dBTP", _voice(m, station_rate) + (" (up to date)" if r.up_to_date else ""),
                     str(r.mp3)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _voice(m, station_rate: int) -> str:
    """The bulletin's voice: "recording" when a person reads it (broadcast record), else engine/voice (its
    item's, when the station's greeting or sign-off is a recording of its own), and the item's words per minute
    when the bulletin asks for its own."""
    item = [s for s in m.segments if s.bulletin_id]
    if any(s.kind == "recording" for s in item):
        return "recording"
    if item and any(s.engine == "recording" for s in m.segments):
        voice = "+".join(dict.fromkeys(s.engine for s in item)) + "/" + "+".join(dict.fromkeys(s.voice for s in item))
    else:
        voice = f"{m.engine}/{m.voice}"
    rates = [str(r) for r in dict.fromkeys(s.rate for s in item) if r and r != station_rate]
    return voice + (f" {'+'.join(rates)} wpm" if rates else "")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


COMMANDS = [new, render, build]
