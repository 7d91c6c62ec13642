"""`broadcast simulate`: one broadcast day on a fast simulated clock into file sinks, printed as a table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click


@click.command("simulate")
@click.option("--day", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="The date to simulate (YYYY-MM-DD).")
@click.option("--speedup", type=click.FloatRange(1, 100000), default=600, show_default=True, help="How much faster than real time audio plays.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder for the aired files and the log (default: data/simulate/DAY).")
def simulate(day: datetime, speedup: float, out_dir: Path | None) -> None:
    """Run DAY's sessions through the real runner with file sinks; print what aired when."""
    from broadcast.app.service import day_problems, format_table, simulate
    from broadcast.errors import UserError

    settings = click.get_current_context().obj.settings
    result = simulate(settings, day.date(), speedup, out_dir)
    if not result.sessions:
        click.echo(f"{day:%Y-%m-%d}: no session on this date")
        return
    click.echo(format_table(result.items))
    warnings, errors = day_problems(result)
    for w in warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if errors:
        raise UserError(errors)


COMMANDS = [simulate]
