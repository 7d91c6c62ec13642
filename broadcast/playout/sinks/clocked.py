"""Base for sinks paced by the injected clock (file, fake): a simulated clock plays a day in seconds."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from broadcast.asrun import reasons
from broadcast.playout.clock import Clock, SystemClock, sleep_until
from broadcast.playout.sinks import PlayReport, SinkError
from broadcast.playout.sinks.pcm import PcmSource, fade_out, open_pcm


class ClockedSink:
    label = "clocked"
    wants = "wav"
    step_s = 0.25  # audio seconds per step; a stop is seen within one step

    def __init__(self, clock: Clock | None = None, fade_s: float = 0.5) -> None:
        self.clock = clock or SystemClock()
        self.fade_s = fade_s

    def deliver(self, samples: np.ndarray, rate: int) -> None:
        """Hand one step of audio to the world (a file, nowhere); SinkError (or OSError) if it cannot."""

    def begin(self, path: Path, rate: int) -> None:
        pass

    def finish(self, report: PlayReport, path: Path) -> None:
        """After the last step; SinkError (or OSError) if what was delivered did not reach the world."""

    def abandon(self, report: PlayReport, path: Path) -> None:
        """After a failure part way: tidy up quietly (nothing here may raise)."""

    def play(self, source: Path | PcmSource, stop: threading.Event, start_at=None) -> PlayReport:
        pcm = open_pcm(source)
        rate = pcm.rate
        path = source if isinstance(source, (str, Path)) else Path(pcm.name)
        self.begin(path, rate)
        if start_at is not None and sleep_until(self.clock, start_at, stop):
            report = PlayReport(self.label, None, None, 0.0, 0, False, getattr(stop, "reason", "") or reasons.STOPPED_BEFORE_START)
            self._finish(report, path, 0)
            return report
        start = self.clock.now()
        step = max(1, int(self.step_s * rate))
        pos, reason, ended = 0, "", False
        try:
            while True:
                if stop.is_set():
                    reason = getattr(stop, "reason", "") or reasons.STOPPED
                    fade_n = int(self.fade_s * rate)
                    tail = fade_out(pcm.read(pos, fade_n), fade_n)
                    self.deliver(tail, rate)
                    self.clock.sleep(tail.size / rate)
                    pos += tail.size
                    break
                part = pcm.read(pos, step)
                if part.size:
                    self.deliver(part, rate)
                    pos += part.size
                    self.clock.sleep(part.size / rate, stop)
                if part.size < step:
                    ended = True
                    break
        except (SinkError, OSError) as exc:
            raise self._failed(exc, start, pos, rate, path) from None
        report = PlayReport(self.label, start, self.clock.now(), pos / rate, pos * 2, not reason and ended, reason)
        self._finish(report, path, rate)
        return report

    def _finish(self, report: PlayReport, path: Path, rate: int) -> None:
        try:
            self.finish(report, path)
        except (SinkError, OSError) as exc:
            # What was handed over did not reach the world as a whole: nothing of it counts as aired.
            raise self._failed(exc, report.start, 0, rate or 1, path) from None

    def _failed(self, exc: Exception, start, pos: int, rate: int, path: Path) -> SinkError:
        message = str(exc) if isinstance(exc, SinkError) else f"{self.label}: {reasons.describe_error(exc)}"
        report = PlayReport(self.label, start, self.clock.now() if start else None, pos / rate, pos * 2, False, message)
        self.abandon(report, path)
        return SinkError(message, report)
