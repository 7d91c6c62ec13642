"""schedule.yaml: validation (every error kind with its line or key), slot expansion, timezone, programme order and caps."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcast.content.bulletin import Bulletin
from broadcast.errors import UserError
from broadcast.schedule.misfire import recover, timing, Timing
from broadcast.schedule.planning import Duration, plan_programme
from broadcast.schedule.slots import Slot, expand, next_slots, slot_turn
from broadcast.schedule.validation import load_schedule

REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

GOOD = """\
zones:
  trung-tam:
    name: Cụm loa trung tâm
    sink: {type: device}
  thon-1:
    name: Thôn 1
    sink: {type: icecast, url: "http://127.0.0.1:8000", mount: /thon-1, password: pw}
sessions:
  - name: sáng
    time: 05:30
    days: [t2, t3, t4, t5, t6, t7]
    zones: [all]
  - name: chiều
    time: "17:00"
    days: [mon, tue, wed, thu, fri, sat]
    zones: [trung-tam]
one_off:
  - name: Phiên đặc biệt
    date: 2024-05-12
    time: "07:00"
skip:
  - date: 2024-09-02
    reason: Quốc khánh
caps: {sessions_per_day: 2, minutes_per_session: 45, days_per_week: 7}
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(UserError) as err:
        load_schedule(write(tmp_path, text))
    return err.value.problems


def test_the_repo_example_is_valid():
    s = load_schedule(REPO / "schedule.yaml")
    assert {x.name for x in s.sessions} == {"sáng", "chiều"}
    assert s.caps.minutes_per_session == 45


def test_unquoted_time_is_read_as_a_time_not_sexagesimal(tmp_path):
    s = load_schedule(write(tmp_path, GOOD))
    assert s.sessions[0].time.hour == 5 and s.sessions[0].time.minute == 30


def test_unknown_key_names_line_and_suggests(tmp_path):
    found = problems(tmp_path, GOOD.replace("  - name: chiều\n    time:", "  - name: chiều\n    tiem:"))
    assert any(":14:" in p and "tiem" in p and "did you mean 'time'" in p for p in found), found


def test_every_error_kind_is_reported_at_once_with_lines(tmp_path):
    bad = (GOOD.replace("time: 05:30", "time: 25:99")
               .replace("days: [t2, t3, t4, t5, t6, t7]", "days: [t2, funday]")
               .replace("zones: [trung-tam]", "zones: [trung-tamm]")
               .replace("mount: /thon-1", "mount: thon 1")
               .replace("date: 2024-09-02", "date: hai tháng chín"))
    found = problems(tmp_path, bad)
    text = "\n".join(found)
    assert "sessions[sáng].time" in text and "not a time of day" in text
    assert "sessions[sáng].days" in text
    assert "unknown day 'funday'" in text
    assert "mount" in text and "not a mount point" in text
    assert "skip[hai tháng chín].date" in text
    assert ".0" not in text.replace("8000", "")
    assert all(str(tmp_path / "schedule.yaml") + ":" in p for p in found)


def test_reference_errors_name_the_line_and_suggest(tmp_path):
    found = problems(tmp_path, GOOD.replace("zones: [trung-tam]", "zones: [trung-tamm]"))
    assert found == [f"{tmp_path / 'schedule.yaml'}:16: sessions[chiều].zones: unknown zone 'trung-tamm'; did you mean 'trung-tam'?"]


def test_missing_required_key(tmp_path):
    found = problems(tmp_path, GOOD.replace("    name: Thôn 1\n", ""))
    assert any("zones.thon-1.name: required key is missing" in p for p in found), found


def test_duplicate_session_names_and_unknown_skip_session(tmp_path):
    text = GOOD.replace("name: chiều", "name: sáng").replace("reason: Quốc khánh", "reason: Quốc khánh\n    sessions: [trua]")
    found = "\n".join(problems(tmp_path, text))
    assert "sessions[sáng].name: session name 'sáng' is already used by the session on line 9" in found
    assert "skip[2024-09-02].sessions: unknown session 'trua'" in found


