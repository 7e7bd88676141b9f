"""Redis down when a payment webhook commits: the tickets email still goes out, once."""

import pytest
from django.core import mail
from django_q.brokers import get_broker
from django_q.conf import Conf
from post_office.models import STATUS, Email

from assosolos import emails
from lottery.models import Order
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import open_lottery
from tests.lottery.test_webhooks import _paid_event


@pytest.fixture
def redis_broker(require_redis, monkeypatch):
    """django-q2 with its Redis broker, as in production (the test settings run tasks inline)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.mark.django_db(transaction=True)
def test_redis_down_when_the_webhook_commits_still_emails_the_tickets_once(
    require_postgres, redis_broker, monkeypatch, localstripe, webhook_post
):
    buyer = UserFactory()
    order = reserve_with_intent(lottery=open_lottery(ticket_cap=10), buyer=buyer, quantity=2)
    payload = _paid_event(localstripe, order)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:9/0")  # nothing listens there

    response = webhook_post(payload)

    assert response.status_code == 200  # the sale is committed; a lost task is no error
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert mail.outbox == []
    assert Email.objects.get().status == STATUS.queued

    monkeypatch.undo()  # Redis is back
    assert emails.emails_send_queued() == {"sent": 1}
    assert emails.emails_send_queued() == {}
    assert [message.to for message in mail.outbox] == [[buyer.email]]
