"""The draw as people see it: lottery page, result page, files, "My tickets", claims, admin."""

from __future__ import annotations

import hashlib

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from assosolos.asgi import application
from lottery import services
from lottery.draw.live import draw_broadcast
from lottery.models import DrawCommitment, DrawWinner
from tests.factories import en, staff_sign_in

from .factories import manager_of, open_lottery, paid_order
from .test_draw_services import after_draw_time, closed_lottery


def _drawn(settings, **kwargs):
    settings.DRAND_URLS = []
    lottery = closed_lottery(**kwargs)
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    lottery.refresh_from_db()
    return lottery


@pytest.mark.django_db
def test_the_lottery_page_publishes_the_commitment_and_its_time(client):
    lottery = open_lottery()
    commitment = DrawCommitment.objects.get(lottery=lottery)
    html = client.get(reverse("lottery:detail", args=[lottery.slug]), follow=True).content.decode()
    assert commitment.commitment in html
    assert commitment.prizes_sha256 and commitment.prizes_sha256 in html
    assert commitment.seed not in html
    assert "à l’ouverture des ventes" in html or "when sales opened" in html


@pytest.mark.django_db
def test_a_commitment_published_after_opening_says_so(client):
    lottery = open_lottery()
    DrawCommitment.objects.filter(lottery=lottery).update(after_opening=True)
    html = client.get(reverse("lottery:draw_result", args=[lottery.slug])).content.decode()
    assert "après l’ouverture des ventes" in html or "after sales had opened" in html


@pytest.mark.django_db
def test_the_result_page_shows_winners_and_everything_to_check_them(client, settings):
    lottery = _drawn(settings, prizes=(1, 2))
    result = lottery.draw_result
    html = client.get(reverse("lottery:draw_result", args=[lottery.slug])).content.decode()
    for winner in DrawWinner.objects.select_related("ticket__order__buyer"):
        assert winner.holder in html
        assert f'<td class="ticket-number">{winner.ticket.number}</td>' in html
        assert winner.ticket.order.buyer.email not in html
    for value in (
        result.record["seed"],
        result.record["commitment"],
        lottery.ledger_seal.sha256,
        result.certificate_sha256,
        result.algorithm,
        "verify_draw.py draw.json ledger.txt --chain commitments.txt",
    ):
        assert value in html
    assert "Aucun aléa public" in html or "No public randomness was mixed in" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.django_db
