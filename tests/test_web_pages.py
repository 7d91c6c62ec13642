"""Each main page in the browser as the admin (screenshots to look at), Vietnamese text in one font family,
the lexicon's "how it is read", users added by the admin, and a phone-sized screen."""

from __future__ import annotations

import pytest

from broadcast.app import users
from test_web_login import log_in, shot
from web_fixtures import PASSWORD

PAGES = {
    "tong-quan": ("/", "Tổng quan"),
    "ban-tin-danh-sach": ("/ban-tin", "Bản tin"),
    "ban-tin-moi": ("/ban-tin/moi", "Bản tin mới"),
    "ban-tin-mau": ("/ban-tin/moi/procedure", "Công khai thủ tục hành chính"),
    "lich-phat": ("/lich-phat", "Lịch phát"),
    "tu-dien": ("/tu-dien", "Từ điển của đài"),
    "nguoi-dung": ("/nguoi-dung", "Người dùng"),
}


@pytest.fixture
def admin(browser, console):
    context = browser.new_context(base_url=console.url, timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    users.update_user(console.data_dir, "quantri", roles=["admin", "editor", "approver"])
    log_in(page, "quantri")
    page.wait_for_url("**/")
    yield page
    context.close()


def test_main_pages_render_in_vietnamese(admin):
    for name, (path, heading) in PAGES.items():
        admin.goto(path)
        assert heading in admin.inner_text("h1"), path
        shot(admin, name)


def fonts_of(page, selector: str) -> set[str]:
    """The platform fonts Chromium used for the text of the element (DevTools' CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})
    node = cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector})["nodeId"]
    text = cdp.send("DOM.describeNode", {"nodeId": node, "depth": 1})["node"]
    child = next(c for c in text["children"] if c["nodeType"] == 3)  # the text node itself
    found = cdp.send("DOM.pushNodesByBackendIdsToFrontend", {"backendNodeIds": [child["backendNodeId"]]})
    return {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": found["nodeIds"][0]})["fonts"]}


def test_vietnamese_text_renders_in_one_font_family(admin):
    admin.goto("/ban-tin/moi/procedure")
    # Letters that the old Liberation fonts lacked (ạ ế ộ ư ơ ỷ đ) must not fall back letter by letter.
    admin.evaluate("""() => { const p = document.createElement('p'); p.id = 'mau-chu';
        p.textContent = 'Ủy ban nhân dân xã thông báo: hộ tịch, chứng thực, đất đai — ạ ế ộ ư ơ ỷ đ Ữ Ặ';
        document.querySelector('main').appendChild(p); }""")
    assert len(fonts_of(admin, "#mau-chu")) == 1, fonts_of(admin, "#mau-chu")
    assert len(fonts_of(admin, "main h1")) == 1


def test_lexicon_entry_with_how_it_is_read(admin, console):
    admin.goto("/tu-dien")
    admin.fill("input[name=written]", "HTX")
    admin.fill("input[name=spoken]", "hợp tác xã")
    admin.fill("input[name=sample]", "Đại hội HTX Tiền Phong")
    admin.click("button[value=preview]")
    assert admin.inner_text(".read-aloud") == "Đại hội hợp tác xã Tiền Phong"
    admin.fill("input[name=spoken]", "hợp tác xã số 1")
    admin.click("button[value=save]")
    assert "chữ số" in admin.inner_text(".flash.bad")  # refused, nothing written
    admin.fill("input[name=spoken]", "hợp tác xã")
    with admin.expect_navigation():
        admin.click("button[value=save]")
    assert "HTX: hợp tác xã" in (console.folder / "lexicon.yaml").read_text(encoding="utf-8")
    assert "hợp tác xã" in admin.inner_text("table")
    shot(admin, "tu-dien-da-luu")


def test_admin_adds_a_user_who_can_log_in(admin, console):
    admin.goto("/nguoi-dung")
    form = admin.locator("form[action='/nguoi-dung']")
    form.locator("input[name=name]").fill("phothuky")
    form.locator("input[name=full_name]").fill("Phạm Thị Thư")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[value=editor]").check()
    with admin.expect_navigation():
        form.locator("button").click()
    assert "Đã thêm người dùng phothuky" in admin.inner_text(".flash")
    assert users.log_in(console.data_dir, "phothuky", PASSWORD).user.roles == {"editor"}


def test_pages_fit_a_phone(browser, console):
    context = browser.new_context(base_url=console.url, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    log_in(page, "bientap")
    page.wait_for_url("**/")
    for path in ("/", "/ban-tin", "/ban-tin/moi/hotline"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
    shot(page, "dien-thoai-ban-tin-moi")
    context.close()


def test_admin_adds_a_piper_voice_checked_first(admin, console, tmp_path):
    from broadcast.speech.engines import piper

    voice = piper.package_voices()[0]  # a real (English) Piper voice shipped on PyPI for tests
    broken = tmp_path / voice.model.name
    broken.write_bytes(voice.model.read_bytes()[: 200_000])  # a half-finished download
    (tmp_path / f"{voice.model.name}.json").write_bytes(voice.config.read_bytes())
    admin.goto("/giong-doc")
    admin.set_input_files("input[name=model]", str(broken))
    admin.set_input_files("input[name=config]", str(tmp_path / f"{voice.model.name}.json"))
    admin.click("text=Kiểm tra và thêm")
    assert "Không nạp được giọng đọc" in admin.inner_text(".flash.bad")
    assert not list((console.folder / "voices").glob("*.onnx"))  # nothing half-taken
    admin.set_input_files("input[name=model]", str(voice.model))
    admin.set_input_files("input[name=config]", str(voice.config))
    with admin.expect_navigation():
        admin.click("text=Kiểm tra và thêm")
    assert f"Đã thêm giọng Piper {voice.model.stem}" in admin.inner_text(".flash")
    assert voice.model.stem in admin.inner_text("table")
    shot(admin, "giong-doc")
    # Each usable voice has a sample to hear; the fake engine's plays.
    src = admin.get_attribute("audio[src*='/giong-doc/mau/fake/fake.wav']", "src")
    reply = admin.request.get(src)
    assert reply.status == 200 and reply.body()[:4] == b"RIFF"


def open_changes(page) -> None:
    """The schedule's change forms sit in a closed <details> until a change was refused."""
    if not page.eval_on_selector("details.changes", "d => d.open"):
        page.click("details.changes > summary")


def test_admin_skips_a_date_and_adds_a_one_off_session(admin, console):
    from datetime import timedelta

    from broadcast.config import load_settings
    from broadcast.desk import audit
    from broadcast.schedule.validation import load_schedule

    before = (console.folder / "schedule.yaml").read_text(encoding="utf-8")
    day = (datetime_now_station() + timedelta(days=3)).date()
    admin.goto("/lich-phat")
    open_changes(admin)
    skip = admin.locator("form[action='/lich-phat/ngay-nghi']")
    skip.locator("input[name=date]").fill(day.isoformat())
    skip.locator("input[name=reason]").fill("Tổng vệ sinh môi trường")
    for name in ("sáng", "chiều"):  # both weekly sessions give way to the one-off below
        skip.locator(f"input[name=sessions][value='{name}']").check()
    with admin.expect_navigation():
        skip.locator("button").click()
    assert f"Đã thêm ngày không phát {day:%d/%m/%Y}" in admin.inner_text(".flash")
    open_changes(admin)
    one = admin.locator("form[action='/lich-phat/phien']")
    one.locator("input[name=name]").fill("Phiên bầu cử")
    one.locator("input[name=date]").fill((day + timedelta(days=1)).isoformat())
    one.locator("input[name=time]").fill("25:00")  # the browser refuses it: the field stays empty
    with admin.expect_navigation():
        one.locator("button").click()
    assert "Chọn ngày và giờ" in admin.inner_text("form[action='/lich-phat/phien'] .field-error")
    one = admin.locator("form[action='/lich-phat/phien']")
    one.locator("input[name=name]").fill("Phiên bầu cử")
    one.locator("input[name=date]").fill((day + timedelta(days=1)).isoformat())
    one.locator("input[name=time]").fill("07:30")
    with admin.expect_navigation():
        one.locator("button").click()
    # A third session that day: refused as `schedule check` refuses it (said in Vietnamese, next to the form
    # it came from), and the file is left as it was.
    refused = admin.inner_text("form[action='/lich-phat/phien'] .field-error")
    assert f"Ngày {day + timedelta(days=1):%d/%m/%Y} có 3 phiên phát, vượt giới hạn 2 phiên một ngày" in refused
    assert (console.folder / "schedule.yaml").read_text(encoding="utf-8").count("Phiên bầu cử") == 0
    one = admin.locator("form[action='/lich-phat/phien']")
    one.locator("input[name=name]").fill("Phiên bầu cử")
    one.locator("input[name=date]").fill(day.isoformat())
    one.locator("input[name=time]").fill("07:30")
    with admin.expect_navigation():
        one.locator("button").click()
    schedule = load_schedule(load_settings(console.folder / "station.yaml").schedule_file)
    assert any(s.date == day and s.reason == "Tổng vệ sinh môi trường" for s in schedule.skip)
    assert any(o.name == "Phiên bầu cử" and o.time.strftime("%H:%M") == "07:30" for o in schedule.one_off)
    after = (console.folder / "schedule.yaml").read_text(encoding="utf-8")
    kept = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in after for line in kept)  # the file's comments are kept
    assert [e.action for e in audit.entries(console.data_dir, limit=2)] == ["schedule", "schedule"]
    open_changes(admin)
    shot(admin, "lich-phat-quan-tri")


