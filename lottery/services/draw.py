"""The draw: a commitment at opening, the sealed ledger, one result, run once.

The winners come from `lottery.draw.core` (pure, documented in
docs/draw-algorithm.md); this module only gathers its inputs from the database,
stores what it returns and publishes it. Locks follow `lottery.locking`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assosolos.effects import on_commit, signal_on_commit, task_on_commit

from .. import commitment_chain, drand
from ..draw import core as draw_core
from ..draw.certificate import certificate_pdf
from ..draw.live import draw_broadcast
from ..ledger_stream import holder_pseudonym as holder_pseudonym  # services.holder_pseudonym
from ..ledger_stream import ledger_file_write
from ..locking import commitments_chain_lock, lottery_lock
from ..models import (
    CommitmentEntry,
    DrawCommitment,
    DrawResult,
    DrawWinner,
    LedgerSeal,
    Lottery,
    LotteryTransition,
    Order,
    Prize,
    Ticket,
)
from ..selectors.actions import lottery_actions
from ..signals import draw_committed

logger = logging.getLogger(__name__)

Status = Lottery.Status
LEDGER_FILENAME = "ledger.txt"
RECORD_FILENAME = "draw.json"
CERTIFICATE_FILENAME = "proces-verbal.pdf"


class LedgerTampered(RuntimeError):
    """The stored ledger file differs from the sealed hash: never draw from it."""


class DrawNotDue(ValidationError):
    """The draw cannot run yet (not sealed, before the draw time, beacon not out)."""


# Commitment


def draw_commitment_create(
    *, lottery: Lottery, now: datetime | None = None, after_opening: bool = False
) -> DrawCommitment:
    """Draw and store the secret seed; publish its SHA-256. Idempotent.

    Caller holds the lottery row lock (the opening does).
    """
    existing = DrawCommitment.objects.filter(lottery=lottery).first()
    if existing is not None:
        return existing
    seed = secrets.token_bytes(draw_core.SEED_BYTES)
    # The commitment and its chain entry exist together or not at all.
    with transaction.atomic():
        return _commitment_publish(lottery=lottery, seed=seed, now=now, after_opening=after_opening)


def _commitment_publish(
    *, lottery: Lottery, seed: bytes, now: datetime | None, after_opening: bool
) -> DrawCommitment:
    commitment = DrawCommitment.objects.create(
        lottery=lottery,
        seed=seed.hex(),
        commitment=hashlib.sha256(seed).hexdigest(),
        committed_at=now or timezone.now(),
        after_opening=after_opening,
        holder_key=secrets.token_hex(32),
        prizes_sha256=draw_core.prizes_sha256(prizes_as_record(lottery=lottery)),
    )
    commitment_entry_append(commitment=commitment)
    return commitment


# The race test switches it off to show two openings would take one position.
COMMITMENTS_CHAIN_LOCKING = True


def commitment_entry_append(*, commitment: DrawCommitment) -> CommitmentEntry:
    """Append the commitment to the public chain. Caller holds the lottery row lock.

    Inside the commitment's transaction: the entry exists exactly when the commitment
    does. The chain lock gives each entry the next position and the hash before it.
    """
    if COMMITMENTS_CHAIN_LOCKING:
        commitments_chain_lock()
    last = CommitmentEntry.objects.order_by("-position").first()
    entry = commitment_chain.Entry(
        position=last.position + 1 if last else 1,
        lottery=commitment.lottery_id,
        commitment=commitment.commitment,
        prizes_sha256=commitment.prizes_sha256,
        published_at=commitment_chain.published_at_text(commitment.committed_at),
        previous_hash=last.sha256 if last else commitment_chain.GENESIS_HASH,
    )
    return CommitmentEntry.objects.create(
        position=entry.position,
        lottery_id=commitment.lottery_id,
        text=entry.text,
        sha256=entry.sha256,
        published_at=commitment.committed_at,
    )


def prizes_as_record(*, lottery: Lottery) -> list[dict[str, Any]]:
    """The prize list as bound at opening and published in the record, by rank."""
    return [
        {"rank": p.rank, "name": p.name, "value_cents": p.value_cents, "quantity": p.quantity}
        for p in Prize.objects.filter(lottery=lottery).order_by("rank", "pk")
    ]


# Seal


def ledger_seal(
    *, lottery_id: int, now: datetime | None = None, name_beacon: bool | None = None
) -> bool:
    """Seal the ledger once sales have closed and no order is pending. Idempotent.

    Returns True if it sealed now. Holding the lottery row `FOR UPDATE` keeps every
    order from changing status meanwhile (they take it `FOR SHARE`). The ledger is
    written by `lottery.ledger_stream`: streamed out of PostgreSQL, or through the
    ORM elsewhere, the same bytes either way. The drand round named is the first
    produced after the seal plus `DRAW_BEACON_MARGIN_SECONDS`; none is named when no
    relay is configured, unless `name_beacon` says otherwise (the demo names one whose
    recorded beacon it holds, see `draw_perform(beacon=...)`).
    """
    now = now or timezone.now()
    if name_beacon is None:
        name_beacon = bool(drand.relays())
    with transaction.atomic():
        lottery = lottery_lock(lottery_id)
        if lottery.ledger_sealed_at is not None or lottery.status != Status.CLOSED:
            return False
        if Order.objects.filter(lottery=lottery, status=Order.Status.PENDING).exists():
            return False
        commitment = draw_commitment_create(lottery=lottery, now=now, after_opening=True)
        with tempfile.TemporaryFile() as out:
            sha256 = ledger_file_write(
                lottery_id=lottery.pk, holder_key=commitment.holder_key, out=out
            )
            count = out.tell() // draw_core.RECORD_SIZE
            out.seek(0)
            beacon_round = margin = None
            if name_beacon:
                # The rule a verifier re-applies from the record: whole seconds.
                margin = int(getattr(settings, "DRAW_BEACON_MARGIN_SECONDS", 60))
                beacon_round = draw_core.beacon_round_for(
                    sealed_at_unix=int(now.timestamp()), margin_seconds=margin
                )
            seal = LedgerSeal(
                lottery=lottery,
                sealed_at=now,
                sha256=sha256,
                ticket_count=count,
                beacon_round=beacon_round,
                beacon_margin_seconds=margin,
                prizes_sha256=draw_core.prizes_sha256(prizes_as_record(lottery=lottery)),
            )
            seal.ledger.save(LEDGER_FILENAME, File(out, name=LEDGER_FILENAME), save=False)
            seal.save()
        lottery.ledger_sealed_at = now
        lottery.save(update_fields=["ledger_sealed_at", "updated_at"])
        draw_at = max(lottery.draw_at, now)
        on_commit(_draw_schedule, lottery_id=lottery_id, at=draw_at)
    return True


def _draw_schedule(*, lottery_id: int, at: datetime) -> None:
    """A one-off task at the draw time (the sweep catches it if the cluster is down)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=f"lottery {lottery_id}: draw",
        defaults={
            "func": "lottery.tasks.draw_perform_run",
            "args": repr((lottery_id,)),
            "schedule_type": Schedule.ONCE,
            "next_run": at,
            "repeats": 1,
        },
    )


