"""The relay of a published edition to Mastodon and Bluesky, against fake servers."""

import datetime as dt

import pytest
from django.db import connection

from groups.pitches import services as pitches
from relay import clients, services
from relay.models import Network, RelayAccount, RelayPost

from .conftest import BLUESKY_TEXT, MASTODON_TEXT, publish
from .fakes import BLUESKY_DID, MASTODON_TOKEN

pytestmark = pytest.mark.django_db
Status = RelayPost.Status


def _agree(pitch, author):
    services.consent_set(actor=author, pitch=pitch, network=pitch.network, agreed=True)


def test_each_pitch_goes_to_its_own_network_in_its_own_version_with_its_contact(
    connected, approve, author, mastodon_server, bluesky_server
):
    toot = approve(network="mastodon", text=MASTODON_TEXT)
    sky = approve(network="bluesky", text=BLUESKY_TEXT, contact="https://awa.example.fr/cv")
    _agree(toot, author)
    _agree(sky, author)
    now = publish(sky)

    assert services.relay_sweep(now=now) == {"created": 2, "sent": 2, "deleted": 0}

    (status,) = mastodon_server.posts
    assert status["status"] == f"{MASTODON_TEXT}\n\nhttps://awa.example.fr"
    assert status["visibility"] == "public"
    (record,) = bluesky_server.posts
    text = f"{BLUESKY_TEXT}\n\nhttps://awa.example.fr/cv"
    assert record["repo"] == BLUESKY_DID
    assert record["collection"] == "app.bsky.feed.post"
    assert record["record"]["text"] == text
    # The link is a facet spanning its UTF-8 bytes (the emoji and "é" take several).
    (facet,) = record["record"]["facets"]
    start = len(text[: text.index("https://")].encode())
    assert facet["index"] == {
        "byteStart": start,
        "byteEnd": start + len(b"https://awa.example.fr/cv"),
        "$type": "app.bsky.richtext.facet#byteSlice",
    }
    assert facet["features"][0]["uri"] == "https://awa.example.fr/cv"
    assert set(RelayPost.objects.values_list("status", flat=True)) == {Status.POSTED}

    # The next sweep finds nothing more to do.
    assert services.relay_sweep(now=now + dt.timedelta(minutes=5))["sent"] == 0
    assert len(mastodon_server.posts) == 1 and len(bluesky_server.posts) == 1


def test_nothing_is_relayed_without_the_authors_consent(
    connected, approve, author, mastodon_server
):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    now = publish(pitch)
    assert services.relay_sweep(now=now)["sent"] == 0
    assert mastodon_server.posts == []
    assert not RelayPost.objects.exists()


def test_consent_taken_back_before_the_edition_means_no_post(
    connected, approve, author, mastodon_server
):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    _agree(pitch, author)
    services.consent_set(actor=author, pitch=pitch, network="mastodon", agreed=False)
    services.relay_sweep(now=publish(pitch))
    assert mastodon_server.posts == []


def test_a_text_over_the_limit_is_not_posted_and_the_failure_says_why(
    connected, approve, author, mastodon_server
):
    # 480 characters fit alone; with two line breaks and the contact link (23), 505.
    pitch = approve(network="mastodon", text="a" * 480)
    _agree(pitch, author)
    services.relay_sweep(now=publish(pitch))
    assert mastodon_server.posts == []
    post = RelayPost.objects.get()
    assert post.status == Status.FAILED
    assert post.next_attempt_at is None
    assert "505" in post.error and "500" in post.error and "Mastodon" in post.error


def test_a_server_error_is_retried_with_backoff_then_posted(
    connected, approve, author, mastodon_server
):
    pitch = approve(network="mastodon", text=MASTODON_TEXT)
    _agree(pitch, author)
    now = publish(pitch)
    mastodon_server.fail_next = [503]

    services.relay_sweep(now=now)
    post = RelayPost.objects.get()
    assert post.status == Status.FAILED
    assert "Fake failure 503" in post.error
    assert post.next_attempt_at == now + services.BACKOFF_BASE

    # Not before its time...
    services.relay_sweep(now=now + dt.timedelta(minutes=1))
    assert RelayPost.objects.get().status == Status.FAILED
    # ...then it is posted, once.
    services.relay_sweep(now=now + services.BACKOFF_BASE)
    post.refresh_from_db()
    assert post.status == Status.POSTED
    assert post.error == ""
    assert len(mastodon_server.posts) == 1


