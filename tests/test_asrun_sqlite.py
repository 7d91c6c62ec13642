"""The as-run log: round trip, append-only triggers, tamper detection, threads and crash safety."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time as clock
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from broadcast.asrun import AsRunRecord, Outcome
from broadcast.errors import UserError
from broadcast.asrun import DamagedLog, SqliteStore
from broadcast.asrun.chain import (
    COLUMNS,
    CONTENT_COLUMNS,
    ENCODED_CONTENT,
    GENESIS_HASH,
    canonical_json,
    row_hash,
    verify_rows,
)
from broadcast.asrun.sqlite import _sqlite_encodes_canonically

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2024, 5, 6, 5, 30, tzinfo=TZ)


def record(i: int, **overrides) -> AsRunRecord:
    at = T0 + timedelta(hours=12 * i)
    fields = dict(
        scheduled=at,
        outcome=Outcome.played,
        bulletin_id=f"b-{i}",
        title=f"Công khai thủ tục hành chính số {i}",
        topic="procedure",
        priority="normal",
        session="sang",
        zones=("thon-1", "thon-2"),
        sink="file",
        start=at + timedelta(seconds=3),
        end=at + timedelta(seconds=93, microseconds=250_000),
        audio_sha256=hashlib.sha256(f"a{i}".encode()).hexdigest(),
        text_sha256=hashlib.sha256(f"t{i}".encode()).hexdigest(),
        spoken_text="Ủy ban nhân dân xã Tiền Tiến thông báo",
        engine="espeak",
        voice="vi",
        host="may-tram",
    )
    fields.update(overrides)
    return AsRunRecord(**fields)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "asrun.sqlite"
    with SqliteStore(path) as log:
        log.append_many([record(i) for i in range(1, 9)])
    return path


def hand_edit(path: Path, *statements: str, params=()) -> None:
    """What someone with the file and the sqlite3 module can do: drop the triggers, then edit."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER asrun_no_update")
    db.execute("DROP TRIGGER asrun_no_delete")
    for statement in statements:
        db.execute(statement, params)
    db.commit()
    db.close()


# --- writing and reading ----------------------------------------------------------------------


def test_round_trip_keeps_every_field_and_the_zone(tmp_path):
    original = record(
        1,
        outcome=Outcome.late,
        reason="máy khởi động chậm",
        corrects=None,
        priority="priority",
        zones=("thôn Đông",),
    )
    missed = record(2, outcome=Outcome.missed, start=None, end=None, reason="dịch vụ không chạy")
    with SqliteStore(tmp_path / "a.sqlite") as log:
        assert log.append(original) == 1
        assert log.append(missed) == 2
        rows = log.rows()
    assert [r.id for r in rows] == [1, 2]
    assert rows[0].record == original
    assert rows[0].record.scheduled.tzinfo == TZ
    assert rows[0].record.duration_s == pytest.approx(90.25)
    assert rows[1].record == missed and rows[1].record.duration_s == 0.0
    assert rows[0].prev_hash == GENESIS_HASH and rows[1].prev_hash == rows[0].row_hash


def test_rows_without_the_spoken_text_are_the_rows_but_that(log_path):
    """What a report reads: every field but the spoken text (megabytes a year, never shown in a report)."""
    with SqliteStore(log_path, readonly=True) as log:
        full, light = log.rows(), log.rows(spoken_text=False)
    assert all(r.record.spoken_text for r in full)
    assert [r.record.spoken_text for r in light] == [""] * len(full)
    assert [dataclasses.replace(r, record=dataclasses.replace(r.record, spoken_text="")) for r in full] == light


def test_slots_logged_are_found_in_any_timezone(log_path):
    # What a restarted runner asks to avoid airing a slot twice: rows 2 and 3 (T0 + 12 h, + 24 h).
    with SqliteStore(log_path) as log:
        found = log.slots_logged(T0 + timedelta(hours=1), T0 + timedelta(hours=25))
    assert found == {(T0 + timedelta(hours=12), "sang"), (T0 + timedelta(hours=24), "sang")}
    assert (T0.astimezone(UTC) + timedelta(hours=12), "sang") in found  # aware times compare by instant


