"""The evidence bundle: one zip an inspector can check, for one reporting period.

Contents (folders named in Vietnamese for the people who open it):
- ``bao-cao/``   the report in every format (XLSX, DOCX, CSV, chart PNG);
- ``nhat-ky/``   the period's log rows exactly as stored and hashed (CSV and JSON);
- ``kiem-tra-chuoi.txt`` / ``.json``  the result of verifying the whole log's hash chain;
- ``manifest/``  the build manifests (``audio_out/<bulletin id>.json``) of the items that aired;
- ``am-thanh/``  optionally the audio actually aired, found by its sha256: the log's
  ``audio_sha256`` is the hash of the file the runner played, which for a scheduled session is
  the session programme (``audio_out/programmes/<slot>-<session>.mp3``), not the bulletin's own
  MP3; for an instant or emergency play of an MP3/WAV, the levelled copy `broadcast play` kept
  (``audio_out/instant/<time>-<name>-<sha8>.mp3``, its manifest naming the original file and its
  sha256, so the aired hash ties back to what the user gave); for a bulletin YAML played at once,
  its build (``audio_out/<id>.mp3``). So the MP3 and WAV files of ``audio_out/``,
  ``audio_out/programmes/``, ``audio_out/instant/`` and any folder given with ``audio_dirs``
  (plays from before copies were kept aired the file itself, from anywhere) are matched by hash,
  each matched file goes in with the manifest beside it (under ``manifest/``, same relative path:
  ``am-thanh/instant/x.mp3`` with ``manifest/instant/x.json``), and DOC-TOI.txt lists every logged
  hash that no file matches;
- ``ghi-am/``   with the audio, the recordings people read (``broadcast record``) of the items that aired
  in the period, as they were given: the log's ``voice`` names each one's original file and sha256, and
  the file kept under ``recordings/<sha256>/`` goes in as ``ghi-am/<sha256>/<name>`` once its content
  is checked against that hash; DOC-TOI.txt lists every recording the log names that no file matches;
- ``DOC-TOI.txt`` what is inside, and ``SHA256SUMS`` (``sha256sum -c`` format) of every file.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from broadcast.asrun import VerifyResult, open_log
from broadcast.asrun.chain import export_rows
from broadcast.atomic import atomic_write
from broadcast.audio.layout import AUDIO_SUFFIXES, BuildFiles
from broadcast.audio.layout import audio_out as audio_layout
from broadcast.audio.manifest import read_manifest
from broadcast.desk import audit
from broadcast.digest import sha256_bytes, sha256_file
from broadcast.errors import UserError
from broadcast.reports.files import FORMATS, record_issued, report_base_name, write_report_files
from broadcast.reports.load import load_report_data
from broadcast.reports.model import ReportData
from broadcast.reports.period import parse_period

# Bulletin ids become file names: anything else (a slash, a leading dot) is not looked up.
_SAFE_ID = re.compile(r"[\w][\w.-]*")
# How the log's `voice` names a person's recording (`audio.recording.RecordingInfo.voice`).
_RECORDING = re.compile(r"sha256:([0-9a-f]{64})")
_PARTLY_AIRED = frozenset({"played", "late", "interrupted"})


@dataclass(frozen=True)
class EvidenceResult:
    path: Path
    files: list[str]  # names inside the zip, SHA256SUMS last
    rows: int
    chain: VerifyResult  # the whole log's verdict, as kiem-tra-chuoi.txt states it
    missing_audio: list[str]  # logged audio sha256s no file matched (with_audio only)
    missing_recordings: list[str] = field(default_factory=list)  # recordings' sha256s no kept file matched

    @property
    def chain_ok(self) -> bool:
        """The chain verifies and its end was checked (`VerifyResult.sound`)."""
        return self.chain.sound


@dataclass(frozen=True)
class AudioMatch:
    """Which files hold the audio the log says aired, by sha256."""

    found: dict[str, list[tuple[Path, str]]]  # logged sha256 -> [(file, name in the zip)]
    missing: list[str]  # logged sha256s no file matched
    searched: list[str]  # the folders looked in, for the reader


def find_aired_audio(wanted: set[str], folders: list[tuple[Path, str]]) -> AudioMatch:
    """Find the files whose sha256 is in `wanted` among the MP3/WAV files of `folders`
    ((folder, its name in the zip) pairs; not recursive).

    Cheap first: a build manifest beside a file names its hash (``files.mp3_sha256``), so those
    files are hashed (to confirm: a manifest is only a claim) before any other; every other
    audio file is hashed only while some logged hash is still unmatched.
    """
    candidates: list[tuple[Path, str]] = []
    for folder, label in folders:
        try:
            entries = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
        except OSError:
            continue
        candidates += [(p, f"{label}{p.name}") for p in entries]

    def claimed(path: Path) -> bool:
        manifest = read_manifest(BuildFiles.beside(path).manifest)
        return manifest is not None and any(manifest.files.claims(d) for d in wanted)

    found: dict[str, list[tuple[Path, str]]] = {}
    first = [c for c in candidates if claimed(c[0])]
    rest = [c for c in candidates if c not in first]
    for i, (path, name) in enumerate(first + rest):
        if i >= len(first) and wanted <= set(found):
            break  # every logged hash has a file: no need to hash the rest
        try:
            digest = sha256_file(path)
        except OSError:
            continue
        if digest in wanted:
            found.setdefault(digest, []).append((path, name))
    return AudioMatch(found, sorted(wanted - set(found)), [label or "./" for _, label in folders])


def find_recordings(raw_rows: list[dict], folder: Path) -> tuple[dict[str, list[int]], dict[str, Path]]:
    """The recordings the rows that aired (in whole or in part) name in their `voice` (sha256 -> row ids),
    and the kept file of each that `folder` holds with that content (sha256 -> file): a file is only
    taken once its hash is checked, since the folder's name is only a claim."""
    named: dict[str, list[int]] = {}
    for row in raw_rows:
        if row["outcome"] in _PARTLY_AIRED:
            for digest in dict.fromkeys(_RECORDING.findall(row["voice"] or "")):
                named.setdefault(digest, []).append(row["id"])
    kept: dict[str, Path] = {}
    for digest in named:
        try:
            files = sorted(p for p in (folder / digest).iterdir() if p.is_file() and not p.name.startswith("."))
        except OSError:
            continue
        for path in files:
            try:
                if sha256_file(path) == digest:
                    kept[digest] = path
                    break
            except OSError:
                continue
    return named, kept


