"""Lottery dates stay in a window the site can show: 2000 to a few years ahead.

A draft dated year 1 or 9999 once made the association's dashboard and its lottery
list answer 500 for good; forms and services now refuse such dates with a clear
error, and rows already in the database still show.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lottery import date_window, services
from lottery.models import Lottery
from tests.lottery.factories import LotteryFactory, manager_of
from tests.lottery.test_views_dashboard import lottery_form_data

pytestmark = pytest.mark.django_db

FAR_PAST = datetime(1, 1, 1, 0, 0, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "dates",
    [
        {"sales_open_at": FAR_PAST, "sales_close_at": FAR_PAST + timedelta(days=1)},
        {"draw_at": FAR_FUTURE},
        {"sales_close_at": FAR_FUTURE - timedelta(days=1), "draw_at": FAR_FUTURE},
    ],
    ids=["year-1-sales", "year-9999-draw", "year-9999-close-and-draw"],
)
def test_existing_out_of_range_drafts_do_not_break_the_dashboard_or_the_list(client, dates):
    lottery = LotteryFactory()
    Lottery.objects.filter(pk=lottery.pk).update(**dates)
    client.force_login(manager_of(lottery.association))

    dashboard = client.get(reverse("associations:dashboard", args=[lottery.association.slug]))
    listing = client.get(reverse("lottery:manage_list", args=[lottery.association.slug]))
    manage = client.get(reverse("lottery:manage", args=[lottery.association.slug, lottery.slug]))

    assert dashboard.status_code == 200
    assert listing.status_code == 200
    assert manage.status_code == 200
    assert lottery.title in listing.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sales_open_at", "0001-01-01T10:00"),
        ("sales_close_at", "9999-12-31T10:00"),
        ("draw_at", "9999-12-31T23:59"),
        ("authorisation_date", "0001-01-01"),
        ("claim_deadline", "9999-12-31"),
    ],
)
def test_the_form_refuses_a_date_out_of_the_window_with_a_clear_error(client, field, value):
    lottery = LotteryFactory()
    client.force_login(manager_of(lottery.association))
    create = reverse("lottery:manage_create", args=[lottery.association.slug])

    response = client.post(create, lottery_form_data(**{field: value}), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any("2000" in message for message in errors), errors
    assert Lottery.objects.count() == 1


def test_the_service_refuses_dates_out_of_the_window():
    lottery = LotteryFactory.build(
        sales_open_at=FAR_PAST, sales_close_at=FAR_PAST + timedelta(days=1), draw_at=FAR_FUTURE
    )

    with pytest.raises(ValidationError) as caught:
        services.lottery_validate(lottery=lottery)

    assert {"sales_open_at", "sales_close_at", "draw_at"} <= set(caught.value.message_dict)


def test_the_window_edges():
    today = timezone.localdate()
    first, last = date_window.date_window(today=today)

    assert first == date(2000, 1, 1)
    assert last.year == today.year + date_window.YEARS_AHEAD
    assert date_window.date_in_window(value=first, today=today)
    assert date_window.date_in_window(value=last, today=today)
    assert not date_window.date_in_window(value=first - timedelta(days=1), today=today)
    assert not date_window.date_in_window(value=last + timedelta(days=1), today=today)