def test_times_are_stored_in_utc_and_station_time(tmp_path):
    with SqliteStore(tmp_path / "a.sqlite") as log:
        log.append(record(0))
        raw = log.raw_rows()[0]
    assert raw["scheduled_utc"] == "2024-05-05T22:30:00.000000+00:00"
    assert raw["scheduled_local"] == "2024-05-06T05:30:00.000000+07:00"
    assert raw["tz"] == "Asia/Ho_Chi_Minh"


def test_filters(log_path):
    with SqliteStore(log_path) as log:
        log.append(record(20, topic="hotline", zones=("thon-3",), outcome=Outcome.failed, start=None, end=None))
        assert [r.id for r in log.rows(topic="hotline")] == [9]
        assert [r.id for r in log.rows(zone="thon-3")] == [9]
        assert len(log.rows(zone="thon-1")) == 8
        assert [r.id for r in log.rows(outcome="failed")] == [9]
        since, until = T0 + timedelta(hours=24), T0 + timedelta(hours=48)
        assert [r.id for r in log.rows(since=since, until=until)] == [2, 3]


def test_correction_is_a_new_row(log_path):
    with SqliteStore(log_path) as log:
        new_id = log.correct(3, reason="thực tế không phát", outcome="missed")
        assert new_id == 9
        fixed = log.get(9).record
        assert fixed.corrects == 3 and fixed.outcome is Outcome.missed and fixed.bulletin_id == "b-3"
        assert log.get(3).record.outcome is Outcome.played
        assert log.verify().ok


def test_triggers_abort_update_and_delete(log_path):
    db = sqlite3.connect(log_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE asrun SET title = 'x' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM asrun WHERE id = 1")


def test_the_code_never_updates_or_deletes():
    source = (Path(__file__).parents[1] / "broadcast" / "asrun" / "sqlite.py").read_text()
    assert not re.search(r"\bUPDATE\s+asrun\b|\bDELETE\s+FROM\b|\bREPLACE\s+INTO\b", source, re.I)


def test_readonly_open_of_missing_or_foreign_file(tmp_path):
    with pytest.raises(UserError, match="no as-run log") as missing:
        SqliteStore(tmp_path / "none.sqlite", readonly=True)
    assert missing.value.exit_code == 2  # nothing there: the user's mistake
    # A file at the log's place that is no as-run log is a damaged log (exit 1), whatever it holds.
    for name, content in (("junk", b"this is not a database" * 100), ("empty", b""),
                          ("random", bytes(range(256)) * 40)):
        path = tmp_path / f"{name}.sqlite"
        path.write_bytes(content)
        with pytest.raises(DamagedLog, match="damaged") as damaged:
            SqliteStore(path, readonly=True)
        assert damaged.value.exit_code == 1
    other = tmp_path / "other.sqlite"  # an SQLite file of something else
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DamagedLog, match="no as-run table"):
        SqliteStore(other, readonly=True)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        record(1, scheduled=datetime(2024, 1, 1, 5, 30))


# --- tamper detection -------------------------------------------------------------------------


def test_untouched_log_verifies(log_path):
    result = SqliteStore(log_path, readonly=True).verify()
    assert result.ok and result.rows == 8 and result.head_id == 8 and not result.warnings
    assert result.summary().startswith("OK: 8 rows, chain head ")


def _row(path: Path, row_id: int) -> dict:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM asrun WHERE id = ?", (row_id,)).fetchone())
    db.close()
    return row


