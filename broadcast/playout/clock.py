"""Clocks the runner reads and sleeps on: the real one, and a simulated one that runs faster and skips idle time."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Wait `seconds` of this clock's time; return True early if `stop` is set."""
        ...


def sleep_until(clock: Clock, when: datetime, stop: threading.Event | None = None) -> bool:
    """Wait until `when` on `clock`; True if `stop` was set first."""
    while True:
        left = (when - clock.now()).total_seconds()
        if left <= 0:
            return False
        # Short waits keep us honest if the clock jumps (NTP, a simulated jump).
        if clock.sleep(min(left, 1.0), stop):
            return True


class SystemClock:
    def __init__(self, tz: tzinfo = timezone.utc) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        if seconds <= 0:
            return bool(stop and stop.is_set())
        if stop is None:
            time.sleep(seconds)
            return False
        return stop.wait(seconds)


class SimClock:
    """Simulated time: starts at `start`, runs `speedup` times faster than the wall clock, can jump ahead."""

    def __init__(self, start: datetime, speedup: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware start")
        self._base = start
        self._mono = time.monotonic()
        self.speedup = float(speedup)
        self._held = False
        self._lock = threading.Lock()

    def _now(self) -> datetime:
        if self._held:
            return self._base
        return self._base + timedelta(seconds=(time.monotonic() - self._mono) * self.speedup)

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def jump_to(self, when: datetime) -> None:
        """Skip idle time: move forward to `when` (never backwards)."""
        with self._lock:
            if when > self._now():
                self._base, self._mono = when, time.monotonic()

    def set(self, when: datetime, *, hold: bool = False) -> None:
        """Put the clock at `when`, even backwards: a simulation lets work (a build) take no simulated time.
        With `hold` the clock stands at `when` until something next sleeps on it: the work done before
        (preparing, starting a slot) takes none either, however busy the machine; otherwise a thread
        waking 10 ms late would be 6 simulated seconds late at 600x, and the slot logged late."""
        with self._lock:
            self._base, self._mono, self._held = when, time.monotonic(), hold

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        with self._lock:
            if self._held:  # time runs again from where it stood
                self._held, self._mono = False, time.monotonic()
        real = max(0.0, seconds) / self.speedup
        if stop is None:
            time.sleep(real)
            return False
        return stop.wait(real)
