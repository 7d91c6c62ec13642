"""`broadcast report`: the 6-month / annual CCHC report from the as-run log."""

from __future__ import annotations

import click

from broadcast.report import PERIOD_HELP, write_report


@click.command("report")
@click.option("--period", required=True, help=f"Reporting period: {PERIOD_HELP}.")
@click.option(
    "--format", "fmt", default="all", show_default=True, help="xlsx, docx, csv or all (comma-separated list too)."
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="reports", show_default=True,
              help="Output folder.")
@click.option("--db", type=click.Path(dir_okay=False), help="As-run log file (default: <data folder>/asrun.sqlite).")
def report_command(period, fmt, out_dir, db) -> None:
    """Write the CCHC propaganda report (Vietnamese) for a period."""
    settings = click.get_current_context().obj.settings
    for path in write_report(settings, period, out_dir, fmt, db=db):
        click.echo(str(path))


COMMANDS = [report_command]
