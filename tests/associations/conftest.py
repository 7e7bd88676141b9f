from types import SimpleNamespace

import pytest
from django.utils import translation

from associations.models import Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read English messages; the French catalogue may translate them at any
    # time. The tests' addresses are the English site's (`reverse` under English gives
    # `/en/…`), and emails are written in English.
    settings.EMAIL_LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_media_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def team(db):
    """A verified association with an owner, an admin and a member."""
    association = AssociationFactory()
    return SimpleNamespace(
        association=association,
        owner=MembershipFactory(association=association, role=Membership.Role.OWNER).user,
        admin=MembershipFactory(association=association, role=Membership.Role.ADMIN).user,
        member=MembershipFactory(association=association, role=Membership.Role.MEMBER).user,
        stranger=UserFactory(),
    )