def build_evidence(
    settings,
    period: str,
    out: Path | str,
    *,
    with_audio: bool = False,
    db: Path | str | None = None,
    issued: date | None = None,
    audio_dirs: list[Path | str] = (),
) -> EvidenceResult:
    """Write the evidence zip for `period` to `out` (atomically). Empty periods are a UserError.

    With `with_audio`, the audio aired is looked up by hash in audio_out/, audio_out/programmes/,
    audio_out/instant/ and `audio_dirs` (see the module's docstring).
    """
    out = Path(out)
    if out.is_dir():
        raise UserError(f"{out}: is a folder; give a file name such as bang-chung-2024-H1.zip")
    parsed = parse_period(period)
    data = load_report_data(settings, parsed, db=db, issued=issued)
    start, end = parsed.bounds(settings.station.tz)
    with open_log(settings, path=db, readonly=True) as log:
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

    trail = audit.verify(settings.data_dir) if db is None else None  # the console's audit trail, whole
    if trail is not None:
        members["nhat-ky-thao-tac/thao-tac-bang-dieu-khien.csv"] = audit.export_csv(settings.data_dir).encode("utf-8")
        members["nhat-ky-thao-tac/kiem-tra-chuoi.txt"] = (trail.summary() + "\n" + trail.summary_vi() + "\n").encode()

    ids = sorted({r.bulletin_id for r in data.annex})
    layout = audio_layout(settings)
    for bulletin_id in ids:
        if not _SAFE_ID.fullmatch(bulletin_id):
            continue
        manifest = layout.bulletin(bulletin_id).manifest
        if manifest.is_file():
            members[f"manifest/{manifest.name}"] = manifest.read_bytes()

    audio: AudioMatch | None = None
    logged: dict[str, list] = {}  # sha256 -> the annex rows that logged it
    recorded: dict[str, list] = {}  # a recording's sha256 -> the annex rows that aired it
    kept: dict[str, Path] = {}  # a recording's sha256 -> its kept file
    if with_audio:
        for r in data.annex:
            if r.audio_sha256:
                logged.setdefault(r.audio_sha256, []).append(r)
        folders = layout.aired_folders()
        folders += [(Path(d), f"thu-muc-{i}/") for i, d in enumerate(audio_dirs, start=1)]
        audio = find_aired_audio(set(logged), folders)
        for digest, matches in audio.found.items():
            for path, name in matches:
                members[f"am-thanh/{name}"] = path.read_bytes()
                manifest = BuildFiles.beside(path).manifest
                described = read_manifest(manifest)
                if described is not None and described.files.claims(digest):  # its own, not one left by other audio
                    members[f"manifest/{Path(name).with_suffix('.json')}"] = manifest.read_bytes()
        audio = AudioMatch(audio.found, audio.missing,
                           [f"{d}" for d, _ in folders])  # the real paths, for the reader
        effective = {r.row_id: r for r in data.annex}  # not the rows a correction replaced
        named, kept = find_recordings([r for r in raw if r["id"] in effective], settings.recordings_dir)
        recorded = {digest: [effective[i] for i in ids] for digest, ids in named.items()}
        for digest, path in kept.items():
            members[f"ghi-am/{digest}/{path.name}"] = path.read_bytes()

    members["DOC-TOI.txt"] = _readme(data, len(raw), audio, logged, recorded, kept).encode("utf-8")
    sums = "".join(f"{sha256_bytes(blob)}  {name}\n" for name, blob in sorted(members.items()))
    members["SHA256SUMS"] = sums.encode("utf-8")

    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, blob in members.items():
                zf.writestr(name, blob)

    atomic_write(out, write)
    record_issued(settings, data, "evidence", db=db)
    return EvidenceResult(out, list(members), len(raw), chain, audio.missing if audio else [],
                          sorted(set(recorded) - set(kept)))


