"""Tổng quan: on air now, the next sessions, alerts."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from broadcast.web.console import console_of

router = APIRouter()


@router.get("/")
def dashboard(request: Request):
    console = console_of(request)
    console.auth.require(request)
    return console.page(request, "dashboard.html", title="Tổng quan")
