"""`broadcast log`: read, export and verify the as-run log (and append corrections to it)."""

from __future__ import annotations

import sys

import click

from broadcast.app import approval as approval_app
from broadcast.app import log as log_app
from broadcast.asrun import Outcome
from broadcast.topics import TOPICS


def _settings():
    return click.get_current_context().obj.settings


db_option = click.option(
    "--db", type=click.Path(dir_okay=False), help="As-run log file (default: <data folder>/asrun.sqlite)."
)
date_type = click.DateTime(formats=["%Y-%m-%d"])
from_option = click.option("--from", "first", type=date_type, help="First day (YYYY-MM-DD, station time).")
to_option = click.option("--to", "last", type=date_type, help="Last day, inclusive (YYYY-MM-DD).")


def _day(value):
    return value.date() if value else None


@click.group("log")
def log_group() -> None:
    """The as-run log: every broadcast attempt, append-only and hash-chained."""


@log_group.command("list")
@db_option
@from_option
@to_option
@click.option("--topic", type=click.Choice(list(TOPICS)), help="Only this topic.")
@click.option(
    "--outcome",
    type=click.Choice([o.value for o in Outcome]),
    help="Only rows in effect with this outcome (a row replaced by a correction is left out; its correction counts).",
)
@click.option("--zone", help="Only broadcasts addressed to this loudspeaker zone.")
def list_command(db, first, last, topic, outcome, zone) -> None:
    """Print logged broadcasts as a table.

    \b
    Corrections: the latest correction in a chain (a row, its corrections, their corrections)
    is the one in effect, as in the reports. Every row is listed; the CORRECTION column marks a
    replaced row "superseded by N" and a correction "corrects N". --outcome filters by the
    outcome in effect, so a replaced row is never listed under its old outcome.
    """
    settings = _settings()
    listing = log_app.list_log(settings, first=_day(first), last=_day(last), topic=topic, outcome=outcome, zone=zone,
                               db=db)
    tz = settings.station.tz
    header = ("ID", "SCHEDULED", "OUTCOME", "SECONDS", "TOPIC", "ZONES", "BULLETIN", "CORRECTION", "TITLE")
    table = []
    for listed in listing.rows:
        r = listed.row
        table.append((
            str(r.id),
            f"{r.record.scheduled.astimezone(tz):%Y-%m-%d %H:%M}",
            r.record.outcome.value,
            f"{r.record.duration_s:.1f}",
            r.record.topic,
            ",".join(r.record.zones) or "-",
            r.record.bulletin_id,
            listed.note or "-",
            r.record.title if len(r.record.title) <= 40 else r.record.title[:39] + "…",
        ))
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(header)]
    for row in (header, *table):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    click.echo(f"{len(table)} row(s)")


@log_group.command("export")
@db_option
@from_option
@to_option
@click.option("--format", "fmt", type=click.Choice(list(log_app.EXPORT_FORMATS)), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
def export_command(db, first, last, fmt, out) -> None:
    """Export rows with their hashes, so the chain can be checked outside this program."""
    export = log_app.export_log(_settings(), fmt, first=_day(first), last=_day(last), db=db)
    if out:
        export.save(out)
        click.echo(f"{len(export.rows)} row(s) -> {out}", err=True)
    else:
        export.write(sys.stdout)


@log_group.command("verify")
@db_option
@click.option("--anchor", help="ROW:SHA256 recorded earlier (a report, an evidence zip) that must still hold.")
@click.option("--journal", is_flag=True,
              help="Also check every head this log wrote to the system journal (station.yaml log.journal).")
@click.pass_context
def verify_command(ctx: click.Context, db, anchor, journal) -> None:
    """Check the hash chain: OK with the head hash, or the first broken row (exit code 1).

    \b
    The chain must still hold every head recorded outside the log: the head witness beside it
    (asrun.sqlite.head), the heads of the reports and evidence zips made from it, --anchor, and
    with --journal the heads in the system journal. A log whose witness is missing cannot show
    rows cut off its end: UNCHECKED TAIL, exit code 1 (give --anchor or --journal to check it).
    A log file that is not a readable log (emptied, truncated, overwritten) is BROKEN (exit 1).
    The verdict is printed in English and in Vietnamese.
    """
    result = log_app.verify(_settings(), anchor=anchor, journal=journal, db=db)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.summary())
    click.echo(result.summary_vi())
    trail = approval_app.verify_trail(_settings()) if db is None else None  # the console's audit trail
    if trail is not None:
        click.echo(f"audit trail: {trail.summary()}")
    if not result.sound or (trail is not None and not trail.ok):
        ctx.exit(1)


@log_group.command("correct")
@db_option
@click.argument("row_id", type=int)
@click.option("--reason", required=True, help="Why the row is corrected (kept in the log; cannot be blank).")
@click.option("--outcome", type=click.Choice([o.value for o in Outcome]), help="The corrected outcome.")
def correct_command(db, row_id, reason, outcome) -> None:
    """Append a correction of ROW_ID (the original stays; reports use the correction).

    ROW_ID may itself be a correction. The latest correction in a chain is the one in effect.
    """
    new_id = log_app.correct(_settings(), row_id, reason=reason, outcome=outcome, db=db)
    click.echo(f"row {new_id} corrects row {row_id}")


COMMANDS = [log_group]
