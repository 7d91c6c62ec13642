"""The audio interfaces other areas use: the typed manifest, the audio_out layout, one file hash,
and the rule that playout reaches the build only through its public functions."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

from broadcast.audio.layout import AudioOut, BuildFiles, audio_out
from broadcast.audio.manifest import AudioFiles, Durations, ItemSpan, Manifest, read_manifest, write_manifest
from broadcast.digest import sha256_file, sha256_text

PACKAGE = Path(__file__).resolve().parent.parent / "broadcast"


def test_manifest_round_trips_and_omits_what_it_does_not_know(tmp_path):
    m = Manifest(id="tin-a", title="Tin thử", items=[ItemSpan(bulletin_id="tin-a", start_s=3.2, end_s=40.5)],
                 durations=Durations(total_s=45.0), files=AudioFiles(mp3="tin-a.mp3", mp3_sha256="ab" * 32))
    path = tmp_path / "tin-a.json"
    write_manifest(path, m)
    assert read_manifest(path) == m
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["title"] == "Tin thử" and "original" not in on_disk and "wav" not in on_disk["files"]
    assert [p.name for p in tmp_path.iterdir()] == ["tin-a.json"]  # written atomically, no temp file left


def test_manifest_reading_tolerates_unknown_keys_and_refuses_what_is_not_one(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"id": "x", "durations": {"total_s": 1.0}, "added_later": {"a": 1}}), encoding="utf-8")
    assert read_manifest(path).id == "x"
    for text in ("", "[1, 2]", "{\"files\": {}}", "not json"):
        path.write_text(text, encoding="utf-8")
        assert read_manifest(path) is None
    assert read_manifest(tmp_path / "missing.json") is None


def test_manifest_names_the_hash_of_each_audio_file():
    m = Manifest(id="x", durations=Durations(total_s=1.0), files=AudioFiles(mp3_sha256="m" * 64, wav_sha256="w" * 64))
    assert m.audio_sha256(Path("a/x.mp3")) == "m" * 64 and m.audio_sha256(Path("x.WAV")) == "w" * 64
    assert m.files.claims("w" * 64) and not m.files.claims("z" * 64)


def test_layout_names_every_file_of_a_build(tmp_path):
    class Station:
        audio_out = tmp_path / "audio_out"

    layout = audio_out(Station())
    assert layout == AudioOut(tmp_path / "audio_out")
    files = layout.bulletin("tin-a")
    assert (files.mp3.name, files.wav.name, files.manifest.name) == ("tin-a.mp3", "tin-a.wav", "tin-a.json")
    assert layout.programme("2024-05-06-0530-sang").mp3.parent == tmp_path / "audio_out" / "programmes"
    assert BuildFiles.beside(layout.instant / "x-12345678.wav") == BuildFiles.named(layout.instant, "x-12345678")
    assert [label for _, label in layout.aired_folders()] == ["", "programmes/", "instant/"]


def test_one_file_hash(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"x" * 3_000_000)
    assert sha256_file(f) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    assert sha256_text("Tiền Tiến") == hashlib.sha256("Tiền Tiến".encode()).hexdigest()


def test_playout_uses_only_the_builds_public_functions():
    """Playout depends on audio/'s interfaces (master, manifest, layout) and digest, not on build internals."""
    # station_recording_seconds: how long the station's recorded greeting and sign-off air (for planning)
    public = {"build_bulletin", "build_programme", "BuildResult", "spoken_segments", "station_recording_seconds"}
    for module in (PACKAGE / "playout").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "broadcast.build":
                names = {a.name for a in node.names}
                assert names <= public, f"{module.name} imports build internals {sorted(names - public)}"


def test_no_module_hashes_files_by_hand():
    """sha256 of a file has one home (broadcast.digest)."""
    for module in PACKAGE.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        if module.name != "digest.py":
            assert "file_digest(fh" not in text and "fh.read(1 << 20)" not in text, module
