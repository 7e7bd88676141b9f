"""What a winner is told: one email for all their prizes, and "won" on the site."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from lottery import services
from lottery.models import Lottery
from tests.factories import UserFactory, outbox_clear

from .factories import LotteryFactory, PrizeFactory, paid_order
from .test_draw_services import after_draw_time

pytestmark = pytest.mark.django_db

PRIZES = ("Vélo de ville", "Séance photo", "Panier garni")


def _drawn_with_one_buyer_winning_everything(settings, django_capture_on_commit_callbacks):
    settings.DRAND_URLS = []
    lottery = LotteryFactory(ticket_cap=10)
    for rank, name in enumerate(PRIZES, start=1):
        PrizeFactory(lottery=lottery, rank=rank, name=name)
    services.lottery_request_open(lottery=lottery, actor=None)
    winner = UserFactory()
    # Three tickets sold, three prizes: every prize goes to this buyer.
    paid_order(lottery=lottery, buyer=winner, quantity=3)
    services.lottery_close(lottery_id=lottery.pk)
    services.ledger_seal(lottery_id=lottery.pk)
    outbox_clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAWN
    return lottery, winner


def test_a_buyer_who_won_several_prizes_gets_one_email_listing_them_all(
    settings, django_capture_on_commit_callbacks
):
    lottery, winner = _drawn_with_one_buyer_winning_everything(
        settings, django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [winner.email]
    numbers = sorted(w.ticket.number for w in lottery.draw_result.winners.select_related("ticket"))
    for name in PRIZES:
        assert name in email.body
    for number in numbers:
        assert str(number) in email.body
    assert reverse("lottery:my_tickets") in email.body
    # Retrying the task sends nothing more.
    from lottery.draw.emails import draw_winner_emails

    assert draw_winner_emails(result_id=lottery.draw_result.pk) == 0


def test_the_winner_sees_what_they_won_in_my_tickets_and_on_the_lottery_page(
    client, settings, django_capture_on_commit_callbacks
):
    lottery, winner = _drawn_with_one_buyer_winning_everything(
        settings, django_capture_on_commit_callbacks
    )
    client.force_login(winner)
    for url in (reverse("lottery:my_tickets"), lottery.get_absolute_url()):
        page = BeautifulSoup(client.get(url).content, "html.parser")
        box = page.select_one(".my-wins")
        assert box is not None, url
        text = box.get_text(" ", strip=True)
        assert all(name in text for name in PRIZES), text
        assert lottery.association.contact_email in text  # who to turn to next
        assert box.select_one(f'a[href="{reverse("lottery:draw_result", args=[lottery.slug])}"]')

    # Someone else sees no prize of theirs.
    client.force_login(UserFactory())
    page = BeautifulSoup(client.get(lottery.get_absolute_url()).content, "html.parser")
    assert page.select_one(".my-wins") is None