def test_caps_sessions_per_day_days_per_week_and_one_offs(tmp_path):
    text = GOOD.replace("caps: {sessions_per_day: 2, minutes_per_session: 45, days_per_week: 7}",
                        "caps: {sessions_per_day: 1, minutes_per_session: 45, days_per_week: 5}")
    found = "\n".join(problems(tmp_path, text))
    assert "2 sessions on mon, above caps.sessions_per_day = 1" in found
    assert "sessions on 6 days a week, above caps.days_per_week = 5" in found
    # 2024-05-12 is a Sunday: a one-off makes that week 7 days
    assert "one_off[Phiên đặc biệt]: the week of 2024-05-06 has sessions on 7 days" in found


SCHEMA_AND_REFERENCE_ERRORS = (GOOD.replace("time: 05:30", "time: 25:99")
                               .replace("name: chiều", "name: sáng")
                               .replace("zones: [trung-tam]", "zones: [trung-tamm]")
                               .replace('time: "07:00"', 'time: "07:00"\n    zones: [thon1]')
                               .replace("date: 2024-09-02\n    reason: Quốc khánh",
                                        "date: 2024-09-31\n    reason: Quốc khánh\n    sessions: [chieu]"))


def test_schema_errors_do_not_hide_reference_errors(tmp_path):
    found = problems(tmp_path, SCHEMA_AND_REFERENCE_ERRORS)
    f = tmp_path / "schedule.yaml"
    assert found == [
        f"{f}:10: sessions[sáng].time: '25:99' is not a time of day (hours 0-23, minutes 0-59)",
        f"{f}:13: sessions[sáng].name: session name 'sáng' is already used by the session on line 9",
        f"{f}:16: sessions[sáng].zones: unknown zone 'trung-tamm'; did you mean 'trung-tam'?",
        f"{f}:21: one_off[Phiên đặc biệt].zones: unknown zone 'thon1'; did you mean 'thon-1'?",
        f"{f}:23: skip[2024-09-31].date: Input should be a valid date or datetime, day value is outside expected range: "
        "'2024-09-31' (write dates as YYYY-MM-DD, e.g. 2024-05-06)",
        f"{f}:25: skip[2024-09-31].sessions: unknown session 'chieu'",
    ]


def test_references_into_a_malformed_section_are_not_judged(tmp_path):
    # zones is not a mapping: which zone ids exist is unknown, so no session's zones are called unknown.
    found = problems(tmp_path, GOOD.replace("zones:\n  trung-tam:", "zones:\n- trung-tam:", 1))
    assert not any("unknown zone" in p for p in found), found
    # A session without a name: a skip naming it may be right, so skip names are not judged.
    text = GOOD.replace("  - name: chiều\n", "  - \n").replace("reason: Quốc khánh", "reason: Quốc khánh\n    sessions: [chiều]")
    found = problems(tmp_path, text)
    assert len(found) == 1 and "sessions[#2].name: required key is missing" in found[0], found


def test_an_empty_schedule_says_so(tmp_path):
    assert problems(tmp_path, "# nothing yet\n") == [f"{tmp_path / 'schedule.yaml'}: the file is empty"]


def test_malformed_yaml_names_the_line(tmp_path):
    found = problems(tmp_path, GOOD.replace("caps: {", "caps: {{"))
    assert "malformed YAML" in found[0] and ":" in found[0]


def test_a_0530_session_fires_at_2230_utc_the_previous_day(tmp_path):
    s = load_schedule(write(tmp_path, GOOD))
    # Monday 2024-05-06 05:30 in Hanoi is Sunday 2024-05-05 22:30 UTC.
    after = datetime(2024, 5, 5, 20, 0, tzinfo=timezone.utc)
    first = next_slots(s, after, 1, TZ)[0]
    assert first.session == "sáng"
    assert first.when.astimezone(timezone.utc) == datetime(2024, 5, 5, 22, 30, tzinfo=timezone.utc)


def test_apscheduler_trigger_in_station_zone_matches_on_a_utc_machine(tmp_path):
    from apscheduler.triggers.date import DateTrigger

    s = load_schedule(write(tmp_path, GOOD))
    slot = next_slots(s, datetime(2024, 5, 5, 20, 0, tzinfo=timezone.utc), 1, TZ)[0]
    fire = DateTrigger(slot.when, timezone=TZ).get_next_fire_time(None, datetime(2024, 5, 5, 20, 0, tzinfo=timezone.utc))
    assert fire.astimezone(timezone.utc) == datetime(2024, 5, 5, 22, 30, tzinfo=timezone.utc)


