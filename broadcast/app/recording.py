"""A person reads a bulletin: attach their recording (a file, or bytes from the web console's
microphone), check and master it, and build the bulletin with it; the facts come back as data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast.atomic import atomic_write
from broadcast.audio import recording
from broadcast.build import BuildResult, build_bulletin
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin, bulletin_files, load_bulletin
from broadcast.errors import UserError

_RECORDING_LINE = re.compile(r"^recording:.*$", re.M)


@dataclass(frozen=True)
class AttachedRecording:
    """The recording as checked and kept, and the bulletin built with it (loudness and peak as aired)."""

    bulletin: Bulletin
    facts: recording.RecordingFacts
    build: BuildResult


def find_bulletin(settings: Settings, bulletin_id: str) -> Bulletin:
    """The bulletin with this id in the station's bulletins folder."""
    for file in bulletin_files([settings.bulletins_dir]):
        try:
            b = load_bulletin(file)
        except UserError:
            continue
        if b.id == bulletin_id:
            return b
    raise UserError(f"no bulletin with id '{bulletin_id}' in {settings.bulletins_dir}")


def attach_recording(settings: Settings, bulletin_id: str, source: Path, original_name: str | None = None) -> AttachedRecording:
    """Check `source`, keep it by its hash, point the bulletin's `recording:` at the kept copy, build.

    Every check comes first: a recording that cannot air well is a UserError and changes nothing."""
    source = Path(source)
    if not source.is_file():
        raise UserError(f"{source}: no such file")
    bulletin = find_bulletin(settings, bulletin_id)
    name = original_name or source.name
    _, facts = recording.prepare(source, settings.audio.sample_rate, settings.audio.loudness_lufs, original_name=name)
    kept, _ = recording.store(source, settings.base_dir, original_name=name)
    _point_at(bulletin, kept)
    bulletin = load_bulletin(bulletin.source)
    result = build_bulletin(bulletin, settings)
    return AttachedRecording(bulletin, replace(facts, stored=kept), result)


def attach_recording_bytes(settings: Settings, bulletin_id: str, data: bytes, original_name: str) -> AttachedRecording:
    """`attach_recording` for an upload or a browser recording (e.g. WebM/Opus from MediaRecorder)."""
    suffix = Path(original_name).suffix.lower() or ".audio"
    with tempfile.TemporaryDirectory(prefix="thu-am-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        return attach_recording(settings, bulletin_id, path, original_name=Path(original_name).name)


def _point_at(bulletin: Bulletin, kept: Path) -> None:
    """Set the bulletin file's `recording:` line (added at the end when it has none)."""
    file = Path(bulletin.source)
    text = file.read_text(encoding="utf-8")
    where = os.path.relpath(kept, file.parent)
    line = f"recording: {where}"
    text = _RECORDING_LINE.sub(line, text) if _RECORDING_LINE.search(text) else text.rstrip("\n") + f"\n{line}\n"
    atomic_write(file, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def record_from_mic(out: Path, seconds: float | None = None) -> Path:
    """Record the sound card's input (PulseAudio's default source) into the WAV `out` with parecord:
    for `seconds`, or until Enter is pressed."""
    if shutil.which("parecord") is None:
        raise UserError("recording from the microphone needs PulseAudio's parecord (apt-get install pulseaudio-utils)")
    sources = subprocess.run(["pactl", "list", "short", "sources"], capture_output=True, text=True, check=False)
    inputs = [line for line in sources.stdout.splitlines() if line.strip() and ".monitor" not in line]
    if sources.returncode != 0 or not inputs:
        raise UserError("no sound card input to record from (PulseAudio lists no input source)")
    proc = subprocess.Popen(["parecord", "--file-format=wav", "--channels=1", "--rate=44100", str(out)])
    try:
        if seconds:
            time.sleep(seconds)
        else:
            input()  # the stop key
    finally:
        proc.terminate()
        proc.wait()
    return out
