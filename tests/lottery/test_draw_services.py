"""The draw's services: commitment at opening, the seal, one result, public randomness."""

from __future__ import annotations

import hashlib
import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError

from lottery import drand, services
from lottery.draw import core as draw_core
from lottery.models import DrawCommitment, DrawResult, DrawWinner, Lottery, Order, Ticket
from lottery.signals import draw_committed
from tests.factories import UserFactory, outbox_clear

from .drand_relay import RECORDED_BEACONS, Relay, forged
from .factories import LotteryFactory, PrizeFactory, open_lottery, paid_order

pytestmark = pytest.mark.django_db

ROUND = 657413


def seal_time_for(round_number: int, margin: int = 60) -> datetime:
    """A seal time whose named round (seal + margin, then the next round) is `round_number`."""
    unix = draw_core.quicknet_round_time(round_number) - margin - 3
    return datetime.fromtimestamp(unix, UTC)


def closed_lottery(*, buyers: int = 3, quantity: int = 2, prizes=(1,), **kwargs) -> Lottery:
    # Prizes first, then the opening: as in the product, the list is bound at opening.
    lottery = LotteryFactory(ticket_cap=50, **kwargs)
    for rank, qty in enumerate(prizes, start=1):
        PrizeFactory(lottery=lottery, rank=rank, quantity=qty)
    services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
    for _ in range(buyers):
        paid_order(lottery=lottery, quantity=quantity)
    assert services.lottery_close(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    return lottery


def after_draw_time(lottery: Lottery) -> datetime:
    return lottery.draw_at + timedelta(minutes=1)


@pytest.fixture
def relay(settings):
    server = Relay()
    settings.DRAND_URLS = [server.url]
    yield server
    server.close()


def test_opening_commits_to_a_secret_seed():
    lottery = open_lottery()
    commitment = DrawCommitment.objects.get(lottery=lottery)
    assert len(commitment.seed) == 64
    assert hashlib.sha256(bytes.fromhex(commitment.seed)).hexdigest() == commitment.commitment
    assert not commitment.after_opening
    other = DrawCommitment.objects.get(lottery=open_lottery())
    assert other.seed != commitment.seed and other.holder_key != commitment.holder_key


def test_lotteries_already_open_get_a_commitment_dated_now():
    lottery = open_lottery()
    DrawCommitment.objects.filter(lottery=lottery).delete()
    draft = LotteryFactory()
    migration = importlib.import_module("lottery.migrations.0003_commitments_for_open_lotteries")
    migration.commit_open_lotteries(apps, None)
    commitment = DrawCommitment.objects.get(lottery=lottery)
    assert commitment.after_opening
    assert commitment.commitment == hashlib.sha256(bytes.fromhex(commitment.seed)).hexdigest()
    assert not DrawCommitment.objects.filter(lottery=draft).exists()


def test_the_seal_waits_for_a_pending_order():
    lottery = open_lottery(ticket_cap=20)
    paid_order(lottery=lottery, quantity=2)
    pending = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)
    services.lottery_close(lottery_id=lottery.pk)
    assert not services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    assert lottery.ledger_sealed_at is None

    services.order_confirm_payment(order_id=pending.pk, payment_intent_id="pi_late")
    assert services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    seal = lottery.ledger_seal
    assert lottery.ledger_sealed_at == seal.sealed_at
    assert seal.ticket_count == 5
    content = seal.ledger.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == seal.sha256
    numbers = [int(line[:10]) for line in content.splitlines()]
    assert numbers == sorted(
        Ticket.objects.filter(lottery=lottery, status=Ticket.Status.SOLD).values_list(
            "number", flat=True
        )
    )
    assert not services.ledger_seal(lottery_id=lottery.pk)  # once