def test_the_certificate_is_a_stored_pdf_with_the_published_hash(client, settings):
    lottery = _drawn(settings)
    response = client.get(reverse("lottery:draw_certificate", args=[lottery.slug]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == lottery.draw_result.certificate_sha256


@pytest.mark.django_db
def test_files_are_not_there_before_their_time(client):
    lottery = closed_lottery()
    for name in ("draw_record", "draw_ledger", "draw_certificate"):
        assert client.get(reverse(f"lottery:{name}", args=[lottery.slug])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("buyers", [2, 12])
def test_result_page_query_count(client, settings, django_assert_max_num_queries, buyers):
    lottery = _drawn(settings, buyers=buyers, prizes=(1, 1, 2))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("lottery:draw_result", args=[lottery.slug])).status_code == 200


@pytest.mark.django_db
def test_my_tickets_shows_my_pseudonym_in_the_ledger(client, settings):
    settings.DRAND_URLS = []
    lottery = open_lottery(ticket_cap=20)
    order = paid_order(lottery=lottery, quantity=2)
    services.lottery_close(lottery_id=lottery.pk)
    services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    holder = lottery.ledger_seal.ledger.open("rb").read().split()[1].decode()
    client.force_login(order.buyer)
    html = client.get(reverse("lottery:my_tickets")).content.decode()
    assert f"<code>{holder}</code>" in html


@pytest.mark.django_db
def test_the_association_sees_winners_and_records_claims(client, settings, user):
    lottery = _drawn(settings, prizes=(2,))
    url = reverse("lottery:manage_claims", args=[lottery.association.slug, lottery.slug])
    client.force_login(user)
    assert client.get(url).status_code == 403

    client.force_login(manager_of(lottery.association))
    html = client.get(url).content.decode()
    winner = DrawWinner.objects.select_related("ticket__order__buyer").first()
    assert winner.ticket.order.buyer.email in html
    claim = reverse(
        "lottery:manage_claim_record",
        args=[lottery.association.slug, lottery.slug, winner.pk],
    )
    assert client.post(claim).status_code == 302
    winner.refresh_from_db()
    assert winner.claimed_at is not None


@pytest.mark.django_db
def test_staff_run_a_due_draw_by_hand_once(client, settings, staff_user):
    settings.DRAND_URLS = []
    lottery = closed_lottery()
    staff_sign_in(client, staff_user)  # the admins need the second factor
    url = reverse("lottery_draw_run", args=[lottery.pk])
    response = client.post(url, follow=True)
    assert "pas encore" in response.content.decode() or "not come" in response.content.decode()
    lottery.draw_at = lottery.draw_at.replace(year=2020)
    lottery.save(update_fields=["draw_at"])
    client.post(url)
    lottery.refresh_from_db()
    record = lottery.draw_result.record
    client.post(url)
    lottery.draw_result.refresh_from_db()
    assert lottery.draw_result.record == record
    assert lottery.status == "drawn"
    html = client.get(f"/cms/loteries/inspect/{lottery.pk}/").content.decode()
    assert reverse("lottery:draw_result", args=[lottery.slug]) in html


@pytest.mark.django_db
def test_only_staff_run_draws(client, user):
    lottery = closed_lottery()
    client.force_login(user)
    client.post(reverse("lottery_draw_run", args=[lottery.pk]))
    assert not hasattr(lottery, "draw_result") or lottery.draw_result is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_live_page_reveals_the_winners(settings):
    settings.DRAND_URLS = []
    lottery = await sync_to_async(closed_lottery)(prizes=(1, 1))
    communicator = WebsocketCommunicator(
        application,
        f"/ws/loteries/{lottery.pk}/tirage/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "waiting"}
    await sync_to_async(services.ledger_seal)(lottery_id=lottery.pk)
    await sync_to_async(services.draw_perform)(lottery_id=lottery.pk, now=after_draw_time(lottery))
    await sync_to_async(draw_broadcast)(lottery_id=lottery.pk)
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "winners" and len(message["winners"]) == 2
    assert set(message["winners"][0]) == {"prize", "ticket", "holder"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_live_socket_refuses_an_unknown_lottery():
    communicator = WebsocketCommunicator(
        application,
        "/ws/loteries/999999/tirage/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4404


@pytest.mark.django_db
def test_a_draw_without_public_randomness_says_plainly_what_that_means(client, settings):
    from tests.lottery.test_draw_services import after_draw_time, closed_lottery

    settings.DRAND_URLS = []
    lottery = closed_lottery()
    services.ledger_seal(lottery_id=lottery.pk)
    services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))

    html = client.get(reverse("lottery:draw_result", args=[lottery.slug])).content.decode()

    assert 'data-test="seed-only"' in html
    assert "prévoir" in html  # the platform could foresee the winners


def _claim_url(lottery, winner):
    return reverse(
        "lottery:manage_claim_record", args=[lottery.association.slug, lottery.slug, winner.pk]
    )


@pytest.mark.django_db
def test_after_the_claim_deadline_a_hand_over_needs_a_reason_and_is_shown_late(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    lottery = _drawn(settings, prizes=(2,))
    lottery.claim_deadline = timezone.localdate() - timedelta(days=1)
    lottery.save(update_fields=["claim_deadline"])
    winner = DrawWinner.objects.first()
    client.force_login(manager_of(lottery.association))
    claims = en(reverse("lottery:manage_claims", args=[lottery.association.slug, lottery.slug]))

    refused = client.post(en(_claim_url(lottery, winner)), follow=True)

    winner.refresh_from_db()
    assert winner.claimed_at is None
    assert any("give the reason" in str(m) for m in refused.context["messages"])

    client.post(_claim_url(lottery, winner), {"late_reason": "  Winner was abroad.  "})

    winner.refresh_from_db()
    assert winner.claimed_at is not None and winner.claimed_late
    assert winner.late_reason == "Winner was abroad."
    html = client.get(claims).content.decode()
    assert 'data-test="late-claim"' in html and "Winner was abroad." in html


@pytest.mark.django_db
def test_a_member_cannot_record_a_late_hand_over_even_with_a_reason(settings):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from associations.models import Membership

    lottery = _drawn(settings, prizes=(2,))
    lottery.claim_deadline = timezone.localdate() - timedelta(days=1)
    lottery.save(update_fields=["claim_deadline"])
    winner = DrawWinner.objects.first()
    member = manager_of(lottery.association, role=Membership.Role.MEMBER)

    with pytest.raises(ValidationError):
        services.winner_claim_record(winner=winner, actor=member, late_reason="A friend.")

    winner.refresh_from_db()
    assert winner.claimed_at is None


@pytest.mark.django_db
def test_on_the_deadline_day_a_hand_over_is_on_time(settings):
    from django.utils import timezone

    lottery = _drawn(settings, prizes=(2,))
    lottery.claim_deadline = timezone.localdate()
    lottery.save(update_fields=["claim_deadline"])
    winner = DrawWinner.objects.first()

    assert services.winner_claim_record(winner=winner, actor=manager_of(lottery.association))

    winner.refresh_from_db()
    assert winner.claimed_at is not None and not winner.claimed_late
