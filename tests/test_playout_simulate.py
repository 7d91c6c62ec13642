"""simulate_day: one day through the real runner on a simulated clock, file sinks and a Logbook."""

from __future__ import annotations

from datetime import date

from conftest import copy_example

from broadcast.logbook import Logbook
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
    out = tmp_path / "sim"
    items = simulate_day(settings, date(2024, 5, 6), speedup=400, out_dir=out)
    assert [(i.session, i.zones, i.outcome) for i in items] == [
        ("sáng", ("thon-1",), "played"), ("sáng", ("trung-tam",), "played"), ("chiều", ("trung-tam",), "played")]
    assert all(abs((i.start - i.scheduled).total_seconds()) < 60 for i in items)
    assert (out / "trung-tam" / LOG_NAME).read_text().count("completed") == 2
    with Logbook(out / "asrun.sqlite", readonly=True) as book:
        assert len(book) == 3 and book.verify()
    assert "duong-day-nong-2024" in format_table(items)
    code, text, err = run_cli("simulate", "--day", "2024-05-07", "--out", str(tmp_path / "none"))
    assert code == 0 and "no session" in text
