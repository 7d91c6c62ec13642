"""Báo cáo: a period (month, quarter, 6 months, year) → XLSX / DOCX / CSV / chart and the evidence zip,
downloaded from the page (only files the console made for that period can be downloaded)."""

from __future__ import annotations


from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.requests import Request

from broadcast.app import reports
from broadcast.errors import UserError
from broadcast.web.console import console_of

router = APIRouter()
KINDS = {"thang": "Tháng", "quy": "Quý", "6thang": "6 tháng", "nam": "Năm"}


def period_of(kind: str, year: str, number: str) -> str:
    """The report's period spelling from the form: 2024-05, 2024-Q2, 2024-H1, 2024."""
    y, n = int(year), int(number or 1)
    return {"thang": f"{y}-{n:02d}", "quy": f"{y}-Q{n}", "6thang": f"{y}-H{n}", "nam": f"{y}"}[kind]


def _page(request: Request, period: str = "", errors=(), status_code: int = 200):
    console = console_of(request)
    files = []
    if period:
        try:
            files = reports.made_files(console.settings, period)
        except UserError as exc:
            errors = [*errors, *exc.problems]
    return console.page(request, "reports.html", status_code=status_code, title="Báo cáo", period=period,
                        files=files, errors=list(errors), kinds=KINDS, this_year=console.today().year)


@router.get("/bao-cao")
def reports_page(request: Request, ky: str = ""):
    console_of(request).auth.require(request)
    return _page(request, ky)


@router.post("/bao-cao")
async def make(request: Request):
    console = console_of(request)
    _, form = await console.auth.posted(request)
    try:
        period = period_of(str(form.get("kind", "nam")), str(form.get("year", "")), str(form.get("number", "1")))
        if form.get("what") == "evidence":
            reports.evidence_for_download(console.settings, period)
        else:
            reports.report_for_download(console.settings, period)
    except (ValueError, KeyError):
        return _page(request, errors=["Kỳ báo cáo không hợp lệ."], status_code=422)
    except UserError as exc:
        return _page(request, errors=exc.problems, status_code=422)
    return console.redirect(f"/bao-cao?ky={period}", f"Đã lập báo cáo kỳ {period}.")


@router.get("/bao-cao/tai/{period}/{name}")
def download(request: Request, period: str, name: str):
    console = console_of(request)
    console.auth.require(request)
    try:
        path = reports.download(console.settings, period, name)
    except UserError:
        raise HTTPException(404) from None
    return FileResponse(path, filename=path.name)
