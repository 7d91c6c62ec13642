"""The file sink: writes what would have aired (a WAV per play and a line in aired.tsv) — dry runs, the demo.

A write that fails (disk full, read-only folder) is a failed play like a dead loudspeaker: SinkError,
the half-written WAV removed, the reason in the log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import wave
from pathlib import Path

import numpy as np

from broadcast.asrun import reasons
from broadcast.playout.clock import Clock
from broadcast.playout.sinks import PlayReport, SinkError
from broadcast.playout.sinks.clocked import ClockedSink

LOG_NAME = "aired.tsv"


class FileSink(ClockedSink):
    def __init__(self, folder: Path, clock: Clock | None = None, fade_s: float = 0.5) -> None:
        super().__init__(clock, fade_s)
        self.folder = Path(folder)
        self.label = f"file:{self.folder}"
        self._wav: wave.Wave_write | None = None
        self._out: Path | None = None

    def begin(self, path: Path, rate: int) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = self.clock.now().strftime("%Y%m%dT%H%M%S")
            self._out = self.folder / f"{stamp}_{Path(path).stem}.wav"
            self._wav = wave.open(str(self._out), "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(rate)
        except OSError as exc:
            self._wav = None
            raise SinkError(f"{self.label}: {reasons.cannot_write(reasons.describe_error(exc))}") from None

    def deliver(self, samples: np.ndarray, rate: int) -> None:
        try:
            self._wav.writeframes(samples.astype("<i2").tobytes())
        except OSError as exc:
            raise SinkError(f"{self.label}: {reasons.cannot_write(reasons.describe_error(exc))}") from None

    def finish(self, report: PlayReport, path: Path) -> None:
        try:
            self._wav.close()
            self._wav = None
            self._note(report, path)
        except OSError as exc:
            raise SinkError(f"{self.label}: {reasons.cannot_write(reasons.describe_error(exc))}") from None

    def abandon(self, report: PlayReport, path: Path) -> None:
        with contextlib.suppress(Exception):
            if self._wav is not None:
                self._wav.close()
        self._wav = None
        with contextlib.suppress(OSError):
            if self._out is not None:
                self._out.unlink()  # half a file is not what would have aired
        with contextlib.suppress(OSError):
            self._note(report, path)  # when there is room for the line, the dry run says what failed

    def _note(self, report: PlayReport, path: Path) -> None:
        times = [t.isoformat(timespec="milliseconds") if t else "" for t in (report.start, report.end)]
        line = "\t".join([*times, f"{report.seconds:.3f}", "completed" if report.completed else report.reason,
                          str(path), self._out.name if self._out else ""]) + "\n"
        with open(self.folder / LOG_NAME, "a", encoding="utf-8") as fh:
            fh.write(line)

    def probe(self) -> str | None:
        """None when the folder (or the nearest existing parent) is writable and has room."""
        folder = self.folder
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            return f"{self.folder}: not writable"
        if shutil.disk_usage(folder).free < 1_000_000:
            return f"{self.folder}: disk full"
        return None

