"""Buying with an email only: the guest's signed link, its papers, the account that claims it.

The caps and holds counted by email are in the reservation table
(`reservation_cases.json`, both executors); here: the pages, the link, the receipt,
the calendar file and the attachment on email confirmation.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar
from pypdf import PdfReader

from lottery import services
from lottery.guest_links import guest_order_path, guest_order_token
from lottery.models import Order
from lottery.order_papers import draw_calendar, receipt_pdf
from tests.factories import UserFactory, outbox_clear
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db

STRONG = "un-mot-de-passe-solide-2026"
TYPED = "  Camille.Guest@Example.ORG "
EMAIL = "camille.guest@example.org"


@pytest.fixture
def lottery():
    return open_lottery(
        ticket_cap=30,
        ticket_price_cents=250,
        per_person_cap=5,
        authorisation_reference="ARR-2026-117",
        authorisation_commune="Montreuil",
    )


def guest_paid_order(*, lottery, email=TYPED, quantity=2) -> Order:
    order = services.order_reserve(lottery=lottery, buyer=None, email=email, quantity=quantity)
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id=f"pi_{order.pk}")
    order.refresh_from_db()
    return order


def _numbers(order) -> list[int]:
    return sorted(order.tickets.values_list("number", flat=True))


# --- Services ------------------------------------------------------------------------


def test_a_guest_order_keeps_the_normalised_email_and_no_account(lottery):
    order = guest_paid_order(lottery=lottery)

    assert (order.buyer_id, order.buyer_email, order.status) == (None, EMAIL, Order.Status.PAID)
    assert _numbers(order) == [1, 2]


def test_the_per_person_cap_counts_a_guests_paid_tickets_by_email(lottery):
    guest_paid_order(lottery=lottery, quantity=4)

    with pytest.raises(services.PerPersonCapReached):
        services.order_reserve(lottery=lottery, buyer=None, email=EMAIL.upper(), quantity=2)
    # Another address is another person.
    other = services.order_reserve(
        lottery=lottery, buyer=None, email="someone@example.org", quantity=2
    )
    assert other.status == Order.Status.PENDING


def test_a_guest_and_an_account_with_one_email_share_the_cap(lottery):
    account = UserFactory(email=EMAIL)
    guest_paid_order(lottery=lottery, quantity=3)

    with pytest.raises(services.PerPersonCapReached):
        services.order_reserve(lottery=lottery, buyer=account, quantity=3)
    assert services.order_reserve(lottery=lottery, buyer=account, quantity=2).quantity == 2


def test_a_payment_over_the_cap_by_email_is_not_served(lottery):
    """A hold released, then paid: fresh numbers only within the person's cap."""
    account = UserFactory(email=EMAIL)
    guest = services.order_reserve(lottery=lottery, buyer=None, email=TYPED, quantity=3)
    services.order_release(order_id=guest.pk, status=Order.Status.EXPIRED)
    paid = services.order_reserve(lottery=lottery, buyer=account, quantity=5)
    assert services.order_confirm_payment(order_id=paid.pk, payment_intent_id="pi_account")

    assert not services.order_confirm_payment(order_id=guest.pk, payment_intent_id="pi_guest")


def _sign_up_and_confirm(client, *, email: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"display_name": "Camille", "email": email, "password1": STRONG, "password2": STRONG},
        )
    [message] = [m for m in mail.outbox if "confirm-email" in m.body]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 302


def test_confirming_the_email_of_a_new_account_attaches_the_guest_orders(
    client, lottery, django_capture_on_commit_callbacks
):
    order = guest_paid_order(lottery=lottery)
    other = guest_paid_order(lottery=lottery, email="someone@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"display_name": "Camille", "email": TYPED, "password1": STRONG, "password2": STRONG},
        )
    order.refresh_from_db()
    assert order.buyer_id is None, "an address not yet verified claims nothing"

    [message] = [m for m in mail.outbox if "confirm-email" in m.body]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)

    order.refresh_from_db()
    other.refresh_from_db()
    assert order.buyer is not None and order.buyer.email == EMAIL
    assert other.buyer_id is None
    response = client.get(reverse("lottery:my_tickets"))
    assert response.status_code == 200
    assert [o.pk for g in response.context["groups"] for o in g.orders] == [order.pk]
    assert reverse("lottery:order_receipt", args=[order.pk]) in response.content.decode()


