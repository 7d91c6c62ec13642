"""The fake sink for unit tests: paced by the injected clock, records every play, fails on demand."""

from __future__ import annotations

import threading
from pathlib import Path

from broadcast.asrun import reasons
from broadcast.playout.clock import Clock
from broadcast.playout.sinks import PlayReport, SinkError
from broadcast.playout.sinks.clocked import ClockedSink


class FakeSink(ClockedSink):
    """`fail_times` plays raise SinkError before any audio (like a device that is gone); -1 fails forever.

    `raises`: the exception those plays raise instead (e.g. OSError(ENOSPC), as a sink with a bug would
    let through), to prove the runner logs a failure whatever a sink raises."""

    def __init__(self, label: str = "fake", clock: Clock | None = None, fade_s: float = 0.5, fail_times: int = 0,
                 raises: BaseException | None = None) -> None:
        super().__init__(clock, fade_s)
        self.label = label
        self.fail_times = fail_times
        self.raises = raises
        self.attempts = 0
        self.plays: list[tuple[Path, PlayReport]] = []
        self.started = threading.Event()  # set when audio starts: tests interrupt after it

    def play(self, path, stop: threading.Event, start_at=None) -> PlayReport:
        self.attempts += 1
        if self.fail_times != 0:
            self.fail_times -= 1 if self.fail_times > 0 else 0
            if self.raises is not None:
                raise self.raises
            raise SinkError(f"{self.label}: {reasons.FAKE_SINK_FAILED}")
        return super().play(path, stop, start_at)

    def deliver(self, samples, rate) -> None:
        self.started.set()

    def finish(self, report: PlayReport, path: Path) -> None:
        self.plays.append((Path(path), report))

    def probe(self) -> str | None:
        return "cụm loa giả lập đang hỏng theo yêu cầu" if self.fail_times else None