def _rows_phrase(rows: list) -> str:
    """'12 lượt ghi, 06/05/2024 05:30 - 06/05/2024 17:00, tin: a, b' for one logged hash."""
    times = sorted(r.scheduled for r in rows)
    span = f"{times[0]:%d/%m/%Y %H:%M}" + (f" - {times[-1]:%d/%m/%Y %H:%M}" if times[-1] != times[0] else "")
    ids = sorted({r.bulletin_id for r in rows})
    shown = ", ".join(ids[:6]) + (f" và {len(ids) - 6} tin khác" if len(ids) > 6 else "")
    return f"{len(rows)} bản ghi, {span}, tin: {shown}"


def _readme(data: ReportData, rows: int, audio: AudioMatch | None, logged: dict[str, list],
            recorded: dict[str, list], kept: dict[str, Path]) -> str:
    lines = [
        f"BỘ HỒ SƠ MINH CHỨNG TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH {data.period.phrase.upper()}",
        f"{data.station.name}; lập ngày {data.issued:%d/%m/%Y}.",
        "",
    ]
    if data.integrity_alert:
        lines += [data.integrity_alert, ""]
    lines += [
        f"- bao-cao/: báo cáo ({report_base_name(data.period)}.*) dạng XLSX, DOCX, CSV và biểu đồ PNG.",
        f"- nhat-ky/: {rows} bản ghi nhật ký phát sóng của kỳ, đúng như đã lưu, kèm mã băm (CSV, JSON).",
        "- kiem-tra-chuoi.txt, kiem-tra-chuoi.json: kết quả kiểm tra chuỗi băm của toàn bộ nhật ký.",
        "- manifest/: thông tin dựng âm thanh của các tin, bài đã phát (nếu còn lưu).",
    ]
    if audio is not None:
        lines += [
            "- am-thanh/: tệp âm thanh đã thực sự phát sóng, tìm theo mã SHA-256 ghi trong nhật ký (cột "
            "audio_sha256). Với buổi phát theo lịch, đó là tệp chương trình của cả buổi "
            "(am-thanh/programmes/<giờ phát>-<buổi>.mp3, kèm tệp manifest/programmes/<...>.json liệt kê các "
            "tin, bài và thời điểm của từng tin trong tệp), không phải tệp riêng của từng tin; với lượt phát "
            "ngay hoặc phát khẩn cấp một tệp âm thanh, đó là bản sao đã chuẩn hóa âm lượng được lưu lại "
            "(am-thanh/instant/<thời điểm>-<tên tệp>-<mã>.mp3, kèm tệp manifest/instant/<...>.json ghi tên, "
            "đường dẫn và mã SHA-256 của tệp gốc cùng độ lớn âm thanh trước và sau khi chuẩn hóa).",
            f"  Đã tìm trong: {', '.join(audio.searched)}.",
        ]
        for digest in sorted(logged, key=lambda d: min(r.scheduled for r in logged[d])):
            files = audio.found.get(digest)
            where = (
                "tệp " + ", ".join(f"am-thanh/{name}" for _, name in files) + " (khớp mã SHA-256)"
                if files
                else "KHÔNG tìm thấy tệp nào có mã SHA-256 này (tệp đã bị xóa, dựng lại hoặc nằm ở thư mục khác)"
            )
            lines.append(f"  - {digest}: {_rows_phrase(logged[digest])}; {where}.")
        if audio.missing:
            lines.append(f"  Số mã SHA-256 âm thanh trong nhật ký không tìm thấy tệp: {len(audio.missing)}/{len(logged)}.")
        else:
            lines.append(f"  Đã tìm thấy tệp cho cả {len(logged)} mã SHA-256 âm thanh trong nhật ký.")
        if recorded:
            lines.append("- ghi-am/: bản ghi âm giọng người đọc của các tin, bài đã phát trong kỳ, đúng như tệp đã nhận "
                         "(ghi-am/<mã SHA-256>/<tên tệp>), tìm theo mã SHA-256 ghi trong nhật ký (cột voice).")
        for digest in sorted(recorded, key=lambda d: min(r.scheduled for r in recorded[d])):
            where = (f"tệp ghi-am/{digest}/{kept[digest].name} (khớp mã SHA-256)" if digest in kept
                     else "KHÔNG tìm thấy tệp ghi âm có mã SHA-256 này trong thư mục recordings/")
            lines.append(f"  - {digest}: {_rows_phrase(recorded[digest])}; {where}.")
    lines += [
        "- SHA256SUMS: mã SHA-256 của mọi tệp trong bộ hồ sơ (kiểm tra bằng lệnh: sha256sum -c SHA256SUMS).",
        "",
        "Kiểm tra chuỗi: " + data.chain.summary_vi() if data.chain else "",
    ]
    return "\n".join(lines) + "\n"
