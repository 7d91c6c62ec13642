"""The journal anchor: each append sends the log's head to the system journal (syslog), and verify --journal
reads the heads back; tested against a real rsyslogd listening on a socket of the test's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import UTC, date, datetime

import pytest

from broadcast.asrun import SqliteStore
from broadcast.asrun.journal import FileJournal, SyslogJournal, head_line, parse_heads
from broadcast.asrun.sample import sample_records
from broadcast.config import Settings

H = "ab" * 32


def test_head_lines_round_trip_and_name_their_log():
    at = datetime(2024, 5, 6, 10, 30, tzinfo=UTC)
    lines = [
        "May  6 17:30:00 may-tram broadcast-asrun[12]: " + head_line("/srv/đài/data/asrun.sqlite", 7, H, at),
        "2024-05-06T17:31:00+07:00 may-tram broadcast-asrun[12]: " + head_line("/other/asrun.sqlite", 9, H, at),
        "2024-05-06T17:32:00+07:00 may-tram kernel: something else",
    ]
    heads = parse_heads(lines, "/srv/đài/data/asrun.sqlite")
    assert [(h.id, h.row_hash, h.at) for h in heads] == [(7, H, at)]


def test_a_file_journal_keeps_every_head(tmp_path):
    journal = FileJournal(tmp_path / "j.log")
    with SqliteStore(tmp_path / "asrun.sqlite", journal=journal) as log:
        records = list(sample_records(date(2024, 5, 6), date(2024, 5, 7), Settings().station.tz, seed=1))
        log.append_many(records[:3])
        log.append(records[3])
        heads = journal.heads(log.name)
        assert [h.id for h in heads] == [3, 4] and heads[-1].row_hash == log.head()[1]
        assert log.verify(journal=True).sound


def test_an_unreachable_journal_does_not_stop_the_log(tmp_path, caplog):
    journal = SyslogJournal(tmp_path / "no-such-socket", files=(), journalctl=None)
    with SqliteStore(tmp_path / "asrun.sqlite", journal=journal) as log:
        records = list(sample_records(date(2024, 5, 6), date(2024, 5, 6), Settings().station.tz, seed=1))
        assert log.append(records[0]) == 1 and log.append(records[1]) == 2
        assert journal.last_error and "no-such-socket" in journal.last_error
        result = log.verify(journal=True)
        assert not result.sound and "holds no head of this log" in result.message


@pytest.fixture
def rsyslogd(tmp_path):
    """A real rsyslogd writing what arrives on its own socket to a file (it never touches /dev/log)."""
    daemon = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(daemon):
        pytest.skip("rsyslogd is not installed (scripts/setup installs rsyslog as root)")
    folder = tmp_path / "rsyslog"
    folder.mkdir()
    conf = folder / "rsyslog.conf"
    conf.write_text(
        f'global(workDirectory="{folder}")\n'
        'module(load="imuxsock" SysSock.Use="off")\n'
        f'input(type="imuxsock" Socket="{folder}/log" CreatePath="on")\n'
        f'*.* action(type="omfile" file="{folder}/syslog")\n'
    )
    proc = subprocess.Popen([daemon, "-n", "-f", str(conf), "-i", str(folder / "pid")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not (folder / "log").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (folder / "log").exists(), "rsyslogd did not open its socket"
    yield folder / "log", folder / "syslog"
    proc.terminate()
    proc.wait(10)


def test_heads_go_through_a_real_syslog_daemon_and_come_back(tmp_path, rsyslogd):
    socket_path, syslog_file = rsyslogd
    journal = SyslogJournal(socket_path, files=[syslog_file], journalctl=None)
    with SqliteStore(tmp_path / "asrun.sqlite", journal=journal) as log:
        records = list(sample_records(date(2024, 5, 6), date(2024, 5, 7), Settings().station.tz, seed=1))
        for record in records[:4]:
            log.append(record)
        deadline = time.monotonic() + 10
        while len(journal.heads(log.name)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)  # rsyslogd writes its file a moment later
        assert journal.last_error is None
        assert [h.id for h in journal.heads(log.name)] == [1, 2, 3, 4]
        assert "broadcast-asrun" in syslog_file.read_text()
        assert log.verify(journal=True).sound