def test_expand_skips_holidays_and_adds_one_offs(tmp_path):
    s = load_schedule(write(tmp_path, GOOD))
    start = datetime(2024, 9, 1, tzinfo=TZ)
    slots = expand(s, start, start + timedelta(days=3), TZ)
    assert [(x.when.date().isoformat(), x.session) for x in slots] == [
        ("2024-09-03", "sáng"), ("2024-09-03", "chiều")]
    sunday = expand(s, datetime(2024, 5, 12, tzinfo=TZ), datetime(2024, 5, 13, tzinfo=TZ), TZ)
    assert [(x.session, x.zones, x.one_off) for x in sunday] == [("Phiên đặc biệt", ("trung-tam", "thon-1"), True)]


def _b(id, priority="normal", topic="general", air=None):
    return Bulletin(id=id, title=f"Tin {id}", topic=topic, priority=priority, air=air)


def test_programme_order_is_priority_then_topic_then_id_whatever_the_input_order():
    slot = Slot(datetime(2024, 5, 6, 5, 30, tzinfo=TZ), "sáng", ("z",))
    bulletins = [_b("c"), _b("a", topic="hotline"), _b("b", "priority", "general"), _b("e", "emergency"),
                 _b("d", topic="legal_document"), _b("old", air={"from": "2024-01-01", "to": "2024-02-01"})]
    durations = {b.id: Duration(30, "estimated") for b in bulletins}
    expected = ["e", "b", "d", "a", "c"]
    for seed in range(5):
        random.Random(seed).shuffle(bulletins)
        plan = plan_programme(slot, bulletins, durations, Duration(20, "estimated"), 45 * 60)
        assert [b.id for b in plan.bulletins] == expected


def test_what_does_not_fit_the_cap_is_held_over_with_reason():
    slot = Slot(datetime(2024, 5, 6, 5, 30, tzinfo=TZ), "sáng", ("z",))
    bulletins = [_b("a", "priority"), _b("b"), _b("c")]
    durations = {"a": Duration(100, "built"), "b": Duration(200, "built"), "c": Duration(50, "estimated")}
    plan = plan_programme(slot, bulletins, durations, Duration(20, "estimated"), cap_s=180, gap_s=1)
    assert [b.id for b in plan.bulletins] == ["a", "c"]  # b overflows, the shorter c still fits
    assert [h.bulletin.id for h in plan.held_over] == ["b"]
    assert "tối đa 3 phút" in plan.held_over[0].reason
    assert plan.total_s == 20 + 100 + 50 + 1


def test_timing_and_recover_coalesce():
    from broadcast.schedule.model import Playout

    p = Playout(grace_minutes=10, on_time_tolerance_s=5)
    slot_time = datetime(2024, 5, 6, 5, 30, tzinfo=TZ)
    assert timing(slot_time, slot_time + timedelta(seconds=3), p) == Timing.on_time
    assert timing(slot_time, slot_time + timedelta(minutes=9), p) == Timing.late
    assert timing(slot_time, slot_time + timedelta(minutes=11), p) == Timing.missed
    a = Slot(slot_time, "sáng", ())
    b = Slot(slot_time + timedelta(minutes=5), "thêm", ())
    decision = recover([b, a], slot_time + timedelta(minutes=8), p)
    assert decision.play_late == b
    assert [s for s, _ in decision.missed] == [a] and "gộp vào lần phát muộn của phiên thêm 05:35" in decision.missed[0][1]


