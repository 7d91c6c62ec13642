"""Nhật ký: the as-run log with the chain's verification on top, filters, and a CSV export."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.requests import Request

from broadcast.app import log
from broadcast.desk import audit
from broadcast.web.console import console_of

router = APIRouter()

OUTCOMES = {"played": "Đã phát", "late": "Phát muộn", "missed": "Bỏ lỡ", "failed": "Lỗi", "interrupted": "Bị ngắt",
            "held_over": "Để lại phiên sau"}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/nhat-ky")
def log_page(request: Request, tu: str = "", den: str = "", ket_qua: str = "", so: int = 100):
    console = console_of(request)
    console.auth.require(request)
    outcome = ket_qua if ket_qua in OUTCOMES else ""
    if not tu and not den:  # by default the last month: a year of log is tens of thousands of rows
        tu = (console.today() - timedelta(days=30)).isoformat()
    shown = log.view(console.settings, _date(tu), _date(den), outcome, limit=max(10, min(so, 5000)))
    return console.page(request, "log.html", title="Nhật ký phát sóng", view=shown, tu=tu, den=den, ket_qua=outcome,
                        outcomes=OUTCOMES, trail=audit.entries(console.data_dir, limit=20), so=so)


@router.get("/nhat-ky/xuat.csv")
def export(request: Request, tu: str = "", den: str = ""):
    console = console_of(request)
    console.auth.require(request)
    text = log.export_log(console.settings, "csv", first=_date(tu), last=_date(den)).text()
    name = f"nhat-ky-{tu or 'dau'}-{den or 'nay'}.csv"
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
