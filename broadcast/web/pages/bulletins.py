"""Bản tin: the list, a new bulletin from a template, edit, preview (script and spoken text), "Nghe thử",
submit, approve or return, and the history of who did what."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.requests import Request

from broadcast.app import approval, editing, recording
from broadcast.app import bulletins as app_bulletins
from broadcast.desk import audit
from broadcast.desk.approval import STATE_LABELS, ContentChanged
from broadcast.errors import UserError
from broadcast.problems_vi import said
from broadcast.content.template import TemplateSpec, get_template
from broadcast.topics import TOPICS, Priority
from broadcast.web.bulletin_form import FormField, data_fields, labeller, parse_form, place
from broadcast.web.console import console_of
from broadcast.web.highlight import spoken_pieces

router = APIRouter()

BUILD_WAIT_S = 300  # a build that has not started mastering by then has gone wrong
PAGE_ROWS = 100  # a station may keep a thousand bulletins; the newest first, more on request
PRIORITIES = [(p.value, p.label.capitalize()) for p in Priority]


def _template(name: str) -> TemplateSpec:
    try:
        return get_template(name)
    except UserError:
        raise HTTPException(404) from None


def _bulletin(console, bulletin_id: str):
    try:
        return app_bulletins.find_bulletin(console.settings, bulletin_id)
    except UserError:
        raise HTTPException(404) from None


@router.get("/ban-tin")
def bulletin_list(request: Request, status: str = "", topic: str = "", q: str = "", so: int = PAGE_ROWS):
    console = console_of(request)
    console.auth.require(request)
    batch, states = console.catalogue()
    today = console.today()
    rows = []
    for s in sorted(states.values(), key=lambda s: (s.bulletin.air.start if s.bulletin.air else date.min), reverse=True):
        b = s.bulletin
        if status and s.status.key != status:
            continue
        if topic and b.topic != topic:
            continue
        if q and q.lower() not in (b.title + " " + b.id).lower():
            continue
        rows.append({"s": s, "on_air": b.on_air(today)})
    return console.page(request, "bulletins.html", title="Bản tin", rows=rows[:max(so, 1)], matching=len(rows),
                        so=so, total=len(states),
                        invalid=said(batch.problems, where=True), status=status, topic=topic, q=q,
                        states=STATE_LABELS, approval_required=console.settings.approval.required)


@router.get("/ban-tin/moi")
def choose_template(request: Request):
    console = console_of(request)
    console.auth.require(request, "editor")
    return console.page(request, "bulletin_new.html", title="Bản tin mới", templates=app_bulletins.list_templates())


def _common_fields(values: dict, spec: TemplateSpec, voices: list[tuple[str, str]]) -> list[FormField]:
    air = values.get("air") or {}
    return [
        FormField("title", "Tiêu đề", "Câu đọc đầu tiên của bản tin.", "text", values.get("title", ""), True),
        FormField("topic", "Chủ đề (cho báo cáo)", "", "select", values.get("topic", spec.topic),
                  options=list(TOPICS.items())),
        FormField("priority", "Mức ưu tiên", "Ưu tiên: phát đầu chương trình. Khẩn cấp: phát ngay, ngắt chương trình.",
                  "select", values.get("priority", "normal"), options=PRIORITIES),
        FormField("air.from", "Phát từ ngày", "", "date", str(air.get("from") or "")),
        FormField("air.to", "Đến ngày", "Để trống: phát đến khi gỡ bản tin.", "date", str(air.get("to") or "")),
        FormField("voice", "Giọng đọc", "Để mặc định: giọng của đài.", "select", values.get("voice") or "",
                  options=[("", "Giọng của đài")] + voices),
        FormField("rate", "Tốc độ đọc", "Số từ mỗi phút. Để mặc định: tốc độ của đài.", "select",
                  str(values.get("rate") or ""), options=_rate_options(values.get("rate"))),
    ]


# Reading speeds the form offers, in words per minute (the station's own rate is the empty choice).
RATES = [(120, "Chậm"), (150, "Vừa"), (180, "Nhanh")]


def _rate_options(current) -> list[tuple[str, str]]:
    """The speed choices; a rate the file has that is not among them stays one (so saving keeps it)."""
    options = [("", "Tốc độ của đài")] + [(str(wpm), f"{label} ({wpm} từ/phút)") for wpm, label in RATES]
    if current not in (None, "") and str(current) not in {value for value, _ in options}:
        options.append((str(current), f"{current} từ/phút"))
    return options


def _labels(fields: list[FormField]) -> dict[str, str]:
    labels = {f.name: f.label for f in fields}
    for f in fields:
        labels.update({f"{f.name}.{key}": label.lower() for key, label in f.columns})
    return labels


def _form(console, spec: TemplateSpec, values: dict) -> tuple[list[FormField], list[FormField], FormField]:
    """(the common fields, the template's fields, the body) of a bulletin form filled with `values`."""
    common = _common_fields(values, spec, console.voice_choices())
    fields = data_fields(spec, values.get("data") or {})
    body = FormField("body", "Nội dung thêm" if spec.fields else "Nội dung",
                     "Đọc sau phần của mẫu. Viết [[chữ viết|cách đọc]] để quyết định cách đọc một từ.",
                     "textarea", values.get("body", ""))
    return common, fields, body


def _render_form(request: Request, spec: TemplateSpec, values: dict, *, bulletin_id: str | None = None,
                 problems=(), preview=None, status_code: int = 200, recorded: str | None = None):
    """The bulletin form; `recorded`: the name of the person's reading the bulletin airs (it stays)."""
    console = console_of(request)
    common, fields, body = _form(console, spec, values)
    everything = common + fields + [body]
    loose = place(list(problems), everything, _labels(everything))
    action = f"/ban-tin/{bulletin_id}/sua" if bulletin_id else f"/ban-tin/moi/{spec.name}"
    title = f"Sửa bản tin: {values.get('title') or bulletin_id}" if bulletin_id else f"Bản tin mới: {spec.title}"
    return console.page(request, "bulletin_form.html", status_code=status_code, title=title, spec=spec,
                        common=common, fields=fields, body=body, loose=loose, action=action,
                        bulletin_id=bulletin_id, preview=preview, recorded=recorded,
                        has_errors=bool(problems))


@router.get("/ban-tin/moi/{template}")
def new_form(request: Request, template: str):
    console = console_of(request)
    console.auth.require(request, "editor")
    spec = _template(template)
    return _render_form(request, spec, {"title": "", "topic": spec.topic, "air": {"from": console_of(request).today()}})


def _preview_of(console, doc: dict, path):
    """The preview of an unsaved form, or the problems that stop it."""
    text = editing.bulletin_yaml(dict(doc, id=doc.get("id") or "xem-truoc"))
    try:
        return _preview_view(app_bulletins.preview(app_bulletins.load(path, text), console.settings)), []
    except UserError as exc:
        return None, exc.details


def _preview_view(p) -> dict:
    """Segments with the spoken text cut into changed and unchanged pieces, and the tokens to fix."""
    tokens = {u.token for u in p.unspeakable}
    segments = [{"kind": s.kind, "script": s.script, "pieces": spoken_pieces(s.script, s.spoken, tokens)}
                for s in p.segments]
    return {"segments": segments, "unspeakable": sorted(tokens), "script_text": p.script_text,
            "spoken_text": p.spoken_text}


async def _submit_form(request: Request, template: str | None = None, bulletin_id: str | None = None):
    console = console_of(request)
    login, form = await console.auth.posted(request, "editor")  # who and the token first, then what
    bulletin = _bulletin(console, bulletin_id) if bulletin_id else None
    spec = _template(bulletin.template if bulletin else template)
    doc = parse_form(form, spec)
    recorded = bulletin.recording.name if bulletin is not None and bulletin.recording else None
    if bulletin is not None:
        doc["id"] = bulletin.id  # an id names the audio files and the log's rows: it never changes
    path = bulletin.source if bulletin is not None else console.settings.bulletins_dir / f"{doc.get('id') or 'moi'}.yaml"
    if form.get("action") == "preview":
        preview, problems = _preview_of(console, doc, path)
        return _render_form(request, spec, doc, bulletin_id=bulletin.id if bulletin else None, problems=problems,
                            preview=preview, status_code=422 if problems else 200, recorded=recorded)
    try:
        saved = editing.save(console.settings, doc, login.user.name, path=bulletin.source if bulletin else None)
    except UserError as exc:
        return _render_form(request, spec, doc, bulletin_id=bulletin.id if bulletin else None, problems=exc.details,
                            status_code=422, recorded=recorded)
    console.build_audio(saved.bulletin, wait=False)  # ready by the time the editor presses "Nghe thử"
    if not saved.created and recorded:
        message = f"Đã lưu bản tin. Bản tin vẫn phát bằng bản thu «{recorded}»: nếu lời đã đổi, hãy thu lại."
    elif not saved.created and bulletin is not None:
        message = "Đã lưu bản tin."
    else:
        message = "Đã tạo bản tin. Nghe thử rồi gửi duyệt khi đã ưng ý."
    return console.redirect(f"/ban-tin/{saved.bulletin.id}", message)


@router.post("/ban-tin/moi/{template}")
async def create(request: Request, template: str):
    return await _submit_form(request, template=template)


@router.get("/ban-tin/{bulletin_id}/sua")
def edit_form(request: Request, bulletin_id: str):
    console = console_of(request)
    console.auth.require(request, "editor")
    b = _bulletin(console, bulletin_id)
    values = b.model_dump(mode="python", by_alias=True, exclude={"source"})
    return _render_form(request, _template(b.template), values, bulletin_id=b.id,
                        recorded=b.recording.name if b.recording else None)


@router.post("/ban-tin/{bulletin_id}/sua")
async def save_edit(request: Request, bulletin_id: str):
    return await _submit_form(request, bulletin_id=bulletin_id)


@router.post("/ban-tin/xem-truoc/{template}")
async def live_preview(request: Request, template: str):
    """The preview panel alone, for the form's live update (JavaScript); the form works without it."""
    console = console_of(request)
    _, form = await console.auth.posted(request, "editor")
    spec = _template(template)
    doc = parse_form(form, spec)
    preview, problems = _preview_of(console, doc, console.settings.bulletins_dir / "xem-truoc.yaml")
    common, fields, body = _form(console, spec, doc)
    label = labeller(_labels(common + fields + [body]))
    return console.templates.TemplateResponse(request, "_preview.html", {"preview": preview,
                                                                         "problems": said(problems, label)})


@router.get("/ban-tin/{bulletin_id}")
def bulletin_page(request: Request, bulletin_id: str):
    console = console_of(request)
    login = console.auth.require(request)
    b = _bulletin(console, bulletin_id)
    state = approval.state_of(console.settings, b)
    try:
        preview, problems = _preview_view(app_bulletins.preview(b, console.settings)), []
    except UserError as exc:
        preview, problems = None, said(exc)
    return console.page(request, "bulletin.html", title=b.title, b=b, state=state, preview=preview,
                        problems=problems, history=approval.history(console.settings, b.id),
                        can_edit=login.user.can("editor"), can_approve=login.user.can("approver"),
                        approval_required=console.settings.approval.required)


@router.get("/ban-tin/{bulletin_id}/nghe-thu.mp3")
def listen(request: Request, bulletin_id: str):
    """The bulletin's audio with the jingles, built now if its text changed since the last build."""
    console = console_of(request)
    console.auth.require(request)
    b = _bulletin(console, bulletin_id)
    job, listening = console.audio_job(b)
    if listening.wait_begun(timeout=BUILD_WAIT_S):  # being mastered now: hear it as it comes
        return StreamingResponse(listening.wav(), media_type="audio/wav",
                                 headers={"Content-Length": str(listening.size), "Cache-Control": "no-store"})
    outcome = job.result()
    if not outcome.results:
        raise HTTPException(422, " ".join(said(outcome.problems)) or "Không dựng được âm thanh.")
    return FileResponse(outcome.results[0].mp3, media_type="audio/mpeg", headers={"Cache-Control": "no-store"})


@router.post("/ban-tin/{bulletin_id}/gui-duyet")
async def submit(request: Request, bulletin_id: str):
    console = console_of(request)
    login, _ = await console.auth.posted(request, "editor")
    b = _bulletin(console, bulletin_id)
    approval.submit(console.settings, b.id, login.user.name)
    return console.redirect(f"/ban-tin/{b.id}", "Đã gửi bản tin để lãnh đạo duyệt.")


@router.post("/ban-tin/{bulletin_id}/duyet")
async def approve(request: Request, bulletin_id: str):
    console = console_of(request)
    login, form = await console.auth.posted(request, "approver")
    b = _bulletin(console, bulletin_id)
    try:
        approval.approve(console.settings, b.id, login.user.name, seen_hash=str(form.get("seen", "")),
                         comment=str(form.get("comment", "")))
    except ContentChanged as exc:
        return console.redirect(f"/ban-tin/{b.id}", str(exc), kind="bad")
    return console.redirect(f"/ban-tin/{b.id}", "Đã duyệt. Bản tin sẽ vào chương trình các phiên phát trong thời gian phát của nó.")


@router.post("/ban-tin/{bulletin_id}/tra-lai")
async def send_back(request: Request, bulletin_id: str):
    console = console_of(request)
    login, form = await console.auth.posted(request, "approver")
    b = _bulletin(console, bulletin_id)
    try:
        approval.return_to_editor(console.settings, b.id, login.user.name, str(form.get("comment", "")))
    except UserError as exc:
        return console.redirect(f"/ban-tin/{b.id}", said(exc)[0], kind="bad")
    return console.redirect(f"/ban-tin/{b.id}", "Đã trả lại bản tin cho biên tập viên kèm ý kiến.")


@router.post("/ban-tin/{bulletin_id}/thu-am")
async def attach_recording(request: Request, bulletin_id: str):
    """Thu âm: a recording (uploaded, or from the browser's microphone) becomes the bulletin's item,
    checked and mastered; the bulletin then needs approval again (its file names the recording)."""
    console = console_of(request)
    login, form = await console.auth.posted(request, "editor")
    b = _bulletin(console, bulletin_id)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return console.redirect(f"/ban-tin/{b.id}#thu-am", "Chọn tệp ghi âm hoặc thu từ micrô.", kind="bad",
                                request=request)
    data = await upload.read()
    try:
        done = recording.attach_recording_bytes(console.settings, b.id, data, upload.filename)
    except UserError as exc:
        return console.redirect(f"/ban-tin/{b.id}#thu-am", "Không dùng được bản thu: " + " ".join(said(exc)),
                                kind="bad", request=request)
    f = done.facts
    audit.append(console.data_dir, login.user.name, "recorded", b.id, f"{f.original_name} ({f.duration_s:.0f} giây)",
                 approval.state_of(console.settings, done.bulletin).content_hash)
    warnings = "; ".join(done.build.warnings)
    return console.redirect(f"/ban-tin/{b.id}#nghe-thu",
                            f"Đã nhận bản thu {f.duration_s:.0f} giây (cắt {f.lead_in_trimmed_s:.1f} giây im lặng đầu), "
                            f"đã chỉnh âm lượng và ghép nhạc hiệu: bấm Nghe thử." + (f" Lưu ý: {warnings}" if warnings else ""),
                            request=request)


@router.post("/ban-tin/{bulletin_id}/bo-ban-thu")
async def detach_recording(request: Request, bulletin_id: str):
    """Back to the machine's voice: the bulletin no longer names its recording (the kept file stays, as
    evidence of what aired); it needs approval again, like any change of what airs."""
    console = console_of(request)
    login, _ = await console.auth.posted(request, "editor")
    b = _bulletin(console, bulletin_id)
    removed = recording.detach_recording(console.settings, b.id)
    if removed is None:
        return console.redirect(f"/ban-tin/{b.id}#thu-am", "Bản tin này không dùng bản thu.", kind="bad", request=request)
    bulletin = _bulletin(console, b.id)
    audit.append(console.data_dir, login.user.name, "recording_removed", b.id, Path(removed).name,
                 approval.state_of(console.settings, bulletin).content_hash)
    console.build_audio(bulletin, wait=False)
    return console.redirect(f"/ban-tin/{b.id}#nghe-thu", "Đã bỏ bản thu: bản tin đọc bằng giọng máy và cần được duyệt lại.",
                            request=request)
