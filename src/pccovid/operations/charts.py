"""Small charts drawn on the server as inline SVG: no JavaScript library, no network, readable offline.

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>` (the figures a
screen reader needs); every mark carries its own `<title>` (shown on hover). The page puts the same
figures in a table beside it. An empty series draws an empty-state message, never an error.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from pccovid.operations.selectors import DayTests

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 16, 36
BAR_COLOUR, LINE_COLOUR, AXIS_COLOUR = "#4a7fb5", "#c0392b", "#888"


def _open(chart_id: str, title: str, desc: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" id="{chart_id}" '
        f'style="max-width:{WIDTH}px;height:auto" font-family="sans-serif" font-size="11">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _empty(chart_id: str, title: str, message: str) -> SafeString:
    parts = _open(chart_id, title, message, height=80)
    parts.append(
        f'<text x="{WIDTH // 2}" y="44" text-anchor="middle" fill="{AXIS_COLOUR}" '
        f'data-empty="true">{escape(message)}</text></svg>'
    )
    return mark_safe("".join(parts))  # every text part is escaped above


def _day(point: DayTests) -> str:
    return f"{point.day:%d/%m}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def tests_chart(points: Sequence[DayTests], *, chart_id: str, title: str) -> SafeString:
    """Tests per day as bars (left axis) and positivity as a line (right axis, percent); days dd/mm."""
    if not points or not any(p.tests for p in points):
        return _empty(chart_id, title, _("No test results in this range."))
    total_tests = sum(p.tests for p in points)
    total_positive = sum(p.positive for p in points)
    desc = _(
        "%(tests)d tests and %(positive)d positive from %(first)s to %(last)s; bars: tests per day, "
        "line: percent positive."
    ) % {"tests": total_tests, "positive": total_positive, "first": _day(points[0]), "last": _day(points[-1])}
    parts = _open(chart_id, title, desc)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_tests = max(p.tests for p in points)
    top_rate = max(max((p.positivity or 0) for p in points), 5.0)
    step = plot_w / len(points)
    base = TOP + plot_h
    parts.append(_axes(base, plot_w, top_tests, top_rate))
    line = []
    label_every = max(1, len(points) // 10)
    for i, point in enumerate(points):
        x = LEFT + i * step
        bar_h = plot_h * point.tests / top_tests
        rate = point.positivity
        tip = _("%(day)s: %(tests)d tests, %(positive)d positive") % {
            "day": _day(point), "tests": point.tests, "positive": point.positive,
        }  # fmt: skip
        if rate is not None:
            tip += f" ({_fmt(rate)}%)"
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{base - bar_h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar_h:.1f}" fill="{BAR_COLOUR}" data-day="{_day(point)}" '
            f'data-tests="{point.tests}"><title>{escape(tip)}</title></rect>'
        )
        if rate is not None:
            line.append(f"{x + step / 2:.1f},{base - plot_h * rate / top_rate:.1f}")
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 14}" text-anchor="middle">{_day(point)}</text>'
            )
    if line:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
            f'data-series="positivity"/>'
        )
    parts.append(_legend(base))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part is escaped above


def _axes(base: float, plot_w: float, top_tests: int, top_rate: float) -> str:
    right = LEFT + plot_w
    return (
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{right}" y1="{TOP}" x2="{right}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{top_tests}</text>'
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>'
        f'<text x="{right + 4}" y="{TOP + 4}" fill="{LINE_COLOUR}">{_fmt(top_rate)}%</text>'
        f'<text x="{right + 4}" y="{base}" fill="{LINE_COLOUR}">0%</text>'
    )


def _legend(base: float) -> str:
    y = base + 30
    return (
        f'<rect x="{LEFT}" y="{y - 9}" width="10" height="10" fill="{BAR_COLOUR}"/>'
        f'<text x="{LEFT + 14}" y="{y}">{escape(_("Tests"))}</text>'
        f'<line x1="{LEFT + 90}" y1="{y - 4}" x2="{LEFT + 104}" y2="{y - 4}" stroke="{LINE_COLOUR}" '
        f'stroke-width="2"/><text x="{LEFT + 108}" y="{y}">{escape(_("Percent positive"))}</text>'
    )


def percent_bars(items: Sequence[tuple[str, float | None]], *, chart_id: str, title: str) -> SafeString:
    """One horizontal bar per label, 0-100 percent (None: no population, drawn as "no data")."""
    if not items:
        return _empty(chart_id, title, _("No units to show."))
    row_h, label_w = 22, 170
    height = TOP + row_h * len(items) + 8
    desc = "; ".join(
        f"{label}: {_fmt(value)}%" if value is not None else f"{label}: {_('no data')}"
        for label, value in items
    )
    parts = _open(chart_id, title, desc, height=height)
    bar_w = WIDTH - label_w - 60
    for i, (label, value) in enumerate(items):
        y = TOP + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label[:28])}</text>')
        width = bar_w * min(value or 0, 100) / 100
        shown = f"{_fmt(value)}%" if value is not None else _("no data")
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}" fill="{BAR_COLOUR}" '
            f'data-label="{escape(label)}"><title>{escape(f"{label}: {shown}")}</title></rect>'
            f'<text x="{label_w + width + 4:.1f}" y="{y + 14}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part is escaped above
