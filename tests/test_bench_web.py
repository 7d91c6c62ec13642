"""bench/web.py's quick mode runs, so the benchmark does not rot (its figures are not asserted)."""

from __future__ import annotations

import subprocess
import sys

from web_fixtures import REPO


def test_web_bench_quick_mode():
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "web.py"), "--quick"], capture_output=True,
                          text=True, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for line in ("dashboard /", "bulletin list /ban-tin", "log page /nhat-ky", "preview (text + spoken)",
                 "Nghe thử (eSpeak, 1 min)"):
        assert line in proc.stdout, proc.stdout
