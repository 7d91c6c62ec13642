"""Thu âm in a real browser: Chromium's fake microphone fed from a known WAV records with MediaRecorder,
the page sends it, and the bulletin's built audio carries that sound between the jingles, mastered."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.audio.manifest import read_manifest
from broadcast.desk import audit
from test_web_login import log_in, shot
from web_fixtures import CHROMIUM, CHROMIUM_ARGS

TONE_HZ = 1000.0


@pytest.fixture
def microphone_browser(playwright, tmp_path):
    """A second Chromium whose microphone plays a steady 1 kHz tone (a WAV it loops)."""
    from playout_fixtures import write_wav

    t = np.arange(int(4 * 48000)) / 48000
    wav = write_wav(tmp_path / "micro.wav", (0.25 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32), rate=48000)
    chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                          args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}"])
    yield chromium
    chromium.close()


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


def test_a_recording_from_the_microphone_is_what_the_bulletin_airs(microphone_browser, console):
    context = microphone_browser.new_context(base_url=console.url, permissions=["microphone"])
    page = context.new_page()
    page.set_default_timeout(60000)
    log_in(page, "bientap")
    page.wait_for_url("**/")
    page.goto("/ban-tin/tthc-dang-ky-khai-sinh")
    page.click("button.rec-start")
    page.wait_for_timeout(3500)
    level = page.eval_on_selector(".meter > span", "e => parseFloat(e.style.width)")
    assert level > 20, f"the level meter shows the microphone ({level}%)"
    shot(page, "thu-am")
    with page.expect_navigation(timeout=60000):
        page.click("button.rec-stop")
    assert "Đã nhận bản thu" in page.inner_text(".flash")
    # The bulletin now names the kept recording, and its build airs the tone as the item.
    bulletin_file = console.folder / "bulletins" / "2024-02-thu-tuc-khai-sinh.yaml"
    assert "recording: ../recordings/" in bulletin_file.read_text(encoding="utf-8")
    manifest = read_manifest(console.folder / "audio_out" / "tthc-dang-ky-khai-sinh.json")
    item = next(i for i in manifest.items if i.bulletin_id == "tthc-dang-ky-khai-sinh")
    mp3 = console.folder / "audio_out" / "tthc-dang-ky-khai-sinh.mp3"
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-ac", "1", "-ar", "44100", "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    audio = np.frombuffer(raw, dtype="<f4")
    middle = (item.start_s + item.end_s) / 2
    window = audio[int((middle - 0.5) * 44100): int((middle + 0.5) * 44100)]
    assert abs(dominant_hz(window, 44100) - TONE_HZ) < 5
    assert 20 * np.log10(np.sqrt(np.mean(window ** 2))) > -30  # mastered to the station's level, not a whisper
    assert audit.entries(console.data_dir, target="tthc-dang-ky-khai-sinh")[0].action == "recorded"
    context.close()