def test_schedule_check_cli_shows_programme_caps_held_over_and_fallback_voice(station, run_cli):
    import json

    from conftest import copy_example

    settings = station()
    for name in ("2024-03-duong-day-nong.yaml", "2024-01-qd-22-2018-huong-uoc.yaml", "2024-04-dich-vu-cong.yaml"):
        copy_example(name, settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(GOOD.replace("minutes_per_session: 45", "minutes_per_session: 2"),
                                                      encoding="utf-8")
    settings.audio_out.mkdir(parents=True, exist_ok=True)
    (settings.audio_out / "duong-day-nong-2024.json").write_text(json.dumps(
        {"id": "duong-day-nong-2024", "durations": {"total_s": 60.0},
         "warnings": ["duong-day-nong-2024: spoken by espeak/vi because gtts: no network"]}), encoding="utf-8")
    code, out, err = run_cli("schedule", "check", "--next", "2", "--from", "2024-05-06")
    assert code == 0, err
    assert "Thứ Hai 06/05/2024 05:30  sáng" in out
    body = out[out.index("Thứ Hai 06/05/2024"):]
    assert body.index("duong-day-nong-2024") < body.index("qd-22-2018-huong-uoc")  # priority first
    assert "(estimated)" in out and "of the 2-minute cap" in out
    assert "held over:" in out and "không đủ thời lượng phiên (tối đa 2 phút)" in out
    assert "fell back to a lesser voice" in out and "no network" in out


def test_schedule_check_cli_reports_every_problem(station, run_cli):
    settings = station()
    (settings.base_dir / "schedule.yaml").write_text(
        GOOD.replace("zones: [trung-tam]", "zones: [trung-tamm]").replace("time: 05:30", "tiem: 05:30"), encoding="utf-8")
    code, out, err = run_cli("schedule", "check")
    assert code == 2
    assert "did you mean 'time'" in err and "required key is missing" in err


def test_schedule_check_cli_lists_schema_and_reference_problems_together(station, run_cli):
    settings = station()
    (settings.base_dir / "schedule.yaml").write_text(SCHEMA_AND_REFERENCE_ERRORS, encoding="utf-8")
    code, out, err = run_cli("schedule", "check")
    assert code == 2
    errors = [l for l in err.splitlines() if l.startswith("error:")]
    assert [e.split("schedule.yaml:")[1].split(":")[0] for e in errors] == ["10", "13", "16", "21", "23", "25"], err


def test_a_one_off_on_a_weekly_sessions_zone_at_the_same_time_is_an_error_naming_both(tmp_path):
    # 2024-05-07 is a Tuesday: the weekly "sáng" 05:30 airs on every zone ([all]).
    text = (GOOD.replace("date: 2024-05-12\n    time: \"07:00\"", "date: 2024-05-07\n    time: \"05:30\"")
                .replace("sessions_per_day: 2", "sessions_per_day: 3"))
    found = problems(tmp_path, text)
    clash = [p for p in found if "at the same time" in p]
    assert len(clash) == 1, found
    assert ":18: one_off[Phiên đặc biệt]:" in clash[0]
    assert "one_off[Phiên đặc biệt] and sessions[sáng]" in clash[0] and "trung-tam, thon-1" in clash[0]
    # Skipped that date, or 45 minutes apart: no clash.
    skipped = text.replace("reason: Quốc khánh", "reason: Quốc khánh\n  - date: 2024-05-07\n    reason: thay phiên\n    sessions: [sáng]")
    load_schedule(write(tmp_path, skipped))
    load_schedule(write(tmp_path, text.replace('date: 2024-05-07\n    time: "05:30"', 'date: 2024-05-07\n    time: "06:15"')))


def test_weekly_sessions_closer_than_the_minutes_cap_on_a_shared_zone_are_an_error(tmp_path):
    found = problems(tmp_path, GOOD.replace('time: "17:00"', 'time: "05:50"'))
    assert any("sessions[sáng] and sessions[chiều] can be on air at the same time on trung-tam" in p
               and "05:30 and 05:50 on t2" in p for p in found), found
    # Different zones at the same time are fine.
    load_schedule(write(tmp_path, GOOD.replace('time: "17:00"', 'time: "05:50"').replace("zones: [all]", "zones: [thon-1]")))


def test_two_one_offs_on_one_zone_clash(tmp_path):
    text = GOOD.replace('one_off:\n', 'one_off:\n  - name: Bầu cử\n    date: 2024-05-12\n    time: "07:10"\n    zones: [thon-1]\n')
    found = problems(tmp_path, text)
    assert any("one_off[Bầu cử] and one_off[Phiên đặc biệt]" in p and "thon-1" in p for p in found), found


def test_schedule_check_summary_counts_in_singular_and_plural(station, run_cli):
    settings = station()
    one = GOOD.replace('''  - name: chiều
    time: "17:00"
    days: [mon, tue, wed, thu, fri, sat]
    zones: [trung-tam]
''', "")
    (settings.base_dir / "schedule.yaml").write_text(one, encoding="utf-8")
    code, out, err = run_cli("schedule", "check", "--next", "1", "--from", "2024-05-06")
    assert code == 0, err
    assert "valid — 2 zones, 1 weekly session, 1 one-off session, 1 skipped date;" in out


def test_slot_turns_are_consecutive_across_skips_and_one_offs(tmp_path):
    s = load_schedule(write(tmp_path, GOOD))
    slots = expand(s, datetime(2024, 5, 1, tzinfo=TZ), datetime(2024, 9, 10, tzinfo=TZ), TZ)
    turns = [slot_turn(s, x) for x in slots]
    assert turns == list(range(turns[0], turns[0] + len(slots)))


def test_capped_sessions_rotate_so_every_held_over_item_gets_air():
    bulletins = [_b(f"n{i}") for i in range(6)] + [_b("p", "priority")]
    durations = {b.id: Duration(30, "estimated") for b in bulletins}
    aired: dict[str, int] = {}
    for turn in range(6):
        slot = Slot(datetime(2024, 5, 6, 5, 30, tzinfo=TZ) + timedelta(days=turn), "sáng", ("z",))
        # room for the wrapper, the priority item and two normal items
        plan = plan_programme(slot, bulletins, durations, Duration(20, "estimated"), cap_s=20 + 3 * 30, turn=turn)
        ids = [b.id for b in plan.bulletins]
        assert ids[0] == "p" and ids == ["p", *sorted(ids[1:])]  # still priority, then topic, then id
        assert len(plan.held_over) == 4
        for i in ids[1:]:
            aired[i] = aired.get(i, 0) + 1
    assert aired == {f"n{i}": 2 for i in range(6)}
    # Everything fits: the default order whatever the turn.
    roomy = plan_programme(slot, bulletins, durations, Duration(20, "estimated"), cap_s=3600, turn=5)
    assert [b.id for b in roomy.bulletins] == ["p", "n0", "n1", "n2", "n3", "n4", "n5"] and not roomy.held_over


def test_an_item_that_can_never_fit_says_so_instead_of_promising_a_later_session():
    slot = Slot(datetime(2024, 5, 6, 5, 30, tzinfo=TZ), "sáng", ("z",))
    bulletins = [_b("long"), _b("p", "priority")]
    durations = {"long": Duration(200, "built"), "p": Duration(50, "built")}
    plan = plan_programme(slot, bulletins, durations, Duration(20, "built"), cap_s=120)
    assert [h.bulletin.id for h in plan.held_over] == ["long"]
    assert "không phát được ở phiên nào" in plan.held_over[0].reason and "phiên sau" not in plan.held_over[0].reason


def test_schedule_check_warns_about_a_bulletin_that_never_airs_and_shows_rotation(station, run_cli):
    from conftest import copy_example

    settings = station()
    for name in ("2024-03-duong-day-nong.yaml", "2024-01-qd-22-2018-huong-uoc.yaml", "2024-04-dich-vu-cong.yaml",
                 "2024-05-bieu-duong.yaml", "2024-01-ct-11-2017-giao-duc-gia-dinh.yaml"):
        copy_example(name, settings.bulletins_dir)
    (settings.base_dir / "schedule.yaml").write_text(GOOD.replace("minutes_per_session: 45", "minutes_per_session: 2"),
                                                      encoding="utf-8")
    code, out, err = run_cli("schedule", "check", "--next", "4", "--from", "2024-05-06")
    assert code == 0, err
    assert "will not air at all within its air window" in out
    sessions = out.split("\n\n")[1:]
    firsts = {s.split("\n")[3] for s in sessions}  # the first normal item after the priority one
    assert len(firsts) > 1, out  # not the same items every session
    assert "next airs:" in out
