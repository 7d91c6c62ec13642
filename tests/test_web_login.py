"""Logging in to the console: the page, wrong passwords, lock-out, redirects without a session, CSRF."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcast.app import users
from web_fixtures import PASSWORD, REPO, Http

SHOTS = REPO / "build" / "screenshots"


def shot(page, name: str) -> Path:
    """A full-page screenshot of what the user sees, kept under build/screenshots/ to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/dang-nhap")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button.primary")


def test_login_then_dashboard(page):
    page.goto("/")
    assert "/dang-nhap" in page.url  # no session: sent to the login page
    shot(page, "dang-nhap")
    log_in(page, "bientap", "sai-mat-khau")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.inner_text(".error")
    log_in(page, "bientap")
    page.wait_for_url("**/")
    assert "Trần Thị Biên" in page.inner_text("header")
    assert "Biên tập viên" in page.inner_text("header")
    # An editor's menu has no users page; the admin's has.
    assert "Người dùng" not in page.inner_text("nav")


def console_routes(method: str) -> list[str]:
    """Every path of the console's app answering `method`, parameters filled with a sample value."""
    import re

    from broadcast.config import Settings
    from broadcast.web.server import create_app

    app = create_app(Settings(base_dir=SHOTS.parent / "routes-station"))

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):  # an included router (FastAPI keeps them nested)
                yield from walk(route.original_router.routes)
            elif method in (getattr(route, "methods", None) or ()):
                yield route.path

    return sorted({re.sub(r"\{[^}]+\}", "x", path) for path in walk(app.routes)})


def test_every_page_needs_a_login(console):
    client = Http(console.url)
    pages = [p for p in console_routes("GET") if p != "/dang-nhap"]
    assert "/" in pages
    for path in pages:
        reply = client.get(path)
        assert reply.status == 303, path
        assert reply.location.startswith("/dang-nhap?next="), path
    for path in console_routes("POST"):
        assert client.post(path, {}).status in (303, 403), path  # never acted on


def test_login_returns_to_the_page_asked_for_and_never_elsewhere(console):
    client = Http(console.url)
    token = client.csrf("/dang-nhap")
    reply = client.post("/dang-nhap", {"name": "bientap", "password": PASSWORD, "csrf": token,
                                       "next": "//evil.example/x"})
    assert reply.status == 303 and reply.location == "/"
    client = Http(console.url)
    token = client.csrf("/dang-nhap")
    reply = client.post("/dang-nhap", {"name": "bientap", "password": PASSWORD, "csrf": token, "next": "/ban-tin"})
    assert reply.location == "/ban-tin"


def test_repeated_bad_passwords_lock_the_account(console):
    users.add_user(console.data_dir, "khoa-thu", PASSWORD, ["editor"])
    client = Http(console.url)
    for attempt in range(users.LOCK_AFTER):
        reply = client.log_in("khoa-thu", "sai-mat-khau")
        assert reply.status == 401
    assert "tạm khóa" in reply.body
    reply = client.log_in("khoa-thu", PASSWORD)  # the right password no longer helps, for a while
    assert reply.status == 401 and "tạm khóa" in reply.body
    users.update_user(console.data_dir, "khoa-thu", password=PASSWORD + "2")  # an admin resets it
    assert client.log_in("khoa-thu", PASSWORD + "2").status == 303


def test_a_post_without_the_csrf_token_is_refused(console):
    client = Http(console.url)
    assert client.log_in("quantri").status == 303
    for path in console_routes("POST"):  # every form of the console checks the token before anything else
        assert client.post(path, {"csrf": "forged"}).status == 403, path
    assert client.get("/").status == 200
    reply = client.post("/dang-xuat", {})
    assert reply.status == 403 and "Yêu cầu bị từ chối" in reply.body
    assert client.post("/dang-xuat", {"csrf": "forged"}).status == 403
    assert client.get("/").status == 200  # still logged in
    assert client.post("/dang-xuat", {"csrf": client.csrf()}).status == 303
    assert client.get("/").status == 303  # logged out


def test_login_form_needs_its_token_too(console):
    client = Http(console.url)
    reply = client.post("/dang-nhap", {"name": "bientap", "password": PASSWORD, "next": "/"})
    assert reply.status == 403


def test_sessions_expire(console, tmp_path):
    from datetime import timedelta

    login = users.log_in(console.data_dir, "bientap", PASSWORD)
    assert users.session(console.data_dir, login.token, 1.0) is not None
    later = users.utc_now() + timedelta(hours=2)
    assert users.session(console.data_dir, login.token, 1.0, now=later) is None
    assert users.session(console.data_dir, login.token, 1.0) is None  # removed, not just refused


@pytest.mark.parametrize("bad", ["a", "hai tu", "có-dấu", "-dau"])
def test_user_names_are_checked(tmp_path, bad):
    with pytest.raises(users.UserError):
        users.add_user(tmp_path, bad, PASSWORD, ["editor"])
