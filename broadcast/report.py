"""The 6-month and annual CCHC propaganda reports, computed from the as-run log.

One pure function, `build_report_data`, turns log rows into a `ReportData`; the writers in
`broadcast.report_formats` only format it (CSV, XLSX, DOCX, chart PNG). `write_report` is the
service the CLI, the evidence bundle and the demo call.

Counting rules (the report states them too):
- A row belongs to the period by its *scheduled* time in the station's timezone, and to the month
  of that time.
- Corrections: the latest correction in a correction chain (a row, the rows correcting it, the
  rows correcting those) is the one counted; the original and every earlier correction are not
  (`broadcast.asrun.corrections.effective_ids`).
- A broadcast is an item aired (outcome played or late) in one slot: the runner logs one row per
  item per sink (loudspeaker zone group), so the station-level figures count each distinct
  (bulletin, scheduled time, session) once, with its airtime counted once (the longest of its
  rows). The per-zone figures ("theo cụm loa") count it once per zone it aired on, and add up the
  airtime of every zone.
- Items are distinct bulletin ids among broadcasts (an item that never aired is not counted).
- Reasons the runner wrote in English (older logs) are shown in today's Vietnamese wording
  (`broadcast.asrun.reasons.translate_reason`); text it does not know is shown as written.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.asrun import LoggedRow, Outcome, VerifyResult, open_log
from broadcast.asrun.corrections import effective_ids
from broadcast.asrun.reasons import translate_reason
from broadcast.atomic import atomic_write
from broadcast.errors import UserError
from broadcast.topics import TOPICS

AIRED = frozenset({Outcome.played, Outcome.late})
FORMATS = ("xlsx", "docx", "csv")

OUTCOME_LABELS: dict[str, str] = {
    "played": "Đã phát",
    "late": "Phát muộn",
    "missed": "Bỏ lỡ",
    "failed": "Lỗi",
    "interrupted": "Bị ngắt",
    "held_over": "Hoãn sang buổi sau",
}

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period: whole days `first`..`last` (inclusive) in the station's calendar."""

    spec: str  # canonical spelling, e.g. 2024-H1
    kind: str  # year | half | quarter | month | range
    first: date
    last: date

    @property
    def slug(self) -> str:
        return self.spec.replace("..", "_")

    @property
    def phrase(self) -> str:
        """How the report's title names the period: '6 tháng đầu năm 2024', 'năm 2024', ..."""
        y = self.first.year
        if self.kind == "year":
            return f"năm {y}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.first.month == 1 else 'cuối'} năm {y}"
        if self.kind == "quarter":
            return f"quý {_ROMAN[(self.first.month - 1) // 3 + 1]} năm {y}"
        if self.kind == "month":
            return f"tháng {self.first.month} năm {y}"
        return f"từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnight of `first`, of the day after `last`."""
        return (
            datetime.combine(self.first, time(), tz),
            datetime.combine(self.last + timedelta(days=1), time(), tz),
        )

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches, in order."""
        out, y, m = [], self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def _month_end(y: int, m: int) -> date:
    return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)


PERIOD_HELP = "2024 | 2024-H1 | 2024-H2 | 2024-Q3 | 2024-05 | 2024-01-01..2024-03-31"


def parse_period(text: str) -> Period:
    """Parse a period spelling (see PERIOD_HELP); anything else is a UserError naming the forms."""
    spec = (text or "").strip().upper()
    bad = UserError(f"unknown period '{text}': use one of {PERIOD_HELP}")
    try:
        if m := re.fullmatch(r"(\d{4})", spec):
            y = int(m[1])
            return Period(spec, "year", date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4})-H([12])", spec):
            y, h = int(m[1]), int(m[2])
            return Period(spec, "half", date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", spec):
            y, q = int(m[1]), int(m[2])
            return Period(spec, "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", spec):
            y, mo = int(m[1]), int(m[2])
            return Period(spec, "month", date(y, mo, 1), _month_end(y, mo))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", spec):
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if last < first:
                raise UserError(f"period '{text}' ends before it starts")
            return Period(f"{first}..{last}", "range", first, last)
    except ValueError:
        raise bad from None
    raise bad


# --- the figures ------------------------------------------------------------------------------


def _whole_seconds(value: timedelta) -> int:
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
        return _whole_seconds(self.airtime)

    @property
    def zone_airtime_s(self) -> int:
        return _whole_seconds(self.zone_airtime)


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
class Station:
    name: str
    commune: str
    district: str
    province: str

    @classmethod
    def from_settings(cls, settings) -> Station:
        s = settings.station
        return cls(nfc(s.name), nfc(s.commune), nfc(s.district), nfc(s.province))


@dataclass(frozen=True)
class ReportData:
    period: Period
    station: Station
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

    @property
    def title(self) -> str:
        return f"Kết quả tuyên truyền cải cách hành chính {self.period.phrase}"

    @property
    def integrity_alert(self) -> str | None:
        """The warning every format puts first when the log cannot be trusted, in Vietnamese; None
        when its chain verifies and its append-only triggers are in place."""
        chain = self.chain
        if chain is None or chain.trustworthy:
            return None
        if not chain.ok:
            return (
                "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG ĐÃ BỊ THAY ĐỔI HOẶC BỊ HỎNG. " + chain.summary_vi() + " Số liệu trong "
                "báo cáo này lấy từ nhật ký đó nên có thể không đúng với thực tế phát sóng; không dùng làm minh "
                "chứng trước khi kiểm tra lại nhật ký."
            )
        return "CẢNH BÁO: NHẬT KÝ PHÁT SÓNG CHƯA ĐƯỢC BẢO ĐẢM. " + chain.summary_vi()


def month_label(month: str) -> str:
    y, m = month.split("-")
    return f"Tháng {int(m)}/{y}"


def format_duration(seconds: int) -> str:
    """'h:mm:ss' (hours can pass 24: it is a total, not a clock time)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


