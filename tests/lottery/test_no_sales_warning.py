"""Before a draw with no ticket sold, the association and staff are told, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule

from assosolos.emails import emails_send_queued
from lottery import services, tasks
from lottery.services.alerts import no_sales_schedule_name
from tests.factories import StaffFactory, en
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery(settings, django_capture_on_commit_callbacks):
    settings.LOTTERY_NO_SALES_WARNING_HOURS = 24
    lottery = LotteryFactory(
        sales_close_at=timezone.now() + timedelta(days=2),
        draw_at=timezone.now() + timedelta(days=3),
    )
    PrizeFactory(lottery=lottery)
    lottery.manager = manager_of(lottery.association)
    lottery.staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    return lottery


def _warnings_sent(lottery) -> list:
    emails_send_queued()
    return [m for m in mail.outbox if lottery.staff.email in m.to]


def test_opening_schedules_the_warning_a_set_time_before_the_draw(lottery):
    schedule = Schedule.objects.get(name=no_sales_schedule_name(lottery.pk))
    assert schedule.func == "lottery.tasks.no_sales_warning_run"
    assert schedule.schedule_type == Schedule.ONCE
    assert schedule.next_run == lottery.draw_at - timedelta(hours=24)


def test_moving_the_draw_moves_the_warning(lottery, django_capture_on_commit_callbacks):
    later = lottery.draw_at + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_update(lottery=lottery, actor=None, draw_at=later)
    schedule = Schedule.objects.get(name=no_sales_schedule_name(lottery.pk))
    assert schedule.next_run == later - timedelta(hours=24)


def test_the_warning_goes_once_to_the_association_and_staff(lottery):
    mail.outbox.clear()
    before = lottery.draw_at - timedelta(hours=25)
    assert services.lottery_no_sales_warn(lottery_id=lottery.pk, now=before) is False
    assert _warnings_sent(lottery) == []

    due = lottery.draw_at - timedelta(hours=23)
    assert services.lottery_no_sales_warn(lottery_id=lottery.pk, now=due) is True
    # The one-off task, the sweep, a retry: nothing more.
    assert services.lottery_no_sales_warn(lottery_id=lottery.pk, now=due) is False
    assert services.lotteries_no_sales_sweep(now=due + timedelta(minutes=10)) == 0
    assert tasks.no_sales_warning_run(lottery.pk) is False

    [message] = _warnings_sent(lottery)
    assert set(message.to) >= {lottery.manager.email, lottery.staff.email}
    assert lottery.title in message.body
    lottery.refresh_from_db()
    assert lottery.no_sales_warned_at == due


def test_the_sweep_catches_a_lost_task(lottery):
    mail.outbox.clear()
    due = lottery.draw_at - timedelta(hours=2)
    assert services.lotteries_no_sales_sweep(now=due) == 1
    assert services.lotteries_no_sales_sweep(now=due) == 0
    assert len(_warnings_sent(lottery)) == 1


def test_no_warning_once_a_ticket_is_sold_or_after_the_draw_time(lottery):
    mail.outbox.clear()
    assert services.lottery_no_sales_warn(lottery_id=lottery.pk, now=lottery.draw_at) is False
    paid_order(lottery=lottery, quantity=1)
    due = lottery.draw_at - timedelta(hours=1)
    assert services.lottery_no_sales_warn(lottery_id=lottery.pk, now=due) is False
    assert services.lotteries_no_sales_sweep(now=due) == 0
    assert _warnings_sent(lottery) == []
    lottery.refresh_from_db()
    assert lottery.no_sales_warned_at is None


def test_the_page_and_the_email_say_what_a_draw_with_no_ticket_does(client, lottery):
    html = client.get(en(lottery.get_absolute_url())).content.decode()
    statement = "publishes a result with no winner, and the prizes stay with the association"
    assert statement in html
    mail.outbox.clear()
    services.lottery_no_sales_warn(lottery_id=lottery.pk, now=lottery.draw_at - timedelta(hours=1))
    [message] = _warnings_sent(lottery)
    assert "/gestion/" in message.body  # where to act


def test_a_draw_with_no_ticket_sold_publishes_a_result_with_no_winner(lottery):
    # What the rules and the page say happens, done by the real draw.
    assert services.lottery_close(lottery_id=lottery.pk)
    assert services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    result = services.draw_perform(
        lottery_id=lottery.pk, now=lottery.draw_at + timedelta(minutes=1)
    )
    assert result.winners.count() == 0
    lottery.refresh_from_db()
    assert lottery.status == lottery.Status.DRAWN
