"""The per-IP warmup chart of the admin, drawn as inline SVG on the server (no JavaScript)."""
from __future__ import annotations

from django.utils.html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 220, 56, 28, 12
DECISION_COLOURS = {
    "advance": "#2e7d32", "promote": "#1565c0", "keep": "#2e7d32", "hold": "#f9a825", "step_back": "#ef6c00",
    "pause": "#c62828", "stay": "#9e9e9e", "standby_promoted": "#6a1b9a", "manual": "#455a64",
}


def warmup_history_svg(*, stats, decisions) -> str:
    """Sent per day (bars), the quota each decision gave (step line) and one dot per automatic
    decision coloured by kind, for `stats` (IPDailyStats) and `decisions` (WarmupDecision)."""
    days = sorted({row.date for row in stats} | {d.date for d in decisions})
    if not days:
        return '<p class="ip-chart-empty">No history yet.</p>'
    sent = {row.date: row.sent for row in stats}
    quota = {}
    for decision in decisions:
        quota[decision.date] = decision.quota_after
    top = max([1, *sent.values(), *quota.values()])
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / len(days)

    def y(value):
        return PAD_TOP + plot_h - plot_h * value / top

    parts = [f'<svg class="ip-chart" role="img" aria-label="Warmup history" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" font-size="10" '
             'font-family="sans-serif">']
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{int(value):,}</text>')
    for i, day in enumerate(days):
        x = PAD_LEFT + i * step
        if day in sent:
            height = plot_h * sent[day] / top
            parts.append(f'<rect x="{x + step * 0.15:.1f}" y="{y(sent[day]):.1f}" width="{step * 0.7:.1f}" '
                         f'height="{height:.1f}" fill="#90caf9"><title>{escape(day.isoformat())}: '
                         f'{sent[day]:,} sent</title></rect>')
    points, last = [], None
    for i, day in enumerate(days):
        last = quota.get(day, last)
        if last is not None:
            x = PAD_LEFT + i * step
            points.append(f"{x:.1f},{y(last):.1f} {x + step:.1f},{y(last):.1f}")
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#37474f" stroke-width="1.5"/>')
    index = {day: i for i, day in enumerate(days)}
    for decision in decisions:
        x = PAD_LEFT + (index[decision.date] + 0.5) * step
        colour = DECISION_COLOURS.get(decision.decision, "#000")
        parts.append(f'<circle cx="{x:.1f}" cy="{HEIGHT - PAD_BOTTOM + 8}" r="4" fill="{colour}" '
                     f'data-decision="{escape(decision.decision)}"><title>{escape(decision.date.isoformat())}: '
                     f'{escape(decision.get_decision_display())} - {escape(decision.reason)}</title></circle>')
    parts.append(f'<text x="{PAD_LEFT}" y="{HEIGHT - 2}">{escape(days[0].isoformat())}</text>')
    parts.append(f'<text x="{WIDTH - 8}" y="{HEIGHT - 2}" text-anchor="end">{escape(days[-1].isoformat())}</text>')
    parts.append("</svg>")
    return "".join(parts)
