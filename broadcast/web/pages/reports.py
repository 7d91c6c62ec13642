"""Báo cáo: a period (month, quarter, 6 months, year) → XLSX / DOCX / CSV / chart and the evidence zip,
downloaded from the page (only files the console made for that period can be downloaded)."""

from __future__ import annotations


from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.requests import Request

from broadcast.app import reports
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()
KINDS = {"thang": "Tháng", "quy": "Quý", "6thang": "6 tháng", "nam": "Năm"}
FILE_KINDS = [  # what each file of a report is, in the order an officer wants them
    (".docx", "Báo cáo (Word)"), (".xlsx", "Bảng số liệu (Excel)"), (".zip", "Gói bằng chứng"),
    ("-bieu-do.png", "Biểu đồ"), ("-chu-de.csv", "Số liệu theo chủ đề (CSV)"), ("-nhiem-vu.csv", "Nhiệm vụ của kế hoạch (CSV)"),
    ("-su-co.csv", "Lượt không phát được (CSV)"), ("-phu-luc.csv", "Phụ lục từng lượt phát (CSV)"),
    ("-ghi-chu.csv", "Ghi chú, kiểm tra chuỗi (CSV)"),
]


def period_label(spec: str) -> str:
    """'2024-05' → 'tháng 5/2024', '2024-Q2' → 'quý II/2024', '2024-H1' → '6 tháng đầu năm 2024', '2024' → 'năm 2024'."""
    year, _, part = spec.partition("-")
    if not part:
        return f"năm {year}"
    if part.startswith("Q"):
        return f"quý {['I', 'II', 'III', 'IV'][int(part[1]) - 1]}/{year}"
    if part.startswith("H"):
        return f"6 tháng {'đầu' if part == 'H1' else 'cuối'} năm {year}"
    return f"tháng {int(part)}/{year}"


def _labelled(files):
    out = []
    for suffix, label in FILE_KINDS:
        out += [(f, label) for f in files if f.name.endswith(suffix) and f not in [g for g, _ in out]]
    return out + [(f, f.suffix) for f in files if f not in [g for g, _ in out]]


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
            errors = [*errors, *said(exc)]
    return console.page(request, "reports.html", status_code=status_code, title="Báo cáo", period=period,
                        period_label=period_label(period) if period else "", files=_labelled(files), errors=list(errors), kinds=KINDS, this_year=console.today().year)


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
        return _page(request, errors=said(exc), status_code=422)
    what = "gói bằng chứng" if form.get("what") == "evidence" else "báo cáo"
    return console.redirect(f"/bao-cao?ky={period}", f"Đã lập {what} {period_label(period)}.")


@router.get("/bao-cao/tai/{period}/{name}")
def download(request: Request, period: str, name: str):
    console = console_of(request)
    console.auth.require(request)
    try:
        path = reports.download(console.settings, period, name)
    except UserError:
        raise HTTPException(404) from None
    return FileResponse(path, filename=path.name)
