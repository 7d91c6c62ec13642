"""The fault suite, bad input (issue 9): keys given twice, non-UTF-8 files. Each case goes through the
command a station runs and must end in one clear line per problem and exit code 2, nothing built.

Count the fault suite with `pytest -m faults`."""

import pytest

from conftest import REPO, write_station

pytestmark = pytest.mark.faults

GOOD = "id: tin-a\ntitle: Tin thử\ntopic: general\nbody: Ủy ban nhân dân xã thông báo lịch tiếp công dân.\n"


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_a_bulletin_with_body_twice_is_refused_naming_both_lines(station, run_cli, tmp_path):
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD + "priority: normal\nbody: Nội dung thứ hai.\n", encoding="utf-8")
    code, out, err = run_cli("render", str(f))
    assert code == 2 and out == ""
    assert errors(err) == [f"error: {f}:6: body: given twice (lines 4 and 6); YAML would keep only the second and "
                           "drop the first without a word; delete one, or merge them"]
    code, _, err = run_cli("build", str(f))
    assert code == 2 and "given twice (lines 4 and 6)" in err
    assert not (tmp_path / "audio_out" / "tin-a.mp3").exists()


def test_a_key_twice_inside_bulletin_data_names_its_field(station, run_cli, tmp_path):
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text("id: a\ntitle: T\ntopic: hotline\ntemplate: hotline\ndata:\n  lines:\n"
                 "    - purpose: tiếp nhận phản ánh\n      number: 0220 3852 111\n      number: 0220 3852 112\n",
                 encoding="utf-8")
    code, _, err = run_cli("render", str(f))
    assert code == 2
    assert errors(err) == [f"error: {f}:9: data.lines[0].number: given twice (lines 8 and 9); YAML would keep only "
                           "the second and drop the first without a word; delete one, or merge them"]


def test_station_yaml_with_speech_twice_is_refused(station, run_cli, tmp_path):
    (tmp_path / "station.yaml").write_text(
        "speech:\n  engine: fake\n  voice: fake\naudio:\n  loudness_lufs: -16\nspeech:\n  rate: 160\n", encoding="utf-8")
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD, encoding="utf-8")
    code, _, err = run_cli("render", str(f))
    assert code == 2
    assert errors(err) == [f"error: {tmp_path / 'station.yaml'}:6: speech: given twice (lines 1 and 6); YAML would "
                           "keep only the second and drop the first without a word; delete one, or merge them"]


def test_station_yaml_duplicates_are_listed_with_its_other_problems(station, run_cli, tmp_path):
    (tmp_path / "station.yaml").write_text(
        "speech:\n  engine: espek\n  rate: 150\n  rate: 160\naudio:\n  loudness_lufs: 3\n", encoding="utf-8")
    code, _, err = run_cli("schedule", "check")
    f = tmp_path / "station.yaml"
    assert code == 2
    assert [e.split(": ")[1] for e in errors(err)] == [f"{f}:2", f"{f}:4", f"{f}:6"]
    assert "speech.rate: given twice (lines 3 and 4)" in err


def test_a_zone_twice_in_the_schedule_is_refused_naming_both_lines(station, run_cli, tmp_path):
    text = (REPO / "schedule.yaml").read_text(encoding="utf-8")
    text = text.replace("  ban-thu:\n", "  thon-1:\n    name: Cụm loa khác\n    sink: {type: file, folder: x}\n  ban-thu:\n")
    f = tmp_path / "schedule.yaml"
    f.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    first, second = [i for i, line in enumerate(lines, 1) if line == "  thon-1:"]
    code, out, err = run_cli("schedule", "check")
    assert code == 2 and out == ""
    assert errors(err) == [f"error: {f}:{second}: zones.thon-1: given twice (lines {first} and {second}); YAML would "
                           "keep only the second and drop the first without a word; delete one, or merge them"]


def test_a_session_key_twice_is_named_by_its_session(station, run_cli, tmp_path):
    text = (REPO / "schedule.yaml").read_text(encoding="utf-8").replace('time: "05:30"', 'time: "05:30"\n    time: "06:00"')
    f = tmp_path / "schedule.yaml"
    f.write_text(text, encoding="utf-8")
    code, _, err = run_cli("schedule", "check")
    assert code == 2 and len(errors(err)) == 1
    second = text.splitlines().index('    time: "06:00"') + 1
    assert f"schedule.yaml:{second}: sessions[sáng].time: given twice (lines {second - 1} and {second})" in err


