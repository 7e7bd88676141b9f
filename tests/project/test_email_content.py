"""What the emails say and look like: the site's name, ranges, links, an HTML version."""

import pytest
from django.core import mail
from django.template import Context, Template

from lottery import services
from lottery.models import Order
from lottery.templatetags.lottery_tags import ticket_ranges
from tests.factories import UserFactory
from tests.lottery.factories import open_lottery


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([], ""),
        ([7], "7"),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14], "1\u201310, 14"),
        ([14, 3, 1, 2, 16, 17, 2], "1\u20133, 14, 16\u201317"),
        ([5, 7, 9], "5, 7, 9"),
    ],
)
def test_ticket_numbers_read_as_ranges(numbers, expected):
    assert ticket_ranges(numbers) == expected
    rendered = Template("{% load lottery_tags %}{{ numbers|ticket_ranges }}").render(
        Context({"numbers": numbers})
    )
    assert rendered == expected


@pytest.mark.django_db
def test_the_tickets_email_has_ranges_site_links_and_an_html_version(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://loterie.example.org"
    lottery = open_lottery(ticket_cap=20)
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_ranges")

    [message] = mail.outbox
    assert "1\u20134" in message.body
    assert f"https://loterie.example.org/loteries/commande/{order.pk}/confirmation/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "1\u20134" in html
    assert 'href="https://loterie.example.org/"' in html  # the site's header links home


@pytest.mark.django_db
def test_a_cash_buyer_gets_no_link_to_an_order_page_they_cannot_open(
    django_capture_on_commit_callbacks,
):
    lottery = open_lottery(ticket_cap=20)
    order = services.order_record_offline(
        lottery=lottery,
        actor=None,
        channel=Order.Channel.CASH,
        quantity=2,
        receipt_number="R-1",
        buyer_name="Céline",
        buyer_email="celine@example.org",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_cancel(lottery=lottery, actor=None)

    [message] = [m for m in mail.outbox if m.to == ["celine@example.org"]]
    assert "/confirmation/" not in message.body
    assert lottery.get_absolute_url() in message.body
    assert order.buyer is None


@pytest.mark.django_db
def test_allauth_emails_name_the_site_and_link_to_site_url(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://loterie.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "display_name": "Nadia",
                "email": "new@example.org",
                "password1": "a-long-enough-password-42",
                "password2": "a-long-enough-password-42",
            },
        )

    [message] = mail.outbox
    assert "Assosolos" in message.body.splitlines()[0]
    assert "https://loterie.example.org/accounts/confirm-email/" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