def datetime_now_station():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))


def test_admin_chooses_the_station_voice(browser, tmp_path):
    """Giọng đọc: "Dùng giọng này" writes speech.engine and speech.voice into station.yaml (its comments kept),
    the page then shows that voice as the station's, and the audit trail has the change."""
    import yaml

    from broadcast.desk import audit
    from web_fixtures import make_station, start_console

    station = make_station(tmp_path / "dai", examples=False)
    station.write_text("# the station's own settings\n" + station.read_text(encoding="utf-8"), encoding="utf-8")
    console = start_console(station)
    try:
        context = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        users.update_user(console.data_dir, "quantri", roles=["admin"])
        log_in(page, "quantri")
        page.wait_for_url("**/")
        page.goto("/giong-doc")
        offered = [r.inner_text().split("\t") for r in page.locator("tbody tr").all() if r.locator("button").count()]
        assert offered and all(cells[0].startswith(("espeak", "piper")) and cells[2].startswith("vi") for cells in offered)
        row = page.locator("tr", has=page.locator("td", has_text="vi-vn-x-south"))
        with page.expect_navigation():
            row.locator("button:has-text('Dùng giọng này')").click()
        assert "Giọng của đài từ nay: vi-vn-x-south (espeak)." in page.inner_text(".flash")
        text = station.read_text(encoding="utf-8")
        assert text.startswith("# the station's own settings\n")
        speech = yaml.safe_load(text)["speech"]
        assert (speech["engine"], speech["voice"]) == ("espeak", "vi-vn-x-south")
        row = page.locator("tr", has=page.locator("td", has_text="vi-vn-x-south"))
        assert "giọng của đài" in row.inner_text() and "đang dùng" in row.inner_text()
        shot(page, "giong-doc-cua-dai")
        entry = audit.entries(console.data_dir, limit=1)[0]
        assert (entry.user, entry.action, entry.target) == ("quantri", "settings", "speech")
        context.close()
    finally:
        console.stop()
