"""A report's data from the station's log: read it (read-only), verify it, compute the period's figures."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from broadcast.asrun import open_log
from broadcast.errors import UserError
from broadcast.problems import coded
from broadcast.reports.figures import build_report_data
from broadcast.reports.model import ReportData, ReportStation
from broadcast.reports.period import Period, parse_period, period_around


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one report's work.

    Reading and verifying the log and laying out the formats allocate hundreds of thousands of
    short-lived, acyclic objects (row dicts, strings); the collector's passes over them cost
    0.2-0.4 s a busy year's report. Reference counting still frees them at once; the few
    cycles wait for the next collection after the report.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_report_data(
    settings,
    period: str | Period,
    *,
    db: Path | str | None = None,
    issued: date | None = None,
) -> ReportData:
    """Read the log (read-only), verify its chain, and compute the period's figures.

    An empty period is a UserError: a report of nothing is more likely a wrong period or log.
    """
    period = parse_period(period) if isinstance(period, str) else period
    tz = settings.station.tz
    with gc_paused():
        with open_log(settings, path=db, readonly=True) as log:
            chain = log.verify()
            start, end = period.bounds(tz)
            rows = log.rows(since=start, until=end, spoken_text=False)  # no report shows it
            if chain.head_id is not None:
                # A row appended by the running service after verify() has not been verified: leave it out.
                rows = [r for r in rows if r.id <= chain.head_id]
            # Corrections of a period's rows sit in the period too (same scheduled time), so the
            # period's rows are enough to apply them.
            span = log.time_span()  # min/max on the index: for the empty-period message
            name = log.name
            earlier = log.issued()
        data = build_report_data(
            rows,
            period,
            tz=tz,
            station=ReportStation.from_settings(settings),
            issued=issued or datetime.now(UTC).astimezone(tz).date(),
            chain=chain,
            earlier=earlier,
        )
    if not data.annex:
        raise UserError(coded(_empty_period_message(period, name, span, tz), "report.empty_period", period=period.phrase,
                              first=period.first.isoformat(), last=period.last.isoformat(),
                              **({} if span is None else {"log_first": span[0].astimezone(tz).date().isoformat(),
                                                          "log_last": span[1].astimezone(tz).date().isoformat()})))
    return data


def _empty_period_message(period: Period, path: str, span: tuple[datetime, datetime] | None, tz) -> str:
    """One line: nothing in `period`, and (when the log has rows) the nearest period that has some."""
    text = f"no broadcasts logged in {period.spec} ({period.first:%d/%m/%Y}-{period.last:%d/%m/%Y}) in {path}"
    if span is None:
        return text + "; the log has no rows yet"
    first, last = (t.astimezone(tz).date() for t in span)
    if period.last < first:
        nearest = first
    elif period.first > last:
        nearest = last
    else:  # a gap inside the log: the logged day nearest to the period
        nearest = first if (period.first - first) < (last - period.last) else last
    return (
        f"{text}; the log has broadcasts from {first:%d/%m/%Y} to {last:%d/%m/%Y}: "
        f"try --period {period_around(period.kind, nearest)}"
    )
