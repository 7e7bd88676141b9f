"""One rule decides who manages an association, and one guard applies it in every
app's views: owners and admins do; members, other people and platform staff do not
(staff act through the CMS and the back office)."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, UserFactory
from tests.lottery.factories import LotteryFactory

from .factories import AdminFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _pages(lottery):
    slug = lottery.association.slug
    return [
        reverse("associations:edit", args=[slug]),
        reverse("lottery:manage_list", args=[slug]),
        reverse("lottery:manage", args=[slug, lottery.slug]),
        reverse("papers:manage", args=[slug, lottery.slug]),
        reverse("relay:manage", args=[slug]),
    ]


def test_admins_reach_every_management_page(client):
    lottery = LotteryFactory()
    client.force_login(AdminFactory(association=lottery.association).user)
    for url in _pages(lottery):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["member", "stranger", "staff"])
def test_others_are_refused_everywhere_alike(client, who):
    lottery = LotteryFactory()
    user = {
        "member": lambda: MembershipFactory(association=lottery.association).user,
        "stranger": UserFactory,
        "staff": StaffFactory,
    }[who]()
    client.force_login(user)
    for url in _pages(lottery):
        assert client.get(url).status_code == 403, url


def test_an_unknown_association_is_not_found(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("relay:manage", args=["nulle-part"])).status_code == 404
