"""Server-side SVG charts: no JavaScript, no build step. Each chart has role="img", a <title> and a <desc>;
the page shows the same numbers in a table for screen readers and for copying."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 36


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    summary: str = "",
) -> Markup:
    """Vertical bars, one per point (label, value), with a y axis of four gridlines."""
    top = _nice_max(max((v for _, v in points), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(summary or title)}. The table below lists every value.</desc>',
    ]
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    label_every = max(1, round(n / 10))
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top if top else 0
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        if i % label_every == 0:
            parts.append(
                f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def ratio_chart(chart_id: str, title: str, rows: Sequence[tuple[str, float]], summary: str = "") -> Markup:
    """Horizontal bars of ratios between 0 and 1 (occupancy), labelled with the percentage."""
    row_h, label_w = 26, 220
    height = max(len(rows), 1) * row_h + 8
    plot_w = WIDTH - label_w - 60
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(summary or title)}. The table below lists every value.</desc>',
    ]
    for i, (label, ratio) in enumerate(rows):
        y = 4 + i * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text class="axis" x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 4}" width="{plot_w}" height="{row_h - 8}"/>')
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{plot_w * min(ratio, 1):.1f}" '
            f'height="{row_h - 8}"><title>{escape(label)}: {ratio:.0%}</title></rect>'
        )
        parts.append(f'<text class="axis" x="{label_w + plot_w + 6}" y="{y + 17}">{ratio:.0%}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
