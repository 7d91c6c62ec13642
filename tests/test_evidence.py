"""The evidence zip: what it holds, and that its checksums and log export check out."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.reports.evidence import build_evidence
from broadcast.asrun import SqliteStore
from broadcast.asrun.chain import verify_rows
from broadcast.asrun.sample import sample_records

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def station(tmp_path):
    settings = Settings(base_dir=tmp_path)
    db = tmp_path / "asrun.sqlite"
    records = list(sample_records(date(2024, 4, 25), date(2024, 6, 5), TZ, seed=3))
    with SqliteStore(db) as log:
        log.append_many(records)
    audio_out = settings.audio_out
    audio_out.mkdir()
    in_may = sorted({r.bulletin_id for r in records if r.scheduled.month == 5})
    only_april = sorted({r.bulletin_id for r in records if r.scheduled.month == 4} - set(in_may))
    # The sample log's audio_sha256 is sha256("audio:<id>"): a file with those bytes is what aired.
    for bid in (in_may[0], only_april[0]):
        (audio_out / f"{bid}.json").write_text(json.dumps({"id": bid}))
        (audio_out / f"{bid}.mp3").write_bytes(f"audio:{bid}".encode())
    return settings, db, in_may, only_april


def test_the_bundle(station, tmp_path):
    settings, db, in_may, only_april = station
    out = tmp_path / "bang-chung.zip"
    result = build_evidence(settings, "2024-05", out, with_audio=True, db=db, issued=date(2024, 6, 6))
    assert result.chain_ok
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        blobs = {n: zf.read(n) for n in names}
    assert {"SHA256SUMS", "DOC-TOI.txt", "kiem-tra-chuoi.txt", "kiem-tra-chuoi.json"} <= names
    assert {"bao-cao/bao-cao-cchc-2024-05.xlsx", "bao-cao/bao-cao-cchc-2024-05.docx",
            "bao-cao/bao-cao-cchc-2024-05-chu-de.csv", "bao-cao/bao-cao-cchc-2024-05-bieu-do.png"} <= names
    assert f"manifest/{in_may[0]}.json" in names and f"am-thanh/{in_may[0]}.mp3" in names
    assert f"manifest/{only_april[0]}.json" not in names  # not aired in the period

    sums = dict(reversed(line.split("  ", 1)) for line in blobs["SHA256SUMS"].decode().splitlines())
    assert set(sums) == names - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(blobs[name]).hexdigest() == digest

    rows = json.loads(blobs["nhat-ky/nhat-ky-phat-song-2024-05.json"])
    assert rows and all(r["scheduled_local"].startswith("2024-05-") for r in rows)
    assert len(rows) == result.rows
    # The export carries the hashes: each row checks against its own stored hash.
    ids = [r["id"] for r in rows]
    assert ids == list(range(ids[0], ids[-1] + 1))
    with SqliteStore(db, readonly=True) as log:
        assert log.raw_rows()[ids[0] - 1 : ids[-1]] == rows
    assert verify_rows(log_rows_before(db, ids[0]) + rows).ok
    assert json.loads(blobs["kiem-tra-chuoi.json"])["ok"] is True
    assert "Chuỗi băm hợp lệ" in blobs["kiem-tra-chuoi.txt"].decode()
    assert result.missing_audio  # most sample items have no audio file
    readme = blobs["DOC-TOI.txt"].decode()
    assert f"{hashlib.sha256(f'audio:{in_may[1]}'.encode()).hexdigest()}: " in readme
    assert "KHÔNG tìm thấy tệp nào có mã SHA-256 này" in readme


def log_rows_before(db, first_id):
    with SqliteStore(db, readonly=True) as log:
        return log.raw_rows()[: first_id - 1]


def test_without_audio(station, tmp_path):
    settings, db, in_may, _ = station
    result = build_evidence(settings, "2024-05", tmp_path / "e.zip", db=db)
    assert not any(name.startswith("am-thanh/") for name in result.files)
    assert f"manifest/{in_may[0]}.json" in result.files


def test_a_broken_chain_is_reported_in_the_bundle(station, tmp_path):
    import sqlite3

    settings, db, _, _ = station
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER asrun_no_update")
    con.execute("UPDATE asrun SET title = 'sửa tay' WHERE id = 10")
    con.commit()
    con.close()
    result = build_evidence(settings, "2024-05", tmp_path / "e.zip", db=db)
    assert not result.chain_ok
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        assert "bản ghi số 10" in zf.read("kiem-tra-chuoi.txt").decode()


@pytest.mark.parametrize("period", ["2021", "2024-X"])
def test_bad_periods(station, tmp_path, period):
    settings, db, _, _ = station
    with pytest.raises(UserError):
        build_evidence(settings, period, tmp_path / "e.zip", db=db)
    assert not (tmp_path / "e.zip").exists()


def test_unwritable_output(station, tmp_path):
    settings, db, _, _ = station
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UserError):
        build_evidence(settings, "2024-05", tmp_path / "a-file" / "e.zip", db=db)
    with pytest.raises(UserError, match="is a folder"):
        build_evidence(settings, "2024-05", tmp_path, db=db)


def test_the_audio_that_aired_is_found_by_its_hash(station, tmp_path):
    """The runner logs the sha256 of the file it played: for a session, the whole programme MP3.
    The bundle holds that file (and its manifest), never calls a bulletin's own MP3 'swapped', and
    names each logged hash no file matches."""
    settings, db, in_may, _ = station
    audio_out = settings.audio_out
    programmes = audio_out / "programmes"
    programmes.mkdir()
    # A session programme whose bytes hash to what the log recorded for in_may[1] ...
    (programmes / "20240506T0530-sang.mp3").write_bytes(f"audio:{in_may[1]}".encode())
    (programmes / "20240506T0530-sang.json").write_text(json.dumps({  # its manifest names that file's hash
        "kind": "programme", "id": "20240506T0530-sang", "items": [],
        "files": {"mp3_sha256": hashlib.sha256(f"audio:{in_may[1]}".encode()).hexdigest()}}))
    # ... and that bulletin's own MP3, which is a different file (it was not what aired).
    (audio_out / f"{in_may[1]}.mp3").write_bytes(b"ID3 the bulletin alone")
    (audio_out / "unrelated.mp3").write_bytes(b"ID3 something else")
    # An instant play from a folder of its own.
    extra = tmp_path / "phat-ngay"
    extra.mkdir()
    (extra / "thong-bao.mp3").write_bytes(f"audio:{in_may[2]}".encode())

    out = tmp_path / "e.zip"
    result = build_evidence(settings, "2024-05", out, with_audio=True, db=db, audio_dirs=[extra])
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        readme = zf.read("DOC-TOI.txt").decode()
        assert zf.read("am-thanh/programmes/20240506T0530-sang.mp3") == f"audio:{in_may[1]}".encode()
    assert "manifest/programmes/20240506T0530-sang.json" in names
    assert f"am-thanh/{in_may[0]}.mp3" in names and "am-thanh/thu-muc-1/thong-bao.mp3" in names
    assert f"am-thanh/{in_may[1]}.mp3" not in names and "am-thanh/unrelated.mp3" not in names
    assert "KHÁC" not in readme
    found = {hashlib.sha256(f"audio:{b}".encode()).hexdigest() for b in in_may[:3]}
    for line in readme.splitlines():
        digest = line.strip()[2:66]
        if line.startswith("  - "):
            assert ("khớp mã SHA-256" in line) == (digest in found), line
    assert not found & set(result.missing_audio)
    assert len(result.missing_audio) == len(in_may) - 3
    assert f"{len(in_may) - 3}/{len(in_may)}" in readme


def test_find_aired_audio_hashes_no_more_than_it_must(tmp_path, monkeypatch):
    from broadcast.reports import evidence

    (tmp_path / "a.mp3").write_bytes(b"a")
    (tmp_path / "a.json").write_text(json.dumps({"id": "a", "durations": {"total_s": 1.0},
                                                 "files": {"mp3_sha256": hashlib.sha256(b"a").hexdigest()}}))
    for i in range(5):
        (tmp_path / f"other-{i}.mp3").write_bytes(b"x%d" % i)
    hashed = []
    real = evidence.sha256_file
    monkeypatch.setattr(evidence, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    match = evidence.find_aired_audio({hashlib.sha256(b"a").hexdigest()}, [(tmp_path, "")])
    assert hashed == ["a.mp3"] and not match.missing


def test_instant_plays_are_found_in_their_kept_copies(station, tmp_path):
    """`broadcast play` keeps a levelled copy under audio_out/instant/: that is what aired, and its manifest
    (naming the original) goes in beside it."""
    settings, db, in_may, _ = station
    kept = settings.audio_out / "instant"
    kept.mkdir()
    aired = f"audio:{in_may[3]}".encode()
    name = f"20240506-101500-bao-lu-{hashlib.sha256(b'the original').hexdigest()[:8]}"
    (kept / f"{name}.mp3").write_bytes(aired)
    (kept / f"{name}.json").write_text(json.dumps({
        "kind": "bulletin", "instant": True, "id": in_may[3],
        "original": {"path": "/home/bientap/bao-lu.wav", "sha256": hashlib.sha256(b"the original").hexdigest()},
        "files": {"mp3": f"{name}.mp3", "mp3_sha256": hashlib.sha256(aired).hexdigest()}}))
    result = build_evidence(settings, "2024-05", tmp_path / "e.zip", with_audio=True, db=db)
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        assert zf.read(f"am-thanh/instant/{name}.mp3") == aired
        manifest = json.loads(zf.read(f"manifest/instant/{name}.json"))
        readme = zf.read("DOC-TOI.txt").decode()
    assert manifest["original"]["path"] == "/home/bientap/bao-lu.wav"
    assert hashlib.sha256(aired).hexdigest() not in result.missing_audio
    assert f"am-thanh/instant/{name}.mp3 (khớp mã SHA-256)" in readme
    assert "audio_out/instant" in readme


def test_recordings_that_aired_go_in_as_given(tmp_path):
    """A bulletin a person read (`broadcast record`): the log's voice names the recording's sha256, and the
    file kept under recordings/<sha256>/ goes into the zip with --with-audio, checked against that hash;
    one that did not air stays out, a missing or altered one is listed, not taken."""
    from datetime import datetime, timedelta

    from broadcast.asrun import AsRunRecord, Outcome

    settings = Settings(base_dir=tmp_path)
    db = tmp_path / "asrun.sqlite"
    reading, missing, unaired, altered = (f"giọng đọc {n}".encode() for n in range(4))
    digests = [hashlib.sha256(b).hexdigest() for b in (reading, missing, unaired, altered)]
    for blob, digest in ((reading, digests[0]), (unaired, digests[2]), (b"changed since", digests[3])):
        (settings.recordings_dir / digest).mkdir(parents=True)
        (settings.recordings_dir / digest / "doc-tin.wav").write_bytes(blob)
    at = datetime(2024, 5, 6, 6, 0, tzinfo=TZ)
    plays = [(digests[0], Outcome.played), (digests[0], Outcome.late), (digests[1], Outcome.interrupted),
             (digests[2], Outcome.missed), (digests[3], Outcome.played)]
    with SqliteStore(db) as log:
        for i, (digest, outcome) in enumerate(plays):
            start = at + timedelta(hours=i)
            aired = outcome != Outcome.missed
            log.append(AsRunRecord(
                scheduled=start, outcome=outcome, bulletin_id=f"tin-{i}", title="Đường dây nóng", topic="hotline",
                priority="normal", session="sang", zones=("thôn 1",), start=start if aired else None,
                end=start + timedelta(seconds=90) if aired else None, engine="espeak-ng+recording",
                voice=f"vi+doc-tin.wav sha256:{digest}"))
    out = tmp_path / "e.zip"
    result = build_evidence(settings, "2024-05", out, with_audio=True, db=db)
    with zipfile.ZipFile(out) as zf:
        recordings = {n: zf.read(n) for n in zf.namelist() if n.startswith("ghi-am/")}
        readme = zf.read("DOC-TOI.txt").decode()
        sums = zf.read("SHA256SUMS").decode()
    assert recordings == {f"ghi-am/{digests[0]}/doc-tin.wav": reading}
    assert f"{digests[0]}  ghi-am/{digests[0]}/doc-tin.wav" in sums
    assert result.missing_recordings == sorted([digests[1], digests[3]])
    assert f"{digests[0]}: 2 bản ghi" in readme and f"tệp ghi-am/{digests[0]}/doc-tin.wav (khớp mã SHA-256)" in readme
    assert f"{digests[1]}: 1 bản ghi" in readme and "KHÔNG tìm thấy tệp ghi âm" in readme
    assert digests[2] not in readme  # it did not air
    build_evidence(settings, "2024-05", tmp_path / "plain.zip", db=db)
    with zipfile.ZipFile(tmp_path / "plain.zip") as zf:
        assert not [n for n in zf.namelist() if n.startswith("ghi-am/")]
