"""bench/log_report.py still runs: its quick mode completes and prints every figure (not their values)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "log_report.py"


def test_quick_mode_runs_and_prints_its_figures(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for figure in ("durable append:", "rows written in", "figures only", "verifying the chain", "chart PNG:",
                   "CSV (5 files):", "XLSX, XlsxWriter", "openpyxl write-only", "DOCX, python-docx", "complete report (", "one process)", "CPU seconds of each step",
                   "first in the process"):
        assert figure in proc.stdout, figure
