"""The as-run log's user actions: list rows with filters (and what corrections put in effect), verify the
chain against every recorded head, correct a row, export rows with their hashes — as data."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from broadcast.asrun import LoggedRow, Outcome, VerifyResult, log_path, open_log, verify_log
from broadcast.asrun.chain import export_rows
from broadcast.asrun.corrections import effective_ids
from broadcast.atomic import atomic_write
from broadcast.errors import UserError
from broadcast.problems import did_you_mean
from broadcast.topics import TOPICS

EXPORT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ListedRow:
    """A row as `log list` and the log page show it: the row, and its place among corrections."""

    row: LoggedRow
    superseded_by: int | None  # the correction now in effect in its place, if any

    @property
    def in_effect(self) -> bool:
        return self.superseded_by is None

    @property
    def note(self) -> str:
        """'superseded by N', 'corrects N' or ''."""
        if self.superseded_by is not None:
            return f"superseded by {self.superseded_by}"
        corrects = self.row.record.corrects
        return f"corrects {corrects}" if corrects is not None else ""


@dataclass(frozen=True)
class LogListing:
    rows: list[ListedRow]
    timezone: str  # the station's: what the times are shown in


def day_bounds(tz, first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole station-local days, both inclusive, as [since, until)."""
    since = datetime.combine(first, time(), tz) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), tz) if last else None
    return since, until


def list_log(settings, *, first: date | None = None, last: date | None = None, topic: str | None = None,
             outcome: str | None = None, zone: str | None = None, db: Path | str | None = None) -> LogListing:
    """Rows scheduled from `first` to `last` (station days), of one topic or zone if given.

    Every row is listed, each with the correction in effect in its place; `outcome` keeps the rows in
    effect with that outcome, so a replaced row is never listed under its old outcome.
    """
    if topic is not None and topic not in TOPICS:
        raise UserError(f"unknown topic '{topic}'; {did_you_mean(topic, TOPICS, 'topics: ' + ', '.join(TOPICS))}")
    if outcome is not None:
        known = [o.value for o in Outcome]
        if outcome not in known:
            raise UserError(f"unknown outcome '{outcome}'; {did_you_mean(outcome, known, 'outcomes: ' + ', '.join(known))}")
    since, until = day_bounds(settings.station.tz, first, last)
    with open_log(settings, path=db, readonly=True) as log:
        rows = log.rows(since=since, until=until, topic=topic, zone=zone)
        corrections = log.corrections()
    # Corrections copy the row they correct (time, topic, zones), so a chain is never split by
    # these filters; the links come from the whole log all the same.
    superseded, _ = effective_ids(corrections, [r.id for r in rows] + list(corrections))
    if outcome is not None:
        rows = [r for r in rows if r.id not in superseded and r.record.outcome.value == outcome]
    return LogListing([ListedRow(r, superseded.get(r.id)) for r in rows], settings.station.tz.key)


def parse_anchor(text: str | None) -> tuple[int, str] | None:
    """'ROW:SHA256' (as a report or an evidence zip states it) -> (row, hash)."""
    if not text:
        return None
    row, _, digest = text.partition(":")
    if not row.isdigit() or len(digest) != 64:
        raise UserError(f"--anchor '{text}': expected ROW:SHA256 (e.g. 120:3f5a…, 64 hex digits)")
    return int(row), digest.lower()


def verify(settings, *, anchor: str | tuple[int, str] | None = None, journal: bool = False,
           db: Path | str | None = None) -> VerifyResult:
    """The chain checked against the witness, earlier reports, `anchor` and (with `journal`) the system
    journal; `result.state` says broken / unchecked / not_secured / ok."""
    if isinstance(anchor, str):
        anchor = parse_anchor(anchor)
    return verify_log(settings, path=db, anchor=anchor, journal=journal)


def correct(settings, row_id: int, *, reason: str, outcome: str | None = None, db: Path | str | None = None) -> int:
    """Append a correction of `row_id` (the original stays; reports count the correction); its id."""
    with open_log(settings, path=db) as log:
        return log.correct(row_id, reason=reason, outcome=outcome)


@dataclass(frozen=True)
class LogExport:
    """Rows exactly as stored and hashed, so the chain can be checked away from this program."""

    rows: list[dict]
    fmt: str

    def write(self, stream: TextIO) -> None:
        export_rows(self.rows, self.fmt, stream)

    def text(self) -> str:
        buf = io.StringIO(newline="")
        self.write(buf)
        return buf.getvalue()

    def save(self, path: Path | str) -> Path:
        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                self.write(fh)

        return atomic_write(Path(path), write)


def export_log(settings, fmt: str = "csv", *, first: date | None = None, last: date | None = None,
               db: Path | str | None = None) -> LogExport:
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"unknown export format '{fmt}': use csv or json")
    since, until = day_bounds(settings.station.tz, first, last)
    with open_log(settings, path=db, readonly=True) as log:
        return LogExport(log.raw_rows(since=since, until=until), fmt)


# --- the console's views: the log page and the dashboard's alerts ---------------------------------


@dataclass(frozen=True)
class LogView:
    rows: list[LoggedRow]  # newest first, at most `limit`
    total: int  # rows matching the filters
    verify: VerifyResult | None  # None: no log yet


def view(settings, first: date | None = None, last: date | None = None, outcome: str | None = None,
         limit: int = 300) -> LogView:
    """The newest rows scheduled from `first` to `last` (station days, inclusive), and the chain's verdict."""
    path = log_path(settings)
    if not path.exists():
        return LogView([], 0, None)
    since, until = day_bounds(settings.station.tz, first, last)
    with open_log(settings, readonly=True) as log:
        raw = log.raw_rows(since, until)  # decoded below only for the rows shown
        verdict = _verified(log, path)
    if outcome:
        raw = [r for r in raw if r["outcome"] == outcome]
    newest = sorted(raw, key=lambda r: r["id"], reverse=True)[:limit]
    return LogView([LoggedRow.from_stored(r) for r in newest], len(raw), verdict)


@dataclass(frozen=True)
class Recent:
    """What went wrong lately, for the dashboard: rows not aired as planned, and the chain's verdict."""

    problems: list[LoggedRow]  # missed, failed or interrupted, newest first
    late: int
    verify: VerifyResult | None


def recent(settings, today: date, days: int = 7) -> Recent:
    path = log_path(settings)
    if not path.exists():
        return Recent([], 0, None)
    since, _ = day_bounds(settings.station.tz, today - timedelta(days=days), None)
    with open_log(settings, readonly=True) as log:
        raw = log.raw_rows(since, None)  # only the rows that went wrong are decoded
        verdict = _verified(log, path)
    bad = [LoggedRow.from_stored(r) for r in reversed(raw) if r["outcome"] in ("missed", "failed", "interrupted")]
    return Recent(bad, sum(1 for r in raw if r["outcome"] == "late"), verdict)


_VERDICTS: dict[str, tuple[tuple, VerifyResult]] = {}


def _verified(log, path: Path) -> VerifyResult:
    """The whole chain's verdict, walked again only when the files changed (a page view is not an audit:
    `broadcast log verify` always walks it all). Any write, by the service or by hand, changes the key."""
    key = (log.head(), *((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None
                         for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + ".head"))))
    hit = _VERDICTS.get(str(path))
    if hit is not None and hit[0] == key:
        return hit[1]
    verdict = log.verify()
    _VERDICTS[str(path)] = (key, verdict)
    return verdict