@pytest.mark.parametrize(
    "statements, bad_id, kind",
    [
        (["UPDATE asrun SET end_local = '2024-05-07T17:45:00.000000+07:00', "
          "end_utc = '2024-05-07T10:45:00.000000+00:00' WHERE id = 3"], 3, "edited"),
        (["UPDATE asrun SET outcome = 'missed', reason = 'ghi lại' WHERE id = 5"], 5, "edited"),
        (["DELETE FROM asrun WHERE id = 4"], 5, "deleted"),
        (["DELETE FROM asrun WHERE id = 1"], 2, "deleted"),
        (["DELETE FROM asrun WHERE id IN (6, 7)"], 8, "deleted"),
    ],
)
def test_hand_edits_are_detected(log_path, statements, bad_id, kind):
    hand_edit(log_path, *statements)
    result = SqliteStore(log_path, readonly=True).verify()
    assert not result.ok
    assert (result.first_bad_id, result.kind) == (bad_id, kind)
    assert "triggers missing" in result.warnings[0]
    assert f"row {bad_id}" in result.summary()


def test_swapping_two_rows_is_detected(log_path):
    a, b = _row(log_path, 3), _row(log_path, 6)
    columns = [c for c in COLUMNS if c != "id"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    db = sqlite3.connect(log_path)
    db.execute("DROP TRIGGER asrun_no_update")
    db.execute(f"UPDATE asrun SET {assignments} WHERE id = 3", {c: b[c] for c in columns})
    db.execute(f"UPDATE asrun SET {assignments} WHERE id = 6", {c: a[c] for c in columns})
    db.commit()
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.first_bad_id, result.kind) == (False, 3, "reordered")
    assert "content of row 6" in result.message


def test_swapping_only_the_contents_is_detected(log_path):
    a, b = _row(log_path, 2), _row(log_path, 3)
    columns = [c for c in CONTENT_COLUMNS if c != "id"]
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    hand_edit(log_path)
    db = sqlite3.connect(log_path)
    db.execute(f"UPDATE asrun SET {assignments} WHERE id = 2", {c: b[c] for c in columns})
    db.execute(f"UPDATE asrun SET {assignments} WHERE id = 3", {c: a[c] for c in columns})
    db.commit()
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.first_bad_id, result.kind) == (2, "edited")


def test_a_forged_row_with_a_made_up_hash_is_detected(log_path):
    forged = _row(log_path, 8)
    forged.update(id=9, bulletin_id="gia-mao", title="Tin chưa từng phát", row_hash="f" * 64)
    hand_edit(log_path)
    db = sqlite3.connect(log_path)
    db.execute(f"INSERT INTO asrun ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
               [forged[c] for c in COLUMNS])
    db.commit()
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.first_bad_id) == (False, 9)
    assert result.kind in {"edited", "inserted"}


def test_a_row_spliced_in_with_a_correct_hash_is_detected(log_path):
    """The forger knows the algorithm: renumbers rows 4.. and writes a well-hashed row 4."""
    rows = {i: _row(log_path, i) for i in range(1, 9)}
    hand_edit(log_path, "UPDATE asrun SET id = id + 100 WHERE id >= 4", "UPDATE asrun SET id = id - 99 WHERE id >= 100")
    content = {c: rows[4][c] for c in CONTENT_COLUMNS}
    content.update(id=4, bulletin_id="gia-mao", title="Tin chưa từng phát")
    forged = dict(content, prev_hash=rows[3]["row_hash"], row_hash=row_hash(rows[3]["row_hash"], content))
    db = sqlite3.connect(log_path)
    db.execute(f"INSERT INTO asrun ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
               [forged[c] for c in COLUMNS])
    db.commit()
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.first_bad_id, result.kind) == (False, 4, "inserted")


def test_a_truncated_tail_is_caught_by_the_head_witness(log_path):
    witness = log_path.with_name("asrun.sqlite.head")
    assert json.loads(witness.read_text()) == dict(zip(("id", "row_hash"), SqliteStore(log_path, readonly=True).head()))
    hand_edit(log_path, "DELETE FROM asrun WHERE id >= 7")
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.first_bad_id, result.kind) == (False, 8, "anchor")


def test_a_truncated_tail_is_caught_by_an_anchor(log_path):
    anchor = SqliteStore(log_path, readonly=True).head()
    hand_edit(log_path, "DELETE FROM asrun WHERE id >= 7")
    log_path.with_name("asrun.sqlite.head").unlink()  # the witness removed as well
    plain = SqliteStore(log_path, readonly=True).verify()
    assert plain.ok  # a bare chain cannot see a cut tail ...
    anchored = SqliteStore(log_path, readonly=True).verify(anchor=anchor)
    assert (anchored.ok, anchored.first_bad_id, anchored.kind) == (False, 8, "anchor")  # ... an anchor can


