"""Browser push: a mention while away reaches the member's browsers through their push
service (a small HTTPS server here), signed with the site's VAPID key and encrypted for
the browser; a push service that says the subscription is gone has it deleted."""

import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from groups import services
from groups.models import NotificationChoice, PushSubscription
from groups.notify import services as notify_services
from tests.conftest import skip_or_fail

from .push_service import b64url, public_point, push_service, verify_vapid


@pytest.fixture(autouse=True)
def _pywebpush():
    try:
        import pywebpush  # noqa: F401
    except ImportError:
        skip_or_fail("needs pywebpush (requirements.txt)")


@pytest.fixture
def vapid(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(
        key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.WEBPUSH_VAPID_PUBLIC_KEY = b64url(public_point(key))
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:salons@example.org"
    return settings.WEBPUSH_VAPID_PUBLIC_KEY


@pytest.fixture
def service(tmp_path, settings, monkeypatch, vapid):
    with push_service(tmp_path) as running:
        settings.WEBPUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
        # requests trusts the test service's own certificate, and only for this test.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", running.ca_file)
        yield running


class Browser:
    """A browser's side of a subscription: its key pair and secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscribe(self, user, endpoint):
        return notify_services.push_subscription_save(
            actor=user,
            endpoint=endpoint,
            p256dh=b64url(public_point(self.key)),
            auth=b64url(self.auth),
        )

    def read(self, body: bytes) -> dict:
        import http_ece

        return json.loads(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        )


def mention(group, author, body, capture):
    with capture(execute=True):
        return services.room_message_post(group_id=group.pk, actor=author, body=body)


def test_a_mention_while_away_is_pushed_signed_and_encrypted(
    db, service, vapid, group, alice, bob, django_capture_on_commit_callbacks
):
    browser = Browser()
    subscription = browser.subscribe(bob, service.endpoint("bob-phone"))
    message = mention(
        group, alice, "@Bob ta bannière est super", django_capture_on_commit_callbacks
    )
    [request] = service.received
    assert request.path == "/push/bob-phone"
    claims = verify_vapid(request, public_key=vapid, origin=service.origin)
    assert claims["sub"] == "mailto:salons@example.org"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    payload = browser.read(request.body)
    assert "Alice" in payload["title"]
    assert payload["body"] == "@Bob ta bannière est super"
    assert payload["url"] == f"{group.get_room_url()}#m{message.seq}"
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_deleted(
    db, service, status, group, alice, bob, django_capture_on_commit_callbacks
):
    Browser().subscribe(bob, service.endpoint("old"))
    Browser().subscribe(bob, service.endpoint("new"))
    service.statuses["/push/old"] = status
    mention(group, alice, "@Bob coucou", django_capture_on_commit_callbacks)
    assert sorted(r.path for r in service.received) == ["/push/new", "/push/old"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        service.endpoint("new")
    ]


def test_a_failing_push_service_keeps_the_subscription(
    db, service, group, alice, bob, django_capture_on_commit_callbacks
):
    Browser().subscribe(bob, service.endpoint("busy"))
    service.statuses["/push/busy"] = 503
    mention(group, alice, "@Bob coucou", django_capture_on_commit_callbacks)
    assert len(service.received) == 1
    assert PushSubscription.objects.count() == 1


def test_no_push_to_a_member_who_is_there_or_chose_no_push(
    db, service, group, alice, bob, django_capture_on_commit_callbacks
):
    Browser().subscribe(bob, service.endpoint("bob"))
    services.room_presence_touch(group_id=group.pk, user_id=bob.pk)
    mention(group, alice, "@Bob tu es là", django_capture_on_commit_callbacks)
    services.room_presence_leave(group_id=group.pk, user_id=bob.pk)
    NotificationChoice.objects.create(user=bob, digest_email=True, push=False)
    mention(group, alice, "@Bob et maintenant", django_capture_on_commit_callbacks)
    assert service.received == []


def test_without_vapid_keys_push_is_off(
    db, settings, client, group, alice, bob, django_capture_on_commit_callbacks
):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    with django_capture_on_commit_callbacks() as callbacks:
        services.room_message_post(group_id=group.pk, actor=alice, body="@Bob hello")
    # The room is told of the message; no task is queued.
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["broadcast_on_commit"]
    client.force_login(bob)
    page = client.get(group.get_room_url()).content.decode()
    assert "data-vapid-key" not in page
    response = client.post(
        reverse("groups:push_subscribe"),
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "p256dh": "a", "auth": "b"},
    )
    assert response.status_code == 400


# --- Subscribing from the room page -----------------------------------------------------


def subscription_fields(endpoint):
    browser = Browser()
    return {
        "endpoint": endpoint,
        "p256dh": b64url(public_point(browser.key)),
        "auth": b64url(browser.auth),
    }


def test_a_member_subscribes_and_unsubscribes_a_browser(db, vapid, client, group, bob):
    client.force_login(bob)
    page = client.get(group.get_room_url()).content.decode()
    assert f'data-vapid-key="{vapid}"' in page
    assert "js/room_push.js" in page
    endpoint = "https://fcm.googleapis.com/fcm/send/abc123"
    response = client.post(reverse("groups:push_subscribe"), subscription_fields(endpoint))
    assert response.status_code == 201
    assert PushSubscription.objects.get().user == bob
    # The same browser again (a renewed key) replaces, never duplicates.
    assert (
        client.post(reverse("groups:push_subscribe"), subscription_fields(endpoint)).status_code
        == 201
    )
    assert PushSubscription.objects.count() == 1
    response = client.post(reverse("groups:push_unsubscribe"), {"endpoint": endpoint})
    assert response.json() == {"ok": True, "deleted": 1}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://internal.example.org/admin",  # not a push service: the server never posts there
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://user:pw@fcm.googleapis.com/x",
        "https://fcm.googleapis.com.evil.example/x",
        "not a url",
    ],
)
def test_subscriptions_to_other_addresses_are_refused(db, vapid, client, bob, endpoint):
    client.force_login(bob)
    response = client.post(reverse("groups:push_subscribe"), subscription_fields(endpoint))
    assert response.status_code == 400
    assert "error" in response.json()
    assert not PushSubscription.objects.exists()


def test_bad_keys_and_strangers_are_refused(db, vapid, client, bob):
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/abc"
    fields = {**subscription_fields(endpoint), "p256dh": b64url(b"\x04" + b"1" * 10)}
    assert client.post(reverse("groups:push_subscribe"), fields).status_code == 302  # sign in first
    client.force_login(bob)
    assert client.post(reverse("groups:push_subscribe"), fields).status_code == 400
    fields = {**subscription_fields(endpoint), "auth": "!!!"}
    assert client.post(reverse("groups:push_subscribe"), fields).status_code == 400
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_for_the_rooms_scope(db, client):
    response = client.get(reverse("groups:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/groupes/"
    assert reverse("groups:room", args=[1]).startswith("/groupes/")
    assert b"showNotification" in response.content


def test_no_push_once_the_message_is_read_or_hidden(db, service, group, alice, bob, facilitator):
    from groups.models import Mention
    from groups.notify.push import mention_push_send

    Browser().subscribe(bob, service.endpoint("bob"))
    # Posted, but the task runs later (after the commit, in the cluster).
    read = services.room_message_post(group_id=group.pk, actor=alice, body="@Bob un")
    hidden = services.room_message_post(group_id=group.pk, actor=alice, body="@Bob deux")
    services.room_message_hide(group_id=group.pk, seq=hidden.seq, actor=facilitator)
    services.room_read_mark(group_id=group.pk, actor=bob, seq=read.seq)
    assert mention_push_send(Mention.objects.get(message=hidden).pk) == 0
    assert mention_push_send(Mention.objects.get(message=read).pk) == 0
    assert service.received == []
    later = services.room_message_post(group_id=group.pk, actor=alice, body="@Bob trois")
    assert mention_push_send(Mention.objects.get(message=later).pk) == 1
    assert len(service.received) == 1
