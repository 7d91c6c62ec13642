"""Người dùng (admin): who may log in, with which roles; add, change roles, reset a password, disable."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from broadcast.app import users
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()


def _page(request: Request, *, errors=(), values=None, status_code: int = 200):
    console = console_of(request)
    return console.page(request, "users.html", status_code=status_code, title="Người dùng",
                        people=users.list_users(console.data_dir), roles=users.ROLES, errors=list(errors),
                        values=values or {})


@router.get("/nguoi-dung")
def users_page(request: Request):
    console_of(request).auth.require(request, "admin")
    return _page(request)


@router.post("/nguoi-dung")
async def add(request: Request):
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    values = {k: str(form.get(k, "")) for k in ("name", "full_name")} | {"roles": form.getlist("roles")}
    try:
        made = users.add_user(console.data_dir, values["name"], str(form.get("password", "")), values["roles"],
                              values["full_name"])
    except UserError as exc:
        return _page(request, errors=said(exc), values=values, status_code=422)
    audit.append(console.data_dir, login.user.name, "user_added", made.name, ", ".join(sorted(made.roles)))
    return console.redirect("/nguoi-dung", f"Đã thêm người dùng {made.name}.")


@router.post("/nguoi-dung/{name}")
async def change(request: Request, name: str):
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    password = str(form.get("password", "")) or None
    try:
        changed = users.update_user(console.data_dir, name, roles=form.getlist("roles") or None,
                                    active=form.get("active") == "yes", password=password)
    except UserError as exc:
        return _page(request, errors=said(exc), status_code=422)
    detail = f"vai trò: {', '.join(sorted(changed.roles))}; {'hoạt động' if changed.active else 'đã khóa'}" + \
        ("; đặt lại mật khẩu" if password else "")
    audit.append(console.data_dir, login.user.name, "user_changed", name, detail)
    return console.redirect("/nguoi-dung", f"Đã cập nhật {name}.")