def test_a_refusal_is_not_retried(connected, approve, author, bluesky_server):
    pitch = approve(network="bluesky", text=BLUESKY_TEXT)
    _agree(pitch, author)
    bluesky_server.fail_next = [400]
    services.relay_sweep(now=publish(pitch))
    post = RelayPost.objects.get()
    assert post.status == Status.FAILED
    assert post.next_attempt_at is None
    assert "Fake failure 400" in post.error


def test_a_pitch_withdrawn_after_publication_has_its_posts_deleted(
    connected, approve, author, mastodon_server, bluesky_server
):
    toot = approve(network="mastodon", text=MASTODON_TEXT)
    sky = approve(network="bluesky", text=BLUESKY_TEXT)
    _agree(toot, author)
    _agree(sky, author)
    now = publish(sky)
    services.relay_sweep(now=now)

    pitches.pitch_withdraw(actor=author, pitch=toot)
    pitches.pitch_withdraw(actor=author, pitch=sky)
    assert services.relay_sweep(now=now + dt.timedelta(minutes=5))["deleted"] == 2

    assert mastodon_server.deleted == ["1"]
    assert ("DELETE", "/api/v1/statuses/1") in mastodon_server.calls
    (posted,) = bluesky_server.posts
    assert bluesky_server.deleted == [f"{BLUESKY_DID}/app.bsky.feed.post/{posted['rkey']}"]
    assert set(RelayPost.objects.values_list("status", flat=True)) == {Status.DELETED}


def test_credentials_are_encrypted_at_rest(connected):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM relay_relayaccount")
        raw = [row[0] for row in cursor.fetchall()]
    assert len(raw) == 2
    assert not any(MASTODON_TOKEN in value or "abcd-efgh" in value for value in raw)
    account = RelayAccount.objects.get(network=Network.MASTODON)
    assert services.secret_decrypt(token=account.secret) == MASTODON_TOKEN


def _stuck(post: RelayPost, *, claimed_at) -> None:
    """As a run leaves a post when it dies between its claim and the outcome."""
    RelayPost.objects.filter(pk=post.pk).update(status=Status.POSTING, claimed_at=claimed_at)


def test_a_post_whose_run_died_is_tried_again_once_its_claim_is_stale_and_never_twice(
    connected, approve, author, mastodon_server, bluesky_server
):
    toot = approve(network="mastodon", text=MASTODON_TEXT)
    sky = approve(network="bluesky", text=BLUESKY_TEXT)
    _agree(toot, author)
    _agree(sky, author)
    now = publish(sky)
    services.relay_sweep(now=now)
    assert len(mastodon_server.posts) == 1 and len(bluesky_server.posts) == 1
    # Both networks got the post, but the run died before recording it.
    for post in RelayPost.objects.all():
        _stuck(post, claimed_at=now)

    # A claim younger than STALE_CLAIM may still be a run at work: left alone.
    later = now + services.STALE_CLAIM - dt.timedelta(seconds=1)
    assert services.relay_sweep(now=later)["sent"] == 0
    assert set(RelayPost.objects.values_list("status", flat=True)) == {Status.POSTING}

    assert services.relay_sweep(now=now + services.STALE_CLAIM)["sent"] == 2
    # The same Idempotency-Key and the same record key: the networks' posts, not new ones.
    assert len(mastodon_server.posts) == 1 and len(bluesky_server.posts) == 1
    assert ("GET", "/xrpc/com.atproto.repo.getRecord") in bluesky_server.calls
    by_network = {p.network: p for p in RelayPost.objects.all()}
    assert {p.status for p in by_network.values()} == {Status.POSTED}
    assert by_network["mastodon"].remote_id == "1"
    rkey = bluesky_server.posts[0]["rkey"]
    assert by_network["bluesky"].remote_id == f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"


def test_a_stale_claim_that_never_reached_the_network_is_posted(
    connected, approve, author, bluesky_server
):
    sky = approve(network="bluesky", text=BLUESKY_TEXT)
    _agree(sky, author)
    now = publish(sky)
    services.posts_create(now=now)
    _stuck(RelayPost.objects.get(), claimed_at=now - services.STALE_CLAIM)

    assert services.relay_sweep(now=now)["sent"] == 1
    assert len(bluesky_server.posts) == 1
    assert RelayPost.objects.get().status == Status.POSTED


def test_record_keys_are_tids_fixed_per_post():
    key = clients.bluesky_record_key(micros=1_765_000_000_000_000, clock=7)
    assert len(key) == 13 and set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")
    assert key == clients.bluesky_record_key(micros=1_765_000_000_000_000, clock=1031)
    assert key < clients.bluesky_record_key(micros=1_765_000_000_000_001, clock=0)
