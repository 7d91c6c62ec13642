"""The report's CSV files: one table each, UTF-8 with a BOM so that Excel on a commune office's PC shows
the diacritics."""

from __future__ import annotations

import csv
from pathlib import Path

from broadcast.reports.tables import Table


def write_csv(path: Path, table: Table, alert: str | None = None) -> None:
    """One table; `alert` (a log that cannot be trusted) goes first, a line of its own, then a blank line."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        if alert:
            writer.writerow([alert])
            writer.writerow([])
        writer.writerow(table.header)
        writer.writerows(table.rows)
