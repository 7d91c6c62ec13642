"""Benchmark: durable as-run log appends, and a yearly report from five years of a busy station.

Targets: at most 5 ms per durable append; at most 2 s to build a complete yearly report (figures,
chart, CSV, XLSX, DOCX) from ~20,000 rows. Prints the figures alone, each format, and the complete
report. Run: .venv/bin/python bench/log_report.py [--appends N] [--repeat N] [--dir DIR] [--quick]
The log is written under DIR (default: a temporary folder in the current directory, so the
fsyncs hit the same disk the station's data folder would). --quick (what the test suite runs):
a few appends and one month of log, one run, to show the benchmark still works, not to measure.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import date
from pathlib import Path

from broadcast.asrun import SqliteStore
from broadcast.asrun.sample import sample_records
from broadcast.atomic import atomic_write
from broadcast.config import Settings
from broadcast.reports.chart import chart_png
from broadcast.reports.csv_writer import write_csv
from broadcast.reports.docx_writer import write_docx
from broadcast.reports.files import write_report_files
from broadcast.reports.load import load_report_data
from broadcast.reports.period import parse_period
from broadcast.reports.tables import report_tables
from broadcast.reports.xlsx_writer import write_xlsx


def _annex_sheet_alone(table, path: Path, library: str) -> None:
    """The annex table (the bulk of the workbook) as the only sheet, plain cells, by XlsxWriter or by
    openpyxl in write-only mode: the ratio that chose XlsxWriter for the report's XLSX, measured here."""
    if library == "openpyxl":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Phụ lục")
        for row in [table.header, *table.rows]:
            ws.append(row)
        wb.save(path)
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet("Phụ lục")
        for r, row in enumerate([table.header, *table.rows]):
            ws.write_row(r, 0, row)
        wb.close()


# A bulletin as the log keeps it: the whole spoken text of every broadcast is in its row and in the chain's
# hash. The sample log's texts are one line; a station's are some 13 characters a second of airtime.
_SENTENCE = ("Ủy ban nhân dân xã thông báo: từ ngày 01 tháng 7 năm 2024, bộ phận tiếp nhận và trả kết quả "
             "thủ tục hành chính tiếp nhận hồ sơ trực tuyến qua Cổng dịch vụ công quốc gia. ")
CHARS_PER_SECOND = 13


