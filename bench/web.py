"""Benchmark: the web console with 1,000 bulletins and a year of log (about 20,000 rows).

Targets (issue 11): p95 page time of the dashboard, the bulletin list and the log page at most 200 ms;
the preview of a bulletin's text and spoken text at most 100 ms; "Nghe thử" of a one-minute bulletin
with eSpeak (its first build) at most 2 s: measured as the time until the first second of sound has
reached the player (the console streams the build's mastered audio as it comes), and the whole of it.
The console runs as `broadcast web` on 127.0.0.1, the pages are asked over HTTP as a browser would
(logged in), each page `--requests` times after one warm-up.
Run: .venv/bin/python bench/web.py [--bulletins N] [--requests N] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from web_fixtures import Http, make_station, start_console  # noqa: E402

from broadcast.asrun import open_log  # noqa: E402
from broadcast.asrun.sample import sample_records  # noqa: E402
from broadcast.config import load_settings  # noqa: E402

MINUTE_TEXT = (
    "Ủy ban nhân dân xã Tiền Tiến thông báo lịch tiếp nhận hồ sơ thủ tục hành chính tại bộ phận một cửa. "
    "Người dân đến làm thủ tục vui lòng mang theo căn cước công dân và các giấy tờ có liên quan. "
)


def fill(folder: Path, count: int, today: date) -> str:
    """`count` bulletins of the station's templates (a tenth of them on air now); the id of a
    one-minute free bulletin to listen to."""
    examples = sorted((REPO / "bulletins").glob("*.yaml"))
    for i in range(count):
        doc = yaml.safe_load(examples[i % len(examples)].read_text(encoding="utf-8"))
        doc["id"] = f"{doc['id']}-{i:04d}"
        doc["title"] = f"{doc['title']} ({i})"
        start = today - timedelta(days=400 - (i % 400))
        doc["air"] = {"from": start, "to": start + timedelta(days=30 if i % 10 else 800)}
        (folder / "bulletins" / f"{doc['id']}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True),
                                                                encoding="utf-8")
    listen = {"id": "mot-phut-nghe-thu", "title": "Thông báo lịch tiếp nhận hồ sơ", "topic": "one_stop",
              "template": "free", "body": MINUTE_TEXT * 5, "air": {"from": today}}
    (folder / "bulletins" / "mot-phut-nghe-thu.yaml").write_text(yaml.safe_dump(listen, allow_unicode=True),
                                                                encoding="utf-8")
    return listen["id"]


def timed(call, n: int) -> list[float]:
    call()  # warm-up (imports, caches)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return sorted(out)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulletins", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365, help="days of log (about 55 rows a day)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--quick", action="store_true", help="100 bulletins, 30 days of log, 3 requests (tests)")
    args = parser.parse_args()
    if args.quick:
        args.bulletins, args.days, args.requests = 100, 30, 3

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        station = make_station(Path(tmp) / "station", engine="espeak", examples=False)
        settings = load_settings(station)
        today = date.today()
        t0 = time.perf_counter()
        listen_id = fill(station.parent, args.bulletins, today)
        with open_log(settings) as log:
            rows = log.append_many(sample_records(today - timedelta(days=args.days), today, settings.station.tz,
                                                  items_per_session=(25, 40)))
        print(f"station: {args.bulletins + 1} bulletins, {len(rows)} log rows ({time.perf_counter() - t0:.1f} s to make)")

        console = start_console(station)
        try:
            client = Http(console.url)
            assert client.log_in("bientap").status == 303
            token = client.csrf("/ban-tin/moi/hotline")
            ok = True
            for name, path in (("dashboard /", "/"), ("bulletin list /ban-tin", "/ban-tin"),
                               ("log page /nhat-ky", "/nhat-ky")):
                times = timed(lambda: _ok(client.get(path), path), args.requests)
                ok &= p95(times) <= 0.2
                print(f"{name:24} p95 {p95(times) * 1e3:7.1f} ms  median {statistics.median(times) * 1e3:7.1f} ms "
                      f"(target p95 <= 200 ms)")
            form = {"csrf": token, "title": "Đường dây nóng", "topic": "hotline", "priority": "normal",
                    "air.from": today.isoformat(), "data.lines[0].purpose": "phản ánh về thủ tục hành chính của UBND xã",
                    "data.lines[0].number": "0220.3852.111"}
            times = timed(lambda: _ok(client.post("/ban-tin/xem-truoc/hotline", form), "preview"), args.requests)
            print(f"{'preview (text + spoken)':24} p95 {p95(times) * 1e3:7.1f} ms  median "
                  f"{statistics.median(times) * 1e3:7.1f} ms (target p95 <= 100 ms)")
            sound, whole, kind = listen(client, f"/ban-tin/{listen_id}/nghe-thu.mp3")
            again_sound, again, again_kind = listen(client, f"/ban-tin/{listen_id}/nghe-thu.mp3")
            print(f"{'Nghe thử (eSpeak, 1 min)':24} first: sound after {sound:5.2f} s (target <= 2 s), all of it "
                  f"({kind}) after {whole:5.2f} s; again ({again_kind}) {again * 1e3:.0f} ms")
        finally:
            console.stop()
    return 0


def listen(client: Http, path: str) -> tuple[float, float, str]:
    """(seconds until the first second of sound has arrived, seconds until all of it, its type) of one
    "Nghe thử" request, as a browser's player would receive it."""
    t0 = time.perf_counter()
    with client.opener.open(urllib.request.Request(client.base + path), timeout=120) as resp:
        kind = resp.headers.get("Content-Type", "")
        first = resp.read(44 + 2 * 44100 if "wav" in kind else 16000)  # a second of audio (MP3 at 128 kb/s)
        sound = time.perf_counter() - t0
        resp.read()
        whole = time.perf_counter() - t0
    if not first or resp.status != 200:
        raise SystemExit(f"{path}: HTTP {resp.status}")
    return sound, whole, "WAV as it is mastered" if "wav" in kind else "MP3"


def _ok(reply, what: str):
    if reply.status != 200:
        raise SystemExit(f"{what}: HTTP {reply.status}")
    return reply


if __name__ == "__main__":
    sys.exit(main())
