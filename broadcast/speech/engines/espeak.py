"""eSpeak NG in-process through ctypes, from the espeakng-loader wheel: the offline default engine."""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from broadcast.errors import EngineError
from broadcast.speech.engines import EngineAudio, register

VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south")

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_RATE = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Library:
    """The process-global, non-re-entrant libespeak-ng: one instance, every call under one lock."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lock = threading.Lock()
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, _INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            raise EngineError(f"espeak_Initialize failed ({self.sample_rate})")
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.version = (self.lib.espeak_Info(None) or b"?").decode()
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, numsamples, events) -> int:
        if numsamples > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(numsamples,)).copy())
        return 0

    def synth(self, text: str, voice: str, rate: int) -> np.ndarray:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineError(f"eSpeak has no voice '{voice}'")
            self.lib.espeak_SetParameter(_RATE, rate, 0)
            self._chunks = []
            data = text.encode("utf-8") + b"\0"
            err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None)
            if err != 0:
                raise EngineError(f"espeak_Synth failed ({err})")
            self.lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


_library: _Library | None = None
_library_lock = threading.Lock()


def _lib() -> _Library:
    global _library
    with _library_lock:
        if _library is None:
            try:
                _library = _Library()
            except OSError as exc:
                raise EngineError(f"cannot load libespeak-ng: {exc}") from None
        return _library


def sample_rate() -> int:
    """The rate libespeak-ng speaks at (22050 Hz)."""
    return _lib().sample_rate


class EspeakEngine:
    name = "espeak"
    default_voice = "vi"

    @property
    def version(self) -> str:
        return f"espeak-ng {_lib().version}"

    def voices(self) -> list[str]:
        return list(VOICES)

    def synthesize(self, text: str, voice: str, rate: int) -> EngineAudio:
        if voice not in VOICES:
            raise EngineError(f"eSpeak voice '{voice}' is not one of {', '.join(VOICES)}")
        lib = _lib()
        pcm = lib.synth(text, voice, rate)
        if pcm.size == 0:
            raise EngineError("eSpeak produced no audio")
        return EngineAudio((pcm.astype(np.float32) / 32768.0), lib.sample_rate)


@register("espeak")
def _factory(options: None) -> EspeakEngine:
    return EspeakEngine()
