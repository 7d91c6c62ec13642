""""Nghe thử" while the audio is still being made: the console's builds tap their mastering, and a browser
asking to listen gets a WAV whose samples arrive as they are mastered (the length is known from the
start, so the player shows the duration and starts at once). The MP3 follows when the build finishes
and is what later requests get.

One `Listening` per build job; late listeners read what is already there, then wait for the rest.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from concurrent.futures import Future

import numpy as np

from broadcast.audio.ffmpeg import to_pcm16

WAV_HEADER_BYTES = 44


def wav_header(samples: int, sample_rate: int) -> bytes:
    """The 44-byte header of a 16-bit mono PCM WAV of `samples` samples."""
    data = samples * 2
    return (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
                                                                                      sample_rate * 2, 2, 16)
            + b"data" + struct.pack("<I", data))


class Listening:
    """A build's mastered audio as it comes (a `broadcast.audio.master.Tap`), for any number of listeners."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._chunks: list[bytes] = []
        self.samples = 0  # the length to come, once begun
        self.sample_rate = 0
        self.begun = False
        self.ended = False  # every block is here (or the build stopped: see `finished`)
        self.finished = False  # the build job is over, one way or the other

    # -- the tap (called on the build's thread) --
    def begin(self, samples: int, sample_rate: int) -> None:
        with self._cond:
            self.samples, self.sample_rate, self.begun = samples, sample_rate, True
            self._cond.notify_all()

    def write(self, block: np.ndarray) -> None:
        data = to_pcm16(block)
        with self._cond:
            self._chunks.append(data)
            self._cond.notify_all()

    def end(self) -> None:
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    def follow(self, job: Future) -> None:
        """Mark the stream over when the build job ends, whatever happened (a failed build ends it short)."""
        def done(_):
            with self._cond:
                self.finished = self.ended = True
                self._cond.notify_all()

        job.add_done_callback(done)

    # -- the listeners --
    def wait_begun(self, timeout: float) -> bool:
        """True when audio is coming (begun and the job not over); False when the job ended first."""
        with self._cond:
            self._cond.wait_for(lambda: self.begun or self.finished, timeout)
            return self.begun and not self.finished

    @property
    def size(self) -> int:
        return WAV_HEADER_BYTES + 2 * self.samples

    def wav(self, timeout: float = 120.0) -> Iterator[bytes]:
        """The WAV: its header, then each block as it is mastered; stops early if the build fails."""
        yield wav_header(self.samples, self.sample_rate)
        sent = 0
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: len(self._chunks) > sent or self.ended, timeout):
                    return
                chunks, ended = self._chunks[sent:], self.ended
            for chunk in chunks:
                yield chunk
            sent += len(chunks)
            if ended and sent == len(self._chunks):
                return
