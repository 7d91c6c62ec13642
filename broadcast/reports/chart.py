"""The report's chart: airtime per month, one colour per topic, stacked, as a PNG (for the XLSX and the DOCX).

Drawn with Pillow from a pure layout (`chart_layout`: every bar, tick and legend entry in pixels), in the
DejaVu Sans bundled in `fonts/` (Latin and Vietnamese letters only), so the same log gives the same
picture on every machine. Not matplotlib: its import (0.7-1.2 s) and drawing (0.3 s) were more than half
of the yearly report's 2 s budget, and its month labels ran into each other; this chart takes some
0.03 s (bench/log_report.py).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from broadcast.reports.model import ReportData

WIDTH = 1200
PLOT_HEIGHT = 420
# matplotlib's "tab10": the colours the chart used before, by topic order.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
TEXT, AXIS, GRID = "#222222", "#444444", "#dddddd"
TITLE_PT, LABEL_PT, TICK_PT, LEGEND_PT = 24, 18, 16, 16
PAD = 16
LEGEND_ROW = 28
SWATCH = 18
MAX_BAR = 110  # a month's bar alone does not fill the plot


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class Segment:
    """One topic's part of one month's bar."""

    month: str
    topic_index: int
    minutes: float
    box: Box


@dataclass(frozen=True)
class ChartLayout:
    width: int
    height: int
    title: str
    y_label: str
    plot: Box
    y_ticks: tuple[tuple[int, str], ...]  # (pixel row, label)
    x_labels: tuple[tuple[int, str], ...]  # (pixel column of the bar's centre, label, may be two lines)
    segments: tuple[Segment, ...]
    legend: tuple[tuple[int, int, int, str], ...]  # (left, top, topic index, label)

    def colour(self, topic_index: int) -> str:
        return PALETTE[topic_index % len(PALETTE)]


@cache
def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    with (files("broadcast.reports") / "fonts" / name).open("rb") as f:
        # BASIC layout: the same glyph positions with or without libraqm on the machine (the text is NFC).
        return ImageFont.truetype(io.BytesIO(f.read()), size, layout_engine=ImageFont.Layout.BASIC)


def _text_width(text: str, size: int, bold: bool = False) -> int:
    return math.ceil(max(_font(size, bold).getlength(line) for line in text.split("\n")))


def nice_ticks(top: float, most: int = 7) -> list[float]:
    """Round tick values from 0 to at least `top`, at most `most` + 1 of them (1, 2, 2.5 or 5 x 10^k apart)."""
    if top <= 0:
        return [0, 1, 2, 3, 4, 5]
    raw = top / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


_VI_DIGIT_MARKS = str.maketrans(",.", ".,")


def _number(value: float) -> str:
    """Vietnamese number style: 1.200 and 2,5."""
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return text.translate(_VI_DIGIT_MARKS)


def _month_labels(months: list[str]) -> list[str]:
    """'T5' under each bar, and the year under the first month and wherever the year changes."""
    labels, year = [], None
    for month in months:
        y, m = month.split("-")
        labels.append(f"T{int(m)}" + (f"\n{y}" if y != year else ""))
        year = y
    return labels


def chart_layout(data: ReportData) -> ChartLayout:
    """Where everything goes, in pixels; pure (fonts are only measured)."""
    months = data.months
    series = [(i, t.label, [t.by_month[m].airtime_s / 60 for m in months]) for i, t in enumerate(data.topics)]
    series = [s for s in series if any(s[2])]
    totals = [sum(s[2][k] for s in series) for k in range(len(months))]
    ticks = nice_ticks(max(totals, default=0))

    title = f"Thời lượng tuyên truyền CCHC theo tháng, {data.period.phrase}"
    y_label = "Thời lượng phát sóng (phút)"
    tick_labels = [_number(v) for v in ticks]
    left = PAD + LABEL_PT + 12 + max(_text_width(t, TICK_PT) for t in tick_labels) + 10
    top = PAD + TITLE_PT + 20
    plot = Box(left, top, WIDTH - PAD - 10, top + PLOT_HEIGHT)

    # The legend under the plot: two columns when the longest label fits half the width, else one.
    x_label_height = 2 * (TICK_PT + 4) + 8
    legend_top = plot.bottom + x_label_height + 14
    column = (plot.right - plot.left) // 2
    widest = max((_text_width(label, LEGEND_PT) for _, label, _ in series), default=0)
    columns = 2 if SWATCH + 8 + widest < column - 10 else 1
    legend = tuple(
        (plot.left + (n % columns) * column, legend_top + (n // columns) * LEGEND_ROW, i, label)
        for n, (i, label, _) in enumerate(series)
    )
    rows = math.ceil(len(series) / columns)
    height = legend_top + rows * LEGEND_ROW + PAD

    scale = (plot.bottom - plot.top) / ticks[-1]
    y_ticks = tuple((round(plot.bottom - v * scale), label) for v, label in zip(ticks, tick_labels))
    slot = (plot.right - plot.left) / max(len(months), 1)
    bar = max(2, min(round(slot * 0.7), MAX_BAR))
    segments, x_labels = [], []
    for k, (month, label) in enumerate(zip(months, _month_labels(months))):
        centre = round(plot.left + slot * (k + 0.5))
        x_labels.append((centre, label))
        base = 0.0
        for i, _, minutes in series:
            if minutes[k] <= 0:
                continue
            box = Box(centre - bar // 2, round(plot.bottom - (base + minutes[k]) * scale), centre - bar // 2 + bar,
                      round(plot.bottom - base * scale))
            segments.append(Segment(month, i, minutes[k], box))
            base += minutes[k]
    return ChartLayout(WIDTH, height, title, y_label, plot, y_ticks, tuple(x_labels), tuple(segments), legend)


def draw_chart(layout: ChartLayout):
    """The layout drawn on a white RGB Pillow image."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (layout.width, layout.height), "white")
    draw = ImageDraw.Draw(image)
    plot = layout.plot
    draw.text((layout.width // 2, PAD), layout.title, font=_font(TITLE_PT, True), fill=TEXT, anchor="ma")

    tick_font = _font(TICK_PT)
    for y, label in layout.y_ticks:
        draw.line([(plot.left, y), (plot.right, y)], fill=GRID, width=1)
        draw.line([(plot.left - 6, y), (plot.left, y)], fill=AXIS, width=1)
        draw.text((plot.left - 10, y), label, font=tick_font, fill=TEXT, anchor="rm")
    # The y label, turned a quarter left, centred on the plot's height.
    label_font = _font(LABEL_PT)
    width = _text_width(layout.y_label, LABEL_PT)
    strip = Image.new("L", (width + 4, LABEL_PT + 8), 0)
    ImageDraw.Draw(strip).text((2, 2), layout.y_label, font=label_font, fill=255)
    strip = strip.rotate(90, expand=True)
    image.paste(TEXT, (PAD, (plot.top + plot.bottom - strip.height) // 2), strip)

    for segment in layout.segments:
        b = segment.box
        draw.rectangle([b.left, b.top, b.right - 1, b.bottom - 1], fill=layout.colour(segment.topic_index))
        if b.bottom - b.top > 2:  # a white hairline between stacked parts
            draw.line([(b.left, b.top), (b.right - 1, b.top)], fill="white", width=1)
    draw.line([(plot.left, plot.top), (plot.left, plot.bottom)], fill=AXIS, width=2)
    draw.line([(plot.left, plot.bottom), (plot.right, plot.bottom)], fill=AXIS, width=2)
    for x, label in layout.x_labels:
        draw.line([(x, plot.bottom), (x, plot.bottom + 6)], fill=AXIS, width=1)
        draw.multiline_text((x, plot.bottom + 10), label, font=tick_font, fill=TEXT, anchor="ma", align="center",
                            spacing=4)

    legend_font = _font(LEGEND_PT)
    for left, top, i, label in layout.legend:
        draw.rectangle([left, top + 2, left + SWATCH, top + 2 + SWATCH], fill=layout.colour(i))
        draw.text((left + SWATCH + 8, top + 2 + SWATCH // 2), label, font=legend_font, fill=TEXT, anchor="lm")
    return image


def chart_png(data: ReportData) -> bytes:
    """Stacked bars: airtime (minutes) per month, one colour per topic; Vietnamese labels."""
    buf = io.BytesIO()
    draw_chart(chart_layout(data)).save(buf, format="PNG")
    return buf.getvalue()
