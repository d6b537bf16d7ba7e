"""Server-rendered SVG charts for the back office: readable without hovering (values are printed).

Each function returns markup safe to drop into a template. Labels are escaped.
"""
from html import escape

from django.utils.safestring import mark_safe

PALETTE = {
    "active": "#2e7d32", "warmup": "#f9a825", "standby": "#90a4ae", "paused": "#c62828", "retired": "#616161",
    "valid": "#2e7d32", "risky": "#f9a825", "invalid": "#c62828", "pending": "#90a4ae",
    "unsubscribed": "#8e24aa", "bounced": "#c62828", "complained": "#ad1457",
    "sent": "#1565c0", "planned": "#90a4ae", "threshold": "#c62828",
}
SERIES_COLORS = ["#1565c0", "#2e7d32", "#f9a825", "#8e24aa", "#00838f", "#c62828", "#6d4c41", "#546e7a"]
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _fmt(value):
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def color_for(key, index=0):
    return PALETTE.get(str(key), SERIES_COLORS[index % len(SERIES_COLORS)])


def hbar_chart(items, *, width=420, bar_height=22, label_width=120, title=""):
    """Horizontal bars: items = [(label, value, color or None)]. The value is printed after each bar."""
    items = list(items)
    top = 24 if title else 4
    height = top + len(items) * (bar_height + 6) + 4
    peak = max((value for _, value, _ in items), default=0) or 1
    plot = width - label_width - 70
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} font-size="12">']
    if title:
        parts.append(f'<text x="0" y="15" font-weight="600" font-size="13">{escape(title)}</text>')
    for i, (label, value, color) in enumerate(items):
        y = top + i * (bar_height + 6)
        length = max(1 if value else 0, round(plot * value / peak))
        fill = color or color_for(label, i)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.0f}" text-anchor="end">{escape(str(label))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" rx="3" fill="{fill}"/>')
        parts.append(f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}">{_fmt(value)}</text>')
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" fill="#777">No data yet</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def progress_bar(done, total, *, width=260, height=16, color="#1565c0", label=True):
    """A bar filled to done/total, with "done / total (pct)" printed beside it."""
    ratio = (done / total) if total else 0
    ratio = max(0.0, min(1.0, ratio))
    text_width = 150 if label else 0
    parts = [f'<svg class="progress" role="img" viewBox="0 0 {width + text_width} {height}" width="{width + text_width}" height="{height}" {FONT} font-size="11">',
             f'<rect x="0" y="0" width="{width}" height="{height}" rx="4" fill="#e0e0e0"/>',
             f'<rect x="0" y="0" width="{round(width * ratio)}" height="{height}" rx="4" fill="{color}"/>']
    if label:
        parts.append(f'<text x="{width + 6}" y="{height - 4}">{_fmt(done)} / {_fmt(total)} ({ratio * 100:.0f}%)</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(series, *, x_labels, width=640, height=220, title="", y_max=None, dashed=(), legend="last"):
    """Lines over shared x positions: series = {name: [value or None per x]}; the legend gives
    each line's last value (legend="last") or its sum over the period (legend="total")."""
    left, right, top, bottom = 48, 150, 26 if title else 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for v in points if v is not None]
    peak = y_max if y_max is not None else (max(values) if values else 0)
    peak = peak or 1
    count = max(len(x_labels), 1)

    def x_at(i):
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y_at(v):
        return top + plot_h - plot_h * v / peak

    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} font-size="11">']
    if title:
        parts.append(f'<text x="0" y="15" font-weight="600" font-size="13">{escape(title)}</text>')
    for frac in (0, 0.5, 1):
        y = top + plot_h - plot_h * frac
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_fmt(peak * frac)}</text>')
    step = max(1, count // 8)
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == count - 1:
            parts.append(f'<text x="{x_at(i):.1f}" y="{height - 8}" text-anchor="middle" fill="#555">{escape(str(label))}</text>')
    for index, (name, points) in enumerate(series.items()):
        color = color_for(name, index)
        coords = [f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(points) if v is not None]
        dash = ' stroke-dasharray="5 4"' if name in dashed else ""
        if len(coords) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{" ".join(coords)}"/>')
        elif coords:
            x, y = coords[0].split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>')
        if legend == "total":
            shown = sum(v for v in points if v is not None)
        else:
            shown = next((v for v in reversed(points) if v is not None), None)
        ly = top + 12 + index * 16
        parts.append(f'<rect x="{width - right + 12}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{width - right + 26}" y="{ly}">{escape(str(name))}: {"–" if shown is None else _fmt(shown)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def funnel_chart(steps, *, width=520, bar_height=26):
    """Funnel: steps = [(label, value)], each bar relative to the first, with value and % of the first."""
    steps = list(steps)
    first = steps[0][1] if steps and steps[0][1] else 0
    items = []
    height = len(steps) * (bar_height + 6) + 4
    plot = width - 230
    parts = [f'<svg class="chart funnel" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT} font-size="12">']
    for i, (label, value) in enumerate(steps):
        y = 2 + i * (bar_height + 6)
        ratio = (value / first) if first else 0
        length = max(1 if value else 0, round(plot * min(ratio, 1)))
        parts.append(f'<text x="104" y="{y + bar_height * 0.68:.0f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="110" y="{y}" width="{length}" height="{bar_height}" rx="3" fill="{color_for(label.lower(), i)}"/>')
        parts.append(f'<text x="{116 + length}" y="{y + bar_height * 0.68:.0f}">{_fmt(value)} ({ratio * 100:.1f}%)</text>')
        items.append(label)
    parts.append("</svg>")
    return mark_safe("".join(parts))