def test_a_guest_order_with_an_already_verified_address_joins_at_the_next_login(
    client, lottery, password
):
    account = UserFactory(email=EMAIL)  # its address is verified
    order = guest_paid_order(lottery=lottery)
    stranger = UserFactory()
    client.post(reverse("account_login"), {"login": stranger.email, "password": password})
    order.refresh_from_db()
    assert order.buyer_id is None
    client.logout()

    response = client.post(reverse("account_login"), {"login": EMAIL, "password": password})
    assert response.status_code == 302

    order.refresh_from_db()
    assert order.buyer_id == account.pk


def test_attaching_is_idempotent_and_leaves_account_orders_alone(lottery):
    account = UserFactory(email=EMAIL)
    mine = services.order_reserve(lottery=lottery, buyer=account, quantity=1)
    guest = guest_paid_order(lottery=lottery)

    assert services.guest_orders_attach(user=account, email=TYPED) == [guest.pk]
    assert services.guest_orders_attach(user=account, email=EMAIL) == []
    assert set(Order.objects.filter(buyer=account).values_list("pk", flat=True)) == {
        mine.pk,
        guest.pk,
    }


def test_a_guest_who_won_a_seat_joins_the_group_once_the_account_is_confirmed(
    client, settings, django_capture_on_commit_callbacks
):
    from groups.models import GroupMembership, GroupSeatPrize
    from tests.groups.factories import GroupFactory

    settings.DRAND_URLS = []  # no public randomness: the draw uses the seed and the ledger
    lottery = open_lottery(ticket_cap=20)
    group = GroupFactory(association=lottery.association, capacity=4)
    GroupSeatPrize.objects.create(group=group, prize=lottery.prizes.get())
    order = guest_paid_order(lottery=lottery, quantity=3)  # the only buyer: she wins
    assert services.lottery_close(lottery_id=lottery.pk)
    assert services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    outbox_clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.draw_perform(lottery_id=lottery.pk, now=lottery.draw_at + timedelta(minutes=1))
    assert not GroupMembership.objects.filter(group=group).exists()
    # The winner's email invites her to make an account, and opens her order.
    [won] = [m for m in mail.outbox if m.to == [EMAIL]]
    assert reverse("account_signup") in won.body
    assert guest_order_path(order_id=order.pk) in won.body
    page = client.get(guest_order_path(order_id=order.pk))
    assert page.context["won"] and page.context["signup_url"]
    mail.outbox.clear()

    _sign_up_and_confirm(
        client, email=EMAIL, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    membership = GroupMembership.objects.get(group=group)
    assert membership.user.email == EMAIL
    assert membership.joined_via == GroupMembership.JoinedVia.PRIZE_SEAT


# --- The guest's pages -----------------------------------------------------------------


def test_a_visitor_reserves_with_an_email_and_lands_on_the_signed_checkout(client, lottery):
    response = client.post(
        reverse("lottery:buy", args=[lottery.slug]), {"quantity": 2, "email": TYPED}
    )

    order = Order.objects.get(lottery=lottery)
    assert (order.buyer_id, order.buyer_email, order.quantity) == (None, EMAIL, 2)
    assert response.status_code == 302
    assert response["Location"] == guest_order_path(order_id=order.pk, name="guest_checkout")


def test_the_robots_trap_and_a_bad_email_reserve_nothing(client, lottery):
    url = reverse("lottery:buy", args=[lottery.slug])
    trapped = client.post(url, {"quantity": 1, "email": EMAIL, "website": "http://spam"})
    bad = client.post(url, {"quantity": 1, "email": "not-an-address"})

    assert trapped.status_code == bad.status_code == 302
    assert not Order.objects.exists()


def test_guest_purchases_are_rate_limited_per_email(client, lottery, settings):
    settings.LOTTERY_GUEST_EMAIL_RATE_LIMIT = 2
    url = reverse("lottery:buy", args=[lottery.slug])
    codes = []
    for n in range(3):
        # From three addresses: the per-email limit is the one that stops the third.
        codes.append(
            client.post(
                url, {"quantity": 1, "email": EMAIL}, REMOTE_ADDR=f"198.51.100.{n + 1}"
            ).status_code
        )
    assert codes == [302, 302, 429]


def test_the_signed_link_opens_the_order_and_a_tampered_one_does_not(client, lottery):
    order = guest_paid_order(lottery=lottery)
    token = guest_order_token(order_id=order.pk)

    response = client.get(reverse("lottery:guest_order", args=[token]))
    assert response.status_code == 200
    assert response.context["state"] == "paid"
    assert response.context["numbers"] == [1, 2]
    html = response.content.decode()
    assert guest_order_path(order_id=order.pk, name="guest_order_receipt") in html
    assert guest_order_path(order_id=order.pk, name="guest_order_calendar") in html

    other = guest_paid_order(lottery=lottery, email="someone@example.org")
    number, signature = token.split(":", 1)
    forged = f"{other.pk}:{signature}"
    for bad in (forged, f"{number}:{signature[:-1]}x", number, "x:y"):
        assert client.get(reverse("lottery:guest_order", args=[bad])).status_code == 404
        assert client.get(reverse("lottery:guest_order_receipt", args=[bad])).status_code == 404
    # The account's pages never open a guest order.
    assert client.get(reverse("lottery:confirmation", args=[order.pk])).status_code == 302


def test_the_guest_link_pays_and_cancels_only_its_order(client, lottery):
    order = services.order_reserve(lottery=lottery, buyer=None, email=EMAIL, quantity=2)
    cancel = guest_order_path(order_id=order.pk, name="guest_order_cancel")

    response = client.post(cancel)

    order.refresh_from_db()
    assert response.status_code == 302 and order.status == Order.Status.CANCELLED
    status = client.get(guest_order_path(order_id=order.pk, name="guest_order_status")).json()
    assert status["state"] == "cancelled"


def test_the_order_paid_email_carries_the_signed_link(
    client, lottery, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order = guest_paid_order(lottery=lottery)

    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    link = re.search(r"https?://[^/\s]+(/\S+/commande/invite/[^\s/]+/)\s", message.body).group(1)
    assert link == guest_order_path(order_id=order.pk)
    assert guest_order_path(order_id=order.pk, name="guest_order_receipt") in message.body
    assert reverse("account_signup") in message.body
    assert client.get(link).context["numbers"] == [1, 2]


# --- Receipt and calendar --------------------------------------------------------------


def test_only_the_buyer_downloads_the_receipt(client, lottery):
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=1)
    url = reverse("lottery:order_receipt", args=[order.pk])

    client.force_login(buyer)
    assert client.get(url).status_code == 404, "no receipt before payment"
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_r")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    guest_url = guest_order_path(order_id=order.pk, name="guest_order_receipt")
    assert client.get(guest_url).status_code == 200  # the signed link stands for the buyer


def test_the_receipt_holds_numbers_amount_and_authorisation(lottery):
    order = guest_paid_order(lottery=lottery, quantity=3)

    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(receipt_pdf(order=order))).pages
    )
    flat = " ".join(text.split())
    assert "1, 2, 3" in flat
    assert "7,50" in flat
    assert "ARR-2026-117" in flat and "Montreuil" in flat
    assert lottery.association.name in flat and lottery.title in flat
    assert lottery.get_absolute_url() in flat.replace(" ", "")


