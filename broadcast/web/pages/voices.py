"""Giọng đọc: the voices the station can use now, a sample of each to hear; an admin adds a Piper voice."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.requests import Request

from broadcast.app import voices
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()
SAFE = re.compile(r"^[A-Za-z0-9._-]{1,80}$")


def _page(request: Request, errors=(), status_code: int = 200):
    console = console_of(request)
    rows = voices.list_voices(console.settings, network=False, check_models=False)
    return console.page(request, "voices.html", status_code=status_code, title="Giọng đọc", rows=rows,
                        chain=voices.chain(console.settings), errors=list(errors), safe=SAFE)


@router.get("/giong-doc")
def voices_page(request: Request):
    console_of(request).auth.require(request)
    return _page(request)


@router.get("/giong-doc/mau/{engine}/{voice}.wav")
def sample(request: Request, engine: str, voice: str):
    """A short Vietnamese sample of exactly that voice, made once and kept in the data folder."""
    console = console_of(request)
    console.auth.require(request)
    if not SAFE.match(engine) or not SAFE.match(voice):
        raise HTTPException(404)
    out = console.data_dir / "giong-mau" / f"{engine}-{voice}.wav"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            voices.write_sample(console.settings, f"{engine}:{voice}", out)
        except UserError:
            raise HTTPException(404) from None
    return FileResponse(out, media_type="audio/wav")


@router.post("/giong-doc")
async def add_voice(request: Request):
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    model, config = form.get("model"), form.get("config")
    if not (isinstance(model, UploadFile) and model.filename and isinstance(config, UploadFile) and config.filename):
        return _page(request, ["Chọn cả hai tệp: TÊN.onnx và TÊN.onnx.json."], 422)
    if Path(config.filename).name != Path(model.filename).name + ".json":
        return _page(request, [f"Tệp cấu hình phải tên là {Path(model.filename).name}.json."], 422)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for upload in (model, config):
            path = Path(tmp) / Path(upload.filename).name
            with open(path, "wb") as out:
                while block := await upload.read(1 << 20):
                    out.write(block)
            paths.append(path)
        try:
            row = voices.add_piper_voice(console.settings, model.filename, *paths)
        except UserError as exc:
            return _page(request, said(exc), 422)
    audit.append(console.data_dir, login.user.name, "voice_added", row.voice, f"piper {row.language} {row.quality}")
    return console.redirect("/giong-doc", f"Đã thêm giọng Piper {row.voice} ({row.language}).")
