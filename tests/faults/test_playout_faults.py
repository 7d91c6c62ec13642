"""Playout under faults: a full disk, a read-only data folder, a sink that raises, the service killed.

Whatever breaks, every attempt to air is accounted for: in the as-run log, or, when the log itself
cannot be written, in what the command prints and its exit code. Small disks are real tmpfs mounts
(root only: CI runs as root).
"""

from __future__ import annotations

import os

import pytest

from conftest import copy_example, fill, small_disk

from broadcast.asrun import SqliteStore

pytestmark = pytest.mark.faults
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")

SCHEDULE = """\
zones:
  trung-tam: {name: Trung tâm, sink: {type: file, folder: data/aired/trung-tam}}
  thon-1: {name: Thôn 1, sink: {type: file, folder: data/aired/thon-1}}
sessions:
  - {name: sáng, time: "05:30", days: [t2], zones: [all]}
  - {name: chiều, time: "17:00", days: [t2], zones: [trung-tam]}
"""


def day_station(station):
    settings = station(paths={"schedule": "schedule.yaml"})
    copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    copy_example("2024-05-bieu-duong.yaml", settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")
    return settings


@needs_root
def test_simulate_on_a_3_mb_data_disk_logs_every_attempt_as_failed_with_the_reason(station, run_cli, tmp_path):
    settings = day_station(station)
    out = tmp_path / "sim"
    with small_disk(out, "3m"):
        code, text, err = run_cli("simulate", "--day", "2024-05-06", "--speedup", "2000", "--out", str(out))
        with SqliteStore(out / "asrun.sqlite", readonly=True) as book:
            rows = [r.record for r in book.rows()]
            verified = book.verify()
    assert "no session on this date" not in text and "Traceback" not in err, (text, err)
    # 2 bulletins: the morning on two zones (two file sinks), the afternoon on one: 6 attempts, all logged.
    assert len(rows) == 6 and verified
    # The disk fills part way: the two morning zones write side by side, so where each one stops varies;
    # whatever did not air in full is logged with the reason (the afternoon, on what the morning freed, too).
    cut = [r for r in rows if r.outcome.value in ("failed", "interrupted")]
    assert {r.outcome.value for r in rows} <= {"played", "interrupted", "failed"} and len(cut) >= 4
    assert all("hết dung lượng đĩa" in r.reason and "No space left on device" in r.reason for r in cut), cut[0].reason
    assert text.count("failed") + text.count("interrupted") == len(cut)
    # Every attempt is in the log, so this is a finding of the dry run, not lost evidence: exit 0, said loudly.
    assert f"warning: {len(cut)} of 6 attempts failed or were cut short: " in err
    assert code == 0


@needs_root
def test_simulate_whose_log_cannot_be_written_prints_every_attempt_and_exits_2(station, run_cli, tmp_path):
    settings = day_station(station)
    out = tmp_path / "sim"
    with small_disk(out, "1m"):
        # The log is open (as in a running service) when the disk fills up.
        with SqliteStore(out / "asrun.sqlite") as book:
            fill(out)
            code, text, err = run_cli("simulate", "--day", "2024-05-06", "--speedup", "2000", "--out", str(out))
            logged = len(book)
    assert code == 2, err
    assert text.count("failed") == 6 and "no session on this date" not in text
    assert f"error: {out / 'asrun.sqlite'}: 6 of 6 rows could not be written to the as-run log (" in err
    assert "disk is full" in err and "not in the evidence" in err and "internal error" not in err
    assert logged == 0
