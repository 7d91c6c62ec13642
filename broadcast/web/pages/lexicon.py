"""Từ điển: the station's own words (written form → how the announcer says it), with a "how it is read"
preview before saving."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from starlette.requests import Request

from broadcast.app import lexicon
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()


def _page(request: Request, *, written: str = "", spoken: str = "", sample: str = "", read: str = "",
          errors=(), status_code: int = 200):
    console = console_of(request)
    try:
        words, load_errors = lexicon.entries(console.settings), []
    except UserError as exc:
        words, load_errors = [], said(exc, where=True)
    return console.page(request, "lexicon.html", status_code=status_code, title="Từ điển", words=words,
                        written=written, spoken=spoken, sample=sample or (f"Thông báo của {written}." if written else ""),
                        read=read, errors=[*load_errors, *errors],
                        file=lexicon.lexicon_file(console.settings))


@router.get("/tu-dien")
def lexicon_page(request: Request, written: str = ""):
    console_of(request).auth.require(request)
    return _page(request, written=written)


@router.post("/tu-dien")
async def save(request: Request):
    console = console_of(request)
    login, form = await console.auth.posted(request, "editor")
    written, spoken, sample = (str(form.get(k, "")).strip() for k in ("written", "spoken", "sample"))
    try:
        if form.get("action") == "preview":
            return _page(request, written=written, spoken=spoken, sample=sample,
                         read=lexicon.how_read(console.settings, sample or written, written, spoken))
        lexicon.set_entry(console.settings, written, spoken, login.user.name)
    except UserError as exc:
        return _page(request, written=written, spoken=spoken, sample=sample, errors=said(exc), status_code=422)
    return console.redirect("/tu-dien", f"Đã lưu: «{written}» đọc là «{spoken}». Lần dựng âm thanh sau sẽ dùng.")


@router.post("/tu-dien/doc-thu")
async def read_aloud(request: Request):
    """The sample as it will be read, for the form's live preview (JavaScript)."""
    console = console_of(request)
    _, form = await console.auth.posted(request)
    written, spoken, sample = (str(form.get(k, "")).strip() for k in ("written", "spoken", "sample"))
    try:
        return PlainTextResponse(lexicon.how_read(console.settings, sample or written, written, spoken))
    except UserError as exc:
        return PlainTextResponse(" ".join(said(exc)), status_code=422)


@router.post("/tu-dien/xoa")
async def remove(request: Request):
    console = console_of(request)
    login, form = await console.auth.posted(request, "editor")
    written = str(form.get("written", ""))
    lexicon.remove_entry(console.settings, written, login.user.name)
    return console.redirect("/tu-dien", f"Đã xóa «{written}» khỏi từ điển của đài.")
