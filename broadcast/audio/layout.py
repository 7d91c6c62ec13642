"""Where audio lives under audio_out/: the one owner of its layout.

    audio_out/<bulletin id>.mp3 .wav .json   a bulletin's build: what airs, its 16-bit master, its manifest
    audio_out/programmes/<slot>-<session>.*  one build per scheduled session (the pre-roll)
    audio_out/instant/<time>-<name>-<sha8>.* the levelled copy `broadcast play` keeps of a user's file

A build's three files share a stem; `BuildFiles` names them, so no reader spells a suffix itself.

They cannot switch together: three renames are three moments, and a build killed between them
(kill -9, power cut) leaves, say, the new MP3 beside the old manifest. Rather than a versioned layout
(a folder per build and a link to swap), which would move the paths the station, `broadcast play`
and evidence use, the manifest names the sha256 of the MP3 and the WAV, and every reader takes a
build through broadcast.audio.manifest.verified: a torn set is refused (playout falls back or skips
the item and logs why, `broadcast play` airs the file as plain audio under its own hash) and the
next build redoes it. Hashing a few megabytes before use costs milliseconds, and what the as-run
log records is then always the hash of the file that aired. The MP3 and WAV are renamed before the
manifest, so a build killed before its first rename leaves the last good build whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROGRAMMES_DIR = "programmes"
INSTANT_DIR = "instant"
AUDIO_SUFFIXES = (".mp3", ".wav")


@dataclass(frozen=True)
class BuildFiles:
    """The MP3 that airs, the WAV master and the manifest of one build (they share a stem)."""

    mp3: Path
    wav: Path
    manifest: Path

    @classmethod
    def named(cls, folder: Path, name: str) -> BuildFiles:
        folder = Path(folder)
        return cls(folder / f"{name}.mp3", folder / f"{name}.wav", folder / f"{name}.json")

    @classmethod
    def beside(cls, audio: Path) -> BuildFiles:
        """The build an audio file belongs to (its manifest, and its MP3/WAV sibling)."""
        audio = Path(audio)
        return cls.named(audio.parent, audio.stem)

    @property
    def folder(self) -> Path:
        return self.manifest.parent

    @property
    def name(self) -> str:
        return self.manifest.stem


@dataclass(frozen=True)
class AudioOut:
    """The station's audio_out/ folder (settings.audio_out)."""

    root: Path

    def bulletin(self, bulletin_id: str) -> BuildFiles:
        return BuildFiles.named(self.root, bulletin_id)

    @property
    def programmes(self) -> Path:
        return self.root / PROGRAMMES_DIR

    def programme(self, key: str) -> BuildFiles:
        return BuildFiles.named(self.programmes, key)

    @property
    def instant(self) -> Path:
        return self.root / INSTANT_DIR

    def aired_folders(self) -> list[tuple[Path, str]]:
        """Every folder that holds audio the station airs, with its name relative to audio_out/."""
        return [(self.root, ""), (self.programmes, f"{PROGRAMMES_DIR}/"), (self.instant, f"{INSTANT_DIR}/")]


def audio_out(settings) -> AudioOut:
    """The layout of the station's audio_out/ folder."""
    return AudioOut(Path(settings.audio_out))
