"""Base for sinks paced by the injected clock (file, fake): a simulated clock plays a day in seconds."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from broadcast.playout.clock import Clock, SystemClock, sleep_until
from broadcast.playout.sinks import PlayReport
from broadcast.playout.sinks.pcm import fade_out, read_pcm


class ClockedSink:
    label = "clocked"
    wants = "wav"
    step_s = 0.25  # audio seconds per step; a stop is seen within one step

    def __init__(self, clock: Clock | None = None, fade_s: float = 0.5) -> None:
        self.clock = clock or SystemClock()
        self.fade_s = fade_s

    def deliver(self, samples: np.ndarray, rate: int) -> None:
        """Hand one step of audio to the world (a file, nowhere)."""

    def begin(self, path: Path, rate: int) -> None:
        pass

    def finish(self, report: PlayReport, path: Path) -> None:
        pass

    def play(self, path: Path, stop: threading.Event, start_at=None) -> PlayReport:
        pcm, rate = read_pcm(path)
        self.begin(path, rate)
        if start_at is not None and sleep_until(self.clock, start_at, stop):
            report = PlayReport(self.label, None, None, 0.0, 0, False, getattr(stop, "reason", "") or "dừng trước khi bắt đầu")
            self.finish(report, path)
            return report
        start = self.clock.now()
        step = max(1, int(self.step_s * rate))
        pos, reason = 0, ""
        while pos < pcm.size:
            if stop.is_set():
                reason = getattr(stop, "reason", "") or "đã dừng"
                tail = fade_out(pcm[pos:], int(self.fade_s * rate))
                self.deliver(tail, rate)
                self.clock.sleep(tail.size / rate)
                pos += tail.size
                break
            part = pcm[pos:pos + step]
            self.deliver(part, rate)
            pos += part.size
            self.clock.sleep(part.size / rate, stop)
        report = PlayReport(self.label, start, self.clock.now(), pos / rate, pos * 2, not reason, reason)
        self.finish(report, path)
        return report
