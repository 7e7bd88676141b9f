"""The weekly showcase: one edition per slot, in Paris time, withdrawal honoured."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections
from django_q.models import Schedule

from groups.pitches import services
from groups.pitches.models import Edition, EditionEntry, Pitch, ShowcaseSchedule
from groups.pitches.selectors import edition_entries_public

from .conftest import GOOD

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def _approved(pgroup, author, peer, facil, **changes):
    pitch = services.pitch_save(actor=author, group=pgroup, **{**GOOD, **changes})
    services.pitch_submit(actor=author, pitch=pitch)
    services.pitch_mark_ready(actor=peer, version=pitch.versions.get())
    return services.pitch_approve(actor=facil, pitch=pitch)


def _after(pitch, days=1):
    return pitch.approved_at + dt.timedelta(days=days)


@pytest.mark.django_db
def test_weekly_task_publishes_approved_pitches_once(pgroup, author, peer, facil, home_page):
    pitch = _approved(pgroup, author, peer, facil)
    now = pitch.approved_at + dt.timedelta(days=8)
    first = services.showcase_publish(association_id=pgroup.association_id, now=now)
    again = services.showcase_publish(association_id=pgroup.association_id, now=now)
    assert first is not None and again.pk == first.pk
    assert Edition.objects.count() == 1 and EditionEntry.objects.get().pitch == pitch
    assert first.page is not None and first.page.live
    # Next week: nothing new was approved, so no empty edition.
    assert (
        services.showcase_publish(
            association_id=pgroup.association_id, now=now + dt.timedelta(days=7)
        )
        is None
    )


@pytest.mark.django_db
def test_an_edition_holds_only_what_was_approved_before_its_slot(
    pgroup, author, peer, facil, home_page
):
    pitch = _approved(pgroup, author, peer, facil)
    slot = services.showcase_slot_latest(
        schedule=services.showcase_schedule_ensure(association_id=pgroup.association_id),
        now=pitch.approved_at,
    )
    assert services.showcase_publish(association_id=pgroup.association_id, now=slot) is None


@pytest.mark.django_db
def test_public_entry_shows_name_pitch_and_contact_never_the_email(
    pgroup, author, peer, facil, home_page
):
    _approved(pgroup, author, peer, facil)
    edition = services.showcase_publish(
        association_id=pgroup.association_id, now=_after(Pitch.objects.get(), 8)
    )
    (entry,) = edition_entries_public(edition=edition)
    assert entry.name == "Awa" and entry.contact == GOOD["contact"]
    assert author.email not in repr(entry)
    assert entry.share_href.startswith("https://x.com/intent/tweet?")


@pytest.mark.django_db
def test_withdrawn_pitch_disappears_from_published_editions(
    client, pgroup, author, peer, facil, home_page
):
    pitch = _approved(pgroup, author, peer, facil)
    edition = services.showcase_publish(association_id=pgroup.association_id, now=_after(pitch, 8))
    page_url = edition.page.url
    assert GOOD["text"] in client.get(page_url).content.decode()
    services.pitch_withdraw(actor=author, pitch=pitch)
    body = client.get(page_url).content.decode()
    assert GOOD["text"] not in body
    assert edition_entries_public(edition=edition) == []


@pytest.mark.django_db
def test_association_sets_its_own_day_and_time(pgroup, author, peer, facil):
    from tests.associations.factories import AdminFactory

    admin = AdminFactory(association=pgroup.association).user
    services.showcase_schedule_set(
        actor=admin, association=pgroup.association, weekday=1, time=dt.time(9, 30)
    )
    schedule = Schedule.objects.get(name=f"showcase-{pgroup.association_id}")
    assert schedule.cron == "30 9 * * 1" and schedule.schedule_type == Schedule.CRON
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied or ValidationError)
        services.showcase_schedule_set(
            actor=author, association=pgroup.association, weekday=2, time=dt.time(9)
        )


def _next_run(cron: str, now_paris: dt.datetime, monkeypatch) -> dt.datetime:
    """django-q2's own computation of a cron schedule's next run, at a chosen moment."""
    import django_q.models

    monkeypatch.setattr(django_q.models, "localtime", lambda: now_paris)
    return Schedule(schedule_type=Schedule.CRON, cron=cron).calculate_next_run()


@pytest.mark.parametrize(
    ("now", "expected_utc"),
    [
        # Spring 2027: clocks go forward on Sunday 28 March.
        (dt.datetime(2027, 3, 26, 12, 0), dt.datetime(2027, 3, 26, 14, 0)),  # CET, UTC+1
        (dt.datetime(2027, 3, 26, 16, 0), dt.datetime(2027, 4, 2, 13, 0)),  # CEST, UTC+2
        # Autumn 2027: clocks go back on Sunday 31 October.
        (dt.datetime(2027, 10, 29, 12, 0), dt.datetime(2027, 10, 29, 13, 0)),  # CEST
        (dt.datetime(2027, 10, 29, 16, 0), dt.datetime(2027, 11, 5, 14, 0)),  # CET
    ],
)
@pytest.mark.django_db
def test_friday_15h_stays_15h_in_paris_across_2027_clock_changes(
    now, expected_utc, monkeypatch, settings
):
    assert settings.TIME_ZONE == "Europe/Paris"
    next_run = _next_run("0 15 * * 5", now.replace(tzinfo=PARIS), monkeypatch)
    assert next_run.astimezone(UTC) == expected_utc.replace(tzinfo=UTC)
    assert next_run.astimezone(PARIS).hour == 15


@pytest.mark.django_db
def test_schedule_cron_is_created_for_friday_15h_by_default(pgroup):
    schedule = services.showcase_schedule_ensure(association_id=pgroup.association_id)
    assert (schedule.weekday, schedule.time) == (ShowcaseSchedule.Weekday.FRIDAY, dt.time(15, 0))
    assert Schedule.objects.get(name=f"showcase-{pgroup.association_id}").cron == "0 15 * * 5"


@pytest.mark.django_db
def test_sweeper_publishes_an_edition_a_stopped_cluster_missed(
    pgroup, author, peer, facil, home_page
):
    pitch = _approved(pgroup, author, peer, facil)
    assert services.showcase_sweep(now=_after(pitch, 8)) == 1
    assert services.showcase_sweep(now=_after(pitch, 8)) == 0
    assert Edition.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_doubled_task_makes_one_edition(require_postgres, pgroup, author, peer, facil, home_page):
    pitch = _approved(pgroup, author, peer, facil)
    now = _after(pitch, 8)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(
                services.showcase_publish(association_id=pgroup.association_id, now=now).pk
            )
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1 and Edition.objects.count() == 1
    assert EditionEntry.objects.count() == 1


@pytest.mark.django_db
def test_share_buttons_name_the_network_not_the_format(
    client, pgroup, author, peer, facil, home_page
):
    _approved(pgroup, author, peer, facil, network="linkedin_headline")
    edition = services.showcase_publish(
        association_id=pgroup.association_id, now=_after(Pitch.objects.get(), 8)
    )
    html = client.get(edition.page.url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Partager sur LinkedIn" in html
    assert "Partager sur Titre LinkedIn" not in html


def test_every_shareable_network_has_its_own_name():
    from groups.networks import NETWORKS

    assert all(n.site for n in NETWORKS.values())
    assert {n.site for n in NETWORKS.values()} >= {"X", "LinkedIn", "Bluesky", "Mastodon"}
