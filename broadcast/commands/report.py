"""`broadcast report`: the 6-month / annual CCHC report from the as-run log."""

from __future__ import annotations

import click

from broadcast.app import reports


@click.command("report")
@click.option("--period", required=True, help=f"Reporting period: {reports.PERIOD_HELP}.")
@click.option(
    "--format", "fmt", default="all", show_default=True, help="xlsx, docx, csv or all (comma-separated list too)."
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="reports", show_default=True,
              help="Output folder.")
@click.option("--db", type=click.Path(dir_okay=False), help="As-run log file (default: <data folder>/asrun.sqlite).")
@click.pass_context
def report_command(ctx: click.Context, period, fmt, out_dir, db) -> None:
    """Write the CCHC propaganda report (Vietnamese) for a period.

    \b
    The log's hash chain is verified first. If it is broken (rows edited, deleted, inserted, cut
    off the end), or its end cannot be checked (the head witness is gone), the report is still
    written, with a warning at the top of every file (first line of each CSV, the summary sheet,
    the DOCX), a warning here on stderr, and exit code 1, as `broadcast log verify` does. If the
    chain holds but the append-only triggers were removed, the report says the log is not secured
    ("chưa được bảo đảm"), with a warning here, exit 0. A period with no logged broadcasts is an
    error (exit 2) naming the log's first and last days. The report lists the reports and evidence
    zips made from the log before it, with the head of the log each was made from.
    """
    result = reports.report(ctx.obj.settings, period, out_dir, fmt, db=db)
    for path in result.files:
        click.echo(str(path))
    chain = result.chain
    if chain.state == "broken":
        click.secho(f"warning: THE AS-RUN LOG IS BROKEN: {chain.summary()}", fg="red", bold=True, err=True)
        click.secho("warning: the report above was written from it and says so at the top of every file; "
                    "do not file it as evidence before the log is checked", fg="red", err=True)
        ctx.exit(1)
    for warning in chain.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if chain.state == "unchecked":
        click.secho(f"warning: THE END OF THE AS-RUN LOG IS UNCHECKED: {chain.summary()}", fg="red", bold=True,
                    err=True)
        click.secho("warning: the report above says so at the top of every file (chưa được bảo đảm)", fg="red",
                    err=True)
        ctx.exit(1)
    if chain.state == "not_secured":
        click.secho("warning: the log is not secured (chưa được bảo đảm); the report says so", fg="yellow", err=True)


COMMANDS = [report_command]
