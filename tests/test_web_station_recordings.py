"""The station's greeting and sign-off read by a person, from the console's Giọng đọc page, in a real
browser: an uploaded file and Chromium's fake microphone each become the part station.yaml names, the
page plays the kept file, and taking it off gives the text back to the machine voice."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from broadcast.config import load_settings
from broadcast.desk import audit
from test_web_login import log_in, shot
from test_web_recording import microphone_browser  # noqa: F401 (a fixture)
from web_fixtures import make_station, start_console

RATE = 48000


@pytest.fixture(scope="module")
def own_console(tmp_path_factory):
    """A console of its own: these tests change station.yaml, which other tests' console must not see."""
    running = start_console(make_station(tmp_path_factory.mktemp("station-parts")))
    yield running
    running.stop()


def reading_wav(path, hz: float = 440.0):
    """Half a second of silence, three seconds of a voice-like tone at a fair level, half a second of silence."""
    from playout_fixtures import write_wav

    t = np.arange(3 * RATE) / RATE
    voice = 0.2 * np.sin(2 * np.pi * hz * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    x = np.concatenate([np.zeros(RATE // 2), voice, np.zeros(RATE // 2)]).astype(np.float32)
    return write_wav(path, x, rate=RATE)


def on_voices_page(chromium, console, user: str, **options):
    """(context, page): `user` logged in on the Giọng đọc page of `console`."""
    context = chromium.new_context(base_url=console.url, viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(60000)
    log_in(page, user)
    page.wait_for_url("**/")
    page.goto("/giong-doc")
    return context, page


def programme(console):
    return load_settings(console.folder / "station.yaml").programme


def test_an_uploaded_greeting_airs_and_can_be_taken_off(browser, own_console, tmp_path):
    station_yaml = own_console.folder / "station.yaml"
    before = station_yaml.read_text(encoding="utf-8")
    wav = reading_wav(tmp_path / "loi-chao.wav")
    context, page = on_voices_page(browser, own_console, "quantri")
    greeting = page.locator("section#greeting")
    assert "giọng máy" in greeting.inner_text()
    assert len(greeting.locator("p.reading").inner_text()) > 20  # the words the reader is to say
    greeting.locator("input[type=file]").set_input_files(str(wav))
    with page.expect_navigation():
        greeting.locator("form.rec-form button").click()
    assert "Đã nhận bản thu lời chào" in page.inner_text(".flash")
    shot(page, "giong-doc-loi-chao")

    # station.yaml names the kept file (its comments kept), the page plays it, the audit trail holds it.
    named = programme(own_console).greeting_recording
    assert named is not None and programme(own_console).signoff_recording is None
    kept = (station_yaml.parent / named).resolve()
    assert kept.read_bytes() == wav.read_bytes()
    assert re.sub(r"\n\s*greeting_recording:.*", "", station_yaml.read_text(encoding="utf-8")).count("#") == before.count("#")
    greeting = page.locator("section#greeting")
    assert "người đọc" in greeting.inner_text() and "loi-chao.wav" in greeting.inner_text()
    heard = page.request.get("/giong-doc/ban-thu/greeting")
    assert heard.ok and hashlib.sha256(heard.body()).hexdigest() == hashlib.sha256(wav.read_bytes()).hexdigest()
    assert page.request.get("/giong-doc/ban-thu/signoff").status == 404  # the sign-off is synthesised
    entry = audit.entries(own_console.data_dir, target="programme.greeting_recording")[0]
    assert (entry.action, entry.user) == ("recorded", "quantri")

    with page.expect_navigation():
        greeting.locator("button.rec-remove").click()
    assert "Đã bỏ bản thu" in page.inner_text(".flash")
    assert programme(own_console).greeting_recording is None
    assert station_yaml.read_text(encoding="utf-8") == before
    assert kept.is_file()  # the kept file stays: evidence of what aired
    assert "giọng máy" in page.locator("section#greeting").inner_text()
    context.close()


def test_a_recording_that_cannot_air_changes_nothing(browser, own_console, tmp_path):
    station_yaml = own_console.folder / "station.yaml"
    before = station_yaml.read_text(encoding="utf-8")
    from playout_fixtures import write_wav

    silent = write_wav(tmp_path / "im-lang.wav", np.zeros(3 * RATE, dtype=np.float32), rate=RATE)
    context, page = on_voices_page(browser, own_console, "quantri")
    signoff = page.locator("section#signoff")
    signoff.locator("input[type=file]").set_input_files(str(silent))
    with page.expect_navigation():
        signoff.locator("form.rec-form button").click()
    flash = page.inner_text(".flash")
    assert flash.startswith("Không dùng được bản thu") and "không có tiếng" in flash, flash
    assert station_yaml.read_text(encoding="utf-8") == before
    context.close()


def test_an_editor_sees_the_parts_but_cannot_change_them(browser, own_console):
    context, page = on_voices_page(browser, own_console, "bientap")
    assert page.locator("section#greeting").count() == 1
    assert page.locator("section#greeting form").count() == 0
    token = page.input_value("form[action='/dang-xuat'] input[name=csrf]")
    refused = page.request.post("/giong-doc/bo-ban-thu/greeting", form={"csrf": token})
    assert refused.status in (303, 403) and programme(own_console).greeting_recording is None
    context.close()


def test_the_sign_off_read_into_the_microphone(microphone_browser, own_console):
    context, page = on_voices_page(microphone_browser, own_console, "quantri", permissions=["microphone"])
    signoff = page.locator("section#signoff")
    signoff.locator("button.rec-start").click()
    page.wait_for_timeout(3500)
    level = signoff.locator(".meter > span").evaluate("e => parseFloat(e.style.width)")
    assert level > 20, f"the level meter shows the microphone ({level}%)"
    with page.expect_navigation(timeout=60000):
        signoff.locator("button.rec-stop").click()
    flash = page.inner_text(".flash")
    assert "Đã nhận bản thu lời kết" in flash
    assert float(re.search(r"\(([\d.]+) giây", flash)[1]) >= 2.5, flash  # the whole ~3.5 s reading arrived
    named = programme(own_console).signoff_recording
    assert named is not None and (own_console.folder / "station.yaml").parent.joinpath(named).is_file()
    assert "người đọc" in page.locator("section#signoff").inner_text()
    shot(page, "giong-doc-loi-ket-micro")
    with page.expect_navigation():
        page.locator("section#signoff button.rec-remove").click()
    assert programme(own_console).signoff_recording is None
    context.close()
