"""The association's relay page and the author's consent on the pitch page."""

import pytest
from django.test import Client
from django.urls import reverse

from relay import services
from relay.models import RelayAccount, RelayConsent, RelayPost

from .conftest import MASTODON_TEXT, publish
from .fakes import BLUESKY_PASSWORD, MASTODON_TOKEN

pytestmark = pytest.mark.django_db


def _connect_url(association, network):
    return reverse("relay:connect", args=[association.slug, network])


def test_a_manager_connects_mastodon_and_sees_only_the_account_name(
    english, rgroup, manager, mastodon_server
):
    association = rgroup.association
    english.force_login(manager)
    response = english.post(
        _connect_url(association, "mastodon"),
        {"mastodon-server": mastodon_server.url, "mastodon-secret": MASTODON_TOKEN},
    )
    assert response.status_code == 302
    assert ("GET", "/api/v1/accounts/verify_credentials") in mastodon_server.calls
    page = english.get(reverse("relay:manage", args=[association.slug])).content.decode()
    assert "Connected as @asso" in page
    assert MASTODON_TOKEN not in page


def test_a_manager_connects_bluesky_with_an_app_password(english, rgroup, manager, bluesky_server):
    english.force_login(manager)
    response = english.post(
        _connect_url(rgroup.association, "bluesky"),
        {
            "bluesky-handle": "@asso.bsky.social",
            "bluesky-secret": BLUESKY_PASSWORD,
            "bluesky-server": bluesky_server.url,
        },
    )
    assert response.status_code == 302
    account = RelayAccount.objects.get(network="bluesky")
    assert account.handle == "asso.bsky.social"
    assert ("POST", "/xrpc/com.atproto.server.createSession") in bluesky_server.calls


def test_a_refused_token_shows_the_servers_message_and_saves_nothing(
    english, rgroup, manager, mastodon_server
):
    english.force_login(manager)
    response = english.post(
        _connect_url(rgroup.association, "mastodon"),
        {"mastodon-server": mastodon_server.url, "mastodon-secret": "wrong"},
    )
    assert response.status_code == 400
    assert "The server refused the connection" in response.content.decode()
    assert "The access token is invalid" in response.content.decode()
    assert not RelayAccount.objects.exists()


def test_a_refused_app_password_shows_the_servers_message(english, rgroup, manager, bluesky_server):
    english.force_login(manager)
    response = english.post(
        _connect_url(rgroup.association, "bluesky"),
        {
            "bluesky-handle": "asso.bsky.social",
            "bluesky-secret": "wrong",
            "bluesky-server": bluesky_server.url,
        },
    )
    assert response.status_code == 400
    assert "Invalid identifier or password" in response.content.decode()


def test_only_managers_reach_the_relay_page(english, rgroup, author, mastodon_server):
    english.force_login(author)
    association = rgroup.association
    assert english.get(reverse("relay:manage", args=[association.slug])).status_code == 403
    response = english.post(
        _connect_url(association, "mastodon"),
        {"mastodon-server": mastodon_server.url, "mastodon-secret": MASTODON_TOKEN},
    )
    assert response.status_code == 403
    assert mastodon_server.calls == []


def test_connecting_needs_the_csrf_token(rgroup, manager, mastodon_server):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        _connect_url(rgroup.association, "mastodon"),
        {"mastodon-server": mastodon_server.url, "mastodon-secret": MASTODON_TOKEN},
    )
    assert response.status_code == 403
    assert not RelayAccount.objects.exists()


def test_disconnect_forgets_the_credentials(english, connected, manager):
    english.force_login(manager)
    english.post(reverse("relay:disconnect", args=[connected.slug, "mastodon"]))
    assert list(RelayAccount.objects.values_list("network", flat=True)) == ["bluesky"]


def test_the_author_agrees_on_the_pitch_page(english, approve, author, peer):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    english.force_login(author)
    page = english.get(reverse("pitches:detail", args=[pitch.pk])).content.decode()
    assert "the association may post it on its Mastodon account" in page
    assert 'name="agreed" checked' not in page  # off by default
    english.post(reverse("relay:consent", args=[pitch.pk]), {"network": "mastodon", "agreed": "on"})
    assert RelayConsent.objects.filter(pitch=pitch, network="mastodon").exists()
    page = english.get(reverse("pitches:detail", args=[pitch.pk])).content.decode()
    assert 'name="agreed" checked' in page

    # A peer sees no such form and cannot agree in the author's place.
    english.force_login(peer)
    page = english.get(reverse("pitches:detail", args=[pitch.pk])).content.decode()
    assert "the association may post it" not in page
    response = english.post(
        reverse("relay:consent", args=[pitch.pk]), {"network": "mastodon", "agreed": ""}
    )
    assert response.status_code == 404
    assert RelayConsent.objects.filter(pitch=pitch).exists()


def test_no_consent_form_for_a_network_the_relay_does_not_post_to(english, approve, author):
    pitch = approve(network="x_post", text="Graphiste à Lyon.")
    english.force_login(author)
    page = english.get(reverse("pitches:detail", args=[pitch.pk])).content.decode()
    assert "the association may post it" not in page


def test_a_failure_shows_on_the_relay_page_with_the_networks_message(
    english, connected, manager, approve, author, mastodon_server
):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    services.consent_set(actor=author, pitch=pitch, network="mastodon", agreed=True)
    mastodon_server.fail_next = [503]
    services.relay_sweep(now=publish(pitch))
    assert RelayPost.objects.get().status == RelayPost.Status.FAILED
    english.force_login(manager)
    page = english.get(reverse("relay:manage", args=[connected.slug])).content.decode()
    assert "Fake failure 503" in page
    assert "Failed" in page


def test_the_dashboard_links_managers_to_the_relay(english, connected, manager):
    english.force_login(manager)
    page = english.get(reverse("associations:dashboard", args=[connected.slug])).content.decode()
    assert reverse("relay:manage", args=[connected.slug]) in page
    assert "@asso.bsky.social" in page
