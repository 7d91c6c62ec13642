"""Thu âm in a real browser: Chromium's fake microphone fed from a known WAV records with MediaRecorder,
the page sends it, and the bulletin's built audio carries that sound between the jingles, mastered."""

from __future__ import annotations

import re
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
    flash = page.inner_text(".flash")
    assert "Đã nhận bản thu" in flash
    # All of the ~3.5 s arrives: with the browser's voice-call processing on, the steady tone was taken for
    # noise and faded out within two seconds (the recording came back as 1 s).
    assert float(re.search(r"bản thu ([\d.]+) giây", flash)[1]) >= 2.5, flash
    assert page.inner_text(".facts .reader").startswith("người đọc thật (bản thu ")
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
    # An edit of the text from the form keeps the reading (the form does not carry it), and says so.
    kept = next(line for line in bulletin_file.read_text(encoding="utf-8").splitlines() if line.startswith("recording:"))
    page.goto("/ban-tin/tthc-dang-ky-khai-sinh/sua")
    assert "phát bằng bản thu" in page.inner_text("main")
    page.fill("input[name=title]", "Công khai thủ tục đăng ký khai sinh (đã sửa)")
    with page.expect_navigation():
        page.click("button[value=save]")
    assert "vẫn phát bằng bản thu" in page.inner_text(".flash")
    text = bulletin_file.read_text(encoding="utf-8")
    assert "(đã sửa)" in text and kept in text.splitlines()
    # Back to the machine's voice is its own action, in the Thu âm card.
    with page.expect_navigation():
        page.click("button.rec-remove")
    assert "Đã bỏ bản thu" in page.inner_text(".flash")
    assert "recording:" not in bulletin_file.read_text(encoding="utf-8")
    assert [e.action for e in audit.entries(console.data_dir, target="tthc-dang-ky-khai-sinh", limit=2)] == [
        "recording_removed", "edited"]
    context.close()


def test_saving_a_recorded_bulletin_from_a_form_keeps_its_recording(tmp_path):
    from broadcast.app import editing
    from broadcast.config import load_settings
    from web_fixtures import make_station

    settings = load_settings(make_station(tmp_path / "dai"))
    file = settings.bulletins_dir / "2024-03-duong-day-nong.yaml"
    file.write_text(file.read_text(encoding="utf-8") + "recording: ../recordings/ab/doc.wav\n", encoding="utf-8")
    doc = {"id": "duong-day-nong-2024", "title": "Đường dây nóng (sửa)", "topic": "hotline", "template": "hotline",
           "data": {"lines": [{"purpose": "phòng, chống bạo lực gia đình", "number": "1800 1567"}]}}
    saved = editing.save(settings, doc, "bientap", path=file)
    assert "recording: ../recordings/ab/doc.wav" in file.read_text(encoding="utf-8")
    assert saved.bulletin.recording.as_posix() == "../recordings/ab/doc.wav"
    # Nothing named: nothing added.
    other = settings.bulletins_dir / "2024-04-dich-vu-cong.yaml"
    assert editing.recording_of(other) is None