def _with_spoken_text(records):
    for r in records:
        seconds = (r.end - r.start).total_seconds() if r.end and r.start else 90
        text = (_SENTENCE * (1 + int(seconds * CHARS_PER_SECOND) // len(_SENTENCE)))[: int(seconds * CHARS_PER_SECOND)]
        yield dataclasses.replace(r, spoken_text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest())


def _verify(db: Path) -> None:
    with SqliteStore(db, readonly=True) as log:
        log.verify()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=500, help="durable appends to time")
    parser.add_argument("--dir", type=Path, default=Path.cwd())
    parser.add_argument("--repeat", type=int, default=3, help="warm report runs (the median is printed)")
    parser.add_argument("--quick", action="store_true", help="a small log, one run (what the test suite runs)")
    args = parser.parse_args()
    if args.quick:
        args.appends, args.repeat = 20, 1
    settings = Settings()
    tz = settings.station.tz
    years = (date(2024, 5, 1), date(2024, 5, 31)) if args.quick else (date(2020, 1, 1), date(2024, 12, 31))
    period = parse_period("2024-05" if args.quick else "2024")

    with tempfile.TemporaryDirectory(prefix="bench-log-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        # 1. One transaction (WAL, synchronous=FULL) per append, as the scheduler writes.
        records = list(sample_records(date(2024, 1, 1), date(2024, 12, 31), tz, seed=1))[: args.appends]
        log = SqliteStore(tmp / "append.sqlite")
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
        with SqliteStore(db) as big:
            big.append_many(_with_spoken_text(sample_records(*years, tz, seed=2, items_per_session=(4, 9))))
            total = len(big)
        with closing(sqlite3.connect(db)) as con:
            text_chars = con.execute("SELECT avg(length(spoken_text)) FROM asrun").fetchone()[0]
        elapsed = time.perf_counter() - t0
        print(f"{'one-month' if args.quick else 'five-year'} log: {total} rows written in {elapsed:.2f} s, "
              f"{total / elapsed:,.0f} rows/s (one transaction); spoken text {text_chars:,.0f} characters a row on average")

        # 3. The report. The first run in a process pays the imports of the writers (python-docx, XlsxWriter,
        # Pillow), as a `broadcast report` command does; later runs are warm.
        out = tmp / "out"
        t0, c0 = time.perf_counter(), time.process_time()
        data = load_report_data(settings, period, db=db)
        write_report_files(data, out / "cold", ["all"])
        cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0

        steps: dict[str, list[float]] = {}
        cpu: dict[str, list[tuple[float, float]]] = {}  # (this process, child processes) CPU seconds

        def timed(name: str, fn):
            # The report path pauses the cyclic GC (broadcast.reports.load.gc_paused); time each step the same way.
            # CPU time too: on a shared, busy machine it is what the step would take on an idle one.
            gc.collect()
            gc.disable()
            try:
                t0, c0, k0 = time.perf_counter(), time.process_time(), os.times()
                result = fn()
                k1 = os.times()
                steps.setdefault(name, []).append(time.perf_counter() - t0)
                cpu.setdefault(name, []).append((time.process_time() - c0, k1.children_user + k1.children_system
                                                 - k0.children_user - k0.children_system))
            finally:
                gc.enable()
            return result

        for i in range(args.repeat):
            data = timed("figures", lambda: load_report_data(settings, period, db=db))
            timed("verify", lambda: _verify(db))
            chart = timed("chart", lambda: chart_png(data))
            tables = timed("tables", lambda: report_tables(data))
            step_out = out / f"steps-{i}"

            def csv_files():
                for suffix, table in tables.items():
                    atomic_write(step_out / f"{suffix}.csv", lambda p, t=table: write_csv(p, t))

            timed("csv", csv_files)
            timed("xlsx", lambda: atomic_write(step_out / "r.xlsx", lambda p: write_xlsx(data, p, chart, tables=tables)))
            timed("docx", lambda: atomic_write(step_out / "r.docx", lambda p: write_docx(data, p, chart, tables=tables)))
            for library in ("xlsxwriter", "openpyxl"):
                timed(f"annex {library}",
                      lambda lib=library: _annex_sheet_alone(tables["phu-luc"], step_out / f"{lib}.xlsx", lib))

            timed("complete", lambda: write_report_files(load_report_data(settings, period, db=db), out / f"all-{i}",
                                                         ["all"]))

        def med(name: str) -> float:
            return statistics.median(steps[name])

        def cpu_of(name: str) -> float:
            return statistics.median(c[0] + c[1] for c in cpu[name])  # this process and any it started

        n, target = len(data.annex), 2.0
        verdict = lambda t: f"{'OK' if t <= target else 'OVER'} (target <= {target:.0f} s)"  # noqa: E731
        print(f"report of {period.spec}, {n} rows of {total}, chain ok={data.chain.ok}; "
              f"median of {args.repeat} warm run(s) unless said:")
        print(f"  figures only (read + verify whole chain + figures): {med('figures'):.2f} s {verdict(med('figures'))}")
        print(f"    of which verifying the chain ({total} rows): {med('verify'):.2f} s")
        print(f"  chart PNG: {med('chart'):.2f} s")
        print(f"  tables (laid out once, shared by CSV/XLSX/DOCX): {med('tables'):.2f} s")
        print(f"  CSV ({len(tables)} files): {med('csv'):.2f} s")
        print(f"  XLSX, XlsxWriter (annex of {n} rows): {med('xlsx'):.2f} s; the annex sheet alone: XlsxWriter "
              f"{cpu_of('annex xlsxwriter'):.2f} s CPU, openpyxl write-only {cpu_of('annex openpyxl'):.2f} s CPU "
              f"({cpu_of('annex openpyxl') / cpu_of('annex xlsxwriter'):.1f}x)")
        print(f"  DOCX, python-docx (annex of {n} rows): {med('docx'):.2f} s")
        print(f"  complete report (figures + chart + CSV + XLSX + DOCX, one process): {med('complete'):.2f} s "
              f"{verdict(med('complete'))}; CPU {cpu_of('complete'):.2f} s {verdict(cpu_of('complete'))} "
              "(on a busy machine the CPU time is what an idle one would take)")
        print(f"  CPU seconds of each step: figures {cpu_of('figures'):.2f}, chart {cpu_of('chart'):.2f}, "
              f"XLSX {cpu_of('xlsx'):.2f}, DOCX {cpu_of('docx'):.2f}")
        print(f"  complete report, first in the process (pays the imports): {cold:.2f} s {verdict(cold)}; "
              f"CPU {cold_cpu:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
