"""The station's own greeting and sign-off read by a person: set once in station.yaml (comments kept), kept
by hash, prepared and mastered like a bulletin's recording, heard at the start and end of every bulletin
and session programme, named in the manifest, and checked with one line each by `schedule check` and
`build` (the last good audio kept)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from broadcast.audio import loudness
from broadcast.audio.ffmpeg import decode
from broadcast.audio.manifest import read_manifest
from broadcast.audio.recording import LEAD_PAD_S
from broadcast.config import load_settings
from broadcast.digest import sha256_file
from conftest import copy_example
from playout_fixtures import dominant_hz
from recording_fixtures import RATE, speech, tones, write_wav

HOTLINE = "2024-03-duong-day-nong.yaml"
HOTLINE_ID = "duong-day-nong-2024"
GREETING = [1500.0, 2500.0]  # not in the jingle (523-1047 Hz and its harmonics) nor in the fake voice (220-704 Hz)
SIGNOFF = [1800.0, 2700.0]
STEP_S, GAP_S = 1.0, 0.3
STATION_YAML = """\
# Our station. Comments and layout must survive `broadcast record --greeting`.
speech:
  engine: fake        # fast, for tests
  fallback: []
  voice: fake
programme:
  column: Cải cách hành chính   # the column's name
  # greeting: a Jinja text
paths:
  audio_out: audio_out
  cache: cache
  data: data
  bulletins: bulletins