def lottery_sealed_check(*, lottery: Lottery) -> None:
    """Refuse a change of the ledger once sealed. Caller holds the lottery lock."""
    if lottery.ledger_sealed_at is not None:
        raise ValidationError(
            _("The ticket ledger is sealed for the draw: it can no longer change.")
        )


# Draw


def _record(
    *,
    lottery: Lottery,
    commitment: DrawCommitment,
    seal: LedgerSeal,
    beacon: drand.Beacon | None,
    prizes: list[Prize],
    result: draw_core.DrawResult,
    drawn_at: datetime,
) -> dict[str, Any]:
    return {
        "algorithm": result.algorithm,
        "lottery_id": lottery.pk,
        "lottery": lottery.title,
        "commitment": commitment.commitment,
        "committed_at": commitment.committed_at.isoformat(),
        "seed": commitment.seed,
        "ledger_sha256": seal.sha256,
        "ticket_count": seal.ticket_count,
        "sealed_at": seal.sealed_at.isoformat(),
        "sealed_at_unix": int(seal.sealed_at.timestamp()),
        "beacon_margin_seconds": seal.beacon_margin_seconds,
        "beacon_round": seal.beacon_round,
        "draw_at": lottery.draw_at.isoformat(),
        "drawn_at": drawn_at.isoformat(),
        "beacon": None
        if beacon is None
        else {
            "network": "quicknet",
            "chain_hash": draw_core.QUICKNET_CHAIN_HASH,
            "round": beacon.round,
            "signature": beacon.signature,
            "randomness": beacon.randomness,
        },
        "one_prize_per_person": lottery.one_prize_per_person,
        "prizes": [
            {"rank": p.rank, "name": p.name, "value_cents": p.value_cents, "quantity": p.quantity}
            for p in prizes
        ],
        # None only for lotteries sealed before prizes were bound.
        "prizes_sha256": commitment.prizes_sha256 or seal.prizes_sha256 or None,
        "seal_prizes_sha256": seal.prizes_sha256 or None,
        "winners": draw_core.winners_as_record(result, prize_ranks=[p.rank for p in prizes]),
        "unawarded_slots": result.unawarded_slots,
    }


