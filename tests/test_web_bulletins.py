"""The editor's and the approver's work in a real browser: a hotline bulletin from its form, an error next
to its field, the spoken text, "Nghe thử", submit, approve; an edit after approval needs approval again."""

from __future__ import annotations


from broadcast.desk import audit
from test_web_login import log_in, shot


def wait_for(probe, seconds: float):
    """Poll `probe` until it returns something true (the page's CSP rightly forbids Playwright's eval-based waits)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def new_hotline(page, title: str, number: str = ""):
    page.goto("/ban-tin/moi")
    page.click("text=Đường dây nóng")
    page.fill("input[name=title]", title)
    page.fill("input[name='data.lines[0].purpose']", "tiếp nhận phản ánh về thủ tục hành chính của UBND xã")
    if number:
        page.fill("input[name='data.lines[0].number']", number)


def test_editor_writes_hears_and_submits_then_approver_approves(browser, console, page):
    log_in(page, "bientap")
    page.wait_for_url("**/")
    new_hotline(page, "Đường dây nóng tiếp nhận phản ánh năm 2024")
    page.click("button[value=save]")
    # The number was left empty: a Vietnamese error next to the hotline lines, nothing saved.
    error = page.locator("#f-data-lines .field-error")
    assert "Dòng 1 còn thiếu: số điện thoại" in error.inner_text()
    shot(page, "ban-tin-loi")
    page.fill("input[name='data.lines[0].number']", "0220.3852.111")
    rows = page.locator("fieldset.entry").count()
    page.click("text=+ Thêm dòng")  # with JavaScript, rows beyond the two spare ones
    assert page.locator("fieldset.entry").count() == rows + 1
    assert page.locator(f"input[name='data.lines[{rows}].number']").count() == 1
    page.click("button[value=preview]")
    spoken = page.inner_text(".spoken")
    assert "không hai hai không, ba tám năm hai, một một một" in spoken
    assert page.locator("mark.changed[title='viết: UBND']").count() >= 1  # what the normaliser changed is marked
    page.select_option("select[name=rate]", "120")  # read slowly: hotline numbers
    page.click("button[value=save]")
    page.wait_for_url("**/ban-tin/duong-day-nong-tiep-nhan-phan-anh-nam-2024-*")
    bulletin_url = page.url
    assert "Bản nháp" in page.inner_text(".facts")
    assert page.inner_text(".facts .reader") == "giọng của đài, 120 từ/phút"
    saved = next(p for p in (console.folder / "bulletins").glob("*.yaml") if bulletin_url.rsplit("/", 1)[1] in p.read_text(encoding="utf-8"))
    assert "\nrate: 120\n" in saved.read_text(encoding="utf-8")
    # Nghe thử: the audio element loads the built MP3 and knows its duration.
    page.eval_on_selector("#nghe-thu", "a => { a.preload = 'auto'; a.load(); }")
    duration = wait_for(lambda: page.eval_on_selector("#nghe-thu", "a => a.readyState >= 1 && a.duration"), 60)
    assert 10 < duration < 120
    shot(page, "ban-tin")
    with page.expect_navigation():
        page.click("button:has-text('Gửi duyệt')")
    assert "Chờ duyệt" in page.inner_text(".facts")
    bulletin_id = bulletin_url.rsplit("/", 1)[1]

    approver = browser.new_context(base_url=console.url, viewport={"width": 390, "height": 844})  # a phone
    phone = approver.new_page()
    log_in(phone, "lanhdao")
    phone.goto(f"/ban-tin/{bulletin_id}")
    shot(phone, "ban-tin-duyet-dien-thoai")
    with phone.expect_navigation():
        phone.click("button:has-text('Duyệt nội dung này')")
    assert "Đã duyệt" in phone.inner_text(".facts")
    approver.close()
    history = [(e.user, e.action) for e in audit.entries(console.data_dir, target=bulletin_id)]
    assert history == [("lanhdao", "approved"), ("bientap", "submitted"), ("bientap", "created")]


def test_editor_cannot_approve(console):
    from web_fixtures import Http

    client = Http(console.url)
    client.log_in("bientap")
    reply = client.post("/ban-tin/duong-day-nong-2024/duyet", {"csrf": client.csrf(), "seen": "x"})
    assert reply.status == 403 and "Lãnh đạo duyệt" in reply.body


def test_a_script_title_is_shown_as_text(page, console):
    log_in(page, "bientap")
    page.wait_for_url("**/")
    new_hotline(page, "<script>window.pwned = 1</script> Tin thử", "1800 1567")
    page.click("button[value=save]")
    page.wait_for_url("**/ban-tin/script-window-pwned-1-script-tin-thu-*")
    assert "<script>window.pwned = 1</script> Tin thử" in page.inner_text("h1")
    assert page.evaluate("window.pwned") is None
    page.goto("/ban-tin")
    assert page.evaluate("window.pwned") is None


def test_the_core_forms_work_without_javascript(browser, console):
    context = browser.new_context(base_url=console.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "bientap")
    page.wait_for_url("**/")
    page.goto("/ban-tin/moi/procedure")
    page.fill("input[name=title]", "Công khai thủ tục chứng thực bản sao")
    page.fill("input[name='data.name']", "Chứng thực bản sao từ bản chính")
    page.fill("input[name='data.field']", "chứng thực")
    page.fill("input[name='data.where']", "Bộ phận một cửa, Ủy ban nhân dân xã")
    page.fill("textarea[name='data.documents']", "Bản chính giấy tờ\nBản sao cần chứng thực")
    page.fill("input[name='data.time_limit']", "trong ngày")
    page.fill("input[name='data.fee']", "2.000 đồng/trang")
    page.click("button[value=preview]")  # a plain form post: the page comes back with the preview
    assert "hai nghìn đồng" in page.inner_text(".spoken")
    page.click("button[value=save]")
    page.wait_for_url("**/ban-tin/cong-khai-thu-tuc-chung-thuc-ban-sao-*")
    with page.expect_navigation():
        page.click("button:has-text('Gửi duyệt')")
    assert "Chờ duyệt" in page.inner_text(".facts")
    context.close()
