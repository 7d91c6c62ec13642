"""Giọng đọc: the voices the station can use now, a sample of each to hear; an admin adds a Piper voice,
chooses the station's voice, and has a person read the greeting and the sign-off (Thu âm)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.requests import Request

from broadcast.app import recording, settings_changes, voices
from broadcast.desk import audit
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.web.console import console_of

router = APIRouter()
SAFE = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
# Engines the console may make the station's own: offline ones (gTTS needs the internet and a fallback:
# a decision for station.yaml; "fake" is for tests).
CHOOSABLE = ("espeak", "piper")
# The station's parts a person can read instead of the machine, as the page names them.
PART_NAMES = {"greeting": "Lời chào đầu chương trình", "signoff": "Lời kết chương trình"}


def choosable(row) -> bool:
    """A Vietnamese voice of an offline engine, not known to be broken."""
    return row.engine in CHOOSABLE and row.voice != "-" and row.usable is not False and row.language.lower().startswith("vi")


def _page(request: Request, errors=(), status_code: int = 200):
    console = console_of(request)
    rows = voices.list_voices(console.settings, network=False, check_models=False)
    return console.page(request, "voices.html", status_code=status_code, title="Giọng đọc", rows=rows,
                        chain=voices.chain(console.settings), errors=list(errors), safe=SAFE, choosable=choosable,
                        parts=recording.station_part_recordings(console.settings), part_names=PART_NAMES)


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


@router.post("/giong-doc/giong-cua-dai")
async def choose_station_voice(request: Request):
    """Admin: the station speaks with this voice from now on (station.yaml's speech.engine and speech.voice,
    checked before it is written; the running service reloads it)."""
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    engine, voice = str(form.get("engine", "")), str(form.get("voice", ""))
    known = {(r.engine, r.voice) for r in voices.list_voices(console.settings, network=False, check_models=False)
             if choosable(r)}
    if (engine, voice) not in known:
        return _page(request, [f"Không dùng được giọng «{voice}» của bộ đọc {engine}."], 422)
    try:
        console.settings, changed = settings_changes.set_station_voice(console.settings, engine, voice, login.user.name)
    except UserError as exc:
        return _page(request, said(exc), 422)
    if changed.reloaded:
        note = " Dịch vụ phát sóng đã dùng cài đặt mới."
    elif changed.message:
        note = f" Dịch vụ phát sóng chưa nạp được cài đặt mới ({changed.message}): báo người quản trị máy của đài."
    else:
        note = " Dịch vụ phát sóng sẽ dùng giọng mới khi khởi động."
    return console.redirect("/giong-doc", f"Giọng của đài từ nay: {voice} ({engine}).{note}")


def _part(part: str) -> str:
    if part not in PART_NAMES:
        raise HTTPException(404)
    return part


@router.get("/giong-doc/ban-thu/{part}")
def station_part_audio(request: Request, part: str):
    """The kept file a person read the greeting or the sign-off into, to hear on the page."""
    console = console_of(request)
    console.auth.require(request)
    path = recording.station_part_file(console.settings, _part(part))
    if path is None:
        raise HTTPException(404)
    return FileResponse(path)


@router.post("/giong-doc/thu-am/{part}")
async def record_station_part(request: Request, part: str):
    """Admin: a person's reading (uploaded, or from the browser's microphone) becomes the station's greeting
    or sign-off, checked and prepared as a bulletin's recording is; station.yaml names it (comments kept)
    and every bulletin and session built from then on opens or closes with it."""
    console = console_of(request)
    login, form = await console.auth.posted(request, "admin")
    part = _part(part)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return console.redirect(f"/giong-doc#{part}", "Chọn tệp ghi âm hoặc thu từ micrô.", kind="bad", request=request)
    data = await upload.read()
    try:
        done = recording.set_station_recording_bytes(console.settings, part, data, upload.filename)
    except UserError as exc:
        return console.redirect(f"/giong-doc#{part}", "Không dùng được bản thu: " + " ".join(said(exc)), kind="bad",
                                request=request)
    console.settings = done.settings
    f = done.check.facts
    audit.append(console.data_dir, login.user.name, "recorded", f"programme.{part}_recording",
                 f"{f.original_name} ({f.duration_s:.0f} giây)", f.sha256)
    served = ("Dịch vụ phát sóng đã dùng cài đặt mới." if done.reloaded
              else "Dịch vụ phát sóng sẽ dùng bản thu khi nạp lại cài đặt (trong vòng một giờ) hoặc khi khởi động.")
    return console.redirect(f"/giong-doc#{part}",
                            f"Đã nhận bản thu {PART_NAMES[part].lower()} ({f.duration_s:.0f} giây, cắt "
                            f"{f.lead_in_trimmed_s:.1f} giây im lặng đầu), đã chỉnh âm lượng: các bản tin và buổi phát "
                            f"dựng từ nay dùng bản thu này. {served}", request=request)


@router.post("/giong-doc/bo-ban-thu/{part}")
async def remove_station_part(request: Request, part: str):
    """Admin: the greeting or sign-off is synthesised from its text again; the kept file stays (evidence)."""
    console = console_of(request)
    login, _ = await console.auth.posted(request, "admin")
    part = _part(part)
    done = recording.remove_station_recording(console.settings, part)
    if done.previous is None:
        return console.redirect(f"/giong-doc#{part}", f"{PART_NAMES[part]} đang đọc bằng giọng máy.", kind="bad",
                                request=request)
    console.settings = done.settings
    audit.append(console.data_dir, login.user.name, "recording_removed", f"programme.{part}_recording",
                 Path(done.previous).name)
    return console.redirect(f"/giong-doc#{part}", f"Đã bỏ bản thu: {PART_NAMES[part].lower()} đọc bằng giọng máy từ "
                            "lần dựng sau.", request=request)
