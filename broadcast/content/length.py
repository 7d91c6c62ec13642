"""How long a bulletin speaks: an estimate from its spoken text before anything is synthesised, and the
station's limits (warn above a length, refuse above a cap).

The estimate counts syllables (a Vietnamese word is one syllable, so a spoken token with letters is
one) and the pauses eSpeak NG makes at commas and full stops, at the station's `speech.rate`. The
constants are fitted to eSpeak NG's Vietnamese voices on the example bulletins; the README gives the
measured error. Other engines speak at their own pace, so for them it is a rough figure; a built
bulletin's measured length replaces it wherever one is known.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Seconds x speech.rate for one syllable, one clause pause (, ; :) and one sentence pause (. ! ?).
SYLLABLE = 38.0
CLAUSE_PAUSE = 33.0
SENTENCE_PAUSE = 95.0
_CLAUSE = re.compile(r"[,;:]")
_SENTENCE = re.compile(r"[.!?]+")
FIX = "split it into several bulletins or shorten it"


def syllables(spoken: str) -> int:
    return sum(1 for token in spoken.split() if any(c.isalpha() for c in token))


def speech_seconds(spoken: str, rate: int) -> float:
    """Seconds eSpeak NG takes to say `spoken` (normalised text) at `rate`."""
    units = (SYLLABLE * syllables(spoken) + CLAUSE_PAUSE * len(_CLAUSE.findall(spoken))
             + SENTENCE_PAUSE * len(_SENTENCE.findall(spoken)))
    return units / rate


def item_seconds(spoken: Sequence[str], rate: int, title_pause_s: float, paragraph_pause_s: float) -> float:
    """A bulletin's own speech: its title, then its paragraphs, with the pauses a build puts between them."""
    pauses = (title_pause_s if len(spoken) > 1 else 0.0) + paragraph_pause_s * max(0, len(spoken) - 2)
    return sum(speech_seconds(text, rate) for text in spoken) + pauses


def minutes_seconds(seconds: float) -> str:
    """17 min 05 s; 45 s."""
    whole = int(round(seconds))
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


@dataclass(frozen=True)
class SpokenLength:
    """How long a bulletin speaks, against the station's limits."""

    seconds: float
    measured: bool  # from its built audio; else estimated from its text
    warn_minutes: float
    max_minutes: float

    @property
    def too_long(self) -> bool:
        return self.seconds > self.max_minutes * 60

    @property
    def long(self) -> bool:
        return self.seconds > self.warn_minutes * 60

    def params(self) -> dict:
        """The values a problem about this length names (for the console's wording)."""
        whole = int(round(self.seconds))
        spoken = f"{whole // 60} phút {whole % 60:02d} giây" if whole >= 60 else f"{whole} giây"
        return {"length": spoken, "measured": self.measured, "max": self.max_minutes, "warn": self.warn_minutes}

    def describe(self) -> str:
        how = "measured" if self.measured else "estimated"
        if self.too_long:
            return (f"speaks {minutes_seconds(self.seconds)} ({how}), above the cap of {self.max_minutes:g} min "
                    f"(bulletin_length.max_minutes in station.yaml)")
        return (f"speaks {minutes_seconds(self.seconds)} ({how}), longer than {self.warn_minutes:g} min "
                f"(bulletin_length.warn_minutes in station.yaml)")
