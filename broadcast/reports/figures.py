"""The report's figures from the as-run log's rows: pure (rows in, `ReportData` out).

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

from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from broadcast.asrun import IssuedHead, LoggedRow, Outcome, VerifyResult
from broadcast.asrun.corrections import effective_ids
from broadcast.asrun.reasons import translate_reason
from broadcast.reports.model import AnnexRow, Figures, PlanTask, ReportData, ReportStation, TopicFigures
from broadcast.reports.period import Period
from broadcast.reports.wording import OUTCOME_LABELS, TOTAL_LABEL, format_duration, nfc
from broadcast.topics import TOPICS

AIRED = frozenset({Outcome.played, Outcome.late})


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
    station: ReportStation,
    issued: date,
    chain: VerifyResult | None = None,
    earlier: Iterable[IssuedHead] = (),
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
    total = TopicFigures("", TOTAL_LABEL, grand.figures(), {m: month_totals[m].figures() for m in months})
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
        earlier=list(earlier),
    )
