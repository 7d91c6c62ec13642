"""The evidence bundle: one zip an inspector can check, for one reporting period.

Contents (folders named in Vietnamese for the people who open it):
- ``bao-cao/``   the report in every format (XLSX, DOCX, CSV, chart PNG);
- ``nhat-ky/``   the period's log rows exactly as stored and hashed (CSV and JSON);
- ``kiem-tra-chuoi.txt`` / ``.json``  the result of verifying the whole log's hash chain;
- ``manifest/``  the build manifests (``audio_out/<bulletin id>.json``) of the items that aired;
- ``am-thanh/``  optionally the audio (``audio_out/<bulletin id>.mp3``);
- ``DOC-TOI.txt`` what is inside, and ``SHA256SUMS`` (``sha256sum -c`` format) of every file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from broadcast.errors import UserError
from broadcast.logbook import Logbook, default_path, export_rows
from broadcast.report import (
    FORMATS,
    ReportData,
    atomic_write,
    load_report_data,
    parse_period,
    report_base_name,
    write_report_files,
)

# Bulletin ids become file names: anything else (a slash, a leading dot) is not looked up.
_SAFE_ID = re.compile(r"[\w][\w.-]*")


@dataclass(frozen=True)
class EvidenceResult:
    path: Path
    files: list[str]  # names inside the zip, SHA256SUMS last
    rows: int
    chain_ok: bool
    missing_audio: list[str]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_evidence(
    settings,
    period: str,
    out: Path | str,
    *,
    with_audio: bool = False,
    db: Path | str | None = None,
    issued: date | None = None,
) -> EvidenceResult:
    """Write the evidence zip for `period` to `out` (atomically). Empty periods are a UserError."""
    out = Path(out)
    if out.is_dir():
        raise UserError(f"{out}: is a folder; give a file name such as bang-chung-2024-H1.zip")
    parsed = parse_period(period)
    db_path = Path(db) if db else default_path(settings)
    data = load_report_data(settings, parsed, db=db_path, issued=issued)
    start, end = parsed.bounds(settings.station.tz)
    with Logbook(db_path, readonly=True) as log:
        head_id = data.chain.head_id if data.chain else None
        # Rows appended after the report was computed belong to the next bundle, not this one.
        raw = [r for r in log.raw_rows(since=start, until=end) if head_id is None or r["id"] <= head_id]

    members: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="evidence-") as tmp:
        for path in write_report_files(data, Path(tmp), FORMATS):
            members[f"bao-cao/{path.name}"] = path.read_bytes()

    for fmt in ("csv", "json"):
        buf = io.StringIO(newline="")
        export_rows(raw, fmt, buf)
        members[f"nhat-ky/nhat-ky-phat-song-{parsed.slug}.{fmt}"] = buf.getvalue().encode("utf-8")

    chain = data.chain
    lines = [chain.summary(), chain.summary_vi(), *(f"warning: {w}" for w in chain.warnings)]
    members["kiem-tra-chuoi.txt"] = ("\n".join(lines) + "\n").encode("utf-8")
    members["kiem-tra-chuoi.json"] = (json.dumps(chain.as_dict(), ensure_ascii=False, indent=1) + "\n").encode()

    ids = sorted({r.bulletin_id for r in data.annex})
    audio_hashes: dict[str, set[str]] = {}
    for r in data.annex:
        if r.audio_sha256:
            audio_hashes.setdefault(r.bulletin_id, set()).add(r.audio_sha256)
    audio_out = settings.audio_out
    missing_audio, audio_notes = [], []
    for bulletin_id in ids:
        if not _SAFE_ID.fullmatch(bulletin_id):
            continue
        manifest = audio_out / f"{bulletin_id}.json"
        if manifest.is_file():
            members[f"manifest/{manifest.name}"] = manifest.read_bytes()
        if with_audio:
            mp3 = audio_out / f"{bulletin_id}.mp3"
            if not mp3.is_file():
                missing_audio.append(bulletin_id)
                continue
            blob = mp3.read_bytes()
            members[f"am-thanh/{mp3.name}"] = blob
            logged = audio_hashes.get(bulletin_id, set())
            if logged and _sha256(blob) not in logged:
                audio_notes.append(
                    f"- {mp3.name}: tệp hiện tại KHÁC tệp đã phát (SHA-256 trong nhật ký: {', '.join(sorted(logged))})."
                )

    members["DOC-TOI.txt"] = _readme(data, len(raw), with_audio, missing_audio, audio_notes).encode("utf-8")
    sums = "".join(f"{_sha256(blob)}  {name}\n" for name, blob in sorted(members.items()))
    members["SHA256SUMS"] = sums.encode("utf-8")

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, blob in members.items():
                zf.writestr(name, blob)

    atomic_write(out, write)
    return EvidenceResult(out, list(members), len(raw), chain.ok, missing_audio)


def _readme(data: ReportData, rows: int, with_audio: bool, missing: list[str], notes: list[str]) -> str:
    lines = [
        f"BỘ HỒ SƠ MINH CHỨNG TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH {data.period.phrase.upper()}",
        f"{data.station.name}; lập ngày {data.issued:%d/%m/%Y}.",
        "",
        f"- bao-cao/: báo cáo ({report_base_name(data.period)}.*) dạng XLSX, DOCX, CSV và biểu đồ PNG.",
        f"- nhat-ky/: {rows} bản ghi nhật ký phát sóng của kỳ, đúng như đã lưu, kèm mã băm (CSV, JSON).",
        "- kiem-tra-chuoi.txt, kiem-tra-chuoi.json: kết quả kiểm tra chuỗi băm của toàn bộ nhật ký.",
        "- manifest/: thông tin dựng âm thanh của các tin, bài đã phát (nếu còn lưu).",
    ]
    if with_audio:
        lines.append("- am-thanh/: tệp âm thanh MP3 của các tin, bài đã phát.")
        if missing:
            lines.append(f"  Không còn tệp âm thanh của: {', '.join(missing)}.")
        lines.extend(f"  {n}" for n in notes)
    lines += [
        "- SHA256SUMS: mã SHA-256 của mọi tệp trong bộ hồ sơ (kiểm tra bằng lệnh: sha256sum -c SHA256SUMS).",
        "",
        "Kiểm tra chuỗi: " + data.chain.summary_vi() if data.chain else "",
    ]
    return "\n".join(lines) + "\n"
