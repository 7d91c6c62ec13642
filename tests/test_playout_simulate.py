"""simulate_day: one day through the real runner on a simulated clock, file sinks and the as-run log."""

from __future__ import annotations

import os
import time
from datetime import date

from conftest import copy_example

from broadcast.asrun import SqliteStore
from broadcast.playout.sinks.file import LOG_NAME

SCHEDULE = """\
zones:
  trung-tam: {name: Trung tâm, sink: {type: device}}
  thon-1: {name: Thôn 1, sink: {type: icecast, url: "http://127.0.0.1:8000", mount: /thon-1, password: pw}}
sessions:
  - {name: sáng, time: "05:30", days: [t2], zones: [all]}
  - {name: chiều, time: "17:00", days: [t2], zones: [trung-tam]}
skip:
  - {date: 2024-05-07, reason: nghỉ}
"""


def test_simulated_day_airs_each_session_into_files_and_the_log(station, run_cli, tmp_path):
    from broadcast.playout.simulate import format_table, simulate_day

    settings = station()
    copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")
    # A master from a session aired a week ago is removed by the pre-roll; its MP3 (the evidence) stays.
    old = settings.audio_out / "programmes"
    old.mkdir(parents=True)
    for ext in (".wav", ".mp3"):
        (old / f"20240429T0530-sang{ext}").write_bytes(b"x")
        os.utime(old / f"20240429T0530-sang{ext}", (time.time() - 7 * 86400,) * 2)
    (old / "orphan.wav").write_bytes(b"x")  # no MP3 beside it: not ours to judge, kept
    os.utime(old / "orphan.wav", (time.time() - 7 * 86400,) * 2)
    out = tmp_path / "sim"
    # 50x: the 5 s on-time tolerance is 100 ms of real time (at 400x, 12.5 ms: a loaded machine's thread
    # delay logged the slot late)
    day = simulate_day(settings, date(2024, 5, 6), speedup=50, out_dir=out)
    items = day.items
    assert day.sessions == 2 and day.log == {"ok": True, "unwritten": 0, "error": None, "since": None}
    assert [(i.session, i.zones, i.outcome) for i in items] == [
        ("sáng", ("thon-1",), "played"), ("sáng", ("trung-tam",), "played"), ("chiều", ("trung-tam",), "played")]
    assert all(abs((i.start - i.scheduled).total_seconds()) < 60 for i in items)
    assert (out / "trung-tam" / LOG_NAME).read_text().count("completed") == 2
    with SqliteStore(out / "asrun.sqlite", readonly=True) as book:
        assert len(book) == 3 and book.verify()
    assert "duong-day-nong-2024" in format_table(items)
    assert sorted(p.name for p in old.iterdir() if p.name.startswith(("2024042", "orphan"))) == [
        "20240429T0530-sang.mp3", "orphan.wav"]
    assert (old / "20240506T0530-sang.wav").is_file()  # today's masters are kept
    code, text, err = run_cli("simulate", "--day", "2024-05-07", "--out", str(tmp_path / "none"))
    assert code == 0 and "no session" in text


def test_a_busy_machine_does_not_make_a_simulated_slot_late(station, tmp_path, monkeypatch):
    """At 600x a thread that wakes 50 ms late is 30 simulated seconds late: the simulated clock stands
    still while a slot is prepared and started, so the log says what the service would do (on time)."""
    import broadcast.playout.runner as runner_module
    from broadcast.playout.simulate import simulate_day

    woke, sleep_until = [], runner_module.sleep_until

    def wakes_late(clock, when, stop=None):
        stopped = sleep_until(clock, when, stop)
        time.sleep(0.05)  # the scheduler ran other work first
        woke.append(when)
        return stopped

    monkeypatch.setattr(runner_module, "sleep_until", wakes_late)
    settings = station()
    copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")
    day = simulate_day(settings, date(2024, 5, 6), speedup=600, out_dir=tmp_path / "sim")
    assert len(woke) == 2  # both sessions went through the late wake-up
    assert [i.outcome for i in day.items] == ["played"] * 3
    # (each item starts after the jingle and greeting; on time is decided when the slot starts)
    assert all(i.reason == "" for i in day.items)