def _beacon_for(
    seal: LedgerSeal, now: datetime, at_hand: drand.Beacon | None = None
) -> drand.Beacon | None:
    """Fetch the named round, outside any lock (it is a network call); a beacon already
    at hand is checked exactly as a fetched one (same round, BLS signature)."""
    if seal.beacon_round is None:
        return None
    if draw_core.quicknet_round_time(seal.beacon_round) > now.timestamp():
        raise DrawNotDue(_("The public randomness named at the seal is not out yet."))
    if at_hand is None:
        return drand.beacon_fetch(round_number=seal.beacon_round)
    if at_hand.round != seal.beacon_round:
        raise drand.BeaconError(f"the beacon at hand is not round {seal.beacon_round}")
    randomness = drand.beacon_verify(round_number=at_hand.round, signature=at_hand.signature)
    return drand.Beacon(round=at_hand.round, signature=at_hand.signature, randomness=randomness)


def draw_perform(
    *,
    lottery_id: int,
    actor: Any = None,
    now: datetime | None = None,
    beacon: drand.Beacon | None = None,
) -> DrawResult:
    """Run the lottery's draw, once. A second call returns the stored result unchanged.

    Raises `DrawNotDue` before the draw time, before the seal or before the named
    drand round exists, and `drand.BeaconError` when no relay gives a verified
    beacon (the sweeper tries again). The result is one row per lottery, written
    under the lottery's row lock, so two tasks or two clicks produce one result.
    `beacon`: the named round already at hand (a recorded one, for a machine without
    the network such as the demo's), verified here instead of fetched.
    """
    now = now or timezone.now()
    existing = DrawResult.objects.filter(lottery_id=lottery_id).first()
    if existing is not None:
        return existing
    lottery = Lottery.objects.get(pk=lottery_id)
    seal = LedgerSeal.objects.filter(lottery_id=lottery_id).first()
    if lottery.status != Status.CLOSED or seal is None:
        raise DrawNotDue(_("The draw waits for sales to close and the ledger to be sealed."))
    if not lottery_actions(lottery=lottery, actor=actor, now=now).draw_due:
        raise DrawNotDue(_("The draw time has not come yet."))
    beacon = _beacon_for(seal, now, beacon)
    with transaction.atomic():
        lottery = lottery_lock(lottery_id)
        existing = DrawResult.objects.filter(lottery=lottery).first()
        if existing is not None:
            return existing
        if lottery.status != Status.CLOSED:
            raise DrawNotDue(_("Only a closed lottery can be drawn."))
        result = _draw_write(lottery=lottery, seal=seal, beacon=beacon, actor=actor, now=now)
    return result


def _draw_write(
    *, lottery: Lottery, seal: LedgerSeal, beacon: drand.Beacon | None, actor: Any, now: datetime
) -> DrawResult:
    """Compute and store the result. Caller holds the lottery row lock."""
    commitment = DrawCommitment.objects.get(lottery=lottery)
    prizes = list(Prize.objects.filter(lottery=lottery).order_by("rank", "pk"))
    with seal.ledger.open("rb") as ledger_file:
        ledger = draw_core.Ledger(ledger_file)
        # The stored file must still be the one whose hash was published.
        if ledger.sha256() != seal.sha256:
            raise LedgerTampered(f"lottery {lottery.pk}: the stored ledger no longer matches")
        computed = draw_core.winners_draw(
            seed_hex=commitment.seed,
            ledger=ledger,
            ledger_sha256=seal.sha256,
            beacon_randomness=beacon.randomness if beacon else None,
            lottery_id=lottery.pk,
            prize_quantities=[p.quantity for p in prizes],
            one_prize_per_person=lottery.one_prize_per_person,
        )
    record = _record(
        lottery=lottery,
        commitment=commitment,
        seal=seal,
        beacon=beacon,
        prizes=prizes,
        result=computed,
        drawn_at=now,
    )
    result = DrawResult.objects.create(
        lottery=lottery,
        drawn_at=now,
        by=actor,
        algorithm=computed.algorithm,
        beacon_round=beacon.round if beacon else None,
        beacon_signature=beacon.signature if beacon else "",
        beacon_randomness=beacon.randomness if beacon else "",
        record=record,
    )
    tickets = {
        t.number: t
        for t in Ticket.objects.filter(
            lottery=lottery, number__in=[w.number for w in computed.winners]
        )
    }
    DrawWinner.objects.bulk_create(
        DrawWinner(
            result=result,
            slot=w.slot,
            prize=prizes[w.prize],
            ticket=tickets[w.number],
            holder=w.holder,
        )
        for w in computed.winners
    )
    pdf = certificate_pdf(lottery=lottery, result=result)
    result.certificate_sha256 = hashlib.sha256(pdf).hexdigest()
    result.certificate.save(CERTIFICATE_FILENAME, ContentFile(pdf), save=False)
    result.save(update_fields=["certificate", "certificate_sha256"])
    LotteryTransition.objects.create(
        lottery=lottery,
        from_status=lottery.status,
        to_status=Status.DRAWN,
        by=actor,
        note="draw",
        at=now,
    )
    lottery.status = Status.DRAWN
    lottery.save(update_fields=["status", "updated_at"])
    _announce_on_commit(lottery_id=lottery.pk, result_id=result.pk)
    return result


