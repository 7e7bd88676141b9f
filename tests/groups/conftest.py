"""Fixtures for the groups tests."""

import pytest
from django.conf import settings

from tests.cms.conftest import home_page  # noqa: F401
from tests.factories import UserFactory

from .asgi_servers import asgi_servers, database_url_for
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


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """One real ASGI server on loopback, on the test database, for a module's browser tests."""
    env = {
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.test",
        "DATABASE_URL": database_url_for(str(settings.DATABASES["default"]["NAME"])),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = tmp_path_factory.mktemp("asgi") / "server.log"
    with asgi_servers(1, env=env, log_path=log) as urls:
        yield urls[0]
