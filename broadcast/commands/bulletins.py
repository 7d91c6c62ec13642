"""Commands on bulletins: new (a skeleton from a template), render (script and spoken text), build (audio)."""

from __future__ import annotations

from pathlib import Path

import click

from broadcast.bulletin import load_bulletin
from broadcast.errors import UserError


def _settings():
    return click.get_current_context().obj.settings  # AppContext, set by the group in broadcast.cli


@click.command("new")
@click.argument("template", required=False)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option("--list", "list_only", is_flag=True, help="List the built-in templates.")
def new(template: str | None, out: Path | None, list_only: bool) -> None:
    """Print a bulletin skeleton for TEMPLATE, every field filled with an example to edit."""
    from broadcast.render import get_template, skeleton, templates

    if list_only or not template:
        for name, spec in templates().items():
            click.echo(f"{name:18} {spec.title} — {spec.description}")
        return
    get_template(template)
    text = skeleton(template, _settings())
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists():
        raise UserError(f"{out}: already exists; choose another name or delete it first")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror})") from None
    click.echo(f"wrote {out}: edit it, then `broadcast render {out}`")


@click.command("render")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--spoken-only", is_flag=True, help="Print only the spoken text.")
def render(file: Path, spoken_only: bool) -> None:
    """Show FILE's script text and the spoken text the engine will read, with warnings."""
    from broadcast.build import spoken_segments
    from broadcast.render import render_programme

    settings = _settings()
    bulletin = load_bulletin(file)
    pairs = spoken_segments(render_programme([bulletin], settings), settings)
    if not spoken_only:
        click.secho("— Script —", bold=True)
        click.echo("\n\n".join(seg.text for seg, _ in pairs))
        click.secho("\n— Spoken —", bold=True)
    click.echo("\n\n".join(text for _, text in pairs))
    for warning in unspeakable_warnings(text for _, text in pairs):
        click.secho(f"warning: {warning}", fg="yellow", err=True)


def unspeakable_warnings(spoken_texts) -> list[str]:
    """What the engine would still stumble on, each with the fix (a station lexicon entry)."""
    try:
        from broadcast.speech.normalise import unspeakable
    except ImportError:
        return []
    found: dict[str, None] = {}
    for text in spoken_texts:
        for token in unspeakable(text):
            found.setdefault(token)
    return [f"'{t}' may be misread; add it to the station lexicon as `{t}: <spoken form>` "
            f"or write [[{t}|<spoken form>]] in the text" for t in found]


@click.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Rebuild even when the audio is up to date.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: audio_out/).")
def build(paths: tuple[Path, ...], force: bool, out_dir: Path | None) -> None:
    """Build audio for bulletin FILEs or every bulletin in DIRs."""
    from broadcast.build import build_bulletin
    from broadcast.speech.synth import Speaker

    from broadcast.bulletin import bulletin_files, load_each

    settings = _settings()
    if not bulletin_files(list(paths)):
        raise UserError(f"no bulletins (*.yaml) in {', '.join(map(str, paths))}")
    # The good bulletins are built; the problems of all the others are reported together at the end.
    bulletins, problems = load_each(list(paths))
    speaker = Speaker(settings)
    results = []
    with click.progressbar(bulletins, label="building", item_show_func=lambda b: b.id if b else "",
                           file=click.get_text_stream("stderr")) as bar:
        for b in bar:
            try:
                results.append(build_bulletin(b, settings, speaker=speaker, force=force, out_dir=out_dir))
            except UserError as exc:
                problems += exc.details
    click.echo(results_table(results))
    for r in results:
        for w in r.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)
    if problems:
        raise UserError(problems)


def results_table(results) -> str:
    rows = [("id", "title", "duration", "loudness", "peak", "voice", "file")]
    for r in results:
        m = r.manifest
        rows.append((r.id, _clip(r.title, 34), f"{r.duration_s:6.1f} s", f"{r.lufs:6.1f} LUFS",
                     f"{r.true_peak_dbtp:5.1f} dBTP", f"{m['engine']}/{m['voice']}" + (" (up to date)" if r.up_to_date else ""),
                     str(r.mp3)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


COMMANDS = [new, render, build]