def test_a_lagging_witness_is_fine_and_an_unreadable_one_is_a_warning(log_path):
    witness = log_path.with_name("asrun.sqlite.head")
    with SqliteStore(log_path, readonly=True) as book:
        row5 = book.get(5)
    # A crash between the commit of rows 6-8 and the witness rewrite leaves it at row 5.
    witness.write_text(json.dumps({"id": 5, "row_hash": row5.row_hash}))
    assert SqliteStore(log_path, readonly=True).verify().ok
    witness.write_text("{half a file")
    result = SqliteStore(log_path, readonly=True).verify()
    assert result.ok and any("head witness" in w and "unchecked" in w for w in result.warnings)
    with SqliteStore(log_path) as book:  # the next append writes it whole again
        book.append(record(9))
    assert json.loads(witness.read_text())["id"] == 9


def test_an_export_verifies_on_its_own(log_path):
    exported = json.loads(json.dumps(SqliteStore(log_path, readonly=True).raw_rows()))
    assert verify_rows(exported).ok
    exported[2]["title"] = "sửa"
    assert verify_rows(exported).first_bad_id == 3


# --- verifying with SQLite's own JSON (a fast path: Python's encoding decides) -----------------


def test_this_sqlite_encodes_as_the_chain_does():
    """CI's SQLite takes the fast path, so the tests above exercise it."""
    assert _sqlite_encodes_canonically()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_sqlite_writes_any_row_exactly_as_canonical_json(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("encoded") / "asrun.sqlite"
    with SqliteStore(path) as log:
        log.append_many([record(i, title=t, reason=t[::-1], spoken_text=t * 2, zones=(t, "thôn 1"))
                         for i, t in enumerate(texts, start=1)])
        raw = log.raw_rows()
        encoded = log._chain_rows()
        assert log.verify().ok
    assert [r[ENCODED_CONTENT] for r in encoded] == [canonical_json({c: r[c] for c in CONTENT_COLUMNS}).encode("utf-8")
                                                     for r in raw]


def test_a_row_sqlite_encodes_otherwise_is_checked_with_python(log_path, monkeypatch):
    """Had SQLite escaped '/' (JSON allows it), rows holding one would not match their hash as SQLite
    writes them: they are decoded and hashed as the chain encodes them, and still verify; an edit still shows."""
    import broadcast.asrun.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "_ENCODED_SELECT",
                        sqlite_store._ENCODED_SELECT.replace("ELSE CAST(json_object(", "ELSE CAST(replace(json_object(", 1)
                        .replace(") AS BLOB) END", "), '/', '\\/') AS BLOB) END", 1))
    with SqliteStore(log_path, readonly=True) as log:
        assert b"\\/" in log._chain_rows()[0][ENCODED_CONTENT]
        assert log.verify().ok
    hand_edit(log_path, "UPDATE asrun SET title = 'Quyết định 1/2024' WHERE id = 4")
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.first_bad_id, result.kind) == (4, "edited")


@pytest.mark.parametrize("column, value", [("corrects", 2.5), ("corrects", 1e16), ("title", b"\x00bytes"),
                                           ("spoken_text", 1.5)])
def test_values_no_row_is_written_with_are_an_edit(log_path, column, value):
    """A REAL (which SQLite and Python print differently) or a BLOB put in by hand: Python's encoding decides."""
    hand_edit(log_path, f"UPDATE asrun SET {column} = ? WHERE id = 3", params=(value,))
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.first_bad_id, result.kind) == (False, 3, "edited")


