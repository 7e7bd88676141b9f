"""The back office: one order refunded (through localstripe), voided or corrected, recorded."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assosolos.emails import emails_send_queued
from lottery import payments, selectors, services
from lottery.models import Lottery, Order, OrderEvent, Ticket
from tests.factories import UserFactory
from tests.lottery.conftest import reserve_with_intent
from tests.lottery.factories import manager_of, open_lottery

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery():
    return open_lottery(ticket_price_cents=200, ticket_cap=20)


@pytest.fixture
def admin(lottery):
    return manager_of(lottery.association)


@pytest.fixture
def buyer():
    return UserFactory(display_name="Camille")


def online_paid(localstripe, lottery, buyer, quantity=2) -> Order:
    order = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=quantity)
    localstripe.pay(order.stripe_payment_intent_id)
    assert services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=order.stripe_payment_intent_id
    )
    order.refresh_from_db()
    return order


def cash_sale(lottery, admin, *, receipt="R-1", quantity=3) -> Order:
    return services.order_record_offline(
        lottery=lottery,
        actor=admin,
        channel=Order.Channel.CASH,
        quantity=quantity,
        receipt_number=receipt,
        buyer_name="Dominique",
    )


def numbers(order, status=None):
    tickets = Ticket.objects.filter(order=order)
    if status:
        tickets = tickets.filter(status=status)
    return sorted(tickets.values_list("number", flat=True))


def order_url(name, order):
    lottery = order.lottery
    return reverse(f"lottery:{name}", args=[lottery.association.slug, lottery.slug, order.pk])


# --- Refund --------------------------------------------------------------------------


def test_refund_goes_through_stripe_voids_the_numbers_records_and_emails(
    localstripe, lottery, admin, buyer, django_capture_on_commit_callbacks
):
    order = online_paid(localstripe, lottery, buyer)
    emails_send_queued()  # the purchase's own email leaves first
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.order_refund(order_id=order.pk, actor=admin, note="Doublon")

    order.refresh_from_db()
    [refund] = localstripe.refunds(order.stripe_payment_intent_id)
    assert refund.amount == order.amount_cents == 400
    assert order.status == Order.Status.REFUNDED
    assert order.stripe_refund_id == refund.id
    assert numbers(order, Ticket.Status.VOID) == [1, 2]
    assert selectors.lottery_figures(lottery=lottery).takings_cents == 0
    [event] = order.events.all()
    assert (event.kind, event.by, event.note) == (OrderEvent.Kind.REFUNDED, admin, "Doublon")
    assert event.before == {"status": "paid", "tickets": [1, 2]}
    assert event.after == {"status": "refunded", "refund": refund.id}
    [message] = mail.outbox
    assert message.to == [buyer.email]
    assert lottery.title in message.subject
    assert "4\u00a0€" in message.body and "1, 2" in message.body and "Doublon" in message.body


def test_refund_twice_refunds_once(localstripe, lottery, admin, buyer):
    order = online_paid(localstripe, lottery, buyer)
    services.order_refund(order_id=order.pk, actor=admin)

    with pytest.raises(ValidationError, match="Seule une commande payée"):
        services.order_refund(order_id=order.pk, actor=admin)

    assert len(localstripe.refunds(order.stripe_payment_intent_id)) == 1
    assert order.events.count() == 1


def test_refund_when_stripe_is_down_changes_nothing(localstripe, lottery, admin, buyer, settings):
    order = online_paid(localstripe, lottery, buyer)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    with pytest.raises(payments.PaymentError):
        services.order_refund(order_id=order.pk, actor=admin)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert numbers(order, Ticket.Status.SOLD) == [1, 2]
    assert not order.events.exists()


def test_cash_sale_is_not_refunded_through_stripe(lottery, admin):
    order = cash_sale(lottery, admin)
    with pytest.raises(ValidationError, match="remboursée à la main"):
        services.order_refund(order_id=order.pk, actor=admin)


# --- Void ----------------------------------------------------------------------------


def test_void_a_cash_sale_needs_a_reason_then_voids_its_numbers(lottery, admin):
    order = cash_sale(lottery, admin)

    with pytest.raises(ValidationError, match="Dites pourquoi"):
        services.order_void(order_id=order.pk, actor=admin, reason="  ")
    services.order_void(order_id=order.pk, actor=admin, reason="Saisie en double")

    order.refresh_from_db()
    assert order.status == Order.Status.VOIDED
    assert numbers(order, Ticket.Status.VOID) == [1, 2, 3]
    figures = selectors.lottery_figures(lottery=lottery)
    assert (figures.sold, figures.void, figures.takings_cents) == (0, 3, 0)
    [event] = order.events.all()
    assert (event.kind, event.note, event.by) == ("voided", "Saisie en double", admin)
    # The numbers are never sold again: the next sale takes the next ones.
    assert numbers(cash_sale(lottery, admin, receipt="R-2", quantity=1)) == [4]


def test_an_online_order_is_refunded_not_voided(localstripe, lottery, admin, buyer):
    order = online_paid(localstripe, lottery, buyer)
    with pytest.raises(ValidationError, match="remboursée, pas annulée"):
        services.order_void(order_id=order.pk, actor=admin, reason="Erreur")


# --- Correct -------------------------------------------------------------------------


def test_correct_a_cash_sale_records_before_and_after(lottery, admin):
    order = cash_sale(lottery, admin)

    services.order_correct(
        order_id=order.pk, actor=admin, buyer_name="Dominique Martin", receipt_number="R-1"
    )

    order.refresh_from_db()
    assert order.buyer_name == "Dominique Martin" and order.receipt_number == "R-1"
    [event] = order.events.all()
    assert event.kind == "corrected"
    assert event.before == {"buyer_name": "Dominique"}
    assert event.after == {"buyer_name": "Dominique Martin"}


def test_correct_refuses_a_receipt_number_already_used_and_no_change(lottery, admin):
    cash_sale(lottery, admin, receipt="R-1")
    order = cash_sale(lottery, admin, receipt="R-2")

    with pytest.raises(ValidationError) as taken:
        services.order_correct(order_id=order.pk, actor=admin, receipt_number="r-1")
    assert "receipt_number" in taken.value.message_dict
    with pytest.raises(ValidationError, match="Rien n'a été modifié"):
        services.order_correct(order_id=order.pk, actor=admin, receipt_number="R-2")
    with pytest.raises(ValidationError) as empty:
        services.order_correct(order_id=order.pk, actor=admin, receipt_number=" ")
    assert "receipt_number" in empty.value.message_dict
    assert not order.events.exists()


# --- The sealed ledger ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["sealed", "drawn"])
def test_no_change_once_the_ledger_is_sealed(localstripe, lottery, admin, buyer, how):
    online = online_paid(localstripe, lottery, buyer)
    cash = cash_sale(lottery, admin)
    if how == "sealed":
        Lottery.objects.filter(pk=lottery.pk).update(
            status=Lottery.Status.CLOSED, ledger_sealed_at=timezone.now()
        )
    else:
        Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.DRAWN)
    lottery.refresh_from_db()
    assert selectors.lottery_ledger_sealed(lottery=lottery)

    for attempt in (
        lambda: services.order_refund(order_id=online.pk, actor=admin),
        lambda: services.order_void(order_id=cash.pk, actor=admin, reason="Erreur"),
        lambda: services.order_correct(order_id=cash.pk, actor=admin, buyer_name="X"),
    ):
        with pytest.raises(ValidationError, match="scellé"):
            attempt()
    assert localstripe.refunds(online.stripe_payment_intent_id) == []
    assert not OrderEvent.objects.exists()
    assert selectors.order_actions(order=cash, lottery=lottery) == set()


def test_a_closed_lottery_is_not_sealed_until_the_draw_seals_it(lottery, admin):
    order = cash_sale(lottery, admin)
    Lottery.objects.filter(pk=lottery.pk).update(status=Lottery.Status.CLOSED)
    lottery.refresh_from_db()

    assert not selectors.lottery_ledger_sealed(lottery=lottery)
    assert selectors.order_actions(order=order, lottery=lottery) == {"void", "correct"}


# --- Pages ---------------------------------------------------------------------------


def test_admin_refunds_from_the_order_page_and_sees_the_history(
    client, localstripe, lottery, admin, buyer
):
    order = online_paid(localstripe, lottery, buyer)
    client.force_login(admin)

    response = client.post(order_url("manage_order_refund", order), {"note": "Demande"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Remboursée" in page and "Demande" in page and admin.public_name in page
    assert "Rembourser la commande" not in page  # nothing left to do


def test_void_without_a_reason_shows_the_form_error(client, lottery, admin):
    order = cash_sale(lottery, admin)
    client.force_login(admin)

    response = client.post(order_url("manage_order_void", order), {"reason": ""})

    assert response.status_code == 400
    assert "Dites pourquoi cette vente est annulée." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_correct_with_a_taken_receipt_shows_the_error_on_the_field(client, lottery, admin):
    cash_sale(lottery, admin, receipt="R-1")
    order = cash_sale(lottery, admin, receipt="R-2")
    client.force_login(admin)

    response = client.post(
        order_url("manage_order_correct", order), {"buyer_name": "A", "receipt_number": "R-1"}
    )

    assert response.status_code == 400
    assert response.context["correct_form"].errors["receipt_number"]


def test_order_pages_are_for_the_association_admins_only(client, lottery, admin):
    order = cash_sale(lottery, admin)
    client.force_login(UserFactory())

    assert client.get(order_url("manage_order", order)).status_code == 403
    response = client.post(order_url("manage_order_void", order), {"reason": "x"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_an_order_of_another_lottery_is_not_found(client, lottery, admin):
    other = open_lottery(association=lottery.association)
    order = cash_sale(other, admin)
    client.force_login(admin)
    wrong = reverse(
        "lottery:manage_order_void", args=[lottery.association.slug, lottery.slug, order.pk]
    )

    assert client.post(wrong, {"reason": "x"}).status_code == 404
