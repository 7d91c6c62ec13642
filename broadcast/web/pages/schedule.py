"""Lịch phát: the coming sessions by day, each programme with its durations against the cap, items held over
and why, dates without broadcast, and what waits for approval; an admin adds a date without broadcast or a
one-off session (refused next to its form, in Vietnamese, when the schedule would break a rule)."""

from __future__ import annotations

from datetime import date, time

from fastapi import APIRouter
from starlette.requests import Request

from broadcast.app import schedule_changes
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()


@router.get("/lich-phat")
def schedule_page(request: Request, n: int = 14):
    return _page(request, n)


def _page(request: Request, n: int = 14, *, form_errors=None, values=None, status_code: int = 200):
    console = console_of(request)
    console.auth.require(request)
    errors = []
    try:
        plan = console.coming(max(1, min(n, 60)))
    except UserError as exc:
        plan, errors = None, said(exc)
    sessions = sorted({s.name for s in plan.schedule.sessions}) if plan else []
    return console.page(request, "schedule.html", status_code=status_code, title="Lịch phát", plan=plan,
                        errors=errors, n=n, session_names=sessions, awaiting=console.awaiting(plan),
                        form_errors=form_errors or {}, values=values or {})


def _done(console, changed, what: str):
    if changed.reloaded:
        note = " Dịch vụ phát sóng đã dùng lịch mới."
    elif changed.message:
        note = f" Dịch vụ phát sóng chưa nạp được lịch mới ({changed.message}): báo người quản trị máy của đài."
    else:
        note = " Dịch vụ phát sóng sẽ dùng lịch mới khi khởi động."
    return console.redirect("/lich-phat", what + note)


@router.post("/lich-phat/ngay-nghi")
async def add_skip(request: Request):
    """Admin: a date without broadcast (all sessions or the chosen ones)."""
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    reason = str(form.get("reason", "")).strip()
    values = {"skip_date": str(form.get("date", "")), "reason": reason}
    try:
        day = date.fromisoformat(str(form.get("date", "")))
    except ValueError:
        return _page(request, form_errors={"skip": ["Chọn ngày không phát."]}, values=values, status_code=422)
    try:
        if not reason:
            raise UserError("Hãy ghi lý do không phát (ví dụ: Nghỉ lễ Quốc khánh).")
        changed = schedule_changes.add_skip(console.settings, day, reason, form.getlist("sessions") or None,
                                            login.user.name)
    except UserError as exc:
        return _page(request, form_errors={"skip": said(exc)}, values=values, status_code=422)
    return _done(console, changed, f"Đã thêm ngày không phát {day:%d/%m/%Y}.")


@router.post("/lich-phat/phien")
async def add_one_off(request: Request):
    """Admin: a session on one date only."""
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    name = str(form.get("name", "")).strip()
    values = {"name": name, "date": str(form.get("date", "")), "time": str(form.get("time", "")),
              "zones": form.getlist("zones")}
    try:
        day = date.fromisoformat(values["date"])
        at = time.fromisoformat(values["time"])
    except ValueError:
        return _page(request, form_errors={"one_off": ["Chọn ngày và giờ của phiên phát."]}, values=values,
                     status_code=422)
    try:
        if not name:
            raise UserError("Hãy đặt tên cho phiên phát (ví dụ: Ngày Chuyển đổi số quốc gia).")
        changed = schedule_changes.add_one_off(console.settings, name, day, at, values["zones"] or None,
                                               login.user.name)
    except UserError as exc:
        return _page(request, form_errors={"one_off": said(exc)}, values=values, status_code=422)
    return _done(console, changed, f"Đã thêm phiên {name} lúc {at:%H:%M} ngày {day:%d/%m/%Y}.")
