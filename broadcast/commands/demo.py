"""`broadcast demo`: the main job end to end on the example station — build, air a simulated day, log, report."""

from __future__ import annotations

import shutil
from datetime import date

import click

from broadcast.commands.bulletins import results_table
from broadcast.errors import UserError

DEMO_DAY = date(2024, 5, 6)  # a Monday on which six of the plan's example bulletins are on air


def build_all(settings) -> list:
    """Every example bulletin built (progress bar on stderr); any problem stops the demo."""
    from broadcast.app.bulletins import build, load_batch

    batch = load_batch([settings.bulletins_dir])
    with click.progressbar(batch.bulletins, label="building", file=click.get_text_stream("stderr")) as bar:
        outcome = build(batch, settings, items=bar)
    if outcome.problems:
        raise UserError(outcome.problems)
    return outcome.results


@click.command("demo")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=DEMO_DAY.isoformat(), show_default=True,
              help="The broadcast day to simulate.")
@click.option("--speedup", type=click.FloatRange(1, 100000), default=60, show_default=True,
              help="How much faster than real time audio plays (idle time is skipped); higher is faster "
                   "but blurs start times by thread delays times this factor.")
def demo(day, speedup: float) -> None:
    """Build every example bulletin, play a simulated broadcast day, write the log and a report."""
    from broadcast.app import log as log_app
    from broadcast.app import reports
    from broadcast.app.service import day_problems, format_table, simulate

    settings = click.get_current_context().obj.settings
    day = day.date()
    folder = settings.data_dir / "demo"
    shutil.rmtree(folder, ignore_errors=True)  # the demo's day and log start fresh on every run

    click.secho(f"\n1. Building the bulletins in {settings.bulletins_dir}", bold=True)
    results = build_all(settings)
    click.echo(results_table(results, settings.speech.rate))
    for r in results:
        for w in r.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)

    click.secho(f"\n2. Airing {day:%A %Y-%m-%d} on a simulated clock ({speedup:g}x), file sinks in {folder}",
                bold=True)
    # The example bulletins have no leader's approval: the demo day airs them as a station with approval off.
    demo_settings = settings.model_copy(update={"approval": settings.approval.model_copy(update={"required": False})})
    aired = simulate(demo_settings, day, speedup, folder)
    click.echo(format_table(aired.items) if aired.sessions else "no session on this date")
    warnings, errors = day_problems(aired)
    for w in warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if errors:
        raise UserError(errors)

    db = folder / "asrun.sqlite"
    click.secho(f"\n3. The as-run log {db}", bold=True)
    click.echo(log_app.verify(settings, db=db).summary())

    click.secho(f"\n4. The report for {day:%Y-%m} from that log", bold=True)
    for path in reports.report(settings, f"{day:%Y-%m}", folder / "report", "all", db=db).files:
        click.echo(f"  {path}")


COMMANDS = [demo]