def test_the_calendar_file_holds_the_draw(lottery):
    calendar = Calendar.from_ical(draw_calendar(lottery=lottery))
    [event] = calendar.walk("VEVENT")

    assert event.decoded("dtstart") == lottery.draw_at.replace(microsecond=0)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert lottery.title in str(event["summary"])
    assert str(event["url"]).endswith(lottery.get_absolute_url())
    assert str(event["uid"]).startswith(f"draw-{lottery.pk}@")


def test_the_account_calendar_link_is_the_buyers_only(client, lottery):
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=1)
    url = reverse("lottery:order_calendar", args=[order.pk])

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(buyer)
    response = client.get(url)
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content


def test_the_checkout_page_states_the_refund_policy(client, lottery, localstripe):
    order = services.order_reserve(lottery=lottery, buyer=None, email=EMAIL, quantity=1)

    response = client.get(guest_order_path(order_id=order.pk, name="guest_checkout"))

    assert response.status_code == 200
    assert str(escape(response.context["refund_policy"])) in response.content.decode()
    assert guest_order_path(order_id=order.pk, name="guest_order_cancel") in (
        response.content.decode()
    )


def test_the_payment_element_goes_with_the_real_stripe_js_only(
    client, lottery, localstripe, settings
):
    from lottery import payments

    order = services.order_reserve(lottery=lottery, buyer=None, email=EMAIL, quantity=1)
    page = client.get(guest_order_path(order_id=order.pk, name="guest_checkout"))
    assert page.context["payment_element"] is False  # the local fake has the card form
    assert 'data-payment-element=""' in page.content.decode()

    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    assert payments.payment_element_enabled()
    settings.STRIPE_PAYMENT_ELEMENT = False
    assert not payments.payment_element_enabled()