_ZERO = timedelta(0)


class _Tally:
    """What the figures of a set of rows are made of: the items, and the longest airtime of each
    (bulletin, slot) and of each (bulletin, slot, zone). Tallies of disjoint rows merge."""

    __slots__ = ("items", "station", "zoned")

    def __init__(self) -> None:
        self.items: set[str] = set()
        self.station: dict[tuple, timedelta] = {}
        self.zoned: dict[tuple, timedelta] = {}

    def add(self, r: AnnexRow) -> None:
        if r.outcome not in AIRED:
            return
        aired = r.end - r.start if r.start and r.end and r.end > r.start else _ZERO
        key = (r.bulletin_id, r.scheduled, r.session)
        self.items.add(r.bulletin_id)
        if aired >= self.station.get(key, _ZERO):
            self.station[key] = aired
        for zone in r.zones or ("",):
            zkey = (key, zone)
            if aired >= self.zoned.get(zkey, _ZERO):
                self.zoned[zkey] = aired

    def merge(self, other: _Tally) -> _Tally:
        self.items |= other.items
        for mine, theirs in ((self.station, other.station), (self.zoned, other.zoned)):
            for key, aired in theirs.items():
                if aired >= mine.get(key, _ZERO):
                    mine[key] = aired
        return self

    def figures(self) -> Figures:
        return Figures(
            len(self.items), len(self.station), sum(self.station.values(), _ZERO),
            len(self.zoned), sum(self.zoned.values(), _ZERO),
        )


def _aggregate(rows: Iterable[AnnexRow]) -> Figures:
    """Station-level and per-zone figures of `rows` (see the module's counting rules)."""
    tally = _Tally()
    for r in rows:
        tally.add(r)
    return tally.figures()


def _plan_tasks(year: int, total: Figures, procedure: Figures, months_aired: int, months: int) -> list[PlanTask]:
    """The plan appendix's six tasks and what the as-run log can say about each (honestly)."""
    no_data = "Không có dữ liệu phát sóng (nhật ký phát sóng không ghi nhận nhiệm vụ này)."
    news = (
        f"{total.items} tin, bài đã phát; {total.broadcasts} lượt phát (toàn đài), tổng thời lượng "
        f"{format_duration(total.airtime_s)}; theo cụm loa: {total.zone_broadcasts} lượt phát, "
        f"{format_duration(total.zone_airtime_s)}."
    )
    return [
        PlanTask(1, f"Ban hành và triển khai thực hiện Kế hoạch tuyên truyền CCHC năm {year}",
                 "Kế hoạch, Báo cáo", "Văn hóa và Thông tin xã", no_data),
        PlanTask(2, "Xây dựng các tin bài về công tác CCHC", "Tin, bài", "Đài truyền thanh xã", news),
        PlanTask(3, "Cập nhật kịp thời các TTHC, thường xuyên đưa những tin bài, bài viết về CCHC "
                    "trên Cổng thông tin điện tử của UBND xã", "Các TTHC", "Văn phòng HĐND; UBND; VHTT",
                 "Không có dữ liệu phát sóng (nhiệm vụ trên Cổng thông tin điện tử, không qua đài truyền thanh)."),
        PlanTask(4, "Soạn và biên tập thường xuyên viết tin bài và đưa tin về tình hình CCHC trên địa bàn xã "
                    "trên hệ thống truyền thanh", "Tin, bài, các TTHC", "Đài truyền thanh xã",
                 f"{news[:-1]}; trong đó công khai TTHC: {procedure.items} tin, bài, {procedure.broadcasts} lượt phát. "
                 f"Có phát sóng trong {months_aired}/{months} tháng."),
        PlanTask(5, "Tuyên truyền các nội dung về CCHC; tuyên truyền các sự kiện của tỉnh, thành phố và địa phương",
                 "Kế hoạch, Hướng dẫn", "Văn hóa Thông tin xã", no_data),
        PlanTask(6, f"Báo cáo 6 tháng và 1 năm tuyên truyền CCHC năm {year}", "Báo cáo", "Văn hóa Thông tin xã",
                 "Báo cáo này, lập từ nhật ký phát sóng."),
    ]