def _announce_on_commit(*, lottery_id: int, result_id: int) -> None:
    """After commit, in this order: tell other apps, email the winners, reveal on the
    live page. Each runs even if the one before failed: a failing receiver must not
    keep the winners from their emails, nor a live page down hide a committed draw."""
    signal_on_commit(draw_committed, sender=Lottery, lottery_id=lottery_id, result_id=result_id)
    task_on_commit("lottery.tasks.draw_winner_emails_send", result_id)
    on_commit(draw_broadcast, lottery_id=lottery_id)


# Schedules


def draws_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Seal what can be sealed and draw what is due; catches what a stopped cluster missed."""
    now = now or timezone.now()
    counts = {"sealed": 0, "drawn": 0, "waiting": 0, "failed": 0}
    to_seal = Lottery.objects.filter(status=Status.CLOSED, ledger_sealed_at__isnull=True)
    for pk in list(to_seal.values_list("pk", flat=True)):
        counts["sealed"] += ledger_seal(lottery_id=pk, now=now)
    due = Lottery.objects.filter(
        status=Status.CLOSED, ledger_sealed_at__isnull=False, draw_at__lte=now
    )
    for pk in list(due.values_list("pk", flat=True)):
        try:
            draw_perform(lottery_id=pk, now=now)
            counts["drawn"] += 1
        except DrawNotDue:
            counts["waiting"] += 1
        except drand.BeaconError as exc:
            counts["failed"] += 1
            logger.warning("Lottery %s: draw postponed, %s", pk, exc)
    return counts


# Claims


def claim_deadline_passed(*, lottery: Lottery, now: datetime | None = None) -> bool:
    """The lottery's claim deadline (a day, in Paris) is over."""
    if lottery.claim_deadline is None:
        return False
    return timezone.localdate(now or timezone.now()) > lottery.claim_deadline


def winner_claim_record(
    *, winner: DrawWinner, actor: Any, now: datetime | None = None, late_reason: str = ""
) -> bool:
    """The association records that a winner collected their prize. Idempotent.

    After the lottery's claim deadline the hand-over is refused (ValidationError)
    unless `actor` is one of the association's managers or the platform's staff and
    gives a reason; it is then recorded as late, with the reason. Returns False when
    the claim was already recorded.
    """
    from associations.selectors import association_can_manage

    now = now or timezone.now()
    late_reason = (late_reason or "").strip()
    with transaction.atomic():
        locked = (
            DrawWinner.objects.select_for_update()
            .select_related("result__lottery")
            .get(pk=winner.pk)
        )
        if locked.claimed_at is not None:
            return False
        lottery = locked.result.lottery
        late = claim_deadline_passed(lottery=lottery, now=now)
        if late:
            allowed = bool(actor) and (
                (actor.is_staff and actor.is_active)
                or association_can_manage(user=actor, association=lottery.association)
            )
            if not allowed:
                raise ValidationError(
                    _("Only the association's managers may record a hand-over after the deadline.")
                )
            if not late_reason:
                raise ValidationError(
                    {
                        "late_reason": _(
                            "The claim deadline has passed: give the reason for this late "
                            "hand-over to record it."
                        )
                    }
                )
        locked.claimed_at = now
        locked.claimed_by = actor
        locked.claimed_late = late
        locked.late_reason = late_reason[:500] if late else ""
        locked.save(update_fields=["claimed_at", "claimed_by", "claimed_late", "late_reason"])
    winner.refresh_from_db()
    return True
