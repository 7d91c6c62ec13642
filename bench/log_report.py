"""Benchmark: durable as-run log appends, and a yearly report from five years of a busy station.

Targets (issue 5): at most 5 ms per durable append; at most 2 s to build a yearly report from
~20,000 rows. Run: .venv/bin/python bench/log_report.py [--rows-per-append-test N] [--dir DIR]
The log is written under DIR (default: a temporary folder in the current directory, so the
fsyncs hit the same disk the station's data folder would).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from broadcast.config import Settings
from broadcast.logbook import Logbook
from broadcast.report import load_report_data, parse_period, write_report_files
from broadcast.report_sample import sample_records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=500, help="durable appends to time")
    parser.add_argument("--dir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    settings = Settings()
    tz = settings.station.tz

    with tempfile.TemporaryDirectory(prefix="bench-log-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        # 1. One transaction (WAL, synchronous=FULL) per append, as the scheduler writes.
        records = list(sample_records(date(2024, 1, 1), date(2024, 12, 31), tz, seed=1))[: args.appends]
        log = Logbook(tmp / "append.sqlite")
        times = []
        for record in records:
            t0 = time.perf_counter()
            log.append(record)
            times.append(time.perf_counter() - t0)
        log.close()
        times.sort()
        print(f"durable append: {len(times)} rows, mean {statistics.mean(times) * 1e3:.2f} ms, "
              f"median {statistics.median(times) * 1e3:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1e3:.2f} ms, "
              f"max {times[-1] * 1e3:.2f} ms (target <= 5 ms)")

        # 2. Five years of a busy station: 2 sessions a day, 4-9 items each, Monday to Saturday.
        db = tmp / "five-years.sqlite"
        t0 = time.perf_counter()
        with Logbook(db) as big:
            big.append_many(sample_records(date(2020, 1, 1), date(2024, 12, 31), tz, seed=2, items_per_session=(4, 9)))
            total = len(big)
        print(f"five-year log: {total} rows written in {time.perf_counter() - t0:.2f} s (one transaction)")

        period = parse_period("2024")
        t0 = time.perf_counter()
        data = load_report_data(settings, period, db=db)
        t_data = time.perf_counter() - t0
        print(f"yearly report data (read + verify whole chain + figures): {t_data:.2f} s, "
              f"{len(data.annex)} rows in 2024, chain ok={data.chain.ok} (target <= 2 s)")
        from broadcast import report_formats as rf

        out = tmp / "out"
        out.mkdir()
        t0 = time.perf_counter()
        chart = rf.chart_png(data)
        print(f"  chart PNG (first call pays matplotlib's import): {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        for suffix, (header, table) in rf.csv_tables(data).items():
            rf.write_csv(out / f"{suffix}.csv", header, table)
        print(f"  write CSV (4 files): {time.perf_counter() - t0:.2f} s")
        for name, writer in (("XLSX", rf.write_xlsx), ("DOCX", rf.write_docx)):
            t0 = time.perf_counter()
            writer(data, out / f"report.{name.lower()}", chart)
            print(f"  write {name} (annex of {len(data.annex)} rows included): {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        data = load_report_data(settings, period, db=db)
        write_report_files(data, out / "all", ["all"])
        print(f"yearly report end to end (data + chart + CSV + XLSX + DOCX, warm): {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
