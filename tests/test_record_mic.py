"""`broadcast record --from-mic` for real: a PulseAudio server started here, a virtual microphone fed with
known tones, the command run as a process (Enter stops it), and the attached recording measured.

Needs pulseaudio and pulseaudio-utils (CI installs them); skipped only where the binaries are absent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.recording import prepare
from conftest import copy_example
from playout_fixtures import dominant_hz, have, pulse_server
from recording_fixtures import RATE, tones, write_wav

pytestmark = [pytest.mark.pulse, pytest.mark.skipif(not have("pulseaudio", "pactl", "parecord", "paplay"),
                                                    reason="PulseAudio binaries not installed")]
HOTLINE_ID = "duong-day-nong-2024"
FREQS = (440.0, 1000.0, 660.0)


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    with pulse_server(tmp_path_factory.mktemp("pa")) as server:
        yield server


def pactl(pulse, *args: str) -> str:
    return subprocess.run(["pactl", *args], env=pulse.env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def microphone(pulse):
    """A virtual microphone: whatever plays into the sink `micfeed` is what the source `mic` hears.
    (A remapped source is an input like a sound card's, not the monitor of an output.)"""
    modules = [pactl(pulse, "load-module", "module-null-sink", "sink_name=micfeed", f"rate={RATE}", "channels=1").strip()]
    modules.append(pactl(pulse, "load-module", "module-remap-source", "master=micfeed.monitor", "source_name=mic",
                         "channels=1").strip())
    pactl(pulse, "set-default-source", "mic")
    yield "mic"
    pactl(pulse, "set-default-source", "bulletin.monitor")
    for module in reversed(modules):
        pactl(pulse, "unload-module", module)


def start_record(pulse, station_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "broadcast", "record", "--from-mic", "--bulletin", HOTLINE_ID, *args],
                            cwd=station_dir, env=pulse.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until_recording(rec: subprocess.Popen) -> list[str]:
    """The command's stderr lines up to its first level-meter line (a second of audio recorded)."""
    lines = []
    while not lines or "dBFS" not in lines[-1]:
        line = rec.stderr.readline()
        assert line, "".join(lines) + rec.stderr.read()
        lines.append(line)
    return lines


def play(pulse, wav: Path, sink: str) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "-d", sink, str(wav)], env=pulse.env)


def test_a_reading_from_the_microphone_is_recorded_with_a_meter_and_attached(pulse, microphone, station, tmp_path):
    settings = station()
    bulletin = copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    feed = write_wav(tmp_path / "feed.wav", tones(list(FREQS), 1.2, level=0.4, gap_s=0.3))
    rec = start_record(pulse, tmp_path)
    first = wait_until_recording(rec)  # the command is up and has recorded a second of silence
    player = play(pulse, feed, "micfeed")
    assert player.wait(20) == 0
    time.sleep(0.5)
    out, err = rec.communicate("\n", timeout=60)  # Enter stops it
    err = "".join(first) + err
    assert rec.returncode == 0, err
    assert "press Enter to stop" in err and "dBFS" in err and "▮" in err  # the level meter moved
    assert out.startswith(f"{HOTLINE_ID}: {HOTLINE_ID}-mic-")
    stored = list((tmp_path / "recordings").glob("*/*.wav"))
    assert len(stored) == 1
    assert f"recording: ../recordings/{stored[0].parent.name}/{stored[0].name}" in bulletin.read_text(encoding="utf-8")
    # What the microphone heard is what was kept: the three tones, in order, silence trimmed away.
    x, facts = prepare(stored[0], RATE, -16.0)
    assert facts.lead_in_trimmed_s > 0.5
    step = int(1.5 * RATE)
    found = [dominant_hz(x[i * step + int(0.4 * RATE): i * step + int(1.0 * RATE)], RATE) for i in range(3)]
    assert found == pytest.approx(list(FREQS), abs=5)


def test_the_monitor_of_an_output_is_not_a_microphone_unless_named(pulse, station, tmp_path):
    settings = station()
    copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    rec = start_record(pulse, tmp_path, "--seconds", "2")
    out, err = rec.communicate("", timeout=60)
    assert rec.returncode == 2 and "error: no microphone: no sound card input" in err and "bulletin.monitor" in err
    assert not (tmp_path / "recordings").exists()
    # Named, it records (what the station plays, here a tone), and stops by itself at --seconds.
    feed = write_wav(tmp_path / "tone.wav", np.concatenate([np.zeros(RATE // 2), tones([700.0], 2.0, level=0.4)]))
    rec = start_record(pulse, tmp_path, "--source", "bulletin.monitor", "--seconds", "4")
    wait_until_recording(rec)
    player = play(pulse, feed, "bulletin")
    out, err = rec.communicate("", timeout=60)  # no Enter: end of input does not stop it, --seconds does
    player.wait(20)
    assert rec.returncode == 0, err
    stored = list((tmp_path / "recordings").glob("*/*.wav"))
    x, facts = prepare(stored[0], RATE, -16.0)
    assert 3.9 < facts.source.duration_s < 4.2
    assert dominant_hz(x[int(0.3 * RATE): int(1.3 * RATE)], RATE) == pytest.approx(700, abs=5)


def test_an_unknown_input_or_no_sound_server_is_one_line(pulse, station, tmp_path):
    settings = station()
    copy_example("2024-03-duong-day-nong.yaml", settings.bulletins_dir)
    rec = start_record(pulse, tmp_path, "--source", "usb-mic", "--seconds", "2")
    _, err = rec.communicate("", timeout=60)
    assert rec.returncode == 2 and err.strip().splitlines()[-1].startswith("error: no input named 'usb-mic'")
    env = dict(pulse.env, PULSE_SERVER=f"unix:{tmp_path}/no-such-socket")
    proc = subprocess.run([sys.executable, "-m", "broadcast", "record", "--from-mic", "--bulletin", HOTLINE_ID],
                          cwd=tmp_path, env=env, input="", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "error: no sound card input to record from: no sound server" in proc.stderr


def test_the_station_sign_off_read_into_the_microphone_is_named_in_station_yaml(pulse, microphone, station, tmp_path):
    """`record --from-mic --sign-off`: what the microphone heard becomes the station's sign-off, kept by hash."""
    from broadcast.config import load_settings

    station()
    feed = write_wav(tmp_path / "ket.wav", np.concatenate([np.zeros(RATE // 2), tones([880.0], 2.0, level=0.4)]))
    rec = subprocess.Popen([sys.executable, "-m", "broadcast", "record", "--from-mic", "--sign-off", "--seconds", "4"],
                           cwd=tmp_path, env=pulse.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    wait_until_recording(rec)
    player = play(pulse, feed, "micfeed")
    out, err = rec.communicate("", timeout=60)  # stops by itself at --seconds
    player.wait(20)
    assert rec.returncode == 0, err
    assert out.startswith("signoff: signoff-mic-") and "closes with it" in out
    stored = list((tmp_path / "recordings").glob("*/*.wav"))
    assert len(stored) == 1
    named = load_settings(tmp_path / "station.yaml").programme.signoff_recording
    assert (tmp_path / named).resolve() == stored[0].resolve()
    x, _ = prepare(stored[0], RATE, -16.0)
    assert dominant_hz(x[int(0.3 * RATE): int(1.3 * RATE)], RATE) == pytest.approx(880, abs=5)
