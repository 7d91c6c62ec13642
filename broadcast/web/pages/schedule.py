"""Lịch phát: the coming sessions by day, each programme with its durations against the cap, items held over
and why, dates without broadcast, and what waits for approval."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from broadcast.errors import UserError
from broadcast.web.console import console_of

router = APIRouter()


@router.get("/lich-phat")
def schedule_page(request: Request, n: int = 14):
    console = console_of(request)
    console.auth.require(request)
    try:
        plan, errors = console.coming(max(1, min(n, 60))), []
    except UserError as exc:
        plan, errors = None, exc.problems
    return console.page(request, "schedule.html", title="Lịch phát", plan=plan, errors=errors, n=n)
