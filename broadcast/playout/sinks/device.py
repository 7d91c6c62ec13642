"""The sound-card sink: PulseAudio through `pacat`, which reached a null sink in full (recipes/audio-ci.md).

`pacat` reads raw PCM from us, so we control fades and stop within a fraction of a second.

Buffers are deep enough for a loaded machine: with PulseAudio's buffer at 100 ms and 0.3 s written
ahead, two CPU hogs on a 2-core machine starved pacat long enough for 12-44 ms silences (pacat said
"Stream underrun"); at 500 ms and 1 s ahead, none in 30 s at a load of 10, but an 84 ms gap at 13; at
1 s and 2 s ahead, none at 11 again. A stop does not wait for those buffers to
drain: the player is killed and the fade-out plays in a new one from what was being heard.
"""

from __future__ import annotations

import shutil
import subprocess

from broadcast.playout.clock import Clock
from broadcast.playout.sinks.pcm import PipeSink

LATENCY_MS = 1000


class PulseSink(PipeSink):
    wants = "wav"
    lead_s = 2.0
    pipe_bytes = 65536
    cut_on_stop = True

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

    def probe(self) -> str | None:
        """None when the sound server answers and has this sink; else why not."""
        exe = shutil.which("pactl")
        if exe is None:
            return None  # nothing to ask with: the play itself will tell
        try:
            proc = subprocess.run([exe, "list", "short", "sinks"], capture_output=True, text=True, timeout=3)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"PulseAudio does not answer ({exc})"
        if proc.returncode != 0:
            return f"PulseAudio does not answer ({proc.stderr.strip() or proc.returncode})"
        names = [line.split("\t")[1] for line in proc.stdout.splitlines() if "\t" in line]
        if self.device and self.device not in names:
            return f"no PulseAudio sink named {self.device} (there are: {', '.join(names) or 'none'})"
        return None if names else "PulseAudio has no sink"

