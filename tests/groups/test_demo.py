"""Demo groups: one per verified demo association, lively, created once."""

import pytest
from wagtail.models import Page

from associations.demo import demo_create as associations_demo
from groups import selectors
from groups.demo import demo_create
from groups.models import Group, GroupSeatPrize, Message
from lottery.demo import demo_create as lottery_demo
from tests.cms.factories import HomePageFactory

pytestmark = pytest.mark.django_db


def test_demo_groups_are_lively_linked_to_a_prize_and_created_once():
    HomePageFactory(parent=Page.get_first_root_node(), slug="accueil-demo")
    associations_demo(log=lambda line: None)
    lottery_demo(log=lambda line: None)
    demo_create(log=lambda line: None)
    demo_create(log=lambda line: None)
    groups = list(Group.objects.all())
    assert len(groups) == 2  # the two verified demo associations; not the pending one
    for group in groups:
        assert group.memberships.count() == 5
        assert group.sessions.count() == 3
        assert Message.objects.filter(group=group).count() == group.last_seq == 12
        # The first prize of each of its demo lotteries carries a seat in it.
        seats = GroupSeatPrize.objects.filter(group=group).select_related("prize")
        assert {seat.prize.rank for seat in seats} == {1}
        assert seats.count() == group.association.lotteries.count() >= 1
        record = list(selectors.group_commitment_record(group=group))
        assert len(record) == 3
        facilitator = group.facilitator
        (mine,) = selectors.groups_of_user(user=facilitator)
        assert mine.unread == 3
