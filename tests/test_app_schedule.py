"""`broadcast.app.schedule.check_schedule` called directly: the next sessions, their programmes, held-over
items and fallback voices as data."""

import json
from datetime import datetime

import pytest

from broadcast.app.schedule import check_schedule
from broadcast.errors import UserError
from conftest import copy_example
from test_schedule import GOOD


def capped_station(station, minutes: int, *names: str):
    settings = station()
    for name in names:
        copy_example(name, settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(
        GOOD.replace("minutes_per_session: 45", f"minutes_per_session: {minutes}"), encoding="utf-8")
    return settings


def test_check_plans_the_next_sessions_as_data(station):
    settings = capped_station(station, 2, "2024-03-duong-day-nong.yaml", "2024-01-qd-22-2018-huong-uoc.yaml",
                              "2024-04-dich-vu-cong.yaml")
    settings.audio_out.mkdir(parents=True, exist_ok=True)
    (settings.audio_out / "duong-day-nong-2024.json").write_text(json.dumps(
        {"id": "duong-day-nong-2024", "durations": {"total_s": 60.0}, "warnings": ["gtts: no network"]}), encoding="utf-8")
    result = check_schedule(settings, 2, datetime(2024, 5, 6))
    assert [(s.slot.when.strftime("%Y-%m-%d %H:%M"), s.slot.session) for s in result.sessions] == [
        ("2024-05-06 05:30", "sáng"), ("2024-05-06 17:00", "chiều")]
    first = result.sessions[0]
    assert first.items[0].bulletin.id == "duong-day-nong-2024"  # priority first
    assert first.items[0].fallback_warnings == ("gtts: no network",)
    assert first.cap_s == 120 and first.total_s <= first.cap_s
    assert first.held_over and all("không đủ thời lượng phiên" in h.reason for h in first.held_over)
    nxt = [h.next_airs for h in first.held_over]
    assert all(n is None or n.when > first.slot.when for n in nxt)
    assert result.invalid == ()


def test_check_names_a_bulletin_that_never_airs(station):
    settings = capped_station(station, 2, "2024-03-duong-day-nong.yaml", "2024-01-qd-22-2018-huong-uoc.yaml",
                              "2024-04-dich-vu-cong.yaml", "2024-05-bieu-duong.yaml",
                              "2024-01-ct-11-2017-giao-duc-gia-dinh.yaml")
    result = check_schedule(settings, 4, datetime(2024, 5, 6))
    assert result.never_airs
    never = result.never_airs[0]
    assert never.need_s > 0 and never.cap_minutes == 2 and never.bulletin.id in never.message


def test_check_lists_skipped_dates_and_invalid_bulletins(station):
    settings = capped_station(station, 45)
    (settings.bulletins_dir / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    result = check_schedule(settings, 3, datetime(2024, 9, 1))
    assert [(n.day.isoformat(), n.sessions, n.reason) for n in result.no_broadcast] == [("2024-09-02", None, "Quốc khánh")]
    assert [i.bulletin_id for i in result.invalid] == ["bad"] and "title" in result.invalid[0].reason


def test_an_invalid_schedule_raises_with_fields(station):
    settings = station()
    (settings.base_dir / "schedule.yaml").write_text(GOOD.replace("time: 05:30", "time: 25:30"), encoding="utf-8")
    with pytest.raises(UserError) as err:
        check_schedule(settings)
    assert [p.path for p in err.value.details] == ["sessions[sáng].time"]
