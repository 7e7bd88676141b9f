"""Scheduled work: sales open and close on time, reservations expire; schedules exist once."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from lottery import services, tasks
from lottery.models import Lottery, Order
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, open_lottery

pytestmark = pytest.mark.django_db


def test_sales_sweep_opens_and_closes_on_time():
    due = LotteryFactory()
    PrizeFactory(lottery=due)
    Lottery.objects.filter(pk=due.pk).update(sales_open_at=timezone.now() + timedelta(minutes=30))
    due.refresh_from_db()
    assert services.lottery_request_open(lottery=due, actor=None) is False
    ending = open_lottery()
    Lottery.objects.filter(pk=due.pk).update(sales_open_at=timezone.now() - timedelta(minutes=1))
    Lottery.objects.filter(pk=ending.pk).update(
        sales_close_at=timezone.now() - timedelta(minutes=1)
    )

    assert tasks.sales_sweep() == {"opened": 1, "closed": 1}
    assert tasks.sales_sweep() == {"opened": 0, "closed": 0}  # a retry does nothing
    due.refresh_from_db()
    ending.refresh_from_db()
    assert due.status == Lottery.Status.OPEN
    assert due.tickets.count() == due.ticket_cap
    assert ending.status == Lottery.Status.CLOSED


def test_open_and_close_tasks_take_primary_keys_and_are_idempotent():
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery)
    assert tasks.lottery_open_run(lottery.pk) is False  # nobody asked to open it
    Lottery.objects.filter(pk=lottery.pk).update(open_requested_at=timezone.now())
    assert tasks.lottery_open_run(lottery.pk) is True
    assert tasks.lottery_open_run(lottery.pk) is False
    assert Lottery.objects.get(pk=lottery.pk).tickets.count() == lottery.ticket_cap
    assert tasks.lottery_close_run(lottery.pk) is True
    assert tasks.lottery_close_run(lottery.pk) is False


def test_a_lottery_that_became_invalid_does_not_open_and_loses_its_request():
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery)
    Lottery.objects.filter(pk=lottery.pk).update(
        open_requested_at=timezone.now(), authorisation_reference=""
    )
    assert tasks.lottery_open_run(lottery.pk) is False
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    assert lottery.open_requested_at is None


def test_expire_task_releases_overdue_reservations():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    fresh = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.reservations_expire_run() == 1
    assert tasks.reservations_expire_run() == 0
    order.refresh_from_db()
    fresh.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert fresh.status == Order.Status.PENDING


def test_schedules_exist_once_after_migrate_and_the_command():
    names = set(tasks.SCHEDULES)
    # The post_migrate handler already made them for the test database.
    assert set(Schedule.objects.filter(name__in=names).values_list("name", flat=True)) == names
    out = io.StringIO()
    call_command("lottery_schedules", stdout=out)
    call_command("lottery_schedules", stdout=out)
    assert out.getvalue().count(": ok") == 2 * len(names)
    schedules = Schedule.objects.filter(name__in=names)
    assert schedules.count() == len(names)
    for schedule in schedules:
        func, minutes = tasks.SCHEDULES[schedule.name]
        assert (schedule.func, schedule.minutes, schedule.repeats) == (func, minutes, -1)
        assert schedule.schedule_type == Schedule.MINUTES


def test_schedules_are_repaired_if_edited():
    tasks.schedules_ensure()
    name = next(iter(tasks.SCHEDULES))
    Schedule.objects.filter(name=name).update(func="nothing.here", minutes=60)
    tasks.schedules_ensure()
    assert Schedule.objects.get(name=name).func == tasks.SCHEDULES[name][0]
