"""Benchmark: lateness of the audible start against the slot, over N scheduled plays through a PulseAudio null sink.

Starts its own PulseAudio (as tests/test_sinks_pulse.py does), records the sink's monitor, and runs N
slots through the real runner and device sink (pacat). Prints median and worst lateness.
Targets: median <= 100 ms, worst <= 500 ms.

    .venv/bin/python bench/playout.py --plays 20
    .venv/bin/python bench/playout.py --quick        (3 plays; what the test suite runs)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from playout_fixtures import TakePreparer, make_take, pulse_env, pulse_server, read_wav, schedule_for  # noqa: E402

from broadcast.asrun import MemoryStore  # noqa: E402
from broadcast.playout.clock import SystemClock  # noqa: E402
from broadcast.playout.runner import Runner  # noqa: E402
from broadcast.playout.sinks.device import PulseSink  # noqa: E402
from broadcast.schedule.slots import Slot  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def onsets(samples: np.ndarray, rate: int, threshold: float = 0.05, min_gap_s: float = 0.3) -> list[float]:
    """Start times (s) of loud stretches separated by at least `min_gap_s` of quiet."""
    win = int(0.002 * rate)
    n = samples.size // win
    loud = np.abs(samples[: n * win]).reshape(n, win).max(axis=1) > threshold
    out, last = [], -1e9
    for i in np.nonzero(loud)[0]:
        t = i * win / rate
        if t - last > min_gap_s:
            out.append(t)
        last = t
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=20)
    parser.add_argument("--gap", type=float, default=1.5, help="seconds between slots")
    parser.add_argument("--quick", action="store_true", help="3 plays: proves the bench runs (the test suite uses it)")
    args = parser.parse_args()
    if args.quick:
        args.plays = 3
    root = Path(tempfile.mkdtemp(prefix="bench-playout-"))
    take = make_take(root / "audio", freqs=(700.0, 900.0), step_s=0.3)
    with pulse_server(root) as pulse, pulse_env(pulse):
        clock = SystemClock(TZ)
        # One zone per slot, all on the one sound card: the runner refuses to air two slots on the same
        # zone within the session cap (minutes), and these slots are seconds apart.
        sink = PulseSink("bulletin", clock)
        zones = [f"z{i}" for i in range(args.plays)]
        runner = Runner(schedule=schedule_for(), preparer=TakePreparer(take), sinks={z: sink for z in zones},
                        log=MemoryStore(), clock=clock, tz=TZ)
        first = clock.now() + timedelta(seconds=2)
        slots = [Slot(first + timedelta(seconds=i * args.gap), f"bench-{i}", (z,)) for i, z in enumerate(zones)]
        rec = root / "rec.wav"
        with pulse.recording(rec) as info:
            for slot in slots:
                # As the scheduler does: the job fires LEAD_S early and the runner waits for the slot.
                runner.run_slot(slot)
            time.sleep(0.5)
    samples, rate = read_wav(rec)
    starts = onsets(samples, rate)
    if len(starts) != len(slots):
        sys.exit(f"found {len(starts)} onsets for {len(slots)} plays; recording in {rec}")
    shutil.rmtree(root, ignore_errors=True)
    late_ms = [(info["t0"] + s - slot.when.timestamp()) * 1000 for s, slot in zip(starts, slots)]
    print(f"plays: {len(late_ms)} through PulseAudio null sink (pacat, {PulseSink.__module__})")
    print(f"lateness of audible start vs slot: median {statistics.median(late_ms):.1f} ms, "
          f"worst {max(late_ms, key=abs):.1f} ms, min {min(late_ms):.1f} ms  (targets: median <= 100, worst <= 500)")


if __name__ == "__main__":
    main()
