"""Jinja filters for the console's pages: times in the station's zone, durations and labels in Vietnamese."""

from __future__ import annotations

from datetime import date, datetime

from broadcast.config import Settings
from broadcast.topics import TOPICS, Priority

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def install(env, settings: Settings) -> None:
    tz = settings.station.tz

    def local(value, fmt: str = "%d/%m/%Y %H:%M") -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            return (value.astimezone(tz) if value.tzinfo else value).strftime(fmt)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return str(value)

    def weekday(value) -> str:
        if isinstance(value, str) and value:
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo:
            value = value.astimezone(tz)
        return WEEKDAYS[value.weekday()] if value else ""

    def duration(seconds) -> str:
        if seconds is None:
            return "—"
        seconds = int(round(float(seconds)))
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} phút {rest:02d} giây" if minutes else f"{rest} giây"

    def priority_vi(value) -> str:
        try:
            return Priority(getattr(value, "value", value)).label
        except ValueError:
            return str(value)

    env.filters.update(local=local, weekday=weekday, duration=duration, priority_vi=priority_vi,
                       topic_vi=lambda t: TOPICS.get(t, t))
    env.globals.update(TOPICS=TOPICS)
