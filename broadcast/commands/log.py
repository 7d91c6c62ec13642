"""`broadcast log`: read, export and verify the as-run log (and append corrections to it)."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click

from broadcast.asrun import Outcome, open_log, verify_log
from broadcast.asrun.chain import export_rows
from broadcast.asrun.corrections import effective_ids
from broadcast.atomic import atomic_write
from broadcast.errors import UserError
from broadcast.topics import TOPICS


def _settings():
    return click.get_current_context().obj.settings


def _open(db: str | None, readonly: bool = True):
    return open_log(_settings(), path=db, readonly=readonly)


def _day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """--from/--to are whole station-local days, both inclusive."""
    tz = _settings().station.tz
    since = datetime.combine(first, time(), tz) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), tz) if last else None
    return since, until


def _parse_anchor(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    row, _, digest = text.partition(":")
    if not row.isdigit() or len(digest) != 64:
        raise UserError(f"--anchor '{text}': expected ROW:SHA256 (e.g. 120:3f5a…, 64 hex digits)")
    return int(row), digest.lower()


db_option = click.option(
    "--db", type=click.Path(dir_okay=False), help="As-run log file (default: <data folder>/asrun.sqlite)."
)
date_type = click.DateTime(formats=["%Y-%m-%d"])
from_option = click.option("--from", "first", type=date_type, help="First day (YYYY-MM-DD, station time).")
to_option = click.option("--to", "last", type=date_type, help="Last day, inclusive (YYYY-MM-DD).")


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
    since, until = _day_bounds(first and first.date(), last and last.date())
    tz = _settings().station.tz
    with _open(db) as log:
        rows = log.rows(since=since, until=until, topic=topic, zone=zone)
        corrections = log.corrections()
    # Corrections copy the row they correct (time, topic, zones), so a chain is never split by
    # these filters; the links come from the whole log all the same.
    superseded, _ = effective_ids(corrections, [r.id for r in rows] + list(corrections))
    if outcome is not None:
        rows = [r for r in rows if r.id not in superseded and r.record.outcome.value == outcome]

    def note(r) -> str:
        if r.id in superseded:
            return f"superseded by {superseded[r.id]}"
        return f"corrects {r.record.corrects}" if r.record.corrects is not None else ""

    header = ("ID", "SCHEDULED", "OUTCOME", "SECONDS", "TOPIC", "ZONES", "BULLETIN", "CORRECTION", "TITLE")
    table = [
        (
            str(r.id),
            f"{r.record.scheduled.astimezone(tz):%Y-%m-%d %H:%M}",
            r.record.outcome.value,
            f"{r.record.duration_s:.1f}",
            r.record.topic,
            ",".join(r.record.zones) or "-",
            r.record.bulletin_id,
            note(r) or "-",
            r.record.title if len(r.record.title) <= 40 else r.record.title[:39] + "…",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(header)]
    for row in (header, *table):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    click.echo(f"{len(table)} row(s)")


@log_group.command("export")
@db_option
@from_option
@to_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
def export_command(db, first, last, fmt, out) -> None:
    """Export rows with their hashes, so the chain can be checked outside this program."""
    since, until = _day_bounds(first and first.date(), last and last.date())
    with _open(db) as log:
        rows = log.raw_rows(since=since, until=until)
    if out:
        def write(path: Path) -> None:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                export_rows(rows, fmt, fh)

        atomic_write(Path(out), write)
        click.echo(f"{len(rows)} row(s) -> {out}", err=True)
    else:
        export_rows(rows, fmt, sys.stdout)


@log_group.command("verify")
@db_option
@click.option("--anchor", help="ROW:SHA256 recorded earlier (a report, an evidence zip) that must still hold.")
@click.pass_context
def verify_command(ctx: click.Context, db, anchor) -> None:
    """Check the hash chain: OK with the head hash, or the first broken row (exit code 1).

    A log file SQLite cannot read (truncated, overwritten) is reported BROKEN too (exit code 1);
    the verdict is printed in English and in Vietnamese.
    """
    result = verify_log(_settings(), path=db, anchor=_parse_anchor(anchor))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(result.summary())
    click.echo(result.summary_vi())
    if not result.ok:
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
    with _open(db, readonly=False) as log:
        new_id = log.correct(row_id, reason=reason, outcome=outcome)
    click.echo(f"row {new_id} corrects row {row_id}")


COMMANDS = [log_group]
