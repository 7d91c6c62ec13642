"""A bulletin's spoken length: the estimate from its spoken text against real eSpeak NG, the station's
limits in station.yaml, and where they are checked (render, build, schedule check)."""

import json
import tempfile

import pytest

from broadcast.app import bulletins as app
from broadcast.build import spoken_segments
from broadcast.config import Settings, load_settings
from broadcast.content.bulletin import load_bulletin
from broadcast.content.length import SpokenLength, item_seconds, minutes_seconds, speech_seconds, syllables
from broadcast.content.render import render_bulletin
from broadcast.errors import UserError
from broadcast.speech.synth import Speaker
from conftest import REPO, write_station

GOOD = "id: tin-a\ntitle: Tin thử\ntopic: general\nbody: |\n  {body}\n"
SENTENCE = "Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ tại bộ phận một cửa, mời bà con đến đúng giờ."


def test_the_estimate_counts_syllables_and_pauses_at_the_rate():
    assert syllables("Ủy ban nhân dân xã, ngày mười lăm.") == 8
    assert speech_seconds("một hai ba", 150) == pytest.approx(3 * 38 / 150)
    assert speech_seconds("một, hai. ba", 150) == pytest.approx((3 * 38 + 33 + 95) / 150)
    assert speech_seconds("một hai ba", 75) == pytest.approx(2 * speech_seconds("một hai ba", 150))
    assert item_seconds(["tiêu đề.", "đoạn một.", "đoạn hai."], 150, 0.7, 0.5) == pytest.approx(
        3 * (2 * 38 + 95) / 150 + 0.7 + 0.5)
    assert minutes_seconds(1025) == "17 min 05 s" and minutes_seconds(44.6) == "45 s"


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-south"])
@pytest.mark.parametrize("rate", [120, 150, 180])
def test_the_estimate_is_within_12_percent_of_espeak_for_the_example_bulletins(voice, rate):
    settings = Settings(speech={"engine": "espeak", "fallback": [], "voice": voice, "rate": rate},
                        paths={"cache": tempfile.mkdtemp()})
    speaker = Speaker(settings)
    for name in ("2024-02-thu-tuc-khai-sinh.yaml", "2024-07-ket-qua-mot-cua.yaml", "2024-03-duong-day-nong.yaml"):
        b = load_bulletin(REPO / "bulletins" / name)
        spoken = [text for _, text in spoken_segments(render_bulletin(b, settings), settings)]
        measured = sum(speaker.say(text).samples.size for text in spoken) / settings.audio.sample_rate
        estimated = item_seconds(spoken, rate, 0, 0)
        assert abs(estimated - measured) / measured < 0.12, (name, estimated, measured)


def test_limits_are_station_settings_with_defaults_for_a_commune_column(tmp_path):
    assert Settings().bulletin_length.warn_minutes == 5 and Settings().bulletin_length.max_minutes == 15
    write_station(tmp_path, bulletin_length={"warn_minutes": 20, "max_minutes": 10})
    with pytest.raises(UserError) as err:
        load_settings(tmp_path / "station.yaml")
    (problem,) = err.value.details
    assert problem.path == "bulletin_length" and "warn_minutes (20) is above max_minutes (10)" in problem.message


def test_spoken_length_says_measured_or_estimated_and_which_limit():
    long = SpokenLength(400, True, 5, 15)
    assert long.long and not long.too_long
    assert long.describe() == "speaks 6 min 40 s (measured), longer than 5 min (bulletin_length.warn_minutes in station.yaml)"
    capped = SpokenLength(1000, False, 5, 15)
    assert capped.too_long and "(estimated), above the cap of 15 min (bulletin_length.max_minutes" in capped.describe()


def test_render_warns_above_the_warning_limit_and_preview_carries_the_length(station, run_cli, tmp_path):
    settings = station(bulletin_length={"warn_minutes": 0.2})
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD.format(body=" ".join([SENTENCE] * 5)), encoding="utf-8")
    shown = app.preview(app.load(f), settings)
    assert not shown.length.measured and 12 < shown.length.seconds < 60
    code, out, err = run_cli("render", str(f))
    assert code == 0 and "— Spoken —" in out
    assert "warning: the bulletin speaks " in err and "(estimated), longer than 0.2 min" in err


def test_build_names_a_long_bulletin_with_its_measured_length(station, run_cli, tmp_path):
    station(bulletin_length={"warn_minutes": 0.1})
    f = tmp_path / "bulletins" / "a.yaml"
    f.write_text(GOOD.format(body=SENTENCE), encoding="utf-8")
    code, out, err = run_cli("build", str(f))
    assert code == 0, err
    manifest = json.loads((tmp_path / "audio_out" / "tin-a.json").read_text(encoding="utf-8"))
    item = manifest["items"][0]
    assert f"warning: tin-a: the bulletin speaks {minutes_seconds(item['end_s'] - item['start_s'])} (measured)" in err


def test_schedule_check_names_a_bulletin_above_the_limits(station, run_cli, tmp_path):
    station(bulletin_length={"warn_minutes": 0.1, "max_minutes": 0.2})
    (tmp_path / "schedule.yaml").write_text((REPO / "schedule.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD.format(body=" ".join([SENTENCE] * 3)), encoding="utf-8")
    code, out, err = run_cli("schedule", "check", "--from", "2024-05-06", "--next", "1")
    assert code == 0, err
    assert "warning: tin-a: the bulletin speaks " in out and "(estimated), above the cap of 0.2 min" in out
    assert "split it into several bulletins or shorten it" in out


def test_schedule_check_decodes_the_jingle_and_names_its_line(station, run_cli, tmp_path):
    (tmp_path / "nhac.mp3").write_bytes(b"ID3 this is not audio" * 20)
    write_station(tmp_path, audio={"jingle": "nhac.mp3"})
    (tmp_path / "schedule.yaml").write_text((REPO / "schedule.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    line = next(i for i, text in enumerate((tmp_path / "station.yaml").read_text().splitlines(), 1) if "jingle:" in text)
    code, out, err = run_cli("schedule", "check")
    assert code == 2 and out == ""
    (message,) = [e for e in err.splitlines() if e.startswith("error:")]
    assert message.startswith(f"error: {tmp_path / 'station.yaml'}:{line}: audio.jingle: ")
    assert "jingle cannot be decoded" in message


def test_bench_quick_mode_runs_and_prints_its_figures():
    import re
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(REPO / "bench" / "length.py"), "--quick"],
                            capture_output=True, text=True, timeout=300, check=True)
    assert re.search(r"^vi\s+150\s+\d+\s+[+-]\d+\.\d%", result.stdout, re.M), result.stdout
