"""When the log cannot be written (issue 9.1, the log's side): rows wait in memory and in a spool file in
another folder, are retried, and reach the log in order once it is writable again. Real faults: a full
tmpfs and a read-only remount (root only: CI runs as root)."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from conftest import fill, small_disk

from broadcast.asrun import SqliteStore, open_log
from broadcast.asrun.sample import sample_records
from broadcast.asrun.spool import SpoolingStore
from broadcast.config import Settings

pytestmark = pytest.mark.faults
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
TZ = Settings().station.tz


def records(n: int, day=date(2024, 5, 6)):
    out = []
    while len(out) < n:
        out += list(sample_records(day, day, TZ, seed=len(out)))
        day = day.replace(day=day.day + 1)
    return out[:n]


def logged(db: Path) -> list:
    with SqliteStore(db, readonly=True) as log:
        assert log.verify().sound
        return [r.record for r in log.rows()]


@needs_root
def test_a_full_disk_spools_rows_and_drains_them_in_order(tmp_path):
    rows = records(12)
    with small_disk(tmp_path / "data", "2m") as data:
        spool_dir = tmp_path / "cache" / "asrun-spool"
        store = SpoolingStore(lambda: SqliteStore(data / "asrun.sqlite"), spool_dir, retry_s=3600)
        assert [store.append(r) for r in rows[:4]] == [1, 2, 3, 4]
        filler = fill(data)
        assert [store.append(r) for r in rows[4:9]] == [None] * 5
        status = store.status()
        assert status.pending == 5 and not status.ok and status.since is not None
        assert "full" in status.error and status.spool_error is None  # SQLite: "database or disk is full"
        assert len((spool_dir / "asrun-spool.jsonl").read_text().splitlines()) == 5
        assert store.drain() is False  # still full
        filler.unlink()
        assert store.append(rows[9]) == 10  # the waiting rows first, then this one
        assert store.status().ok and store.status().error is None and not (spool_dir / "asrun-spool.jsonl").exists()
        store.append_many(rows[10:])
        store.close()
        assert logged(data / "asrun.sqlite") == rows


@needs_root
def test_a_read_only_folder_spools_and_the_next_start_drains_the_spool(tmp_path):
    """The kernel remounts a failing disk read-only (ext4 errors=remount-ro): the service starts with a log
    it cannot write, keeps its rows in the spool file, stops; the next start, once fixed, drains them."""
    rows = records(8)
    spool_dir = tmp_path / "cache" / "asrun-spool"
    with small_disk(tmp_path / "data", "8m") as data:
        with SqliteStore(data / "asrun.sqlite") as log:
            log.append_many(rows[:3])
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        store = SpoolingStore(lambda: SqliteStore(data / "asrun.sqlite"), spool_dir, retry_s=3600)
        assert store.append(rows[3]) is None and store.append(rows[4]) is None
        status = store.status()
        assert status.pending == 2 and "read-only filesystem" in status.error
        store.close()  # the process stops while the folder is read-only: the rows stay in the spool file
        assert len((spool_dir / "asrun-spool.jsonl").read_text().splitlines()) == 2
        subprocess.run(["mount", "-o", "remount,rw", str(data)], check=True)
        again = SpoolingStore(lambda: SqliteStore(data / "asrun.sqlite"), spool_dir, retry_s=3600)
        assert again.status().ok  # drained on start
        again.append_many(rows[5:])
        again.close()
        assert logged(data / "asrun.sqlite") == rows


def test_rows_already_drained_are_not_written_twice(tmp_path):
    """A process that drained its spool and died before removing it: the next start skips what the log holds."""
    rows = records(5)
    db, spool_dir = tmp_path / "asrun.sqlite", tmp_path / "spool"
    blocked = {"yes": True}

    def opener():
        if blocked["yes"]:
            raise PermissionError(13, "Permission denied", str(db))
        return SqliteStore(db)

    store = SpoolingStore(opener, spool_dir, retry_s=3600)
    store.append_many(rows[:3])
    spool = (spool_dir / "asrun-spool.jsonl").read_text()
    blocked["yes"] = False
    assert store.drain() and logged(db) == rows[:3]
    (spool_dir / "asrun-spool.jsonl").write_text(spool)  # as if the unlink never happened
    again = SpoolingStore(opener, spool_dir, retry_s=3600)
    again.append_many(rows[3:])
    again.close()
    assert logged(db) == rows


def test_the_service_sees_the_slots_waiting_in_the_spool(tmp_path):
    rows = records(3)
    store = SpoolingStore(lambda: (_ for _ in ()).throw(OSError(28, "No space left on device")), tmp_path / "s",
                          retry_s=3600)
    store.append_many(rows)
    since, until = rows[0].scheduled.replace(hour=0), rows[0].scheduled.replace(hour=23)
    assert store.slots_logged(since, until) == {(r.scheduled, r.session) for r in rows}
    assert store.status().as_dict()["pending"] == 3


def test_open_log_with_a_spool(station):
    settings = station(log={"spool": "elsewhere/spool"})
    with open_log(settings, spool=True) as store:
        assert isinstance(store, SpoolingStore)
        assert store.spool_file == settings.base_dir / "elsewhere" / "spool" / "asrun-spool.jsonl"
        store.append(records(1)[0])
        assert store.status().ok and len(store) == 1
