"""Phát ngay / Khẩn cấp from the page reaches the running service (its own process, through the control
socket) and is on air within a second; the dashboard shows it airing."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from broadcast.playout.control import request
from test_web_login import log_in, shot
from web_fixtures import make_station, schedule_away_from_now, start_console, start_service


@pytest.fixture(scope="module")
def on_air_station(tmp_path_factory):
    """A station with the console and `broadcast run` both running, and a 20 s announcement to upload."""
    from playout_fixtures import tone_steps, write_wav

    station = make_station(tmp_path_factory.mktemp("onair"))
    schedule_away_from_now(station)
    service = start_service(station)
    console = start_console(station)
    wav = write_wav(station.parent / "thong-bao-khan.wav", tone_steps([440.0, 660.0], 10.0, level=0.3))
    yield console, wav
    console.stop()
    service.terminate()
    service.wait(30)


def test_emergency_from_the_page_is_on_air_within_a_second(browser, on_air_station):
    console, wav = on_air_station
    context = browser.new_context(base_url=console.url, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    log_in(page, "lanhdao")
    page.goto("/phat-ngay")
    page.set_input_files("input[name=file]", str(wav))
    page.check("input[value=emergency]")
    page.click("button.danger")  # without the confirmation: refused, nothing airs
    assert "hãy đánh dấu ô xác nhận" in page.inner_text(".flash.bad")
    assert request(console.data_dir / "control.sock", {"cmd": "status"})["status"]["on_air"] is None
    page.set_input_files("input[name=file]", str(wav))
    page.check("input[value=emergency]")
    page.check("input[name=confirm]")
    shot(page, "phat-ngay")
    clicked = time.time()
    with page.expect_navigation():
        page.click("button.danger")
    status = request(console.data_dir / "control.sock", {"cmd": "status"})["status"]
    assert status["on_air"] is not None and status["on_air"]["session"] == "khẩn cấp"
    since = datetime.fromisoformat(status["on_air"]["since"]).timestamp()
    # Upload, one-pass levelling of 20 s of audio, the control socket and the sinks' start, all in one second.
    assert since - clicked < 1.0, f"on air {since - clicked:.2f} s after the click"
    assert "Đã gửi «thong-bao-khan» tới dịch vụ phát sóng lúc" in page.inner_text(".flash")
    page.goto("/")
    assert "khẩn cấp" in page.inner_text("#dang-phat")
    shot(page, "tong-quan-dang-phat")
    context.close()
