"""Demo lotteries: one open lottery per verified demo association, created once."""

import pytest

from associations.demo import demo_create as associations_demo
from associations.models import Association
from lottery import selectors
from lottery.demo import demo_create
from lottery.models import Lottery, LotteryIndexPage
from tests.cms.factories import HomePageFactory

pytestmark = pytest.mark.django_db


def test_without_verified_associations_nothing_is_created():
    lines = []
    demo_create(log=lines.append)
    assert not Lottery.objects.exists()
    assert not LotteryIndexPage.objects.exists()
    assert lines and "No verified" in lines[0]


def test_demo_lotteries_are_open_valid_and_created_once():
    from wagtail.models import Page

    HomePageFactory(parent=Page.get_first_root_node(), slug="accueil-demo")
    associations_demo(log=lambda line: None)
    demo_create(log=lambda line: None)
    demo_create(log=lambda line: None)

    verified = Association.objects.filter(status=Association.Status.VERIFIED).count()
    lotteries = list(Lottery.objects.all())
    assert len(lotteries) == verified >= 1
    for lottery in lotteries:
        assert lottery.status == Lottery.Status.OPEN
        assert lottery.prizes.count() == 3
        assert lottery.bundles.count() == 2
        assert lottery.tickets.count() == lottery.ticket_cap
        assert selectors.lottery_warnings(lottery=lottery) == []  # in kind, under 15 %
    index = LotteryIndexPage.objects.get()
    assert index.live and index.show_in_menus
