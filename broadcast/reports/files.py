"""Writing a report's files: which formats, their names, each written whole or not at all."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from broadcast.asrun import IssuedHead, open_log
from broadcast.atomic import atomic_write
from broadcast.errors import UserError
from broadcast.reports.chart import chart_png
from broadcast.reports.csv_writer import write_csv
from broadcast.reports.docx_writer import write_docx
from broadcast.reports.load import gc_paused
from broadcast.reports.model import ReportData
from broadcast.reports.period import Period
from broadcast.reports.tables import report_tables
from broadcast.reports.xlsx_writer import write_xlsx

FORMATS = ("xlsx", "docx", "csv")

log = logging.getLogger(__name__)


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """'all', one format, or a comma-separated list; an unknown one is a UserError."""
    items = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        for part in item.split(","):
            part = part.strip().lower()
            if part == "all":
                out.extend(FORMATS)
            elif part in FORMATS:
                out.append(part)
            else:
                raise UserError(f"unknown report format '{part}': use xlsx, docx, csv or all")
    return tuple(dict.fromkeys(out))


def report_base_name(period: Period) -> str:
    return f"bao-cao-cchc-{period.slug}"


def write_report_files(data: ReportData, out_dir: Path | str, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write `data` in each format into `out_dir` (atomically, file by file); return the paths."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir}: not a folder")
    formats = parse_formats(formats)
    base = report_base_name(data.period)
    written: list[Path] = []
    with gc_paused():
        chart = chart_png(data) if {"xlsx", "docx"} & set(formats) else None
        if chart is not None:
            written.append(atomic_write(out_dir / f"{base}-bieu-do.png", lambda p: p.write_bytes(chart)))
        tables = report_tables(data)  # laid out once, shared by every format
        if "csv" in formats:
            alert = data.integrity_alert  # first in every CSV file: nobody opens one without seeing it
            for suffix, table in tables.items():
                written.append(atomic_write(out_dir / f"{base}-{suffix}.csv", lambda p, t=table: write_csv(p, t, alert)))
        if "xlsx" in formats:
            written.append(atomic_write(out_dir / f"{base}.xlsx", lambda p: write_xlsx(data, p, chart, tables=tables)))
        if "docx" in formats:
            written.append(atomic_write(out_dir / f"{base}.docx", lambda p: write_docx(data, p, chart, tables=tables)))
    return written


def record_issued(settings, data: ReportData, kind: str, *, db: Path | str | None = None) -> None:
    """Keep the head of the log `data` was made from (a report or an evidence zip just written), so
    every later verify checks the log still holds it and the next report lists it. Only a sound
    chain's head is kept: a broken log's head is no reference."""
    chain = data.chain
    if chain is None or not chain.sound or chain.head_id is None:
        return
    entry = IssuedHead(kind, data.period.spec, datetime.now(UTC), chain.head_id, chain.head_hash)
    try:
        with open_log(settings, path=db, readonly=True) as store:
            store.record_issued(entry)
    except OSError as exc:
        log.warning("could not keep the head of this %s (%s): the next report will not list it", kind, exc)
