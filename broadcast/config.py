"""Station settings: one typed, validated YAML file (station.yaml) with defaults for everything."""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Mapping
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from broadcast.asrun.settings import LogSettings
from broadcast.errors import UserError
from broadcast.problems import Loc, Problem, did_you_mean, field_path
from broadcast.speech.engines import engine_names
from broadcast.yamlio import YamlDoc, check, invalid, load_yaml

SETTINGS_ENV = "BROADCAST_SETTINGS"
SETTINGS_FILE = "station.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Station(_Section):
    name: str = "Đài truyền thanh xã Tiền Tiến"
    commune: str = "Tiền Tiến"
    district: str = "thành phố Hải Dương"
    province: str = "Hải Dương"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid("settings.timezone", "unknown timezone '{value}' (use an IANA name such as Asia/Ho_Chi_Minh)",
                          value=value) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Gtts(_Section):
    lang: str = "vi"
    tld: str = "com.vn"
    timeout: float = Field(10.0, gt=0, le=120, description="seconds per request and for the whole item")
    url: str | None = Field(None, description="override the service address (tests use a local stand-in)")


class Piper(_Section):
    voices_dir: Path = Path("voices")
    speaker: int | None = None
    length_scale: float = Field(1.0, gt=0.2, le=4.0)


# Reading speed in words per minute (eSpeak's own bounds, kept a little inside): the station's and a bulletin's.
RATE_MIN, RATE_MAX = 80, 450


class Speech(_Section):
    engine: str = "espeak"
    fallback: list[str] = Field(default_factory=lambda: ["espeak"], description="tried in order when the engine fails")
    voice: str = "vi"
    rate: int = Field(150, ge=RATE_MIN, le=RATE_MAX, description="words per minute (eSpeak), speed for others")
    lexicon: Path | None = Field(None, description="the station's own word -> spoken form file")
    gtts: Gtts = Field(default_factory=Gtts)
    piper: Piper = Field(default_factory=Piper)


class Audio(_Section):
    loudness_lufs: float = Field(-16.0, ge=-31, le=-9)
    true_peak_dbtp: float = Field(-1.0, ge=-9, le=0)
    sample_rate: Literal[44100, 48000] = 44100
    mp3_bitrate_kbps: Literal[96, 112, 128, 160, 192] = 128
    jingle: Path | None = Field(None, description="the station's own jingle (WAV or MP3); default is generated")
    pause_between_items_s: float = Field(1.2, ge=0, le=10)
    pause_after_jingle_s: float = Field(0.6, ge=0, le=10)


class ProgrammeWording(_Section):
    """The words around every programme: the column's name, the greeting and the sign-off (Jinja, with station and programme)."""

    column: str = "Cải cách hành chính"
    greeting: str = (
        "Đây là {{ station.name }}. Mời bà con cùng nghe chuyên mục {{ programme.column }}."
    )
    signoff: str = (
        "Chuyên mục {{ programme.column }} của {{ station.name }} đến đây là kết thúc. "
        "Cảm ơn bà con đã chú ý lắng nghe."
    )
    # A person's reading of the greeting or sign-off, aired instead of synthesised speech (the text above
    # is what it stands for); set by `broadcast record FILE --greeting` / `--sign-off`, kept by sha256.
    greeting_recording: Path | None = None
    signoff_recording: Path | None = None


class BulletinLength(_Section):
    """How long one bulletin may speak (its title and text, without jingles, greeting and sign-off): a
    commune column item is a few minutes; a very long one is usually a pasted document."""

    warn_minutes: float = Field(5, gt=0, le=240, description="render and build warn above this")
    max_minutes: float = Field(15, gt=0, le=240, description="render and build refuse above this, before synthesis")

    @model_validator(mode="after")
    def _ordered(self):
        if self.warn_minutes > self.max_minutes:
            raise invalid("settings.length_order", "warn_minutes ({warn}) is above max_minutes ({max})",
                          warn=f"{self.warn_minutes:g}", max=f"{self.max_minutes:g}")
        return self


class Paths(_Section):
    bulletins: Path = Path("bulletins")
    audio_out: Path = Path("audio_out")
    cache: Path = Path(".cache/broadcast")
    data: Path = Path("data")
    schedule: Path = Path("schedule.yaml")
    recordings: Path = Path("recordings")  # people's readings of bulletins, kept by content hash


class Web(_Section):
    """The editor's console (`broadcast web`): where it listens and how long a login lasts."""

    host: str = Field("127.0.0.1", description="the station's LAN address to reach it from other machines")
    port: int = Field(8080, ge=1, le=65535)
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="a login ends after this long unused")


