"""Sinks: where a programme's audio goes (sound card, Icecast mount, file, fake), behind one small Protocol.

Contract (every sink MUST honour it; the fake does, including failure on demand):
- `play(source, stop, start_at=None)` delivers the whole file (a path, or a `pcm.PcmSource` still
  being made: an emergency levelled as it airs) and returns a `PlayReport` with the real
  start and end and how much audio was delivered. With `start_at`, the sink gets ready first
  (decode, connect) and starts delivering at that instant, so a slot starts on time.
- It returns within 1 s of `stop` being set, after a short fade-out (`fade_s`), with
  `completed=False`; the reason is the stop signal's.
- A sink that cannot deliver raises `SinkError` carrying the partial report (what did get out).
  Anything else it raises (a bug, an OSError it did not expect) is still caught by the runner and
  logged `failed`, but loses the partial report.
- `wants` says which of a build's files it takes: "wav" (the lossless master) or "mp3".
- `probe()` MAY say, quickly and without airing anything, why the sink cannot be reached now
  (None: reachable as far as can be told); the service's status shows it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from broadcast.playout.clock import Clock


class StopSignal(threading.Event):
    """An Event that remembers why it was set (emergency, shutdown), for the log."""

    def __init__(self) -> None:
        super().__init__()
        self.reason = ""

    def stop(self, reason: str) -> None:
        if not self.is_set():
            self.reason = reason
        self.set()


@dataclass(frozen=True)
class PlayReport:
    sink: str
    start: datetime | None  # when the first audio was handed to the sink
    end: datetime | None
    seconds: float  # audio delivered (fade included)
    bytes: int
    completed: bool  # the whole file went out
    reason: str = ""  # why it did not complete


class SinkError(Exception):
    """The sink could not deliver (device gone, server down); `report` says what got out before."""

    def __init__(self, message: str, report: PlayReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class Sink(Protocol):
    label: str
    wants: str

    def play(self, source, stop: threading.Event, start_at: datetime | None = None) -> PlayReport:
        ...

    def probe(self) -> str | None:
        ...


def make_sink(spec, clock: Clock, *, fade_s: float = 0.5, sample_rate: int = 44100, base_dir: Path | None = None) -> Sink:
    """The sink adapter for a zone's `sink:` entry in schedule.yaml."""
    from broadcast.schedule.model import DeviceSinkSpec, FileSinkSpec, IcecastSinkSpec

    if isinstance(spec, DeviceSinkSpec):
        from broadcast.playout.sinks.device import PulseSink

        return PulseSink(spec.device, clock=clock, fade_s=fade_s)
    if isinstance(spec, IcecastSinkSpec):
        from broadcast.playout.sinks.icecast import IcecastSink as Ice

        return Ice(spec.url, spec.mount, spec.password, user=spec.user, bitrate_kbps=spec.bitrate_kbps,
                   clock=clock, fade_s=fade_s)
    if isinstance(spec, FileSinkSpec):
        from broadcast.playout.sinks.file import FileSink as Writer

        folder = spec.folder if spec.folder.is_absolute() or base_dir is None else base_dir / spec.folder
        return Writer(folder, clock=clock, fade_s=fade_s)
    raise TypeError(f"no sink for {spec!r}")
