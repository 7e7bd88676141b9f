"""The sales chart: a cumulative step line with dated axes, for day one and after a month."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lottery.charts import sales_chart, sales_steps, time_ticks
from lottery.models import Ticket
from tests.factories import en
from tests.lottery.factories import manager_of, open_lottery, paid_order

PARIS = ZoneInfo("Europe/Paris")
OPEN = datetime(2026, 11, 2, 9, 0, tzinfo=PARIS)


def svg_text(svg: str) -> list[str]:
    """The texts an SVG shows, in order."""
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.strip()]


def test_the_series_is_a_step_line_from_the_opening_to_now():
    series = [(OPEN + timedelta(hours=1), 3), (OPEN + timedelta(hours=3), 5)]

    points = sales_steps(series, start=OPEN, end=OPEN + timedelta(hours=5))

    assert [(at - OPEN, n) for at, n in points] == [
        (timedelta(0), 0),
        (timedelta(hours=1), 0),
        (timedelta(hours=1), 3),
        (timedelta(hours=3), 3),
        (timedelta(hours=3), 5),
        (timedelta(hours=5), 5),
    ]


def test_first_day_chart_has_hours_whole_tickets_axis_titles_and_the_total():
    with translation.override("fr"):
        chart = sales_chart(
            [(OPEN + timedelta(hours=1), 1)], cap=300, start=OPEN, end=OPEN + timedelta(hours=5)
        )

    assert chart.total == 1 and not chart.show_cap  # far from the cap: no cap line
    for svg in (chart.svg_wide, chart.svg_narrow):
        texts = svg_text(svg)
        assert "Billets vendus" in texts
        assert "Date (heure de Paris)" in texts
        assert "Vendus au total : 1" in texts
        assert "<script" not in svg
        assert {"0", "1"} <= set(texts) and "0.5" not in texts  # whole tickets only
    wide = svg_text(chart.svg_wide)
    assert [t for t in wide if t.endswith("h")] == ["09h", "10h", "11h", "12h", "13h", "14h"]


def test_a_month_of_sales_has_dated_ticks_and_the_cap_line():
    series, total = [], 0
    for day in range(30):
        total += 9
        series.append((OPEN + timedelta(days=day), total))
    with translation.override("fr"):
        chart = sales_chart(series, cap=300, start=OPEN, end=OPEN + timedelta(days=30))

    assert chart.show_cap
    texts = svg_text(chart.svg_wide)
    assert "Plafond : 300 billets" in texts
    assert "Vendus au total : 270" in texts
    dates = [t for t in texts if re.fullmatch(r"\d\d/\d\d", t)]
    assert dates[0] == "03/11" and len(dates) <= 7  # midnights, a week apart
    assert "300" in texts  # the y axis reaches the cap
    assert chart.points[0] == (OPEN, 0) and chart.points[-1][1] == 270


def test_ticks_stay_on_whole_hours_across_the_change_to_winter_time():
    start = datetime(2026, 10, 24, 20, 0, tzinfo=PARIS)
    ticks = time_ticks(start, start + timedelta(days=2), most=7)
    assert all(t.astimezone(PARIS).minute == 0 for t in ticks)
    assert len({t.astimezone(PARIS).hour for t in ticks}) <= 2


def test_nothing_sold_draws_nothing():
    assert sales_chart([], cap=10) is None


@pytest.mark.django_db
def test_dashboard_shows_the_chart_totals_and_the_table(client):
    lottery = open_lottery(ticket_cap=6)
    client.force_login(manager_of(lottery.association))
    assert (
        client.get(
            reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])
        ).context["chart"]
        is None
    )
    paid_order(lottery=lottery, quantity=3)
    Ticket.objects.filter(lottery=lottery, number=1).update(
        sold_at=timezone.now() - timedelta(hours=5)
    )

    response = client.get(reverse("lottery:manage", args=[lottery.association.slug, lottery.slug]))

    chart = response.context["chart"]
    assert [n for _at, n in chart.rows] == [1, 3]
    assert chart.show_cap  # 3 of 6: near enough to show how full
    html = response.content.decode()
    assert html.count("<svg") == 2  # the wide and the phone drawing
    assert "<strong>3</strong> billets vendus" in html
    table = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "<td>1</td>" in table and "<td>3</td>" in table


@pytest.mark.django_db
def test_the_summary_gives_the_first_and_last_sale_to_the_minute(client):
    lottery = open_lottery(ticket_cap=50)
    client.force_login(manager_of(lottery.association))
    paid_order(lottery=lottery, quantity=5)
    day = timezone.localtime().replace(hour=13, minute=0, second=0, microsecond=0)
    numbers = list(
        Ticket.objects.filter(lottery=lottery, status=Ticket.Status.SOLD).values_list(
            "number", flat=True
        )
    )
    for number, minute in zip(sorted(numbers), (2, 5, 9, 11, 17), strict=True):
        Ticket.objects.filter(lottery=lottery, number=number).update(
            sold_at=day.replace(minute=minute) - timedelta(days=1)
        )

    response = client.get(
        en(reverse("lottery:manage", args=[lottery.association.slug, lottery.slug]))
    )

    chart = response.context["chart"]
    assert [n for _at, n in chart.rows] == [5]  # one hour on the chart
    summary = response.content.decode().split('sales-summary">', 1)[1].split("</figcaption>", 1)[0]
    assert "between 13:02 and 13:17" in summary
    assert summary.startswith("5 tickets sold on ")
