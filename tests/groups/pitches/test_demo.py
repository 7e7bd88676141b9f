"""Demo pitches: approved pitches and a published edition, safe to run twice."""

import pytest

from groups.models import GroupMembership
from groups.pitches import demo
from groups.pitches.models import Edition, Pitch
from tests.factories import UserFactory
from tests.groups.factories import GroupMemberFactory

pytestmark = pytest.mark.django_db


def test_demo_pitches_are_approved_and_published_once(pgroup, home_page, client):
    for name in ("Awa", "Karim", "Lina"):
        GroupMemberFactory(group=pgroup, user=UserFactory(display_name=name))
    facilitator = UserFactory(display_name="Fanny")
    GroupMemberFactory(group=pgroup, user=facilitator, role=GroupMembership.Role.FACILITATOR)
    pgroup.facilitator = facilitator
    pgroup.save()
    demo.demo_create(log=lambda _msg: None)
    demo.demo_create(log=lambda _msg: None)
    assert Pitch.objects.filter(status=Pitch.Status.APPROVED).count() == 3
    edition = Edition.objects.get()
    assert edition.entries.count() == 3
    assert "Graphiste indépendante" in client.get(edition.page.url).content.decode()
