"""`broadcast new / render / build` end to end in a temp station, and every bad-input case of the build."""

import json
from pathlib import Path

import pytest

from broadcast.speech.engines import fake
from conftest import copy_example

GOOD = "id: tin-a\ntitle: Tin thử\ntopic: general\nbody: Ủy ban nhân dân xã thông báo lịch tiếp công dân.\n"


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_new_then_build_then_rebuild_is_up_to_date(station, run_cli, tmp_path):
    code, out, err = run_cli("new", "hotline", "--out", "bulletins/hotline.yaml")
    assert code == 0, err
    code, out, err = run_cli("build", "bulletins")
    assert code == 0, err
    assert "id" in out.splitlines()[0] and "duration" in out and "LUFS" in out
    from datetime import datetime
    from zoneinfo import ZoneInfo

    station_day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the station's date names it
    mp3 = tmp_path / "audio_out" / f"hotline-{station_day:%Y%m%d}.mp3"
    assert mp3.is_file() and mp3.with_suffix(".wav").is_file() and mp3.with_suffix(".json").is_file()
    first = mp3.stat().st_mtime_ns
    code, out, err = run_cli("build", "bulletins")
    assert code == 0 and "(up to date)" in out
    assert mp3.stat().st_mtime_ns == first


def test_new_lists_templates_and_refuses_to_overwrite(station, run_cli):
    code, out, _ = run_cli("new", "--list")
    assert code == 0 and "legal_document" in out and "procedure" in out
    assert run_cli("new", "free", "--out", "x.yaml")[0] == 0
    code, _, err = run_cli("new", "free", "--out", "x.yaml")
    assert code == 2 and "already exists" in err


def test_render_prints_script_and_spoken_text(station, run_cli, tmp_path):
    f = copy_example("2024-03-duong-day-nong.yaml", tmp_path / "bulletins")
    code, out, err = run_cli("render", str(f))
    assert code == 0, err
    assert "— Script —" in out and "— Spoken —" in out
    assert "0220.3852.111" in out.split("— Spoken —")[0]


def test_build_writes_no_partial_files_on_failure_and_keeps_last_good_audio(station, run_cli, tmp_path):
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD, encoding="utf-8")
    assert run_cli("build", str(f))[0] == 0
    out_dir = tmp_path / "audio_out"
    before = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    # The same bulletin now asks the fake engine to fail, with no fallback configured.
    f.write_text(GOOD + "voice: error\n", encoding="utf-8")
    code, _, err = run_cli("build", str(f))
    assert code == 2
    assert "no speech engine could speak" in err and "fake engine asked to fail" in err
    after = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    assert after == before  # last good audio intact, no temp files left


