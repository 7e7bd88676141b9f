"""What the public sees of a lottery: the first prize's image, tickets sold, why sales stopped,
and an association's lotteries on its page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from lottery import services
from lottery.models import LotteryIndexPage
from tests.associations.factories import png_image
from tests.lottery.factories import LotteryFactory, PrizeFactory, open_lottery, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery_index(home_page):
    index = LotteryIndexPage(title="Loteries", slug="loteries", show_in_menus=True)
    home_page.add_child(instance=index)
    return index


def _progress(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<progress id="sold-\d+" max="(\d+)" value="(\d+)"', html)


def test_card_shows_the_first_prize_image_and_tickets_sold(client, lottery_index):
    lottery = open_lottery(title="Tombola du quartier", ticket_cap=40)
    lottery.prizes.update(rank=2)
    first = PrizeFactory(lottery=lottery, rank=1, name="Vélo", image=png_image("velo.png"))
    PrizeFactory(lottery=lottery, rank=3, image=png_image("autre.png"))
    paid_order(lottery=lottery, quantity=3)

    html = client.get(lottery_index.url).text

    card = html[html.index('class="card lottery-card"') :]
    assert f'<img class="card-image" src="{first.image.url}"' in card
    assert "autre" not in card
    assert _progress(html) == [("40", "3")]
    assert "3 billets vendus sur 40" in html
    assert f'<label class="small" for="sold-{lottery.pk}">' in html


def test_card_without_prize_image_shows_no_image(client, lottery_index):
    open_lottery(title="Tombola sans photo")
    html = client.get(lottery_index.url).text
    assert 'class="card-image"' not in html
    assert _progress(html) == [("100", "0")]


def test_lottery_page_on_sale_counts_down_and_shows_progress(client, lottery_index):
    lottery = open_lottery(ticket_cap=20)
    PrizeFactory(lottery=lottery, rank=0, image=png_image("lot.png"))
    paid_order(lottery=lottery, quantity=5)

    html = client.get(lottery.get_absolute_url()).text

    assert html.count("data-countdown=") == 2
    assert _progress(html) == [("20", "5")]
    assert 'class="lottery-image"' in html
    assert "sales-stopped" not in html
    # Signed out: buy with an email address only, or sign in.
    assert 'id="guest-buy"' in html and 'name="email"' in html
    assert "/accounts/login/?next=" in html


def test_closed_lottery_says_when_sales_closed_and_counts_nothing_down(client, lottery_index):
    lottery = open_lottery(ticket_cap=20)
    paid_order(lottery=lottery, quantity=2)
    services.lottery_close(lottery_id=lottery.pk)
    closed_at = timezone.localtime(lottery.transitions.get(to_status="closed").at)

    html = client.get(lottery.get_absolute_url()).text

    assert "data-countdown" not in html
    message = re.search(r'class="message message-info sales-stopped">([^<]+)<', html).group(1)
    assert message.startswith("Les ventes de billets ont fermé le ")
    assert str(closed_at.year) in message and f"{closed_at:%H:%M}" in message
    assert _progress(html) == [("20", "2")]
    assert 'name="quantity"' not in html


def test_lottery_past_its_closing_time_is_closed_even_before_the_sweep(client, lottery_index):
    lottery = open_lottery()
    lottery.sales_close_at = timezone.now() - timedelta(minutes=1)
    lottery.save(update_fields=["sales_close_at"])

    html = client.get(lottery.get_absolute_url()).text

    assert "data-countdown" not in html
    assert "Les ventes de billets ont fermé le " in html


def test_cancelled_lottery_says_the_association_cancelled_it(client, lottery_index, user):
    lottery = open_lottery()
    paid_order(lottery=lottery, quantity=2)
    services.lottery_cancel(lottery=lottery, actor=user, note="Salle indisponible")

    html = client.get(lottery.get_absolute_url()).text

    assert "data-countdown" not in html
    assert "sales-stopped" in html
    assert "L&#x27;association a annulé cette loterie le " in html
    assert "remboursé" in html
    assert _progress(html) == []  # refunded: a count of sold tickets would mislead


def test_lottery_of_a_suspended_association_does_not_sell(client, lottery_index, user):
    lottery = open_lottery()
    Association.objects.filter(pk=lottery.association_id).update(
        status=Association.Status.SUSPENDED
    )
    client.force_login(user)

    html = client.get(lottery.get_absolute_url()).text

    assert "Les ventes de billets sont suspendues" in html
    assert "data-countdown" not in html
    assert 'name="quantity"' not in html


def test_association_page_lists_its_lotteries_open_coming_and_past(client, lottery_index):
    on_sale = open_lottery(title="Tombola en cours")
    association = on_sale.association
    coming = LotteryFactory(
        association=association,
        title="Tombola d'été",
        sales_open_at=timezone.now() + timedelta(days=3),
        sales_close_at=timezone.now() + timedelta(days=10),
        draw_at=timezone.now() + timedelta(days=11),
    )
    PrizeFactory(lottery=coming)
    services.lottery_request_open(lottery=coming, actor=None)
    past = open_lottery(association=association, title="Tombola d'hiver")
    services.lottery_close(lottery_id=past.pk)
    LotteryFactory(association=association, title="Brouillon privé")
    open_lottery(title="Tombola d'une autre association")

    html = client.get(reverse("associations:detail", args=[association.slug])).text

    open_at = html.index("En vente")
    coming_at = html.index("À venir")
    past_at = html.index("Loteries passées")
    assert open_at < html.index("Tombola en cours") < coming_at
    assert coming_at < html.index("Tombola d&#x27;été") < past_at
    assert past_at < html.index("Tombola d&#x27;hiver")
    assert "Brouillon privé" not in html
    assert "autre association" not in html
    # A scheduled draft's page is not public yet: no link to it.
    assert coming.get_absolute_url() not in html
    assert past.get_absolute_url() in html


def test_association_without_lottery_says_so(client):
    from tests.associations.factories import AssociationFactory

    association = AssociationFactory()
    html = client.get(reverse("associations:detail", args=[association.slug])).text
    assert "n'a pas encore organisé de loterie" in html
