"""Fixtures for the groups tests."""

import pytest

from tests.cms.conftest import home_page  # noqa: F401
from tests.factories import UserFactory

from .factories import GroupFactory, GroupMemberFactory


@pytest.fixture(autouse=True)
def _fresh_channel_layers():
    # The in-memory layer keeps queues bound to an event loop; each test has its own loop.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def group(db):
    return GroupFactory(title="Groupe LinkedIn")


@pytest.fixture
def alice(group):
    return GroupMemberFactory(group=group, user=UserFactory(display_name="Alice")).user


@pytest.fixture
def bob(group):
    return GroupMemberFactory(group=group, user=UserFactory(display_name="Bob")).user


@pytest.fixture
def facilitator(group):
    from groups.models import GroupMembership

    user = UserFactory(display_name="Fanny")
    GroupMemberFactory(group=group, user=user, role=GroupMembership.Role.FACILITATOR)
    return user
