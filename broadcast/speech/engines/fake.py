"""A deterministic stand-in engine for fast tests: syllable-like tone bursts, no library, no network.

Like Mopidy's dummy backend it honours the engine contract, including failure on demand:
the voice "error" raises EngineError, so fallback paths can be tested without a broken network.
"""

from __future__ import annotations

import zlib

import numpy as np

from broadcast.errors import EngineError
from broadcast.speech.engines import EngineAudio, register

SAMPLE_RATE = 22050
_SYLLABLE_S = 0.18
_GAP_S = 0.04


class FakeEngine:
    name = "fake"
    version = "fake-1"
    default_voice = "fake"

    def voices(self) -> list[str]:
        return ["fake", "fake-low", "error"]

    def synthesize(self, text: str, voice: str, rate: int) -> EngineAudio:
        if voice == "error":
            raise EngineError("fake engine asked to fail (voice 'error')")
        words = text.split()
        if not words:
            raise EngineError("nothing to say")
        base = 140.0 if voice == "fake-low" else 220.0
        scale = 150.0 / rate
        n = int(_SYLLABLE_S * scale * SAMPLE_RATE)
        t = np.arange(n) / SAMPLE_RATE
        envelope = np.sin(np.pi * t / t[-1]) ** 2
        gap = np.zeros(int(_GAP_S * scale * SAMPLE_RATE), dtype=np.float32)
        parts = []
        for word in words:
            f = base * (1 + (zlib.crc32(word.encode()) % 7) / 10)
            tone = 0.6 * envelope * (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t))
            parts += [tone.astype(np.float32), gap]
        return EngineAudio(np.concatenate(parts), SAMPLE_RATE)


@register("fake")
def _factory(options: None) -> FakeEngine:
    return FakeEngine()