def test_engine_failure_falls_back_and_says_so(station, run_cli, tmp_path):
    station(speech={"engine": "fake", "fallback": ["espeak"], "voice": "error"})
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 0, err
    assert "espeak/vi" in out
    assert "spoken by espeak/vi because fake: fake engine asked to fail" in err
    assert err.count("spoken by espeak/vi") == 1  # one line for one reason, naming every part it hit
    assert "greeting, tin-a, signoff: spoken by" in err
    manifest = json.loads((tmp_path / "audio_out" / "tin-a.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "espeak" and manifest["warnings"]


BAD_CASES = {
    "malformed YAML": ("id: a\ntitle: [x\n", r"a.yaml:\d+: malformed YAML"),
    "unknown template": ("id: a\ntitle: T\ntopic: general\ntemplate: nope\n", "unknown template 'nope'; available:"),
    "missing variable": ("id: a\ntitle: T\ntopic: procedure\ntemplate: procedure\ndata: {name: X, field: Y, where: Z, time_limit: T}\n", r"a.yaml:5: template 'procedure' needs data key 'fee'"),
    "text where a list belongs": ("id: a\ntitle: T\ntopic: procedure\ntemplate: procedure\ndata:\n  name: X\n  field: Y\n  where: Z\n  time_limit: T\n  fee: F\n  documents: Tờ khai\n",
                                  r"a.yaml:11: data.documents: must be a list"),
    "empty spoken text": ("id: a\ntitle: T\ntopic: general\nbody: '  '\n", "nothing to say"),
    "only symbols": ("id: a\ntitle: T\ntopic: general\nbody: '— … —'\n", "has no words to speak"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_bulletins_exit_2_with_one_clear_line_and_no_files(case, station, run_cli, tmp_path):
    text, message = BAD_CASES[case]
    (tmp_path / "bulletins" / "a.yaml").write_text(text, encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 2
    lines = [l for l in err.splitlines() if l.startswith("error:")]
    assert len(lines) == 1, err
    assert __import__("re").search(message, lines[0]), lines[0]
    assert files_in(tmp_path / "audio_out") == set()


def test_build_reports_every_problem_of_every_file_and_builds_the_good_ones(station, run_cli, tmp_path):
    folder = tmp_path / "bulletins"
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "schema.yaml").write_text("id: b\ntitel: T\ntopic: hotlines\n", encoding="utf-8")
    (folder / "data.yaml").write_text(
        "id: c\ntitle: T\ntopic: hotline\ntemplate: hotline\ndata:\n  lines: 1800 1567\n  numbr: 3\n", encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 2
    errors = [l for l in err.splitlines() if l.startswith("error:")]
    assert any("schema.yaml:2: titel: unknown key; did you mean 'title'?" in e for e in errors)
    assert any("schema.yaml:3: topic:" in e for e in errors)
    assert any("data.yaml:6: data.lines: must be a list of entries, each with purpose, number" in e for e in errors)
    assert any("data.yaml:7: data.numbr: not a field of template 'hotline'" in e for e in errors)
    assert "tin-a" in out and (tmp_path / "audio_out" / "tin-a.mp3").is_file()


def test_build_lists_schema_and_data_problems_of_one_file_together(station, run_cli, tmp_path):
    (tmp_path / "bulletins" / "a.yaml").write_text(
        "id: a\ntitle: T\ntopic: hotline\ntemplate: hotline\npriority: urgent\nair: {from: 2024-13-01}\n"
        "data:\n  lines: 1800 1567\n  numbr: 3\n", encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 2
    errors = [l for l in err.splitlines() if l.startswith("error:")]
    assert [e.split("a.yaml:")[1].split(":")[0] for e in errors] == ["5", "6", "8", "9"], err
    assert "a.yaml:6: air.from:" in errors[1] and "2024-13-01" in errors[1]
    assert "a.yaml:8: data.lines: must be a list of entries" in errors[2]
    assert "a.yaml:9: data.numbr: not a field of template 'hotline'" in errors[3]
    assert files_in(tmp_path / "audio_out") == set()


def test_build_of_a_folder_without_bulletins_is_a_mistake(station, run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("build", "empty")
    assert code == 2 and "no bulletins (*.yaml) in empty" in err


def test_missing_and_corrupt_jingle(station, run_cli, tmp_path):
    from conftest import write_station

    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    write_station(tmp_path, audio={"jingle": "nhac-hieu.mp3"})
    code, _, err = run_cli("build", "bulletins")
    assert code == 2 and "station.yaml:2: audio.jingle: file not found" in err and "nhac-hieu.mp3" in err
    (tmp_path / "nhac-hieu.mp3").write_bytes(b"this is not audio at all" * 50)
    code, _, err = run_cli("build", "bulletins")
    assert code == 2 and "jingle cannot be decoded" in err
    assert not any(n.endswith((".mp3", ".wav", ".json")) for n in files_in(tmp_path / "audio_out"))


def test_station_jingle_is_used(station, run_cli, tmp_path):
    import numpy as np

    from broadcast.audio.ffmpeg import encode_wav

    tone = (0.5 * np.sin(2 * np.pi * 2000 * np.arange(44100) / 44100)).astype(np.float32)
    encode_wav(tone, 44100, tmp_path / "jingle.wav")
    station(audio={"jingle": "jingle.wav"})
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    assert run_cli("build", "bulletins")[0] == 0
    from audio_measure import dominant_hz, load

    audio = load(tmp_path / "audio_out" / "tin-a.mp3")
    assert abs(dominant_hz(audio[2000:40000], 44100) - 2000) < 10


def test_unwritable_output_folder(station, run_cli, tmp_path):
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    # A file where the folder should be: unwritable even for root (who ignores permission bits).
    code, _, err = run_cli("build", "bulletins", "--out", "blocked/sub")
    assert code == 2 and "output folder is not writable" in err


def test_cached_rebuild_does_not_synthesise_again(station, tmp_path, monkeypatch):
    from broadcast.build import build_bulletin
    from broadcast.content.bulletin import load_bulletin

    settings = station()
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD, encoding="utf-8")
    calls = []
    real = fake.FakeEngine.synthesize
    monkeypatch.setattr(fake.FakeEngine, "synthesize", lambda self, *a: calls.append(a) or real(self, *a))
    build_bulletin(load_bulletin(f), settings)
    n = len(calls)
    assert n == 4  # greeting, title, body, sign-off
    build_bulletin(load_bulletin(f), settings, force=True)  # remix and re-encode, but speech from cache
    assert len(calls) == n
    f.write_text(GOOD.replace("lịch tiếp", "giờ tiếp"), encoding="utf-8")
    build_bulletin(load_bulletin(f), settings)
    assert len(calls) == n + 1  # only the changed paragraph is spoken again


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and "broadcast, version" in out


def test_render_warns_about_what_is_still_unspeakable_and_suggests_the_fix(station, run_cli, tmp_path):
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text("id: a\ntitle: T\ntopic: general\nbody: Phối hợp với XYZQ về chương trình.\n", encoding="utf-8")
    code, out, err = run_cli("render", str(f))
    assert code == 0
    assert "warning: 'XYZQ' may be misread; add it to the station lexicon as `XYZQ: <spoken form>`" in err
    # The editor's override silences it and is read as written.
    f.write_text("id: a\ntitle: T\ntopic: general\nbody: Phối hợp với [[XYZQ|ích di quy]] về chương trình.\n",
                 encoding="utf-8")
    code, out, err = run_cli("render", str(f), "--spoken-only")
    assert code == 0 and "warning" not in err
    assert "Phối hợp với ích di quy về chương trình." in out


def test_unknown_voice_is_said_plainly(station, run_cli, tmp_path):
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD + "voice: vi-vn-x-nam\n", encoding="utf-8")
    station(speech={"engine": "espeak", "fallback": [], "voice": "vi"})
    code, out, err = run_cli("build", "bulletins")
    assert code == 0
    assert "tin-a: espeak has no voice 'vi-vn-x-nam'; spoken with 'vi'" in err
