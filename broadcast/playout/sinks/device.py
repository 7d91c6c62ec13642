"""The sound-card sink: PulseAudio through `pacat`, which reached a null sink in full (recipes/audio-ci.md).

`pacat` reads raw PCM from us, so we control fades and stop within a fraction of a second;
`--latency-msec` keeps PulseAudio's own buffer small for the same reason.
"""

from __future__ import annotations

import shutil

from broadcast.playout.clock import Clock
from broadcast.playout.sinks.pcm import PipeSink

LATENCY_MS = 100


class PulseSink(PipeSink):
    wants = "wav"

    def __init__(self, device: str | None = None, clock: Clock | None = None, fade_s: float = 0.5) -> None:
        super().__init__(clock, fade_s)
        self.device = device
        self.label = f"device:{device or 'default'}"

    def command(self, sample_rate: int) -> list[str]:
        exe = shutil.which("pacat") or "pacat"
        cmd = [exe, "--playback", "--raw", "--format=s16le", f"--rate={sample_rate}", "--channels=1",
               f"--latency-msec={LATENCY_MS}", "--client-name=broadcast", "--stream-name=broadcast"]
        if self.device:
            cmd.append(f"--device={self.device}")
        return cmd