def test_a_word_twice_in_the_station_lexicon_is_refused(station, run_cli, tmp_path):
    write_station(tmp_path, speech={"lexicon": "lexicon.yaml"})
    (tmp_path / "lexicon.yaml").write_text("PAR: chỉ số cải cách hành chính\nPAR: chỉ số\n", encoding="utf-8")
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD, encoding="utf-8")
    code, _, err = run_cli("render", str(f))
    assert code == 2
    assert f"{tmp_path / 'lexicon.yaml'}:2:" in err and "listed twice (lines 1 and 2)" in err


@pytest.mark.parametrize("name", ["bulletin", "station.yaml", "schedule.yaml"])
def test_a_file_not_in_utf8_is_one_clear_line(station, run_cli, tmp_path, name):
    latin1 = "Thông báo".encode("cp1258", errors="replace")  # an old Vietnamese Windows code page
    bulletin = tmp_path / "bulletins" / "a.yaml"
    bulletin.write_text(GOOD, encoding="utf-8")
    target = {"bulletin": bulletin, "station.yaml": tmp_path / "station.yaml",
              "schedule.yaml": tmp_path / "schedule.yaml"}[name]
    if name == "schedule.yaml":
        target.write_bytes((REPO / "schedule.yaml").read_bytes() + b"# " + latin1 + b"\n")
    else:
        target.write_bytes(target.read_bytes() + b"# " + latin1 + b"\n")
    command = ("schedule", "check") if name == "schedule.yaml" else ("render", str(bulletin))
    code, out, err = run_cli(*command)
    assert code == 2 and out == ""
    (line,) = errors(err)
    assert line.startswith(f"error: {target}: not UTF-8 text (") and line.endswith("; save it as UTF-8")


def test_build_of_a_folder_builds_the_good_bulletins_and_names_the_non_utf8_one(station, run_cli, tmp_path):
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bulletins" / "b.yaml"
    bad.write_bytes(GOOD.replace("tin-a", "tin-b").encode("utf-16"))
    code, out, err = run_cli("build", "bulletins")
    assert code == 2 and "tin-a" in out
    assert errors(err) == ["error: bulletins/b.yaml: not UTF-8 text (invalid start byte at byte 0); save it as UTF-8"]
    assert (tmp_path / "audio_out" / "tin-a.mp3").is_file() and not (tmp_path / "audio_out" / "tin-b.mp3").exists()


def big_body(kilobytes: int) -> str:
    sentence = "Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ tại bộ phận một cửa, mời bà con đến đúng giờ. "
    return sentence * (kilobytes * 1024 // len(sentence.encode()) + 1)


@pytest.mark.parametrize("kilobytes", [20, 208])
def test_an_oversize_bulletin_is_refused_before_any_synthesis(station, run_cli, tmp_path, kilobytes):
    f = tmp_path / "bulletins" / "big.yaml"
    f.write_text(f"id: big\ntitle: Tin dài\ntopic: general\nbody: |\n  {big_body(kilobytes)}\n", encoding="utf-8")
    for command in (("render", str(f)), ("build", str(f)), ("build", "bulletins")):
        code, out, err = run_cli(*command)
        assert code == 2, command
        (line,) = errors(err)
        assert line.startswith("error: ") and "bulletins/big.yaml:4: the bulletin speaks " in line and "(estimated), above the cap of 15 min" in line
        assert line.endswith("; split it into several bulletins or shorten it")
    assert not (tmp_path / "audio_out" / "big.mp3").exists()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()], "nothing was synthesised"


def test_the_packaged_lexicon_and_templates_have_no_key_twice():
    """YAML would silently drop the first of two equal keys: a reading or a field would vanish."""
    from broadcast.speech.lexicon import BUILTIN_FILE
    from broadcast.yamlio import load_yaml

    packaged = [BUILTIN_FILE, *sorted((REPO / "broadcast" / "content" / "templates").glob("*.yaml")),
                REPO / "station.yaml", REPO / "schedule.yaml", *sorted((REPO / "bulletins").glob("*.yaml"))]
    assert len(packaged) > 10
    assert [str(p) for f in packaged for p in load_yaml(f).duplicate_problems()] == []
