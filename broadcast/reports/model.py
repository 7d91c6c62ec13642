"""The report as data: every figure, row and note a format shows, computed once (`figures.build_report_data`)
and only laid out by the writers (CSV, XLSX, DOCX, chart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from broadcast.asrun import IssuedHead, VerifyResult
from broadcast.reports import wording
from broadcast.reports.period import Period


def whole_seconds(value: timedelta) -> int:
    """Whole seconds, rounded half up: the figure every format prints."""
    return int((value + timedelta(microseconds=500_000)).total_seconds() // 1)


@dataclass(frozen=True)
class Figures:
    """Station-level: each item aired in a slot once (`broadcasts`, `airtime`); per zone: once per
    loudspeaker zone it aired on (`zone_broadcasts`, `zone_airtime`)."""

    items: int = 0
    broadcasts: int = 0
    airtime: timedelta = timedelta(0)
    zone_broadcasts: int = 0
    zone_airtime: timedelta = timedelta(0)

    @property
    def airtime_s(self) -> int:
        return whole_seconds(self.airtime)

    @property
    def zone_airtime_s(self) -> int:
        return whole_seconds(self.zone_airtime)


@dataclass(frozen=True)
class TopicFigures:
    topic: str  # '' for the total row
    label: str
    total: Figures
    by_month: dict[str, Figures]  # 'YYYY-MM' -> figures, every month of the period


@dataclass(frozen=True)
class PlanTask:
    number: int
    content: str
    product: str
    host: str
    result: str


@dataclass(frozen=True)
class AnnexRow:
    """One logged attempt in the period, as the annex and the problem list show it."""

    row_id: int
    scheduled: datetime
    start: datetime | None
    end: datetime | None
    duration_s: float
    session: str
    zones: tuple[str, ...]
    topic: str
    topic_label: str
    bulletin_id: str
    title: str
    outcome: str
    outcome_label: str
    reason: str
    audio_sha256: str
    text_sha256: str
    row_hash: str
    corrects: int | None


@dataclass(frozen=True)
class ReportStation:
    """Who reports: the station and its commune, as the header and the opening name them (NFC)."""

    name: str
    commune: str
    district: str
    province: str

    @classmethod
    def from_settings(cls, settings) -> ReportStation:
        s = settings.station
        return cls(wording.nfc(s.name), wording.nfc(s.commune), wording.nfc(s.district), wording.nfc(s.province))


@dataclass(frozen=True)
class ReportData:
    period: Period
    station: ReportStation
    issued: date
    timezone: str
    months: list[str]
    topics: list[TopicFigures]
    total: TopicFigures
    tasks: list[PlanTask]
    problems: list[AnnexRow]  # attempts that did not air in full, with reasons
    annex: list[AnnexRow]  # every effective attempt in the period, in time order
    superseded: list[int] = field(default_factory=list)  # ids replaced by a correction
    chain: VerifyResult | None = None
    earlier: list[IssuedHead] = field(default_factory=list)  # heads of the reports and zips made before

    @property
    def title(self) -> str:
        return wording.report_title(self.period)

    @property
    def integrity_alert(self) -> str | None:
        return wording.integrity_alert(self.chain)
