"""Phát ngay / Khẩn cấp: a built bulletin or an uploaded MP3/WAV to the running service, now, on chosen zones;
an emergency interrupts what airs and is confirmed first."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request

from broadcast.app import approval, play
from broadcast.app import bulletins as app_bulletins
from broadcast.app.service import service_status
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()
UPLOAD_SUFFIXES = (".mp3", ".wav")


def _page(request: Request, *, errors=(), values=None, status_code: int = 200):
    console = console_of(request)
    _, states = console.catalogue()
    playable = [s.bulletin for s in states.values()
                if s.status.approved or not console.settings.approval.required]
    try:
        zones = play.zones(console.settings)
    except UserError as exc:
        zones, errors = {}, [*errors, *said(exc)]
    return console.page(request, "play.html", status_code=status_code, title="Phát ngay / Khẩn cấp",
                        bulletins=sorted(playable, key=lambda b: b.title), zones=zones, errors=list(errors),
                        values=values or {}, status=service_status(console.settings))


@router.get("/phat-ngay")
def play_page(request: Request):
    console_of(request).auth.require(request, "approver")
    return _page(request)


@router.post("/phat-ngay")
async def play_now(request: Request):
    console = console_of(request)
    login, form = await console.auth.posted(request, "approver")
    priority = str(form.get("priority", "normal"))
    if priority not in ("normal", "priority", "emergency"):
        priority = "normal"
    values = {"priority": priority, "bulletin": str(form.get("bulletin", "")), "zones": form.getlist("zones")}
    if priority == "emergency" and form.get("confirm") != "yes":
        return _page(request, values=values, status_code=422, errors=[
            "Phát khẩn cấp sẽ ngắt chương trình đang phát trên mọi cụm loa đã chọn: hãy đánh dấu ô xác nhận."])
    upload = form.get("file")
    uploaded = isinstance(upload, UploadFile) and bool(upload.filename)
    try:
        if uploaded:
            path, title = _kept_upload(console.settings, upload, priority), Path(upload.filename).stem
        elif values["bulletin"]:
            b = app_bulletins.find_bulletin(console.settings, values["bulletin"])
            if console.settings.approval.required and not approval.state_of(console.settings, b).status.approved:
                raise UserError("Bản tin này chưa được duyệt nên không phát được.")
            built = app_bulletins.build(app_bulletins.Batch([b]), console.settings)
            if not built.results:
                raise UserError(built.problems)
            path, title = built.results[0].mp3, b.title
        else:
            raise UserError("Chọn một bản tin đã duyệt hoặc tải lên một tệp MP3/WAV.")
        # An uploaded emergency goes as it is: the service levels it as it airs (on air within a second).
        sent = play.send_to_service(console.settings, path, priority, values["zones"] or None, title,
                                    level=uploaded and priority == "emergency")
    except UserError as exc:
        return _page(request, values=values, status_code=422, errors=said(exc))
    audit.append(console.data_dir, login.user.name, "emergency" if priority == "emergency" else "played", title,
                 f"{priority}; cụm loa: {', '.join(values['zones']) or 'tất cả'}")
    status = service_status(console.settings)
    started = f" lúc {status.since.astimezone(console.settings.station.tz):%H:%M:%S}" if status.since else ""
    interrupted = f"; đã ngắt phiên «{sent.interrupting}»" if sent.interrupting else ""
    return console.redirect("/phat-ngay", f"Đã gửi «{title}» tới dịch vụ phát sóng{started}{interrupted}.")


def _kept_upload(settings, upload: UploadFile, priority: str) -> Path:
    """The upload saved under the data folder: an emergency as it is (the service levels it as it airs),
    anything else levelled into audio_out/instant/ (the copy that airs)."""
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UserError("Chỉ nhận tệp MP3 hoặc WAV.")
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False) as out:
        shutil.copyfileobj(upload.file, out)
    return Path(out.name) if priority == "emergency" else play.level_upload(settings, Path(out.name))
