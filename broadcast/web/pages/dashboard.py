"""Tổng quan: what airs now and on which zones, the next sessions with their programmes, what needs doing."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.requests import Request

from broadcast.app import log
from broadcast.app import users
from broadcast.app.service import service_status
from broadcast.desk.approval import State
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()
ENDING_SOON_DAYS = 3


def _first_steps(console, login, states) -> list[dict]:
    """What a new station does first, until it is done: the people who will use the console, a bulletin."""
    steps = []
    if login.user.can("admin"):
        people = users.list_users(console.data_dir)
        missing = [label for role, label in (("editor", "biên tập viên"), ("approver", "lãnh đạo duyệt"))
                   if not any(role in p.roles and p.active for p in people)]
        if missing:
            steps.append({"kind": "next", "text": f"Bước đầu: thêm tài khoản cho {' và '.join(missing)} của đài.",
                          "href": "/nguoi-dung"})
    if login.user.can("editor") and not any(s.bulletin.on_air(console.today()) for s in states.values()):
        steps.append({"kind": "next", "text": "Chưa có bản tin nào trong thời gian phát: viết bản tin đầu tiên từ một mẫu.",
                      "href": "/ban-tin/moi"})
    return steps


def _air_alerts(console, status) -> list[dict]:
    """The service down, or zones it cannot reach: what will not be heard at the next session."""
    if not status.running:
        return [{"kind": "bad", "text": "Dịch vụ phát sóng đang tắt: các phiên theo lịch sẽ không được phát."}]
    names = console.zone_names()
    lost = [names.get(r.zone, r.zone) for r in status.reach if r.reachable is False]
    if lost:
        return [{"kind": "bad", "text": f"Không kết nối được {len(lost)} cụm loa: {'; '.join(lost)}. Các phiên tới sẽ không "
                                        "phát ra các cụm loa này cho tới khi sửa xong."}]
    return []


def _alerts(console, login, status) -> list[dict]:
    settings = console.settings
    batch, states = console.catalogue()
    alerts = [{"kind": "bad", "text": f"Tệp bản tin chưa hợp lệ, không được phát: {p}"} for p in said(batch.problems, where=True)]
    today = console.today()
    alerts += _air_alerts(console, status) + _first_steps(console, login, states)
    if settings.approval.required:
        waiting = [s for s in states.values() if s.status.state is State.pending]
        if waiting:
            who = "Bạn cần duyệt" if login.user.can("approver") else "Đang chờ lãnh đạo duyệt"
            alerts.append({"kind": "warn", "text": f"{who}: {len(waiting)} bản tin.", "href": "/ban-tin?status=pending",
                           "items": [(s.bulletin.id, s.bulletin.title) for s in waiting]})
        returned = [s for s in states.values() if s.status.state is State.returned]
        if returned and login.user.can("editor"):
            alerts.append({"kind": "warn", "text": f"Bị trả lại, cần sửa: {len(returned)} bản tin.",
                           "href": "/ban-tin?status=returned", "items": [(s.bulletin.id, s.bulletin.title) for s in returned]})
        unsent = [s for s in states.values() if s.status.state is State.draft and not _over(s.bulletin, today)]
        if unsent and login.user.can("editor"):
            alerts.append({"kind": "warn", "text": f"Bản nháp chưa gửi duyệt (chưa được phát): {len(unsent)} bản tin.",
                           "href": "/ban-tin?status=draft", "items": [(s.bulletin.id, s.bulletin.title) for s in unsent]})
    ending = [b for b in batch.bulletins if b.air and b.air.end and today <= b.air.end <= today + timedelta(days=ENDING_SOON_DAYS)]
    if ending:
        alerts.append({"kind": "warn", "text": f"Sắp hết thời gian phát (trong {ENDING_SOON_DAYS} ngày): {len(ending)} bản tin.",
                       "items": [(b.id, b.title) for b in ending]})
    recent = log.recent(settings, today)
    if recent.verify is not None and not recent.verify.trustworthy:
        alerts.insert(0, {"kind": "bad", "text": f"Nhật ký phát sóng: {recent.verify.summary_vi()}", "href": "/nhat-ky"})
    if recent.problems:
        alerts.append({"kind": "bad", "text": f"{len(recent.problems)} lượt không phát được trong 7 ngày qua "
                       "(bỏ lỡ, lỗi hoặc bị ngắt).", "href": "/nhat-ky",
                       "log": [(r.record.scheduled, r.record.title, r.record.reason) for r in recent.problems[:5]]})
    if recent.late:
        alerts.append({"kind": "warn", "text": f"{recent.late} lượt phát muộn trong 7 ngày qua.",
                       "href": "/nhat-ky?ket_qua=late"})
    return alerts


@router.get("/")
def dashboard(request: Request):
    console = console_of(request)
    login = console.auth.require(request)
    status = service_status(console.settings)
    try:
        plan, plan_error = console.coming(3), ""
    except UserError as exc:
        plan, plan_error = None, " ".join(said(exc))
    return console.page(request, "dashboard.html", title="Tổng quan", status=status, plan=plan,
                        plan_error=plan_error, alerts=_alerts(console, login, status), awaiting=console.awaiting(plan))


def _over(bulletin, today) -> bool:
    """Its air window has ended: nothing to do about it any more."""
    return bool(bulletin.air and bulletin.air.end and bulletin.air.end < today)


@router.get("/trang-thai")
def status_card(request: Request):
    """The on-air card alone (the service, each zone, the log's spool), for the dashboard's script."""
    console = console_of(request)
    login = console.auth.require(request)
    return console.templates.TemplateResponse(request, "_onair.html", {
        "status": service_status(console.settings), "zone_names": console.zone_names(), "user": login.user})


@router.get("/trang-thai.json")
def status_json(request: Request):
    """The on-air card's data, polled by the dashboard's script (the page itself works without it)."""
    console = console_of(request)
    console.auth.require(request)
    s = service_status(console.settings)
    return JSONResponse({"running": s.running, "state": s.state, "on_air": s.on_air, "error": s.error,
                         "next": s.next})
