"""The schedule.yaml model: zones and how each is reached, sessions (weekly and one-off), skipped dates,
local caps and the playout policy values — typed, each value checked where it is read."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Iterable, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from broadcast.yamlio import invalid

# Day names accepted in `days:`: English abbreviations and the Vietnamese ones the editor uses.
WEEKDAYS: dict[str, int] = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6,
}
ALL_ZONES = "all"
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*(?:p|phút)?\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _parse_time(value):
    # YAML 1.1 reads an unquoted 05:30 as the sexagesimal integer 330 (5*60+30): undo that.
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 24 * 60:
            raise invalid("schedule.time", "not a time of day: {value}", value=value)
        return time(value // 60, value % 60)
    if isinstance(value, str):
        m = _TIME.match(value)
        if not m:
            raise invalid("schedule.time", "'{value}' is not a time of day; write it as HH:MM, e.g. 05:30 or 17:00", value=value)
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour > 23 or minute > 59:
            raise invalid("schedule.time", "'{value}' is not a time of day (hours 0-23, minutes 0-59)", value=value)
        return time(hour, minute)
    return value


class DeviceSinkSpec(_Model):
    """A sound card through PulseAudio (the wired loudspeakers of older stations)."""

    type: Literal["device"]
    device: str | None = Field(None, description="PulseAudio sink name; empty means the default sink")


class IcecastSinkSpec(_Model):
    """One Icecast mount per zone: the IP loudspeaker cluster listens to it."""

    type: Literal["icecast"]
    url: str = Field(description="the Icecast server, e.g. http://127.0.0.1:8000")
    mount: str
    password: str = Field(repr=False)
    user: str = "source"
    bitrate_kbps: Literal[64, 96, 128, 160, 192] = 128

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(:\d+)?/?$", value):
            raise invalid("schedule.icecast_url", "'{value}' is not a server address like http://127.0.0.1:8000", value=value)
        return value.rstrip("/")

    @field_validator("mount")
    @classmethod
    def _mount(cls, value: str) -> str:
        if not re.match(r"^/[A-Za-z0-9._/-]+$", value):
            raise invalid("schedule.icecast_mount", "'{value}' is not a mount point like /thon-1 (ASCII letters, digits, "
                                                    "'-', '_', '.')", value=value)
        return value


class FileSinkSpec(_Model):
    """Writes what would have aired, with timestamps: dry runs and the demo."""

    type: Literal["file"]
    folder: Path


SinkSpec = Annotated[Union[DeviceSinkSpec, IcecastSinkSpec, FileSinkSpec], Field(discriminator="type")]


class Zone(_Model):
    """A loudspeaker cluster (cụm loa) and the sink that reaches it."""

    name: str = Field(min_length=1)
    sink: SinkSpec


def _check_days(value):
    if isinstance(value, str):
        value = [value]
    out = []
    for day in value:
        key = str(day).strip().lower().replace(" ", "")
        if key not in WEEKDAYS:
            raise invalid("schedule.day", "unknown day '{day}'; use mon..sun or t2..t7, cn", day=day)
        out.append(key)
    return out


class Session(_Model):
    """A recurring session: the same time on the given days of the week."""

    name: str = Field(min_length=1)
    time: time
    days: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri", "sat"])
    zones: list[str] = Field(default_factory=lambda: [ALL_ZONES])

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        return _parse_time(value)

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value):
        return _check_days(value)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS[d] for d in self.days)


class OneOff(_Model):
    """A session on one date only (a campaign day, a special broadcast)."""

    name: str = Field(min_length=1)
    date: date
    time: time
    zones: list[str] = Field(default_factory=lambda: [ALL_ZONES])

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        return _parse_time(value)


class Skip(_Model):
    """A date with no broadcast (a holiday), for every session or only the named ones."""

    date: date
    reason: str = Field(min_length=1)
    sessions: list[str] | None = None


class Caps(_Model):
    """Local limits (Hà Nội's example: 2 sessions a day, 5 days a week, 15 min urban / 45 min rural)."""

    sessions_per_day: int = Field(2, ge=1, le=12)
    minutes_per_session: float = Field(45, gt=0, le=240)
    days_per_week: int = Field(7, ge=1, le=7)


class Playout(_Model):
    """How the runner turns slots into sound; every policy value in one place."""

    preroll_minutes: float = Field(30, ge=0, le=24 * 60, description="build the programme this long before air")
    grace_minutes: float = Field(10, ge=0, le=180, description="a late slot still plays within this")
    on_time_tolerance_s: float = Field(5, ge=0, le=120, description="a start later than this is logged late")
    sink_tries: int = Field(3, ge=1, le=10)
    sink_retry_within_s: float = Field(10, gt=0, le=120)
    fade_s: float = Field(0.5, ge=0, le=3)


class Schedule(_Model):
    timezone: str | None = Field(None, description="default: the station's timezone from station.yaml")
    zones: dict[str, Zone] = Field(min_length=1)
    sessions: list[Session] = Field(default_factory=list)
    one_off: list[OneOff] = Field(default_factory=list)
    skip: list[Skip] = Field(default_factory=list)
    caps: Caps = Field(default_factory=Caps)
    playout: Playout = Field(default_factory=Playout)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value):
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid("settings.timezone", "unknown timezone '{value}' (use an IANA name such as Asia/Ho_Chi_Minh)",
                          value=value) from None
        return value

    @field_validator("zones")
    @classmethod
    def _zone_ids(cls, value):
        for key in value:
            if not re.match(r"^[a-z0-9][a-z0-9_-]*$", key) or key == ALL_ZONES:
                raise invalid("schedule.zone_id", "zone id '{zone}': use lower-case ASCII letters, digits, '-' or '_' "
                                                  "(not '{all}')", zone=key, all=ALL_ZONES)
        return value

    def zone_ids(self, wanted: Iterable[str]) -> tuple[str, ...]:
        wanted = list(wanted)
        return tuple(self.zones) if ALL_ZONES in wanted else tuple(dict.fromkeys(wanted))
