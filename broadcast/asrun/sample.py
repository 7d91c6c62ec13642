"""Made-up but plausible as-run records, for the demo's sample report, tests and the benchmark.

A station airing two sessions a day (05:30 and 17:00) Monday to Saturday, each session a few
CCHC items; each bulletin airs on several days; now and then a slot is missed or fails.
Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from broadcast.asrun import AsRunRecord, Outcome
from broadcast.topics import TOPICS

_TITLES = {
    "legal_document": "Quyết định số 22/2018/QĐ-TTg của Thủ tướng Chính phủ",
    "procedure": "Công khai thủ tục đăng ký khai sinh",
    "hotline": "Đường dây nóng tiếp nhận phản ánh về thủ tục hành chính",
    "one_stop": "Kết quả tiếp nhận, giải quyết hồ sơ tại bộ phận một cửa",
    "commendation": "Biểu dương tập thể, cá nhân điển hình trong cải cách hành chính",
    "digital_government": "Hướng dẫn nộp hồ sơ trực tuyến trên Cổng dịch vụ công",
    "rights_duties": "Quy tắc ứng xử của cán bộ, công chức xã",
    "general": "Tin tổng hợp về cải cách hành chính trên địa bàn xã",
}
_ZONES = ("thon-1", "thon-2", "thon-3", "thon-4")
_SESSIONS = (("sang", time(5, 30)), ("chieu", time(17, 0)))


def sample_records(
    first: date, last: date, tz: ZoneInfo, *, seed: int = 2024, items_per_session: tuple[int, int] = (2, 4)
) -> Iterator[AsRunRecord]:
    """Records for every session from `first` to `last` inclusive, in time order."""
    rng = random.Random(seed)
    topics = list(TOPICS)
    pool: list[tuple[str, str, int]] = []  # (bulletin id, topic, airings left)
    serial = 0
    day = first
    while day <= last:
        if day.weekday() < 6:
            for session, start_time in _SESSIONS:
                at = datetime.combine(day, start_time, tz)
                for _ in range(rng.randint(*items_per_session)):
                    if not pool or rng.random() < 0.3:
                        serial += 1
                        topic = rng.choice(topics)
                        pool.append((f"{day:%Y%m%d}-{topic}-{serial}", topic, rng.randint(2, 8)))
                    index = rng.randrange(len(pool))
                    bulletin_id, topic, left = pool[index]
                    pool[index] = (bulletin_id, topic, left - 1)
                    if left <= 1:
                        pool.pop(index)
                    length = timedelta(seconds=rng.randint(45, 240), microseconds=rng.randint(0, 999_999))
                    roll = rng.random()
                    outcome = (
                        Outcome.played if roll < 0.9 else Outcome.late if roll < 0.95
                        else Outcome.missed if roll < 0.98 else Outcome.failed
                    )
                    late_by = timedelta(seconds=rng.randint(30, 300)) if outcome is Outcome.late else timedelta(0)
                    aired = outcome in (Outcome.played, Outcome.late)
                    text = f"{_TITLES[topic]} ({bulletin_id})"
                    yield AsRunRecord(
                        scheduled=at,
                        outcome=outcome,
                        bulletin_id=bulletin_id,
                        title=_TITLES[topic],
                        topic=topic,
                        priority="normal",
                        session=session,
                        zones=tuple(sorted(rng.sample(_ZONES, rng.randint(1, len(_ZONES))))),
                        sink="file",
                        start=at + late_by if aired else None,
                        end=at + late_by + length if aired else None,
                        reason={
                            Outcome.late: "máy khởi động chậm",
                            Outcome.missed: "dịch vụ không chạy trong khung giờ phát",
                            Outcome.failed: "mất kết nối tới cụm loa",
                        }.get(outcome, ""),
                        audio_sha256=hashlib.sha256(f"audio:{bulletin_id}".encode()).hexdigest(),
                        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                        spoken_text=text,
                        engine="espeak",
                        voice="vi",
                        host="may-tram",
                    )
                    at += length + timedelta(seconds=2)
        day += timedelta(days=1)
