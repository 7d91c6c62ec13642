"""Log in and out."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter
from starlette.requests import Request

from broadcast.app import users
from broadcast.web.auth import COOKIE, BadCsrf, safe_next
from broadcast.web.console import console_of

router = APIRouter()
LOGIN_CSRF = "bc_login_csrf"  # before a session exists, the login form's token is a cookie's double




@router.get("/dang-nhap")
def login_page(request: Request, next: str = "/"):
    console = console_of(request)
    if console.auth.login_of(request):
        return console.redirect(safe_next(next))
    return _form(request, safe_next(next), "", None)


def _form(request: Request, target: str, name: str, error: str | None, status_code: int = 200):
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = console_of(request).page(request, "login.html", status_code=status_code, title="Đăng nhập",
                                        next=target, name=name, error=error, login_csrf=token)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/dang-nhap")
    return response


@router.post("/dang-nhap")
async def login(request: Request):
    console = console_of(request)
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    sent, kept = str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF, "")
    if not kept or not hmac.compare_digest(sent, kept):
        raise BadCsrf()
    try:
        login = users.log_in(console.data_dir, name, password)
    except users.LoginRefused as exc:
        return _form(request, target, name, exc.message_vi, status_code=401)
    response = console.redirect(target)
    response.set_cookie(COOKIE, console.auth.cookie_value(login), max_age=console.auth.max_age, httponly=True,
                        samesite="lax", path="/")
    return response


@router.post("/dang-xuat")
async def logout(request: Request):
    console = console_of(request)
    login, _ = await console.auth.posted(request)
    users.log_out(console.data_dir, login.token)
    response = console.redirect("/dang-nhap", "Đã đăng xuất.")
    response.delete_cookie(COOKIE, path="/")
    return response
