"""Fixtures for pitches: a group with an author, a peer and a facilitator."""

import pytest

from groups.models import GroupMembership
from tests.factories import UserFactory
from tests.groups.factories import GroupFactory, GroupMemberFactory


@pytest.fixture
def pgroup(db):
    return GroupFactory(title="Groupe X")


@pytest.fixture
def author(pgroup):
    return GroupMemberFactory(group=pgroup, user=UserFactory(display_name="Awa")).user


@pytest.fixture
def peer(pgroup):
    return GroupMemberFactory(group=pgroup, user=UserFactory(display_name="Paul")).user


@pytest.fixture
def facil(pgroup):
    user = UserFactory(display_name="Fanny")
    GroupMemberFactory(group=pgroup, user=user, role=GroupMembership.Role.FACILITATOR)
    pgroup.facilitator = user
    pgroup.save(update_fields=["facilitator"])
    return user


GOOD = {
    "network": "x_post",
    "text": "Graphiste à Lyon, je dessine des identités pour les artisans. Portfolio ci-dessous.",
    "audience": "artisans et commerçants de Lyon",
    "contact": "https://awa.example.fr",
}
