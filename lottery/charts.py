"""A small server-side SVG line chart: tickets sold over time, no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Chart:
    width: int
    height: int
    points: str
    area: str
    y_max: int
    cap_y: float | None
    first: datetime
    last: datetime
    total: int
    rows: list[tuple[datetime, int]]


def sales_chart(
    series: list[tuple[datetime, int]], *, cap: int, width: int = 640, height: int = 220
) -> Chart | None:
    """Scale a cumulative (time, count) series into an SVG polyline; None if nothing sold."""
    if not series:
        return None
    pad = 8
    first, last = series[0][0], series[-1][0]
    span = max((last - first).total_seconds(), 1.0)
    y_max = max(series[-1][1], 1)
    # Show the cap line when sales come near it, so the chart reads "how full".
    show_cap = cap and series[-1][1] * 2 >= cap
    if show_cap:
        y_max = max(y_max, cap)

    def x(at: datetime) -> float:
        if len(series) == 1:
            return width / 2
        return pad + (width - 2 * pad) * (at - first).total_seconds() / span

    def y(count: int) -> float:
        return height - pad - (height - 2 * pad) * count / y_max

    coords = [(x(series[0][0]), y(0))] + [(x(at), y(n)) for at, n in series]
    points = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    area = f"{coords[0][0]:.1f},{height - pad} {points} {coords[-1][0]:.1f},{height - pad}"
    return Chart(
        width=width,
        height=height,
        points=points,
        area=area,
        y_max=y_max,
        cap_y=y(cap) if show_cap else None,
        first=first,
        last=last,
        total=series[-1][1],
        rows=series,
    )