def build_report_data(
    rows: Iterable[LoggedRow],
    period: Period,
    *,
    tz: ZoneInfo,
    station: Station,
    issued: date,
    chain: VerifyResult | None = None,
) -> ReportData:
    """The report's every figure from the log rows (any rows: those outside `period` are ignored)."""
    rows = list(rows)
    corrected, _ = effective_ids({r.id: r.record.corrects for r in rows if r.record.corrects is not None},
                                 [r.id for r in rows])
    annex: list[AnnexRow] = []
    by_month: dict[tuple[str, str], list[AnnexRow]] = {}
    for row in rows:
        rec = row.record
        local = rec.scheduled.astimezone(tz)
        if row.id in corrected or not period.contains(local.date()):
            continue
        outcome = Outcome(rec.outcome).value
        entry = AnnexRow(
            row_id=row.id,
            scheduled=local,
            start=rec.start.astimezone(tz) if rec.start else None,
            end=rec.end.astimezone(tz) if rec.end else None,
            duration_s=max(rec.duration_s, 0.0),
            session=nfc(rec.session),
            zones=tuple(nfc(z) for z in rec.zones),
            topic=rec.topic,
            topic_label=TOPICS.get(rec.topic, rec.topic),
            bulletin_id=rec.bulletin_id,
            title=nfc(rec.title),
            outcome=outcome,
            outcome_label=OUTCOME_LABELS.get(outcome, outcome),
            reason=translate_reason(nfc(rec.reason)),
            audio_sha256=rec.audio_sha256,
            text_sha256=rec.text_sha256,
            row_hash=row.row_hash,
            corrects=rec.corrects,
        )
        annex.append(entry)
        by_month.setdefault((rec.topic, f"{local:%Y-%m}"), []).append(entry)
    annex.sort(key=lambda r: (r.scheduled, r.row_id))
    months = period.months()
    topic_ids = list(TOPICS) + sorted({r.topic for r in annex} - set(TOPICS))
    # One pass over the rows (a tally per topic and month), then merges for the totals.
    cells: dict[tuple[str, str], _Tally] = {}
    for key, group in by_month.items():
        tally = cells[key] = _Tally()
        for r in group:
            tally.add(r)
    topics = []
    grand, month_totals = _Tally(), {m: _Tally() for m in months}
    for topic in topic_ids:
        of_topic = _Tally()
        per_month = {}
        for m in months:
            cell = cells.get((topic, m))
            if cell is None:
                per_month[m] = Figures()
                continue
            per_month[m] = cell.figures()
            of_topic.merge(cell)
            month_totals[m].merge(cell)
        grand.merge(of_topic)
        topics.append(TopicFigures(topic, TOPICS.get(topic, topic), of_topic.figures(), per_month))
    total = TopicFigures("", "Tổng cộng", grand.figures(), {m: month_totals[m].figures() for m in months})
    procedure = next(t.total for t in topics if t.topic == "procedure")
    months_aired = sum(1 for m in months if total.by_month[m].broadcasts)
    return ReportData(
        period=period,
        station=station,
        issued=issued,
        timezone=tz.key,
        months=months,
        topics=topics,
        total=total,
        tasks=_plan_tasks(period.first.year, total.total, procedure, months_aired, len(months)),
        problems=[r for r in annex if r.outcome not in AIRED],
        annex=annex,
        superseded=sorted(corrected),
        chain=chain,
    )


# --- writing ----------------------------------------------------------------------------------


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    items = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        for part in item.split(","):
            part = part.strip().lower()
            if part == "all":
                out.extend(FORMATS)
            elif part in FORMATS:
                out.append(part)
            else:
                raise UserError(f"unknown report format '{part}': use xlsx, docx, csv or all")
    return tuple(dict.fromkeys(out))


