"""Staff list the refunds a disconnected account blocked, and record those made on Stripe."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from connect.models import PaymentAccount
from lottery import payments
from lottery.models import Lottery, Order, OrderEvent, Ticket
from tests.factories import UserFactory, staff_sign_in
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db

URL = "/cms/remboursements-bloques/"


@pytest.fixture
def blocked(localstripe, webhook_post, django_capture_on_commit_callbacks) -> Order:
    """A paid order of a cancelled lottery whose account was disconnected before the refund."""
    lottery = open_lottery(ticket_price_cents=300, ticket_cap=10)
    account = PaymentAccount.objects.get(association=lottery.association)
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory(email="eve@example.org"))
    localstripe.pay(order.stripe_payment_intent_id)
    webhook_post(
        localstripe.event_payload("payment_intent.succeeded", order.stripe_payment_intent_id)
    )
    localstripe.account_deauthorize(account.account_id)
    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.CANCELLED)
    assert payments.lottery_refunds_issue(lottery_id=lottery.pk)["blocked"] == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def test_the_url_is_the_admin_s(blocked):
    assert reverse("lottery_refunds_blocked") == URL


def test_staff_see_who_is_owed_what_on_which_account_and_why(client, staff_user, blocked):
    staff_sign_in(client, staff_user)  # the admin needs the second factor

    page = client.get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="order-{blocked.pk}"' in html
    assert blocked.stripe_account_id in html and blocked.stripe_payment_intent_id in html
    assert "eve@example.org" in html and "3\u00a0€" in html
    assert "tableau de bord Stripe" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_refund_made_on_stripe_is_recorded_with_its_note_and_the_buyer_told(
    client, staff_user, blocked, django_capture_on_commit_callbacks
):
    staff_sign_in(client, staff_user)  # the admin needs the second factor
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"order": blocked.pk, "note": "Vu sur le tableau Stripe de l'association, re_123."}
        )

    assert response.status_code == 302
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.REFUNDED
    assert not Ticket.objects.filter(order=blocked, status=Ticket.Status.SOLD).exists()
    event = OrderEvent.objects.get(order=blocked)
    assert event.kind == OrderEvent.Kind.REFUNDED and event.by == staff_user
    assert "re_123" in event.note
    refunds = [m for m in mail.outbox if "remboursée" in m.subject]
    assert [m.to for m in refunds] == [["eve@example.org"]]
    assert "re_123" in refunds[0].body
    assert f'id="order-{blocked.pk}"' not in client.get(URL).content.decode()


def test_without_a_note_nothing_changes_and_the_form_says_why(client, staff_user, blocked):
    staff_sign_in(client, staff_user)  # the admin needs the second factor

    response = client.post(URL, {"order": blocked.pk, "note": "  "})

    assert response.status_code == 400
    assert "Dites" in response.content.decode() or "note" in response.content.decode()
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.PAID
    assert not OrderEvent.objects.filter(order=blocked).exists()


def test_an_order_whose_refund_was_not_blocked_cannot_be_recorded_this_way(
    client, staff_user, localstripe, webhook_post
):
    lottery = open_lottery()
    order = reserve_with_intent(lottery=lottery, buyer=UserFactory())
    localstripe.pay(order.stripe_payment_intent_id)
    webhook_post(
        localstripe.event_payload("payment_intent.succeeded", order.stripe_payment_intent_id)
    )
    staff_sign_in(client, staff_user)  # the admin needs the second factor

    response = client.post(URL, {"order": order.pk, "note": "Remboursé ailleurs."})

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_people_who_are_not_staff_neither_see_nor_record(client, blocked):
    client.force_login(UserFactory())

    assert client.get(URL).status_code == 302
    client.post(URL, {"order": blocked.pk, "note": "Je me rembourse."})
    blocked.refresh_from_db()
    assert blocked.status == Order.Status.PAID