def test_text_that_is_not_utf8_is_a_damaged_log(log_path):
    """Bytes that are not UTF-8 in a TEXT column (torn pages, or put in by hand): the log is broken as
    damaged, whichever way its rows were read, and verifying does not crash."""
    hand_edit(log_path, "UPDATE asrun SET title = CAST(? AS TEXT) WHERE id = 5", params=(b"Quy\xe1\xbb\xff\xfe",))
    result = SqliteStore(log_path, readonly=True).verify()
    assert (result.ok, result.kind) == (False, "damaged") and "UTF-8" in result.message


def test_without_the_json_functions_the_log_is_verified_by_python(log_path, monkeypatch):
    import broadcast.asrun.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "_sqlite_encodes_canonically", lambda: False)
    with SqliteStore(log_path, readonly=True) as log:
        assert ENCODED_CONTENT not in log._chain_rows()[0]
        assert log.verify().ok
    hand_edit(log_path, "DELETE FROM asrun WHERE id = 4")
    assert (SqliteStore(log_path, readonly=True).verify().first_bad_id) == 5


# --- concurrency and crashes ------------------------------------------------------------------


def test_appends_from_many_threads_form_one_chain(tmp_path):
    log = SqliteStore(tmp_path / "a.sqlite")
    ids: list[int] = []

    def writer(base: int) -> None:
        for i in range(25):
            ids.append(log.append(record(base + i)))

    threads = [threading.Thread(target=writer, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(ids) == list(range(1, 101))
    assert log.verify().ok and len(log) == 100


WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from broadcast.asrun import AsRunRecord, Outcome
from broadcast.asrun import SqliteStore
log = SqliteStore(sys.argv[1])
t = datetime(2024, 1, 1, 5, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
i = 0
while True:
    i += 1
    at = t + timedelta(minutes=i)
    row = log.append(AsRunRecord(scheduled=at, outcome=Outcome.played, bulletin_id=f"b{i}",
                                 title="Tin " * 50, topic="general", priority="normal",
                                 start=at, end=at + timedelta(seconds=60), spoken_text="chữ " * 500))
    print(row, flush=True)
"""


def test_a_killed_writer_leaves_a_sound_log(tmp_path):
    path = tmp_path / "asrun.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed: list[int] = []
    deadline = clock.monotonic() + 60
    while len(committed) < 60 and clock.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    # Lines already in the pipe were committed too.
    committed += [int(line) for line in proc.stdout.read().split()]
    proc.wait()
    assert len(committed) >= 60, "the writer did not get going"
    with SqliteStore(path) as log:
        result = log.verify()
        stored = {r.id for r in log.rows()}
        assert result.ok, result.summary()
        assert set(committed) <= stored
        assert stored == set(range(1, len(stored) + 1))
        assert log.append(record(1)) == len(stored) + 1


def test_effective_ids_latest_correction_of_a_chain_wins():
    from broadcast.asrun.corrections import effective_ids

    # 6 <- 8 <- 9 (a correction of a correction); 3 <- 4 and 3 <- 7 (two corrections of one row).
    corrections = {8: 6, 9: 8, 4: 3, 7: 3}
    superseded, roots = effective_ids(corrections, range(1, 10))
    assert superseded == {6: 9, 8: 9, 3: 7, 4: 7}
    assert roots[9] == roots[8] == 6 and roots[7] == roots[4] == 3 and roots[5] == 5
    # A correction whose original is outside the rows given still replaces its siblings.
    assert effective_ids({8: 6, 9: 6}, [8, 9])[0] == {8: 9}
    # Loops (a hand-made log) do not hang.
    assert effective_ids({2: 3, 3: 2}, [2, 3])[0] in ({2: 3}, {})


def test_a_correction_needs_a_reason(tmp_path):
    with SqliteStore(tmp_path / "log.sqlite") as log:
        log.append(AsRunRecord(scheduled=datetime(2024, 5, 6, 5, 30, tzinfo=UTC), outcome=Outcome.missed,
                               bulletin_id="b", title="t", topic="general", priority="normal"))
        for blank in ("", "  \n"):
            with pytest.raises(UserError, match="reason"):
                log.correct(1, reason=blank)
        assert len(log) == 1
        assert log.get(log.correct(1, reason=" đã phát ", outcome="played")).record.reason == "đã phát"
