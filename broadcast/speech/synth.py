"""Speak one piece of text with the station's engine policy: cache first, then each engine in order.

The policy: for each engine in [preferred, *fallback], use its cached audio if any, else try to
synthesise; on EngineError go on to the next. What actually spoke is returned, so manifests and
the log record it and the editor is told when a lesser voice stood in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import resample_poly

from broadcast.config import Settings
from broadcast.errors import EngineError, UserError
from broadcast.problems import coded
from broadcast.speech.cache import SpeechCache, speech_key
from broadcast.speech.engines import Engine, make_engine
from broadcast.speech.engines.gtts_engine import GttsOptions
from broadcast.speech.engines.piper import PiperOptions


@dataclass(frozen=True)
class Spoken:
    samples: np.ndarray  # at the station's sample rate
    engine: str
    voice: str
    cached: bool
    fell_back_from: tuple[str, ...] = ()  # engines that failed before this one spoke
    failures: tuple[str, ...] = ()
    asked_voice: str = ""  # the voice asked for, when the engine that spoke has no such voice
    cache_key: str = ""  # where the speech cache keeps these samples ("" when it could not keep them)


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    if from_rate == to_rate:
        return samples.astype(np.float32)
    from math import gcd

    g = gcd(from_rate, to_rate)
    return resample_poly(samples, to_rate // g, from_rate // g).astype(np.float32)


def engine_options(name: str, settings: Settings) -> GttsOptions | PiperOptions | None:
    """The engine's own options, from the station's settings (engines never see the settings)."""
    speech = settings.speech
    if name == "gtts":
        g = speech.gtts
        return GttsOptions(lang=g.lang, tld=g.tld, timeout=g.timeout, url=g.url)
    if name == "piper":
        p = speech.piper
        return PiperOptions(voices_dir=p.voices_dir, base_dir=settings.base_dir, voice=speech.voice,
                            speaker=p.speaker, length_scale=p.length_scale)
    return None


def station_engine(name: str, settings: Settings) -> Engine:
    """The engine `name` as the station's settings configure it."""
    return make_engine(name, engine_options(name, settings))


def _version_of(engine: Engine, voice: str) -> str:
    """Per-voice version when the engine has one (a Piper voice file), else the engine's."""
    per_voice = getattr(engine, "voice_version", None)
    return per_voice(voice) if per_voice else engine.version


@dataclass
class Speaker:
    """The engine chain for one build; engines are created lazily (gTTS is not touched if cached)."""

    settings: Settings
    engine_order: list[str] = field(default_factory=list)
    _engines: dict[str, Engine] = field(default_factory=dict)

    def __post_init__(self):
        if not self.engine_order:
            speech = self.settings.speech
            self.engine_order = list(dict.fromkeys([speech.engine, *speech.fallback]))
        self.cache = SpeechCache(self.settings.cache_dir)

    def kept(self, spoken: Spoken):
        """A loader for `spoken`'s samples from the speech cache (None when the cache does not hold them),
        so a long programme's speech need not all stay in memory until it is mixed."""
        if not spoken.cache_key:
            return None
        key, cache = spoken.cache_key, self.cache

        def load():
            samples = cache.get(key)
            if samples is None:
                raise OSError(f"speech cache entry {key} vanished during the build")
            return samples

        return load

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = station_engine(name, self.settings)
        return self._engines[name]

    def say(self, text: str, voice: str | None = None, rate: int | None = None) -> Spoken:
        rate = rate or self.settings.speech.rate
        wanted_voice = voice or self.settings.speech.voice
        sample_rate = self.settings.audio.sample_rate
        failures: list[str] = []
        failed: list[str] = []
        for name in self.engine_order:
            try:
                engine = self.engine(name)
                use_voice = wanted_voice if wanted_voice in engine.voices() else engine.default_voice
                substituted = "" if use_voice == wanted_voice else wanted_voice
                key = speech_key(name, _version_of(engine, use_voice), use_voice, rate, text, sample_rate)
            except EngineError as exc:
                failures.append(f"{name}: {exc}")
                failed.append(name)
                continue
            cached = self.cache.get(key)
            if cached is not None:
                return Spoken(cached, name, use_voice, True, tuple(failed), tuple(failures), substituted, key)
            try:
                speech = engine.synthesize(text, use_voice, rate)
            except EngineError as exc:
                failures.append(f"{name}: {exc}")
                failed.append(name)
                continue
            samples = resample(speech.samples, speech.sample_rate, sample_rate)
            kept = self.cache.put(key, samples)
            return Spoken(samples, name, use_voice, False, tuple(failed), tuple(failures), substituted,
                          key if kept else "")
        raise UserError(coded(
            "no speech engine could speak the text: " + "; ".join(failures)
            + " (check the network for gtts, or add 'espeak' to speech.fallback)", "speech.no_engine",
            detail="; ".join(failures)))
