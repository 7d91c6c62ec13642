"""The 6-month and annual CCHC propaganda reports, computed from the as-run log.

One pure function, `build_report_data`, turns log rows into a `ReportData`; the writers in
`broadcast.report_formats` only format it (CSV, XLSX, DOCX, chart PNG). `write_report` is the
service the CLI, the evidence bundle and the demo call.

Counting rules (the report states them too):
- A row belongs to the period by its *scheduled* time in the station's timezone, and to the month
  of that time.
- Corrections: the latest correction in a correction chain (a row, the rows correcting it, the
  rows correcting those) is the one counted; the original and every earlier correction are not
  (`broadcast.logbook.effective_ids`).
- A broadcast is a row with outcome played or late; airtime is the sum of its end - start.
- Items are distinct bulletin ids among broadcasts (an item that never aired is not counted).
"""

from __future__ import annotations

import gc
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.asrun import Outcome
from broadcast.errors import UserError
from broadcast.logbook import Logbook, LoggedRow, VerifyResult, default_path, effective_ids
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


@dataclass(frozen=True)
class Figures:
    items: int = 0
    broadcasts: int = 0
    airtime: timedelta = timedelta(0)

    @property
    def airtime_s(self) -> int:
        """Whole seconds, rounded half up: the figure every format prints."""
        return int((self.airtime + timedelta(microseconds=500_000)).total_seconds() // 1)


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


def month_label(month: str) -> str:
    y, m = month.split("-")
    return f"Tháng {int(m)}/{y}"


def format_duration(seconds: int) -> str:
    """'h:mm:ss' (hours can pass 24: it is a total, not a clock time)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def _aggregate(rows: list[AnnexRow]) -> Figures:
    aired = [r for r in rows if r.outcome in AIRED]
    airtime = sum((r.end - r.start for r in aired if r.start and r.end and r.end > r.start), timedelta(0))
    return Figures(len({r.bulletin_id for r in aired}), len(aired), airtime)


def _plan_tasks(year: int, total: Figures, procedure: Figures, months_aired: int, months: int) -> list[PlanTask]:
    """The plan appendix's six tasks and what the as-run log can say about each (honestly)."""
    no_data = "Không có dữ liệu phát sóng (nhật ký phát sóng không ghi nhận nhiệm vụ này)."
    news = (
        f"{total.items} tin, bài đã phát; {total.broadcasts} lượt phát; "
        f"tổng thời lượng {format_duration(total.airtime_s)}."
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
            reason=nfc(rec.reason),
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
    topics = []
    for topic in topic_ids:
        of_topic = [r for r in annex if r.topic == topic]
        topics.append(
            TopicFigures(
                topic,
                TOPICS.get(topic, topic),
                _aggregate(of_topic),
                {m: _aggregate(by_month.get((topic, m), [])) for m in months},
            )
        )
    total = TopicFigures(
        "",
        "Tổng cộng",
        _aggregate(annex),
        {m: _aggregate([r for t in topic_ids for r in by_month.get((t, m), [])]) for m in months},
    )
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


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a temp file beside `path`, then rename it into place (all or nothing)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"{path.parent}: cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


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
    path = Path(db) if db else default_path(settings)
    with _gc_paused():
        with Logbook(path, readonly=True) as log:
            chain = log.verify()
            start, end = period.bounds(tz)
            rows = log.records(since=start, until=end)
            if chain.head_id is not None:
                # A row appended by the running service after verify() has not been verified: leave it out.
                rows = [r for r in rows if r.id <= chain.head_id]
            # Corrections of a period's rows sit in the period too (same scheduled time), so the
            # period's rows are enough to apply them.
        data = build_report_data(
            rows,
            period,
            tz=tz,
            station=Station.from_settings(settings),
            issued=issued or datetime.now(UTC).astimezone(tz).date(),
            chain=chain,
        )
    if not data.annex:
        raise UserError(
            f"no broadcasts logged in {period.spec} ({period.first:%d/%m/%Y}-{period.last:%d/%m/%Y}) in {path}"
        )
    return data


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
            for suffix, (header, table) in tables.items():
                written.append(
                    atomic_write(out_dir / f"{base}-{suffix}.csv", lambda p, h=header, t=table: rf.write_csv(p, h, t))
                )
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
    from broadcast.report_sample import sample_records

    parsed = parse_period(period)
    out_dir = Path(out_dir)
    db = out_dir / "mau-nhat-ky.sqlite"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot write here ({exc.strerror or exc})") from None
    with Logbook(db) as log:
        for record in sample_records(parsed.first, parsed.last, settings.station.tz, seed=seed):
            log.append(record)
    return [db, *write_report(settings, parsed, out_dir, formats, db=db)]
