"""Fixtures for the relay: fake networks, an association with a manager, and a pitch
approved in one of its groups."""

import datetime as dt

import pytest

from groups.models import GroupMembership
from groups.pitches import services as pitches
from relay import services
from relay.models import Network
from tests.associations.factories import AdminFactory
from tests.factories import UserFactory
from tests.groups.factories import GroupFactory, GroupMemberFactory

from .fakes import BLUESKY_PASSWORD, MASTODON_TOKEN, FakeBluesky, FakeMastodon

MASTODON_TEXT = "Graphiste à Lyon, je dessine des identités pour les artisans. ✨"
BLUESKY_TEXT = "Développeuse à Nantes : sites sobres pour les associations 🌱"


@pytest.fixture
def mastodon_server():
    server = FakeMastodon().start()
    yield server
    server.stop()


@pytest.fixture
def bluesky_server():
    server = FakeBluesky().start()
    yield server
    server.stop()


@pytest.fixture
def rgroup(db):
    return GroupFactory(title="Groupe relais")


@pytest.fixture
def manager(rgroup):
    return AdminFactory(association=rgroup.association, user=UserFactory(display_name="Mia")).user


@pytest.fixture
def author(rgroup):
    return GroupMemberFactory(group=rgroup, user=UserFactory(display_name="Awa")).user


@pytest.fixture
def facil(rgroup):
    user = UserFactory(display_name="Fanny")
    GroupMemberFactory(group=rgroup, user=user, role=GroupMembership.Role.FACILITATOR)
    rgroup.facilitator = user
    rgroup.save(update_fields=["facilitator"])
    return user


@pytest.fixture
def peer(rgroup):
    return GroupMemberFactory(group=rgroup, user=UserFactory(display_name="Paul")).user


@pytest.fixture
def approve(rgroup, author, peer, facil):
    def make(*, network: str, text: str, contact: str = "https://awa.example.fr"):
        pitch = pitches.pitch_save(
            actor=author,
            group=rgroup,
            network=network,
            text=text,
            audience="artisans de Lyon",
            contact=contact,
        )
        pitches.pitch_submit(actor=author, pitch=pitch)
        pitches.pitch_mark_ready(actor=peer, version=pitch.versions.get())
        return pitches.pitch_approve(actor=facil, pitch=pitch)

    return make


def publish(pitch):
    """Publish the association's edition a week after the approval; returns the time."""
    now = pitch.approved_at + dt.timedelta(days=8)
    edition = pitches.showcase_publish(association_id=pitch.group.association_id, now=now)
    assert edition is not None
    return now


@pytest.fixture
def connected(rgroup, manager, mastodon_server, bluesky_server):
    services.account_connect(
        actor=manager,
        association=rgroup.association,
        network=Network.MASTODON,
        server=mastodon_server.url,
        handle="",
        secret=MASTODON_TOKEN,
    )
    services.account_connect(
        actor=manager,
        association=rgroup.association,
        network=Network.BLUESKY,
        server=bluesky_server.url,
        handle="asso.bsky.social",
        secret=BLUESKY_PASSWORD,
    )
    return rgroup.association
