"""The report's chart: bars as tall as the airtime they stand for, in each topic's colour, every label legible."""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from broadcast.asrun import LoggedRow
from broadcast.asrun.sample import sample_records
from broadcast.reports.chart import _font, chart_layout, chart_png, nice_ticks
from broadcast.reports.figures import build_report_data
from broadcast.reports.model import ReportStation
from broadcast.reports.period import parse_period

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATION = ReportStation("Đài truyền thanh xã Tiền Tiến", "Tiền Tiến", "thành phố Hải Dương", "Hải Dương")


def report_data(spec: str, *, seed: int = 7):
    period = parse_period(spec)
    rows = [LoggedRow(i, r, r.scheduled, "", f"h{i}")
            for i, r in enumerate(sample_records(period.first, period.last, TZ, seed=seed), start=1)]
    return build_report_data(rows, period, tz=TZ, station=STATION, issued=date(2025, 1, 5))


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def year():
    data = report_data("2024")
    return data, chart_layout(data), Image.open(io.BytesIO(chart_png(data))).convert("RGB")


def test_each_bar_is_as_tall_as_its_months_airtime(year):
    data, layout, _ = year
    zero_row, top_row = layout.y_ticks[0][0], layout.y_ticks[-1][0]
    top_value = float(layout.y_ticks[-1][1].replace(".", "").replace(",", "."))
    px_per_minute = (zero_row - top_row) / top_value
    for month in data.months:
        minutes = sum(t.by_month[month].airtime_s for t in data.topics) / 60
        parts = [s for s in layout.segments if s.month == month]
        assert max(s.box.bottom for s in parts) == zero_row  # stands on the axis
        assert abs((zero_row - min(s.box.top for s in parts)) - minutes * px_per_minute) <= 1.5
        for s in parts:  # each topic's part: its own minutes, to the pixel
            assert abs((s.box.bottom - s.box.top) - s.minutes * px_per_minute) <= 1.0
    assert {len(label.split("\n")) for _, label in layout.x_labels} == {1, 2}  # the year once, under T1


def test_the_picture_holds_the_layout(year):
    """Drawn, not only planned: each part's middle pixel is its topic's colour, the legend's swatches
    too, the canvas is the layout's size."""
    _, layout, image = year
    assert image.size == (layout.width, layout.height)
    for s in layout.segments:
        if s.box.bottom - s.box.top >= 4:
            middle = ((s.box.left + s.box.right) // 2, (s.box.top + s.box.bottom) // 2)
            assert image.getpixel(middle) == rgb(layout.colour(s.topic_index)), s
    for left, top, i, _ in layout.legend:
        assert image.getpixel((left + 9, top + 11)) == rgb(layout.colour(i))
    assert len(layout.legend) == len({s.topic_index for s in layout.segments})


def test_text_is_drawn_in_a_font_with_every_vietnamese_letter(year):
    data, layout, image = year
    text = layout.title + layout.y_label + "".join(label for *_, label in layout.legend)
    assert "ờ" in text and "Đ" in text.upper()
    for bold in (False, True):
        font = _font(16, bold)
        missing = bytes(font.getmask("\ue000"))  # a private-use letter: the font's "no glyph" box
        assert [c for c in set(text) if not c.isspace() and bytes(font.getmask(c)) == missing] == []
    # the title's band holds dark text pixels across its width
    band = image.crop((0, 0, layout.width, layout.plot.top - 10)).convert("L")
    dark_columns = sum(1 for x in range(band.width) if min(band.getpixel((x, y)) for y in range(band.height)) < 100)
    assert dark_columns > 300


def test_labels_do_not_overlap():
    for spec in ("2024", "2024-H1", "2024-05", "2023-11-01..2024-02-29"):
        layout = chart_layout(report_data(spec))
        font = _font(16)
        spans = [(x - font.getlength(max(label.split("\n"), key=len)) / 2,
                  x + font.getlength(max(label.split("\n"), key=len)) / 2) for x, label in layout.x_labels]
        assert all(a[1] + 4 < b[0] for a, b in zip(spans, spans[1:])), spec
        for _, top, _, _ in layout.legend:
            assert layout.plot.bottom < top < layout.height
        bars = sorted({(s.box.left, s.box.right) for s in layout.segments})
        assert all(a[1] < b[0] for a, b in zip(bars, bars[1:]))
    years = [label.split("\n")[1] for _, label in chart_layout(report_data("2023-11-01..2024-02-29")).x_labels if "\n" in label]
    assert years == ["2023", "2024"]


def test_ticks_are_round_and_cover_the_tallest_bar():
    assert nice_ticks(820) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(7) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert nice_ticks(12.5)[-1] >= 12.5 and len(nice_ticks(12.5)) <= 8
    assert nice_ticks(0) == [0, 1, 2, 3, 4, 5]  # a period where nothing aired still has an axis


def test_same_data_same_bytes():
    data = report_data("2024-Q2")
    assert chart_png(data) == chart_png(data)
