"""Playout under faults: a full disk, a read-only data folder, a sink that raises, the service killed.

Whatever breaks, every attempt to air is accounted for: in the as-run log, or, when the log itself
cannot be written, in what the command prints and its exit code. Small disks are real tmpfs mounts
(root only: CI runs as root).
"""

from __future__ import annotations

import os
import subprocess

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


def service_station(tmp_path):
    """A station whose one zone is a file sink (real time), for `broadcast run` as a subprocess."""
    import yaml

    station = tmp_path / "station"
    (station / "bulletins").mkdir(parents=True)
    (station / "station.yaml").write_text(yaml.safe_dump({
        "speech": {"engine": "fake", "fallback": [], "voice": "fake"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins",
                  "schedule": "schedule.yaml"}}), encoding="utf-8")
    (station / "schedule.yaml").write_text(
        "zones:\n  thu: {name: Bản ghi thử, sink: {type: file, folder: aired}}\n", encoding="utf-8")
    return station


def start_service(station):
    import sys
    import time

    from broadcast.playout.control import SOCKET_NAME

    env = dict(os.environ, BROADCAST_SETTINGS=str(station / "station.yaml"))
    proc = subprocess.Popen([sys.executable, "-m", "broadcast", "run"], cwd=station, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sock = station / "data" / SOCKET_NAME
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            from broadcast.playout.control import request

            if request(sock, {"cmd": "status"}, timeout=1)["ok"]:
                return proc, sock
        except (OSError, ValueError):
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the service did not start: {proc.stderr.read().decode()}")


def test_kill_9_of_the_service_at_random_points_loses_no_attempt_and_the_log_verifies(tmp_path):
    import random
    import signal
    import time

    from playout_fixtures import tone_steps, write_wav

    from broadcast.playout.control import request

    station = service_station(tmp_path)
    clip = write_wav(tmp_path / "thong-bao.wav", tone_steps([440.0, 660.0], 1.5))  # 3 s
    rng = random.Random(9)
    plays = 0
    for _ in range(3):
        proc, sock = start_service(station)
        try:
            assert request(sock, {"cmd": "play", "path": str(clip), "priority": "normal"})["ok"]
            plays += 1
            time.sleep(rng.uniform(0.3, 4.0))  # mid-play, or after it finished
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
    proc, sock = start_service(station)  # the last restart recovers the last kill
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, proc.stderr.read().decode()
    with SqliteStore(station / "data" / "asrun.sqlite", readonly=True) as book:
        rows = [r.record for r in book.rows()]
        assert book.verify()
    # Each play is accounted for once: played if it ended before the kill, else interrupted (recovered on restart).
    assert len(rows) == plays, [(r.bulletin_id, r.outcome) for r in rows]
    assert {r.outcome.value for r in rows} <= {"played", "interrupted"}
    for r in rows:
        if r.outcome.value == "interrupted":
            assert "dịch vụ ngừng giữa phiên" in r.reason


@needs_root
def test_a_read_only_data_folder_is_one_clear_line_and_exit_2(tmp_path, run_cli, station):
    import sys

    svc = service_station(tmp_path)
    data = svc / "data"
    with small_disk(data, "1m"):
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        env = dict(os.environ, BROADCAST_SETTINGS=str(svc / "station.yaml"))
        proc = subprocess.run([sys.executable, "-m", "broadcast", "run"], cwd=svc, env=env, capture_output=True,
                              text=True, timeout=60)
        settings = station()
        copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
        (settings.base_dir / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")
        code, _, err = run_cli("simulate", "--day", "2024-05-06", "--out", str(data / "sim"))
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and str(data) in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert code == 2 and f"{data / 'sim'}: cannot write the simulated day here" in err and "Traceback" not in err