def report_base_name(period: Period) -> str:
    return f"bao-cao-cchc-{period.slug}"


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one report's work.

    Reading and verifying the log and laying out the formats allocate hundreds of thousands of
    short-lived, acyclic objects (row dicts, strings); the collector's passes over them cost
    0.2-0.4 s a busy year's report. Reference counting still frees them at once; the few
    cycles (matplotlib's figure) wait for the next collection after the report.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_report_data(
    settings,
    period: str | Period,
    *,
    db: Path | str | None = None,
    issued: date | None = None,
) -> ReportData:
    """Read the log (read-only), verify its chain, and compute the period's figures.

    An empty period is a UserError: a report of nothing is more likely a wrong period or log.
    """
    period = parse_period(period) if isinstance(period, str) else period
    tz = settings.station.tz
    with _gc_paused():
        with open_log(settings, path=db, readonly=True) as log:
            chain = log.verify()
            start, end = period.bounds(tz)
            rows = log.rows(since=start, until=end)
            if chain.head_id is not None:
                # A row appended by the running service after verify() has not been verified: leave it out.
                rows = [r for r in rows if r.id <= chain.head_id]
            # Corrections of a period's rows sit in the period too (same scheduled time), so the
            # period's rows are enough to apply them.
            span = log.time_span()  # min/max on the index: for the empty-period message
            name = log.name
        data = build_report_data(
            rows,
            period,
            tz=tz,
            station=Station.from_settings(settings),
            issued=issued or datetime.now(UTC).astimezone(tz).date(),
            chain=chain,
        )
    if not data.annex:
        raise UserError(_empty_period_message(period, name, span, tz))
    return data


def _period_around(kind: str, day: date) -> str:
    """The period of the same kind as the one asked for that holds `day`."""
    if kind == "year":
        return f"{day.year}"
    if kind == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day:%Y-%m}"


def _empty_period_message(period: Period, path: str, span: tuple[datetime, datetime] | None, tz) -> str:
    """One line: nothing in `period`, and (when the log has rows) the nearest period that has some."""
    text = f"no broadcasts logged in {period.spec} ({period.first:%d/%m/%Y}-{period.last:%d/%m/%Y}) in {path}"
    if span is None:
        return text + "; the log has no rows yet"
    first, last = (t.astimezone(tz).date() for t in span)
    if period.last < first:
        nearest = first
    elif period.first > last:
        nearest = last
    else:  # a gap inside the log: the logged day nearest to the period
        nearest = first if (period.first - first) < (last - period.last) else last
    return (
        f"{text}; the log has broadcasts from {first:%d/%m/%Y} to {last:%d/%m/%Y}: "
        f"try --period {_period_around(period.kind, nearest)}"
    )


def write_report_files(data: ReportData, out_dir: Path | str, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write `data` in each format into `out_dir` (atomically, file by file); return the paths."""
    from broadcast import report_formats as rf

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir}: not a folder")
    formats = parse_formats(formats)
    base = report_base_name(data.period)
    written: list[Path] = []
    with _gc_paused():
        chart = rf.chart_png(data) if {"xlsx", "docx"} & set(formats) else None
        if chart is not None:
            written.append(atomic_write(out_dir / f"{base}-bieu-do.png", lambda p: p.write_bytes(chart)))
        tables = rf.csv_tables(data)  # laid out once, shared by every format
        if "csv" in formats:
            alert = data.integrity_alert  # first in every CSV file: nobody opens one without seeing it
            for suffix, (header, table) in tables.items():
                written.append(atomic_write(
                    out_dir / f"{base}-{suffix}.csv", lambda p, h=header, t=table: rf.write_csv(p, h, t, alert)
                ))
        if "xlsx" in formats:
            written.append(atomic_write(out_dir / f"{base}.xlsx", lambda p: rf.write_xlsx(data, p, chart, tables=tables)))
        if "docx" in formats:
            written.append(atomic_write(out_dir / f"{base}.docx", lambda p: rf.write_docx(data, p, chart, tables=tables)))
    return written


def write_report(
    settings,
    period: str | Period,
    out_dir: Path | str,
    formats: str | Iterable[str] = FORMATS,
    *,
    db: Path | str | None = None,
    issued: date | None = None,
) -> list[Path]:
    """The service behind `broadcast report`: the station's log -> report files in `out_dir`."""
    formats = parse_formats(formats)  # bad input fails before any work
    data = load_report_data(settings, period, db=db, issued=issued)
    return write_report_files(data, out_dir, formats)


def write_sample_report(
    settings, period: str, out_dir: Path | str, formats: str | Iterable[str] = FORMATS, *, seed: int = 2024
) -> list[Path]:
    """For the demo: a report from a *sample* log filled with made-up broadcasts.

    The sample log is `out_dir/mau-nhat-ky.sqlite` (never the station's real log); it is created
    fresh each time and returned first in the list, followed by the report files.
    """
    from broadcast.asrun import SqliteStore
    from broadcast.asrun.sample import sample_records

    parsed = parse_period(period)
    out_dir = Path(out_dir)
    db = out_dir / "mau-nhat-ky.sqlite"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot write here ({exc.strerror or exc})") from None
    with SqliteStore(db) as log:
        for record in sample_records(parsed.first, parsed.last, settings.station.tz, seed=seed):
            log.append(record)
    return [db, *write_report(settings, parsed, out_dir, formats, db=db)]
