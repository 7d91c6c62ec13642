"""The IP-loudspeaker path for real: Icecast on 127.0.0.1 with a config written here; a listener gets the whole programme.

Needs icecast2 and ffmpeg (CI installs them); skipped only where the binaries are absent.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from playout_fixtures import TakePreparer, audible_span, dominant_hz, free_port, have, icecast_server, listen, make_take, schedule_for

from broadcast.asrun import MemoryStore, Outcome
from broadcast.audio.ffmpeg import decode
from broadcast.playout.clock import SystemClock
from broadcast.playout.runner import Runner
from broadcast.playout.sinks.icecast import IcecastSink
from broadcast.schedule.slots import Slot

pytestmark = [pytest.mark.icecast, pytest.mark.skipif(not have("icecast2", "ffmpeg"), reason="icecast2/ffmpeg not installed")]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FREQS = (440.0, 880.0, 660.0)


def test_listener_on_the_zone_mount_receives_the_whole_programme(tmp_path):
    clock = SystemClock(TZ)
    take = make_take(tmp_path / "audio", freqs=FREQS, step_s=1.0)
    with icecast_server(tmp_path) as ice:
        sink = IcecastSink(ice.url, "/thon-1", ice.password, clock=clock)
        log = MemoryStore()
        runner = Runner(schedule=schedule_for(), preparer=TakePreparer(take), sinks={"thon-1": sink}, log=log,
                        clock=clock, tz=TZ)
        got = tmp_path / "got.mp3"
        listener = threading.Thread(target=listen, args=(f"{ice.url}/thon-1", got))
        listener.start()
        rows = runner.run_slot(Slot(clock.now() + timedelta(seconds=2.2), "sáng", ("thon-1",)))
        listener.join(15)
    samples = decode(got, 44100)
    start, end = audible_span(samples, 44100)
    # ±0.35 s: under two CPU hogs a run received 2.79 s (cause not pinned down: the stream's first or
    # last MP3 frames); the tones below must still all be there, in order.
    assert abs((end - start) - 3.0) < 0.35, f"received {end - start:.2f} s of a 3.0 s programme ({start:.2f}–{end:.2f} s)"
    for i, f in enumerate(FREQS):
        a = int((start + i + 0.2) * 44100)
        assert abs(dominant_hz(samples[a:a + int(0.6 * 44100)], 44100) - f) < 5
    assert [r.outcome for r in rows] == [Outcome.played] * 3
    assert all(r.sink == f"icecast:{ice.url}/thon-1" for r in rows)


def test_icecast_down_is_retried_then_logged_failed_without_the_password(tmp_path):
    clock = SystemClock(TZ)
    take = make_take(tmp_path / "audio", freqs=(440.0,), step_s=1.0)
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens here
    sink = IcecastSink(url, "/thon-1", "bi-mat", clock=clock)
    log = MemoryStore()
    runner = Runner(schedule=schedule_for(sink_tries=2, sink_retry_within_s=4), preparer=TakePreparer(take),
                    sinks={"thon-1": sink}, log=log, clock=clock, tz=TZ)
    rows = runner.run_slot(Slot(clock.now() + timedelta(seconds=0.5), "sáng", ("thon-1",)))
    assert [r.outcome for r in rows] == [Outcome.failed]
    assert "cụm loa không phát được sau 2 lần thử" in rows[0].reason and "Connection refused" in rows[0].reason
    assert "bi-mat" not in rows[0].reason
