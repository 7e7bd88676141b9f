"""A lottery's public page says which prizes come with a seat in a group."""

import pytest
from django.test import Client
from django.urls import reverse

from groups.models import GroupSeatPrize
from tests.associations.factories import AdminFactory
from tests.lottery.factories import PrizeFactory, open_lottery

from .factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    # As in production: the lottery page's shared parts are kept, so a change of seats
    # must refresh them.
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 60


def test_the_lottery_page_names_the_group_a_prize_gives_a_seat_in(
    client, django_capture_on_commit_callbacks
):
    admin = AdminFactory()
    lottery = open_lottery(association=admin.association, title="Tombola des solos")
    prize = PrizeFactory(lottery=lottery, rank=2, name="Six mois d'ateliers")
    PrizeFactory(lottery=lottery, rank=3, name="Un panier garni")
    group = GroupFactory(association=admin.association, title="LinkedIn pour débuter")
    url = lottery.get_absolute_url()
    visitor = Client()
    html = visitor.get(url, follow=True).content.decode()
    assert "donne une place dans le groupe" not in html

    manager = Client()
    manager.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("groups:manage_seat_prize_attach", args=[group.pk]), {"prize": prize.pk}
        )
    assert response.status_code == 302
    html = visitor.get(url, follow=True).content.decode()
    assert "« Six mois d&#x27;ateliers » donne une place dans le groupe" in html
    assert f'href="{group.get_absolute_url()}">LinkedIn pour débuter</a>' in html
    assert "« Un panier garni » donne" not in html
    signed_in = Client()
    signed_in.force_login(admin.user)
    assert "LinkedIn pour débuter</a>" in signed_in.get(url, follow=True).content.decode()

    seat = GroupSeatPrize.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("groups:manage_seat_prize_detach", args=[group.pk, seat.pk]))
    assert not GroupSeatPrize.objects.exists()
    assert "donne une place dans le groupe" not in visitor.get(url, follow=True).content.decode()
    assert "LinkedIn pour débuter" not in signed_in.get(url, follow=True).content.decode()
