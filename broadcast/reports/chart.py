"""The report's chart: airtime per month, one colour per topic, as a PNG (for the XLSX and the DOCX)."""

from __future__ import annotations

import io

from broadcast.reports.model import ReportData
from broadcast.reports.wording import month_label


def chart_png(data: ReportData) -> bytes:
    """Stacked bars: airtime (minutes) per month, one colour per topic; Vietnamese labels."""
    # The object API with the Agg canvas: no pyplot global state, safe off the main thread.
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = range(len(data.months))
    bottom = [0.0] * len(data.months)
    palette = colormaps["tab10"]
    for i, topic in enumerate(data.topics):
        minutes = [topic.by_month[m].airtime_s / 60 for m in data.months]
        if not any(minutes):
            continue
        ax.bar(x, minutes, bottom=bottom, label=topic.label, color=palette(i % 10))
        bottom = [b + v for b, v in zip(bottom, minutes)]
    ax.set_xticks(list(x), [month_label(m).replace("/", "\n") for m in data.months])
    ax.set_ylabel("Thời lượng phát sóng (phút)")
    ax.set_title(f"Thời lượng tuyên truyền CCHC theo tháng, {data.period.phrase}")
    if any(bottom):
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    # tight_layout() leaves a placeholder layout engine behind, and savefig() then lays the whole figure
    # out once more before drawing it (a third of the chart's time); the layout is done: drop it.
    fig.set_layout_engine(None)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