log: {journal: "off"}
approval: {required: false}
"""


def tone_reading(path, freqs):
    """Half a second of silence, the tones with short gaps, half a second of silence."""
    x = np.concatenate([np.zeros(RATE // 2), tones(freqs, STEP_S, level=0.3, gap_s=GAP_S), np.zeros(RATE // 2)])
    return write_wav(path, x)


def tones_at(x: np.ndarray, start_s: float, count: int) -> list[float]:
    """The dominant frequency in the middle of each tone of a tone reading that airs from `start_s`."""
    out = []
    for k in range(count):
        a = start_s + LEAD_PAD_S + k * (STEP_S + GAP_S) + 0.25
        out.append(dominant_hz(x[int(a * RATE): int((a + 0.5) * RATE)], RATE))
    return out


def segment(manifest, kind):
    return next(s for s in manifest.segments if s.kind == kind)


@pytest.fixture
def commented_station(station, tmp_path):
    """A station whose station.yaml has comments and its own layout, and one morning session on Mondays."""
    station()
    (tmp_path / "station.yaml").write_text(STATION_YAML, encoding="utf-8")
    (tmp_path / "schedule.yaml").write_text(
        "zones:\n  trung-tam: {name: Trung tâm, sink: {type: device}}\n"
        "sessions:\n  - {name: sáng, time: \"05:30\", days: [t2], zones: [all]}\n", encoding="utf-8")
    return load_settings(tmp_path / "station.yaml")


def test_the_greeting_and_sign_off_recordings_open_and_close_every_build_and_the_manifest_names_them(
        commented_station, run_cli, tmp_path):
    from broadcast.playout.programme import StationPreparer
    from broadcast.playout.simulate import simulate_day

    settings = commented_station
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    assert run_cli("build", str(bulletin))[0] == 0
    synthesised_wrapper = StationPreparer(settings, schedule=None).wrapper().seconds

    code, out, err = run_cli("record", str(tone_reading(tmp_path / "loi-chao.wav", GREETING)), "--greeting")
    assert code == 0, err
    assert "every bulletin and session built from now on opens with it" in out
    code, _, err = run_cli("record", str(tone_reading(tmp_path / "loi-ket.m4a.wav", SIGNOFF)), "--sign-off")
    assert code == 0, err
    kept = {p.name: p for p in (tmp_path / "recordings").glob("*/*.wav")}
    greeting_file, signoff_file = kept["loi-chao.wav"], kept["loi-ket.m4a.wav"]
    assert greeting_file.parent.name == sha256_file(greeting_file)  # kept by its hash
    # station.yaml names them, every line it had is still there, in order, comments included.
    text = (tmp_path / "station.yaml").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if "_recording:" not in line] == STATION_YAML.splitlines()
    assert f"  greeting_recording: recordings/{greeting_file.parent.name}/loi-chao.wav\n" in text
    settings = load_settings(tmp_path / "station.yaml")
    assert settings.programme.signoff_recording.as_posix() == f"recordings/{signoff_file.parent.name}/loi-ket.m4a.wav"

    # The bulletin's build is stale now (its greeting changed): built again with the recordings.
    code, out, err = run_cli("build", str(bulletin))
    assert code == 0 and "(up to date)" not in out, err
    assert out.splitlines()[1].split()[-2] == "fake/fake"  # the table names the item's voice
    manifest = read_manifest(tmp_path / "audio_out" / f"{HOTLINE_ID}.json")
    greeting, signoff = segment(manifest, "greeting"), segment(manifest, "signoff")
    assert (greeting.engine, greeting.voice) == ("recording", f"loi-chao.wav sha256:{greeting_file.parent.name}")
    assert greeting.recording.sha256 == sha256_file(greeting_file) and greeting.recording.original_name == "loi-chao.wav"
    assert greeting.recording.file == str(greeting_file) and greeting.bulletin_id == ""
    assert greeting.script.startswith("Đây là ")  # the text it stands for
    assert (signoff.engine, signoff.recording.sha256) == ("recording", signoff_file.parent.name)
    item = next(s for s in manifest.segments if s.bulletin_id == HOTLINE_ID)
    assert item.engine == "fake"
    mp3 = tmp_path / "audio_out" / f"{HOTLINE_ID}.mp3"
    x = decode(mp3, RATE)
    span = next(i for i in manifest.items if i.bulletin_id == HOTLINE_ID)
    # The greeting's tones air after the intro jingle and before the item; the sign-off's after the item.
    assert manifest.durations.jingle_s / 2 < greeting.start_s and greeting.start_s + greeting.duration_s < span.start_s
    assert tones_at(x, greeting.start_s, 2) == pytest.approx(GREETING, abs=4)
    assert span.end_s < signoff.start_s and tones_at(x, signoff.start_s, 2) == pytest.approx(SIGNOFF, abs=4)
    assert all(abs(dominant_hz(x[int(span.start_s * RATE): int(span.end_s * RATE)], RATE) - f) > 50 for f in GREETING)
    # Levelled with the programme: the greeting at the target within 1 LU, the whole file under the ceiling.
    reading = x[int(greeting.start_s * RATE): int((greeting.start_s + greeting.duration_s) * RATE)]
    assert abs(loudness.integrated_lufs(reading, RATE) + 16.0) <= 1.0
    assert loudness.true_peak_dbtp(x) <= -1.0
    # The schedule plans the wrapper by the recordings' real length (not the text's estimate).
    recorded_wrapper = StationPreparer(settings, schedule=None).wrapper().seconds
    assert recorded_wrapper != synthesised_wrapper
    # ... and a session's programme opens and closes with them too, as aired.
    # 50x: the 5 s on-time tolerance is 100 ms of real time (at 400x, 12.5 ms: a loaded machine's thread
    # delay logged the slot late)
    day = simulate_day(settings, date(2024, 5, 6), speedup=50, out_dir=tmp_path / "sim")
    assert [(i.bulletin_id, i.outcome) for i in day.items] == [(HOTLINE_ID, "played")]
    programme = next((tmp_path / "audio_out" / "programmes").glob("*.mp3"))
    pm = read_manifest(programme.with_suffix(".json"))
    heard = decode(programme, RATE)
    pg, ps = segment(pm, "greeting"), segment(pm, "signoff")
    assert pg.recording.sha256 == greeting.recording.sha256 and ps.recording.sha256 == signoff.recording.sha256
    assert tones_at(heard, pg.start_s, 2) == pytest.approx(GREETING, abs=4)
    assert tones_at(heard, ps.start_s, 2) == pytest.approx(SIGNOFF, abs=4)

    # Taken off again: synthesised from the text at the next build; station.yaml is what it was.
    assert run_cli("record", "--remove", "--greeting")[0] == 0
    assert run_cli("record", "--remove", "--sign-off")[0] == 0
    assert (tmp_path / "station.yaml").read_text(encoding="utf-8") == STATION_YAML
    assert run_cli("build", str(bulletin))[0] == 0
    manifest = read_manifest(tmp_path / "audio_out" / f"{HOTLINE_ID}.json")
    assert segment(manifest, "greeting").engine == "fake" and greeting_file.is_file()  # the kept file stays


def test_a_broken_greeting_recording_is_one_line_at_its_station_yaml_line_and_the_last_good_audio_stays(
        commented_station, run_cli, tmp_path):
    settings = commented_station
    bulletin = copy_example(HOTLINE, settings.bulletins_dir)
    assert run_cli("record", str(tone_reading(tmp_path / "loi-chao.wav", GREETING)), "--greeting")[0] == 0
    assert run_cli("build", str(bulletin))[0] == 0
    assert run_cli("schedule", "check", "--next", "1")[0] == 0
    out_dir = tmp_path / "audio_out"
    good = {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()}
    line = next(i for i, text in enumerate((tmp_path / "station.yaml").read_text().splitlines(), 1)
                if "greeting_recording" in text)
    where = f"error: {tmp_path / 'station.yaml'}:{line}: programme.greeting_recording: "
    kept = next((tmp_path / "recordings").glob("*/loi-chao.wav"))

    def refused(*expected: str) -> None:
        for args in (("build", str(bulletin), "--force"), ("schedule", "check")):
            code, _, err = run_cli(*args)
            lines = [ln for ln in err.strip().splitlines() if ln != "building"]
            assert code == 2 and len(lines) == 1 and lines[0].startswith(where), (args, err)
            assert all(e in lines[0] for e in expected), lines[0]
        assert {p.name: p.read_bytes() for p in out_dir.iterdir() if p.is_file()} == good

    original = kept.read_bytes()
    kept.write_bytes(original[:-4000])  # edited after it was kept
    refused("was changed after it was kept", "broadcast record FILE --greeting")
    kept.unlink()
    refused("recording not found: ")
    # Named by hand: a clipped file is refused with preparing's own message (the same as a bulletin's).
    write_wav(tmp_path / "clipped.wav", speech() * 4)
    text = (tmp_path / "station.yaml").read_text(encoding="utf-8")
    (tmp_path / "station.yaml").write_text(
        "\n".join("  greeting_recording: clipped.wav" if "greeting_recording" in ln else ln for ln in text.splitlines())
        + "\n", encoding="utf-8")
    refused("clipped.wav: the recording is clipped (")
    # `record --greeting` refuses it before anything changes: nothing kept, station.yaml untouched.
    before = (tmp_path / "station.yaml").read_bytes()
    code, _, err = run_cli("record", str(tmp_path / "clipped.wav"), "--sign-off")
    assert code == 2 and "the recording is clipped" in err
    assert (tmp_path / "station.yaml").read_bytes() == before
    assert not list((tmp_path / "recordings").glob("*/clipped.wav"))


def test_station_recordings_through_the_application_layer(commented_station, tmp_path):
    """What the console calls: bytes of an upload become the sign-off; the new settings come back."""
    from broadcast.app.recording import (remove_station_recording, set_station_recording_bytes,
                                         station_part_recordings)

    settings = commented_station
    data = tone_reading(tmp_path / "ket.wav", SIGNOFF).read_bytes()
    done = set_station_recording_bytes(settings, "sign-off", data, "lời kết.wav")
    assert done.part == "signoff" and done.previous is None and not done.reloaded  # no service runs
    assert done.check.facts.original_name == "lời kết.wav" and abs(done.check.lufs + 16.0) <= 0.5
    assert done.settings.programme.signoff_recording is not None and done.check.facts.stored.is_file()
    parts = {p.part: p for p in station_part_recordings(done.settings)}
    assert parts["signoff"].found and parts["greeting"].recording is None
    again = remove_station_recording(done.settings, "signoff")
    assert again.previous == done.settings.programme.signoff_recording.as_posix()
    assert again.settings.programme.signoff_recording is None
    assert (tmp_path / "station.yaml").read_text(encoding="utf-8") == STATION_YAML
