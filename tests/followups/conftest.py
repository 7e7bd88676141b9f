"""Fixtures for the follow-ups tests: a group with two members, its facilitator, a session."""

import datetime as dt

import pytest

from followups import services
from groups.models import GroupMembership
from tests.factories import UserFactory
from tests.groups.factories import GroupFactory, GroupMemberFactory, SessionFactory

# A fixed moment for the test clock: Monday 7 December 2026, 10:00 in Paris.
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def group(db):
    return GroupFactory(title="Groupe LinkedIn")


@pytest.fixture
def alice(group):
    return GroupMemberFactory(
        group=group, user=UserFactory(display_name="Alice", email="alice@example.org")
    ).user


@pytest.fixture
def bob(group):
    return GroupMemberFactory(group=group, user=UserFactory(display_name="Bob")).user


@pytest.fixture
def facilitator(group):
    user = UserFactory(display_name="Fanny")
    GroupMemberFactory(group=group, user=user, role=GroupMembership.Role.FACILITATOR)
    return user


@pytest.fixture
def session(group):
    return SessionFactory(group=group, starts_at=NOW - dt.timedelta(days=2))


def record(actor, *, name="Claire Martin", due_on=dt.date(2026, 12, 10), **extra):
    fields = {"how": "session", "reach": "claire@example.com", "kind": "call", **extra}
    return services.followup_record(actor=actor, name=name, due_on=due_on, now=NOW, **fields)
