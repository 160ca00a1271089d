"""Server-side SVG charts: no JavaScript, no build step. Each chart has role="img", a <title> and a <desc>;
the page shows the same numbers in a table beside it, for screen readers and for copying.

Readable at every size: the text is 14 units in a 640-unit-wide drawing, and the page never draws a chart narrower
than 560 px (it scrolls sideways on a phone instead), so a label is never under ~12 px. The value axis makes room for
its longest label and money on it is compact (₹2.5L, ₹1.2Cr, €40K) through Babel; day labels are thinned so they
never overlap."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from babel.numbers import format_compact_currency, format_compact_decimal
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 12, 14, 34
CHAR_W = 8.2  # average advance of a 14-unit system-ui glyph (digits, capitals), with room to spare
LABEL_CHARS = 26  # a ratio chart's row label is cut (with …) past this


def compact_money(minor: float, currency: str) -> str:
    """An axis label for money: ₹2.5L and ₹1.2Cr in Indian rupees (lakh, crore), €40K elsewhere."""
    locale = "en_IN" if currency == "INR" else "en"
    return format_compact_currency(minor / 100, currency, locale=locale, fraction_digits=1)


def compact_number(value: float) -> str:
    return format_compact_decimal(value, locale="en_IN", fraction_digits=1)


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _text_width(text: str) -> float:
    return len(text) * CHAR_W


def _open(chart_id: str, title: str, summary: str, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart" id="{cid}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(summary or title)}. The table beside it lists every value.</desc>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    fmt: Callable[[float], str] = compact_number,
    summary: str = "",
) -> Markup:
    """Vertical bars, one per point (label, value), with a value axis of four gridlines."""
    top = _nice_max(max((v for _, v in points), default=0))
    ticks = [top * i / 4 for i in range(5)]
    tick_labels = [fmt(v) for v in ticks]
    pad_left = 10 + max(_text_width(t) for t in tick_labels)
    plot_w, plot_h = WIDTH - pad_left - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1)
    parts = _open(chart_id, title, summary, HEIGHT)
    for value, label in zip(ticks, tick_labels, strict=True):
        y = PAD_TOP + plot_h - plot_h * value / top
        parts.append(f'<line class="grid" x1="{pad_left:.1f}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{pad_left - 6:.1f}" y="{y + 5:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    widest = max((_text_width(label) for label, _ in points), default=0) + 10
    label_every = max(1, math.ceil(widest / slot))  # every bar's label when they fit, else every 2nd, 3rd, …
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top if top else 0
        x = pad_left + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 20}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def ratio_chart(chart_id: str, title: str, rows: Sequence[tuple[str, float]], summary: str = "") -> Markup:
    """Horizontal bars of ratios between 0 and 1 (occupancy), labelled with the percentage."""
    row_h = 30
    label_w = 12 + CHAR_W * min(LABEL_CHARS, max((len(label) for label, _ in rows), default=8))
    height = max(len(rows), 1) * row_h + 8
    plot_w = WIDTH - label_w - 56
    parts = _open(chart_id, title, summary, height)
    for i, (label, ratio) in enumerate(rows):
        y = 4 + i * row_h
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(f'<text class="axis" x="{label_w - 8:.1f}" y="{y + 20}" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect class="track" x="{label_w:.1f}" y="{y + 5}" width="{plot_w:.1f}" height="{row_h - 10}"/>')
        parts.append(
            f'<rect class="bar" x="{label_w:.1f}" y="{y + 5}" width="{plot_w * min(ratio, 1):.1f}" '
            f'height="{row_h - 10}"><title>{escape(label)}: {ratio:.0%}</title></rect>'
        )
        parts.append(f'<text class="axis" x="{label_w + plot_w + 6:.1f}" y="{y + 20}">{ratio:.0%}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