def test_the_ledger_shows_one_pseudonym_per_holder_and_no_identity():
    buyer = UserFactory(email="alice@example.org")
    lottery = open_lottery(ticket_cap=20)
    paid_order(lottery=lottery, buyer=buyer, quantity=1)
    paid_order(lottery=lottery, buyer=buyer, quantity=2)
    paid_order(lottery=lottery, quantity=1)
    services.lottery_close(lottery_id=lottery.pk)
    services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    content = lottery.ledger_seal.ledger.open("rb").read().decode()
    holders = [line.split()[1] for line in content.splitlines()]
    assert holders[0] == holders[1] == holders[2] != holders[3]
    assert "alice" not in content and str(buyer.pk) not in holders


def test_a_sealed_lottery_cannot_be_cancelled():
    lottery = closed_lottery()
    services.ledger_seal(lottery_id=lottery.pk)
    with pytest.raises(ValidationError, match="scellé|sealed"):
        services.lottery_cancel(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.CLOSED


def test_a_refunded_ticket_never_wins():
    lottery = open_lottery(ticket_cap=20)
    lottery.prizes.update(quantity=10)
    refunded = paid_order(lottery=lottery, quantity=3)
    kept = paid_order(lottery=lottery, quantity=2)
    services.order_mark_refunded(order_id=refunded.pk, refund_id="re_1")
    services.lottery_close(lottery_id=lottery.pk)
    services.ledger_seal(lottery_id=lottery.pk)
    result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    won = {w.ticket.order_id for w in result.winners.select_related("ticket")}
    assert won == {kept.pk}
    assert result.record["unawarded_slots"] == list(range(2, 10))


def test_the_draw_waits_for_its_time_and_the_seal():
    lottery = closed_lottery()
    with pytest.raises(services.DrawNotDue, match="scellement|sealed"):
        services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    services.ledger_seal(lottery_id=lottery.pk)
    with pytest.raises(services.DrawNotDue, match="pas encore|not come"):
        services.draw_perform(lottery_id=lottery.pk)
    assert not DrawResult.objects.exists()


def test_offline_draw_uses_seed_and_ledger_and_verifies(settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery(prizes=(1, 2))
    services.ledger_seal(lottery_id=lottery.pk)
    result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAWN
    assert result.record["beacon"] is None and result.record["beacon_round"] is None
    assert [w["prize_rank"] for w in result.record["winners"]] == [1, 2, 2]
    with lottery.ledger_seal.ledger.open("rb") as f:
        assert draw_core.draw_record_check(result.record, draw_core.Ledger(f)) == []
    assert result.certificate_sha256 == hashlib.sha256(result.certificate.read()).hexdigest()


def test_draw_with_a_verified_quicknet_beacon(relay):
    lottery = closed_lottery(prizes=(2,))
    services.ledger_seal(lottery_id=lottery.pk, now=seal_time_for(ROUND))
    lottery.refresh_from_db()
    assert lottery.ledger_seal.beacon_round == ROUND
    result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    assert result.beacon_round == ROUND
    assert result.beacon_signature == RECORDED_BEACONS[ROUND]
    assert (
        result.beacon_randomness
        == hashlib.sha256(bytes.fromhex(RECORDED_BEACONS[ROUND])).hexdigest()
    )

    def bls(round_number, signature):
        return drand.beacon_verify(round_number=round_number, signature=signature)

    with lottery.ledger_seal.ledger.open("rb") as f:
        assert (
            draw_core.draw_record_check(result.record, draw_core.Ledger(f), beacon_verify=bls) == []
        )


def test_a_forged_beacon_is_refused_and_nothing_is_drawn(settings):
    server = Relay({ROUND: forged(RECORDED_BEACONS[ROUND])})
    settings.DRAND_URLS = [server.url]
    try:
        lottery = closed_lottery()
        services.ledger_seal(lottery_id=lottery.pk, now=seal_time_for(ROUND))
        with pytest.raises(drand.BeaconInvalid):
            services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    finally:
        server.close()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.CLOSED
    assert not DrawResult.objects.exists()


def test_a_second_run_reproduces_the_stored_result_and_never_changes_it(settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery(prizes=(1, 1))
    services.ledger_seal(lottery_id=lottery.pk)
    first = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    winners = list(DrawWinner.objects.values_list("slot", "ticket_id"))
    again = services.draw_perform(
        lottery_id=lottery.pk, now=after_draw_time(lottery) + timedelta(days=1)
    )
    assert again.pk == first.pk and again.record == first.record
    assert list(DrawWinner.objects.values_list("slot", "ticket_id")) == winners
    assert DrawResult.objects.count() == 1


def test_the_sweep_seals_then_draws_when_due(settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery()
    assert services.draws_sweep()["sealed"] == 1
    assert services.draws_sweep()["drawn"] == 0
    counts = services.draws_sweep(now=after_draw_time(lottery))
    assert counts["drawn"] == 1
    assert services.draws_sweep(now=after_draw_time(lottery))["drawn"] == 0


def test_the_draw_is_announced_after_commit_and_winners_are_emailed(
    settings, django_capture_on_commit_callbacks
):
    settings.DRAND_URLS = []
    received = []

    def receiver(sender, lottery_id, result_id, **kwargs):
        received.append((lottery_id, result_id))

    draw_committed.connect(receiver)
    try:
        lottery = closed_lottery(prizes=(2,))
        services.ledger_seal(lottery_id=lottery.pk)
        outbox_clear()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
        assert received == []  # nothing before the commit
        # The commit: its effects run, and so do those they register (the email queue).
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()
    finally:
        draw_committed.disconnect(receiver)
    assert received == [(lottery.pk, result.pk)]
    # One email per person who won, whatever the number of their prizes.
    buyers = {w.ticket.order.buyer_id for w in result.winners.select_related("ticket__order")}
    assert len(mail.outbox) == len(buyers)
    winner = result.winners.select_related("ticket__order__buyer").first()
    assert winner.ticket.order.buyer.email in {m.to[0] for m in mail.outbox}
    assert str(winner.ticket.number) in "".join(m.body for m in mail.outbox)
    assert not DrawWinner.objects.filter(notified_at__isnull=True).exists()


def test_one_prize_per_person_holds_in_a_real_draw(settings):
    settings.DRAND_URLS = []
    lottery = closed_lottery(buyers=2, quantity=5, prizes=(1, 1, 1), one_prize_per_person=True)
    services.ledger_seal(lottery_id=lottery.pk)
    result = services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    orders = [w.ticket.order.buyer_id for w in result.winners.select_related("ticket__order")]
    assert len(orders) == len(set(orders)) == 2
    assert result.record["unawarded_slots"] == [2]


def test_pending_orders_are_left_out_of_nothing():
    """A closed lottery whose last hold expired seals with the sold tickets only."""
    lottery = open_lottery(ticket_cap=20)
    paid_order(lottery=lottery, quantity=1)
    held = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    services.lottery_close(lottery_id=lottery.pk)
    Order.objects.filter(pk=held.pk).update(expires_at=held.created_at)
    services.reservations_expire()
    assert services.ledger_seal(lottery_id=lottery.pk)
    lottery.refresh_from_db()
    assert lottery.ledger_seal.ticket_count == 1


def test_a_failing_receiver_does_not_stop_the_winner_emails(
    settings, django_capture_on_commit_callbacks
):
    settings.DRAND_URLS = []

    def broken(sender, **kwargs):
        raise RuntimeError("groups app down")

    draw_committed.connect(broken)
    try:
        lottery = closed_lottery(prizes=(1,))
        services.ledger_seal(lottery_id=lottery.pk)
        outbox_clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.draw_perform(lottery_id=lottery.pk, now=after_draw_time(lottery))
    finally:
        draw_committed.disconnect(broken)
    assert len(mail.outbox) == 1
