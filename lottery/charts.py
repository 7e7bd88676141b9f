"""Tickets sold over time, drawn server-side as SVG with pygal: no JavaScript on the page.

pygal draws the axes, their labels and the grid; this module decides what a
treasurer must read at a glance: a cumulative step line from the opening of sales
to now (so one sale on the first morning is a visible step, not a lone dot), the
cap when sales come near it, dates in Paris time with ticks that suit the span
(hours on the first day, days after), and whole numbers of tickets on the y axis.
Two sizes are drawn, for a wide screen and a phone, so labels stay legible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

PARIS = ZoneInfo("Europe/Paris")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
TICK_STEPS = [
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    28 * DAY,
]

# pygal always embeds its configuration for its tooltips script; the page runs no script.
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
COLORS = ("#1d4ed8", "#b42318")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass
class Chart:
    total: int
    cap: int
    show_cap: bool
    first: datetime
    last: datetime
    rows: list[tuple[datetime, int]]
    points: list[tuple[datetime, int]]
    x_ticks: list[datetime] = field(default_factory=list)
    svg_wide: str = ""
    svg_narrow: str = ""

    @property
    def same_day(self) -> bool:
        """First and last sale fall on one day in Paris: the summary gives the day once."""
        return self.first.astimezone(PARIS).date() == self.last.astimezone(PARIS).date()


def sales_chart(
    series: list[tuple[datetime, int]],
    *,
    cap: int,
    start: datetime | None = None,
    end: datetime | None = None,
    first_sale: datetime | None = None,
    last_sale: datetime | None = None,
) -> Chart | None:
    """Draw a cumulative (time, count) series; None if nothing was sold.

    `start` is when sales opened (the line starts there at 0) and `end` the time
    the chart stops (now, or the close of sales); both stretch to the sales seen.
    `first_sale` and `last_sale` are the exact times the summary gives (the series'
    periods are whole hours or days); without them, the periods' starts.
    """
    if not series:
        return None
    total = series[-1][1]
    first = first_sale or series[0][0]
    last = last_sale or series[-1][0]
    start = min(start or series[0][0], series[0][0], first)
    end = max(end or series[-1][0], series[-1][0], last)
    if end - start < HOUR:
        end = start + HOUR
    points = sales_steps(series, start=start, end=end)
    # The cap line shows "how full" once sales come near it.
    show_cap = bool(cap) and total * 2 >= cap
    chart = Chart(
        total=total,
        cap=cap,
        show_cap=show_cap,
        first=first,
        last=last,
        rows=series,
        points=points,
    )
    chart.x_ticks = time_ticks(start, end, most=7)
    chart.svg_wide = _render(chart, start, end, width=800, height=320, ticks=7, font=12)
    chart.svg_narrow = _render(chart, start, end, width=380, height=300, ticks=4, font=13)
    return chart


def sales_steps(
    series: list[tuple[datetime, int]], *, start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    """The points of a step line: flat until each sale, then up; 0 at `start`, total at `end`."""
    points = [(start, 0)]
    previous = 0
    for at, count in series:
        if at > points[-1][0]:
            points.append((at, previous))
        points.append((at, count))
        previous = count
    if end > points[-1][0]:
        points.append((end, previous))
    return points


def time_ticks(start: datetime, end: datetime, *, most: int) -> list[datetime]:
    """Round times (whole hours or midnights, in Paris) between start and end, at most `most`."""
    span = end - start
    step = next((s for s in TICK_STEPS if span / s <= most - 1), TICK_STEPS[-1])
    while span / step > most - 1:
        step *= 2
    local_start = start.astimezone(PARIS)
    if step < DAY:
        hours = step // HOUR
        tick = local_start.replace(minute=0, second=0, microsecond=0)
        while tick.hour % hours:
            tick += HOUR
    else:
        tick = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        if tick < start:
            tick = (tick.replace(tzinfo=None) + DAY).replace(tzinfo=PARIS)
    ticks = []
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        # Add in wall-clock time so ticks stay on whole hours across a DST change.
        tick = (tick.replace(tzinfo=None) + step).replace(tzinfo=PARIS)
    return ticks


def _naive_paris(value: datetime) -> datetime:
    """pygal reads naive times as UTC and formats them back as such: hand it Paris time."""
    return value.astimezone(PARIS).replace(tzinfo=None)


def _timestamp(value: datetime) -> float:
    """The abscissa pygal gives `_naive_paris(value)`."""
    return _naive_paris(value).replace(tzinfo=UTC).timestamp()


def _y_labels(top: int, *, most: int = 5) -> list[int]:
    step = 1
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        step = nice
        if top / nice <= most:
            break
    else:
        step = -(-top // most)
    labels = list(range(0, top + 1, step))
    if labels[-1] < top:
        labels.append(labels[-1] + step)
    return labels


def _render(
    chart: Chart, start: datetime, end: datetime, *, width: int, height: int, ticks: int, font: int
) -> str:
    span = end - start
    ticks_at = time_ticks(start, end, most=ticks)
    daily = len(ticks_at) > 1 and ticks_at[1] - ticks_at[0] >= DAY
    if daily:
        fmt = "%d/%m"
    elif span <= DAY:
        fmt = "%Hh"
    else:
        fmt = "%d/%m %Hh"
    top = max(chart.total, chart.cap if chart.show_cap else 0, 1)
    y_labels = _y_labels(top)
    style = Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1f2933",
        foreground_strong="#1f2933",
        foreground_subtle="#d5dbe3",
        opacity=".25",
        opacity_hover=".25",
        colors=COLORS,
        font_family=FONT,
        transition="none",
        guide_stroke_color="#d5dbe3",
        major_guide_stroke_color="#d5dbe3",
        guide_stroke_dasharray="1,0",
        major_guide_stroke_dasharray="1,0",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        label_font_size=font,
        major_label_font_size=font,
        title_font_size=font + 1,
        legend_font_size=font,
    )
    graph = pygal.DateTimeLine(
        width=width,
        height=height,
        style=style,
        js=[],  # no script: the page works without JavaScript
        disable_xml_declaration=True,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=(2 if chart.show_cap else 1) if width > 500 else 1,
        truncate_legend=-1,
        x_title=_("Date (Paris time)") if not daily else _("Date"),
        y_title=_("Tickets sold"),
        x_labels=[_naive_paris(t) for t in ticks_at],
        x_value_formatter=lambda value: value.strftime(fmt),
        y_labels=y_labels,
        value_formatter=lambda value: f"{value:.0f}",
        range=(0, y_labels[-1]),
        xrange=(_timestamp(start), _timestamp(end)),
        show_x_guides=False,
        show_y_guides=True,
        show_minor_x_labels=True,
        truncate_label=-1,
        margin=8,
        spacing=8,
        dots_size=0,
        allow_interruptions=False,
        print_values=False,
        tooltip_border_radius=0,
    )
    graph.add(
        _("Sold in total: %(total)s") % {"total": chart.total},
        [(_naive_paris(at), count) for at, count in chart.points],
        fill=True,
        show_dots=False,
        stroke_style={"width": 2.5},
    )
    if chart.show_cap:
        graph.add(
            _("Cap: %(cap)s tickets") % {"cap": chart.cap},
            [(_naive_paris(start), chart.cap), (_naive_paris(end), chart.cap)],
            fill=False,
            show_dots=False,
            stroke_style={"width": 1.5, "dasharray": "6, 4"},
        )
    return SCRIPT.sub("", graph.render(is_unicode=True))
