"""Speech engines behind one small interface, and the registry that builds them from their own options.

Each engine gets only its own options (a small dataclass in its module, or none), never the station
settings: broadcast.speech.synth maps the settings to them, so this package does not import config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

import numpy as np

from broadcast.errors import UserError


@dataclass(frozen=True)
class EngineAudio:
    """Mono PCM from an engine: float32 in [-1, 1] at the engine's own rate."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


class Engine(Protocol):
    """A text-to-speech engine.

    `name` MUST be stable (it keys the cache and is recorded in manifests and the log).
    `version` SHOULD change when the same text would sound different (it keys the cache); an engine
    whose voices are separate files MAY add `voice_version(voice) -> str`, used instead, so that
    changing one voice does not invalidate the speech of the others. An engine MAY add
    `voice_language(voice) -> str | None` (e.g. "vi_VN"), so a build can warn when a voice of another
    language would read Vietnamese text.
    `synthesize` MUST return non-empty speech or raise broadcast.errors.EngineError; it MUST NOT
    block longer than the engine's configured timeout.
    `voices` lists the voice names `synthesize` accepts; `default_voice` is used when the
    requested voice belongs to another engine (after a fallback).
    """

    name: str
    version: str
    default_voice: str

    def voices(self) -> list[str]: ...

    def synthesize(self, text: str, voice: str, rate: int) -> EngineAudio: ...


EngineFactory = Callable[[Any], Engine]  # the engine's options (None: its defaults) -> the engine
_FACTORIES: dict[str, EngineFactory] = {}


def register(name: str) -> Callable[[EngineFactory], EngineFactory]:
    def wrap(factory: EngineFactory) -> EngineFactory:
        _FACTORIES[name] = factory
        return factory

    return wrap


def _load_builtin() -> None:
    # Imported for their @register side effect (piper's module imports piper-tts only when it speaks).
    from broadcast.speech.engines import espeak, fake, gtts_engine, piper  # noqa: F401


def engine_names() -> list[str]:
    _load_builtin()
    return sorted(_FACTORIES)


def make_engine(name: str, options: Any = None) -> Engine:
    """The engine `name` with its own options (None: its defaults)."""
    _load_builtin()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise UserError(f"unknown speech engine '{name}' (available: {', '.join(sorted(_FACTORIES))})") from None
    return factory(options)
