"""Pitch pages: who sees what, refusals shown on the form, the showcase and its feed."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from groups.pitches import services
from groups.pitches.models import Pitch
from tests.associations.factories import AdminFactory
from tests.factories import UserFactory

from .conftest import GOOD

pytestmark = pytest.mark.django_db


def _published(pgroup, author, peer, facil, **changes):
    pitch = services.pitch_save(actor=author, group=pgroup, **{**GOOD, **changes})
    services.pitch_submit(actor=author, pitch=pitch)
    services.pitch_mark_ready(actor=peer, version=pitch.versions.get())
    pitch = services.pitch_approve(actor=facil, pitch=pitch)
    edition = services.showcase_publish(
        association_id=pgroup.association_id, now=pitch.approved_at + dt.timedelta(days=8)
    )
    return pitch, edition


def test_outsiders_do_not_see_a_groups_pitches(client, pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    client.force_login(UserFactory())
    assert client.get(reverse("pitches:group", args=[pgroup.pk])).status_code == 404
    assert client.get(reverse("pitches:detail", args=[pitch.pk])).status_code == 404


def test_too_long_pitch_is_refused_on_the_form_with_the_count(client, pgroup, author):
    client.force_login(author)
    response = client.post(reverse("pitches:create", args=[pgroup.pk]), {**GOOD, "text": "a" * 281})
    assert response.status_code == 200
    assert "281" in response.content.decode()
    assert not Pitch.objects.exists()


def test_the_form_carries_the_counter_and_its_rules(client, pgroup, author):
    client.force_login(author)
    body = client.get(reverse("pitches:create", args=[pgroup.pk])).content.decode()
    assert 'id="pitch-networks"' in body and "pitch_counter.js" in body
    assert "data-pitch-counter-for" in body


def test_author_sees_comments_beside_the_text_and_compares_versions(client, pgroup, author, peer):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    services.pitch_comment_add(actor=peer, version=pitch.versions.get(), body="Plus court ?")
    services.pitch_save(
        actor=author, group=pgroup, pitch=pitch, **{**GOOD, "text": "Graphiste à Lyon, portfolio."}
    )
    client.force_login(author)
    body = client.get(reverse("pitches:detail", args=[pitch.pk])).content.decode()
    assert "Plus court ?" in body and "Graphiste à Lyon, portfolio." in body
    diff = client.get(reverse("pitches:compare", args=[pitch.pk]), {"a": 1, "b": 2}).content
    assert b"<del>" in diff and b"<ins>" in diff


def test_bad_version_numbers_to_compare_give_a_message_not_an_error(client, pgroup, author):
    pitch = services.pitch_save(actor=author, group=pgroup, **GOOD)
    client.force_login(author)
    response = client.get(reverse("pitches:compare", args=[pitch.pk]), {"a": "x", "b": 9})
    assert response.status_code == 302


def test_showcase_page_shows_the_pitch_as_inert_text_with_share_links(
    client, pgroup, author, peer, facil, home_page
):
    _pitch, edition = _published(pgroup, author, peer, facil, text="<script>alert(1)</script> Hi")
    body = client.get(edition.page.url).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hi" in body
    assert "https://x.com/intent/tweet?" in body
    assert author.email not in body
    assert GOOD["audience"] not in body  # only name, pitch and contact are public


def test_showcase_index_and_atom_feed(client, pgroup, author, peer, facil, home_page):
    _pitch, edition = _published(pgroup, author, peer, facil)
    index = edition.page.get_parent().specific
    assert edition.page.title in client.get(index.url).content.decode()
    feed = client.get(index.url + "feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert GOOD["text"] in feed.content.decode()


def test_mastodon_share_goes_to_the_readers_server(client, pgroup, author, peer, facil, home_page):
    pitch, _edition = _published(
        pgroup, author, peer, facil, network="mastodon", text="Bonjour Mastodon"
    )
    url = reverse("pitches:mastodon_share", args=[pitch.pk])
    response = client.get(url, {"instance": "piaille.fr"})
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "piaille.fr", "/share")
    assert parse_qs(target.query)["text"][0].startswith("Bonjour Mastodon http")
    assert client.get(url, {"instance": "not a host"}).status_code == 302
    services.pitch_withdraw(actor=author, pitch=pitch)
    assert client.get(url, {"instance": "piaille.fr"}).status_code == 404


def test_only_association_admins_change_the_showcase_time(client, pgroup, author):
    url = reverse("pitches:schedule", args=[pgroup.association.slug])
    client.force_login(author)
    assert client.get(url).status_code == 404
    admin = AdminFactory(association=pgroup.association).user
    client.force_login(admin)
    response = client.post(url, {"weekday": 2, "time": "02:30"})
    assert response.status_code == 200  # 02:00–03:00 refused: skipped or doubled once a year
    response = client.post(url, {"weekday": 2, "time": "18:15"})
    assert response.status_code == 302
    assert pgroup.association.showcase_schedule.cron == "15 18 * * 2"