class Approval(_Section):
    """Whether a leader must approve a bulletin (its exact content) before it goes into a programme."""

    required: bool = True


class Settings(_Section):
    station: Station = Field(default_factory=Station)
    speech: Speech = Field(default_factory=Speech)
    audio: Audio = Field(default_factory=Audio)
    programme: ProgrammeWording = Field(default_factory=ProgrammeWording)
    bulletin_length: BulletinLength = Field(default_factory=BulletinLength)
    paths: Paths = Field(default_factory=Paths)
    web: Web = Field(default_factory=Web)
    approval: Approval = Field(default_factory=Approval)
    log: LogSettings = Field(default_factory=LogSettings)
    # Folder that relative paths are resolved against: the settings file's folder.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    _doc: YamlDoc | None = PrivateAttr(None)  # the station.yaml read, for problems found after loading

    def resolve(self, path: Path) -> Path:
        return _resolve(self.base_dir, path)

    @property
    def source_file(self) -> Path:
        """The station.yaml these settings were read from (where it would be, when they are the defaults)."""
        return self._doc.path if self._doc is not None else self.base_dir / SETTINGS_FILE

    def problem(self, loc: Loc, message: str, *, hint: str = "", code: str = "",
                params: Mapping[str, object] | None = None) -> Problem:
        """A problem with a setting found after loading (a jingle that cannot be decoded), at its line."""
        if self._doc is not None:
            return self._doc.problem(loc, message, hint=hint, code=code, params=params)
        return Problem(message, path=field_path(loc), hint=hint, code=code, params=params or {})

    @property
    def audio_out(self) -> Path:
        return self.resolve(self.paths.audio_out)

    @property
    def cache_dir(self) -> Path:
        return self.resolve(self.paths.cache)

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.paths.data)

    @property
    def bulletins_dir(self) -> Path:
        return self.resolve(self.paths.bulletins)

    @property
    def recordings_dir(self) -> Path:
        return self.resolve(self.paths.recordings)

    @property
    def schedule_file(self) -> Path:
        return self.resolve(self.paths.schedule)

    @property
    def jingle_file(self) -> Path | None:
        return self.resolve(self.audio.jingle) if self.audio.jingle else None

    @property
    def lexicon_file(self) -> Path | None:
        return self.resolve(self.speech.lexicon) if self.speech.lexicon else None


def load_settings(path: Path | str | None = None) -> Settings:
    """Settings from `path`, else $BROADCAST_SETTINGS, else ./station.yaml, else all defaults."""
    explicit = path or os.environ.get(SETTINGS_ENV)
    if explicit:
        file = Path(explicit)
        if not file.exists():
            raise UserError(Problem("settings file not found", str(file), code="file.missing"))
    else:
        file = Path.cwd() / SETTINGS_FILE
        if not file.exists():
            return Settings(base_dir=Path.cwd())
    doc = load_yaml(file)
    base_dir = file.resolve().parent
    settings, problems = check(doc, Settings)
    # References are read from the raw YAML, so a schema error elsewhere does not hide them.
    problems += _check_references(doc, base_dir)
    if problems:
        raise UserError(doc.in_order(problems))
    settings.base_dir = base_dir
    settings._doc = doc
    return settings


def _resolve(base_dir: Path, path: Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else (base_dir / path)


def _check_references(doc: YamlDoc, base_dir: Path) -> list[Problem]:
    """What the schema cannot see: engine names exist, named files exist (all problems at once).

    Works on the raw data: a value of the wrong type is the schema's problem and is skipped here."""
    def part(parent, key: str, kind: type):
        value = parent.get(key) if isinstance(parent, dict) else None
        return value if isinstance(value, kind) else kind()

    speech, audio = part(doc.data, "speech", dict), part(doc.data, "audio", dict)
    fallback = part(speech, "fallback", list)
    problems = []
    known = engine_names()
    for i, name in enumerate([speech.get("engine"), *fallback]):
        if isinstance(name, str) and name not in known:
            loc = ("speech", "engine") if i == 0 else ("speech", "fallback", i - 1)
            problems.append(doc.problem(loc, f"unknown speech engine '{name}'",
                                        hint=did_you_mean(name, known, f"available: {', '.join(known)}"),
                                        code="settings.engine", params={"engine": name}))
    for loc, value in ((("speech", "lexicon"), speech.get("lexicon")), (("audio", "jingle"), audio.get("jingle"))):
        path = _resolve(base_dir, value) if isinstance(value, str) else None
        if path is not None and not path.is_file():
            problems.append(doc.problem(loc, f"file not found: {path} (create it, or remove the key)",
                                        code="settings.file_missing", params={"file": path.name}))
    return problems
