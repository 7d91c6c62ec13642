"""The voices the station can use now (every engine's, checked), the speech chain, and a sample to hear.

Shared by `broadcast voices` and the web console's Giọng đọc page.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from broadcast.config import Settings
from broadcast.errors import EngineError, UserError
from broadcast.speech.engines.espeak import sample_rate as espeak_sample_rate
from broadcast.speech.synth import engine_options, station_engine

REACH_DEADLINE_S = 2.0  # the whole gTTS check, DNS included: a listing must never hang
SAMPLE_TEXT = (
    "Xin chào bà con. Đây là giọng đọc thử của đài truyền thanh xã, chuyên mục cải cách hành chính. "
    "Mọi thủ tục hành chính được tiếp nhận tại bộ phận một cửa của Ủy ban nhân dân xã."
)
ESPEAK_VOICES = {  # the three Vietnamese voices in espeak-ng 1.52 (all male)
    "vi": "Vietnamese, northern",
    "vi-vn-x-central": "Vietnamese, central",
    "vi-vn-x-south": "Vietnamese, southern",
}


@dataclass
class VoiceRow:
    engine: str
    voice: str
    language: str = ""
    quality: str = ""
    sample_rate: int = 0
    usable: bool | None = True  # None: not checked
    detail: str = ""
    role: str = ""  # "speaks" for the configured engine's voice, "fallback N" for the chain


def chain(settings: Settings) -> list[str]:
    """The engines in the order the Speaker tries them."""
    return list(dict.fromkeys([settings.speech.engine, *settings.speech.fallback]))


def gtts_target(settings: Settings) -> tuple[str, int]:
    g = settings.speech.gtts
    url = urllib.parse.urlsplit(g.url or f"https://translate.google.{g.tld}/")
    return url.hostname or "", url.port or (443 if url.scheme == "https" else 80)


def gtts_reachable(settings: Settings, deadline: float = REACH_DEADLINE_S) -> tuple[bool, str]:
    """Can a TCP connection to gTTS's server be opened? Answers within `deadline` seconds, always.

    The connect runs in a daemon thread because name resolution ignores socket timeouts: a
    village network with a dead DNS server would otherwise hang the listing.
    """
    host, port = gtts_target(settings)
    result: list[tuple[bool, str]] = []

    def probe() -> None:
        t = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=deadline):
                result.append((True, f"reachable ({host}:{port}, {(time.monotonic() - t) * 1000:.0f} ms)"))
        except OSError as exc:
            result.append((False, f"unreachable ({host}:{port}: {exc.strerror or exc})"))

    worker = threading.Thread(target=probe, name="gtts-probe", daemon=True)
    worker.start()
    worker.join(deadline)
    return result[0] if result else (False, f"unreachable ({host}:{port}: no answer within {deadline:g} s)")


def _espeak_rows(settings: Settings) -> list[VoiceRow]:

    try:
        engine = station_engine("espeak", settings)
        version = engine.version
        rate = espeak_sample_rate()
    except EngineError as exc:
        return [VoiceRow("espeak", "-", usable=False, detail=str(exc))]
    return [
        VoiceRow("espeak", v, "vi", "robotic (formant synthesis)", rate, True, f"{ESPEAK_VOICES.get(v, v)}; {version}")
        for v in engine.voices()
    ]


def _piper_rows(settings: Settings, check_models: bool) -> list[VoiceRow]:
    from broadcast.speech.engines import piper

    if not piper.available():
        return [VoiceRow("piper", "-", usable=False, detail=piper.INSTALL_HINT)]
    options = engine_options("piper", settings)
    found = piper.find_voices(options)
    configured = settings.speech.voice
    if piper.looks_like_path(configured):
        try:
            found[configured] = piper.locate(options, configured)
        except EngineError as exc:
            return [VoiceRow("piper", configured, usable=False, detail=str(exc))] + _piper_list(found, check_models)
    rows = _piper_list(found, check_models)
    if not any(r.language.lower().startswith("vi") for r in rows):
        rows.append(VoiceRow(
            "piper", "-", "vi", usable=False,
            detail=f"no Vietnamese Piper voice in {piper.voices_dir(options)} (see README: a natural Vietnamese voice)",
        ))
    return rows


def _piper_list(found: dict, check_models: bool) -> list[VoiceRow]:
    from broadcast.speech.engines import piper

    rows = []
    for name, vf in sorted(found.items()):
        info = piper.voice_info(vf)
        speakers = f", {info.num_speakers} speakers" if info.num_speakers > 1 else ""
        row = VoiceRow("piper", name, info.language, info.quality, info.sample_rate, True, f"{info.origin}{speakers}: {vf.model}")
        if info.problem:
            row.usable, row.detail = False, info.problem
        elif check_models:
            try:
                piper.load_voice(vf)
            except EngineError as exc:
                row.usable, row.detail = False, str(exc)
        else:
            row.usable = None
        rows.append(row)
    return rows


def _gtts_rows(settings: Settings, network: bool) -> list[VoiceRow]:
    from broadcast.speech.engines.gtts_engine import SAMPLE_RATE

    g = settings.speech.gtts
    row = VoiceRow("gtts", g.lang, g.lang, "natural (online, Google)", SAMPLE_RATE)
    if not network:
        row.usable, row.detail = None, "network not checked (--no-network)"
    else:
        row.usable, row.detail = gtts_reachable(settings)
    return [row]


def _other_rows(settings: Settings, name: str) -> list[VoiceRow]:

    try:
        engine = station_engine(name, settings)
        return [VoiceRow(name, v, detail=engine.version) for v in engine.voices()]
    except EngineError as exc:
        return [VoiceRow(name, "-", usable=False, detail=str(exc))]


def _voice_used(settings: Settings, name: str, rows: list[VoiceRow]) -> str | None:
    """The voice the Speaker would ask `name` for: the configured voice, else the engine's default."""

    names = {r.voice for r in rows if r.engine == name}
    if settings.speech.voice in names:
        return settings.speech.voice
    try:
        return station_engine(name, settings).default_voice or None
    except (EngineError, UserError):
        return None


