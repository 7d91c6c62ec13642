"""The manifest beside every audio file the station airs: a typed model, read and written only here.

A bulletin's build, a session programme and an instant play's levelled copy each have one (JSON,
`<stem>.json` beside `<stem>.mp3`/`.wav`, see broadcast.audio.layout). Playout reads the items and
their offsets, the log records the audio and text hashes, evidence ships the file as it is.
Unknown keys are ignored on reading, so a manifest written by a newer or older version still reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from broadcast.atomic import staged
from broadcast.audio.layout import BuildFiles
from broadcast.digest import sha256_file


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RecordingInfo(_Part):
    """A person's recording standing for a bulletin's text (broadcast.audio.recording)."""

    sha256: str
    original_name: str
    file: str  # where the station keeps it (recordings/<sha256>/<original name>)
    prepared: dict[str, Any] = Field(default_factory=dict)  # what preparing it measured and did (trim, noise, gate)


class SegmentRecord(_Part):
    """One spoken segment: its script and spoken text, who spoke it, where it sits in the file.
    A recorded bulletin has one segment of kind "recording" (engine "recording") for its whole text."""

    kind: str
    bulletin_id: str | None = None
    script: str = ""
    spoken: str = ""
    engine: str = ""
    voice: str = ""
    rate: int | None = None  # words per minute it was synthesised at (None: a recording, or an older build)
    cached: bool = False
    start_s: float = 0.0
    duration_s: float = 0.0
    recording: RecordingInfo | None = None


class ItemSpan(_Part):
    """One bulletin's span in the file (the log times items by these)."""

    bulletin_id: str
    start_s: float
    end_s: float


class BulletinEntry(_Part):
    """A bulletin inside a programme: what the log names it by."""

    id: str
    title: str = ""
    topic: str = ""
    priority: str = "normal"
    source: str | None = None
    air: dict[str, Any] | None = None


class Durations(_Part):
    total_s: float = 0.0
    speech_s: float | None = None
    jingle_s: float | None = None


class Measured(_Part):
    """Loudness and true peak as measured after mastering (None: not measured, `of` says why)."""

    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    of: str = ""


class Target(_Part):
    integrated_lufs: float
    true_peak_dbtp: float


class AudioFormat(_Part):
    sample_rate: int
    channels: int = 1
    mp3_bitrate_kbps: int | None = None


class AudioFiles(_Part):
    """The audio files of this manifest (names in its folder) and their sha256."""

    mp3: str | None = None
    wav: str | None = None
    mp3_sha256: str | None = None
    wav_sha256: str | None = None

    def sha256_of(self, kind: str) -> str | None:
        """The recorded hash of the "mp3" or "wav" file."""
        return {"mp3": self.mp3_sha256, "wav": self.wav_sha256}.get(kind.lower().lstrip("."))

    def claims(self, digest: str) -> bool:
        return digest in (self.mp3_sha256, self.wav_sha256)


class OriginalFile(_Part):
    """The user's file an instant copy was levelled from."""

    path: str
    sha256: str
    name: str = ""
    size_bytes: int | None = None
    measured: dict[str, Any] = Field(default_factory=dict)


class Manifest(_Part):
    """What one audio file holds and how it was made."""

    kind: Literal["bulletin", "programme"] = "bulletin"
    id: str
    title: str = ""
    topic: str = ""
    priority: str = "normal"
    # A bulletin's own build
    source: str | None = None
    air: dict[str, Any] | None = None
    # A session programme (the pre-roll's build of a slot)
    bulletins: list[BulletinEntry] = Field(default_factory=list)
    slot: str | None = None
    session: str | None = None
    zones: list[str] | None = None
    held_over: list[str] | None = None
    # What is in it
    spoken_text: str | None = None
    script_text: str | None = None
    engine: str | None = None
    voice: str | None = None
    segments: list[SegmentRecord] = Field(default_factory=list)
    items: list[ItemSpan] = Field(default_factory=list)
    durations: Durations = Field(default_factory=Durations)
    measured: Measured | None = None
    target: Target | None = None
    format: AudioFormat | None = None
    files: AudioFiles = Field(default_factory=AudioFiles)
    text_sha256: str | None = None
    jingle: str | None = None
    warnings: list[str] = Field(default_factory=list)
    fell_back: bool = False
    build_key: str | None = None
    built_at: str | None = None
    software: str | None = None
    # An instant play's levelled copy (broadcast.playout.instant)
    instant: bool | None = None
    quick: bool | None = None
    original: OriginalFile | None = None
    change_lu: float | None = None
    quick_gain_db: float | None = None
    prepare_key: str | None = None
    prepared_at: str | None = None
    copied_from: str | None = None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2)

    def audio_sha256(self, audio: Path) -> str | None:
        """The hash this manifest records for `audio` (by its suffix), if any."""
        return self.files.sha256_of(Path(audio).suffix)


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`; None when it is missing, unreadable or not a manifest."""
    try:
        return Manifest.model_validate_json(Path(path).read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write atomically (a reader sees the old manifest or the new one)."""
    with staged(Path(path)) as tmp:
        tmp.write_text(manifest.to_json(), encoding="utf-8")


@dataclass(frozen=True)
class VerifiedBuild:
    """A build whose manifest describes exactly the audio beside it."""

    manifest: Manifest
    audio: Path  # the file that airs: the MP3, or the WAV of an emergency's quick copy
    wav: Path | None  # the WAV master, when it is there and matches (the sound card plays it)


def verified(files: BuildFiles) -> VerifiedBuild | None:
    """The build at `files` if the hashes in its manifest are those of its files, else None.

    Readers take a build's audio only through here: a build killed between renaming its files
    (see broadcast.audio.layout) leaves a new MP3 beside the old manifest, and that pair must not air
    as if it were one. A WAV master that is missing or does not match is left out (the MP3 airs).
    """
    manifest = read_manifest(files.manifest)
    if manifest is None:
        return None
    audio = files.mp3 if manifest.files.mp3_sha256 else files.wav if manifest.files.wav_sha256 else None
    if audio is None or not _matches(audio, manifest):
        return None
    wav = files.wav if audio == files.wav or (manifest.files.wav_sha256 and _matches(files.wav, manifest)) else None
    return VerifiedBuild(manifest, audio, wav)


def _matches(audio: Path, manifest: Manifest) -> bool:
    try:
        return sha256_file(audio) == manifest.audio_sha256(audio)
    except OSError:
        return False
