"""The sound-device path for real: a PulseAudio null sink started here, its monitor recorded and measured.

Needs pulseaudio and pulseaudio-utils (CI installs them); skipped only where the binaries are absent.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from playout_fixtures import (TakePreparer, audible_span, dominant_hz, have, make_take, pulse_env, pulse_server,
                              read_wav, schedule_for)

from broadcast.asrun import MemoryStore, Outcome
from broadcast.playout.clock import SystemClock
from broadcast.playout.runner import Runner
from broadcast.playout.sinks import SinkError, StopSignal
from broadcast.playout.sinks.device import PulseSink
from broadcast.schedule.slots import Slot

pytestmark = [pytest.mark.pulse, pytest.mark.skipif(not have("pulseaudio", "pacat", "parecord"),
                                                    reason="PulseAudio binaries not installed")]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FREQS = (440.0, 880.0, 660.0)


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    with pulse_server(tmp_path_factory.mktemp("pa")) as server, pulse_env(server):
        yield server


def runner_on(sink, take, clock):
    log = MemoryStore()
    return Runner(schedule=schedule_for(), preparer=TakePreparer(take), sinks={"z1": sink}, log=log, clock=clock, tz=TZ), log


def test_scheduled_programme_reaches_the_sink_at_the_slot(pulse, tmp_path):
    clock = SystemClock(TZ)
    take = make_take(tmp_path, freqs=FREQS, step_s=1.0)
    runner, log = runner_on(PulseSink("bulletin", clock), take, clock)
    slot = Slot(clock.now() + timedelta(seconds=2.5), "sáng", ("z1",))
    rec = tmp_path / "rec.wav"
    with pulse.recording(rec) as info:
        time.sleep(0.5)
        runner.preroll(slot)
        rows = runner.run_slot(slot)  # waits for the slot itself
        time.sleep(0.4)
    samples, rate = read_wav(rec)
    start, end = audible_span(samples, rate)
    lateness = info["t0"] + start - slot.when.timestamp()
    assert abs(lateness) < 0.5, f"audible start {lateness:+.3f} s from the slot"
    assert abs((end - start) - 3.0) < 0.2, f"audible length {end - start:.3f} s, programme 3.0 s"
    for i, f in enumerate(FREQS):  # each step's dominant frequency is the file's
        a = int((start + i + 0.2) * rate)
        assert abs(dominant_hz(samples[a:a + int(0.6 * rate)], rate) - f) < 5
    assert [r.outcome for r in rows] == [Outcome.played] * 3
    assert abs((rows[0].start - slot.when).total_seconds()) < 0.5


def test_emergency_cuts_the_programme_within_one_second_on_the_device(pulse, tmp_path):
    clock = SystemClock(TZ)
    take = make_take(tmp_path / "prog", freqs=(440.0, 550.0, 660.0), step_s=2.0)
    alarm = make_take(tmp_path / "alarm", name="bao-chay", freqs=(1500.0,), step_s=1.0)
    runner, log = runner_on(PulseSink("bulletin", clock), take, clock)
    rec = tmp_path / "rec.wav"
    with pulse.recording(rec) as info:
        # The slot is set once the recorder runs: its start-up is not counted into the programme's time.
        slot = Slot(clock.now() + timedelta(seconds=1.0), "chiều", ("z1",))
        worker = threading.Thread(target=runner.run_slot, args=(slot,))
        worker.start()
        time.sleep(1.0 + 2.5)  # into the second item
        asked = time.time()
        runner.play(alarm, priority="emergency")
        worker.join(5)
        time.sleep(0.3)
    samples, rate = read_wav(rec)
    t = lambda s: info["t0"] + s  # noqa: E731 - recording offset to wall time
    # Where 550 Hz (the interrupted item) stops and 1500 Hz (the alarm) starts, in 50 ms frames.
    frame = int(0.05 * rate)
    last_programme, first_alarm = None, None
    for k in range(samples.size // frame):
        chunk = samples[k * frame:(k + 1) * frame]
        if np.abs(chunk).max() < 0.02:
            continue
        f = dominant_hz(chunk, rate)
        if abs(f - 550) < 60:
            last_programme = k * frame / rate
        if abs(f - 1500) < 60 and first_alarm is None:
            first_alarm = k * frame / rate
    assert last_programme is not None and first_alarm is not None
    assert t(last_programme) - asked < 1.0, f"programme still audible {t(last_programme) - asked:.2f} s after the emergency"
    assert t(first_alarm) - asked < 1.5
    session = [r.outcome for r in log.records if r.session == "chiều"]
    assert session == [Outcome.played, Outcome.interrupted, Outcome.missed]


def test_a_missing_device_is_an_error_not_silence(pulse, tmp_path):
    take = make_take(tmp_path, freqs=(440.0,), step_s=0.5)
    with pytest.raises(SinkError) as err:
        PulseSink("no-such-sink").play(take.wav, StopSignal())
    assert "no-such-sink" in str(err.value)