def list_voices(settings: Settings, network: bool = True, check_models: bool = True) -> list[VoiceRow]:
    """Every voice of every engine, Piper voices checked by loading them, gTTS by a quick connect."""
    from broadcast.speech.engines import engine_names

    order = chain(settings)
    rows: list[VoiceRow] = []
    for name in ["piper", "gtts", "espeak", *sorted(set(engine_names()) - {"piper", "gtts", "espeak"})]:
        if name not in engine_names():
            continue
        if name == "fake" and name not in order:
            continue  # the test engine is shown only when a station really configured it
        if name == "espeak":
            found = _espeak_rows(settings)
        elif name == "piper":
            found = _piper_rows(settings, check_models)
        elif name == "gtts":
            found = _gtts_rows(settings, network)
        else:
            found = _other_rows(settings, name)
        if name in order:
            used = _voice_used(settings, name, found)
            i = order.index(name)
            for row in found:
                if row.voice == used:
                    row.role = "speaks" if i == 0 else f"fallback {i}"
        rows += found
    unknown = [n for n in order if n not in engine_names()]
    for name in unknown:
        rows.append(VoiceRow(name, "-", usable=False, detail=f"unknown speech engine '{name}' in the settings", role="chain"))
    return rows


def parse_voice(settings: Settings, spec: str) -> tuple[str, str]:
    """`engine:voice`, a bare engine name (its default voice), or a bare voice looked up across engines."""
    from broadcast.speech.engines import engine_names

    names = engine_names()
    engine_name, sep, voice = spec.partition(":")
    if sep and engine_name in names:
        return engine_name, voice or station_engine(engine_name, settings).default_voice
    if spec in names:
        return spec, station_engine(spec, settings).default_voice
    order = chain(settings) + [n for n in names if n not in chain(settings)]
    for name in order:
        try:
            if spec in station_engine(name, settings).voices():
                return name, spec
        except EngineError:
            continue
    raise UserError(f"no engine has a voice '{spec}': run `broadcast voices` to see them, and write ENGINE:VOICE")


def write_sample(settings: Settings, spec: str, out: Path | None = None, text: str | None = None, rate: int | None = None):
    """Speak a short Vietnamese sample with exactly that voice (no fallback) into a WAV file."""
    from broadcast.audio.ffmpeg import encode_wav
    from broadcast.speech.normalise import normalise

    engine_name, voice = parse_voice(settings, spec)
    engine = station_engine(engine_name, settings)
    spoken = normalise(text or SAMPLE_TEXT)
    try:
        speech = engine.synthesize(spoken, voice, rate or settings.speech.rate)
    except EngineError as exc:
        raise UserError(f"{engine_name}:{voice} cannot speak: {exc}") from None
    label = Path(voice).stem if voice.endswith(".onnx") else voice
    out = out or Path(f"sample-{engine_name}-{label or 'default'}.wav")
    try:
        encode_wav(speech.samples, speech.sample_rate, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot write ({exc.strerror})") from None
    return out, speech, engine_name, voice


def add_piper_voice(settings: Settings, model_name: str, model_file: Path, config_file: Path) -> VoiceRow:
    """Take an uploaded Piper voice (its .onnx and .onnx.json) into the voices folder, only once it has
    been read and loaded in a staging folder: a damaged or half-finished download is refused whole."""
    import shutil
    import tempfile

    from broadcast.speech.engines import piper

    name = Path(model_name).name
    if not name.endswith(".onnx") or len(name) <= len(".onnx"):
        raise UserError("Cần tệp giọng đọc Piper dạng TÊN.onnx kèm tệp TÊN.onnx.json.")
    folder = piper.voices_dir(engine_options("piper", settings))
    if (folder / name).exists():
        raise UserError(f"Giọng {name[:-5]} đã có trong {folder}.")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".tai-len-") as staging:
        model = Path(staging) / name
        shutil.copyfile(model_file, model)
        shutil.copyfile(config_file, Path(f"{model}.json"))
        voice = piper.VoiceFile(name[:-5], model, "voices folder")
        info = piper.voice_info(voice)
        if info.problem:
            raise UserError(f"Tệp cấu hình .onnx.json không dùng được: {info.problem}")
        try:
            piper.load_voice(voice)
        except EngineError as exc:
            raise UserError(f"Không nạp được giọng đọc (tệp hỏng hoặc tải về chưa xong): {exc}") from None
        shutil.move(str(Path(f"{model}.json")), folder / f"{name}.json")
        shutil.move(str(model), folder / name)  # the model last: a voice is found by its model file
    return VoiceRow("piper", name[:-5], info.language, info.quality, info.sample_rate, True, str(folder / name))
