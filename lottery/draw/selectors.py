"""Reads about draws: what the result page, "My tickets" and other apps show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..ledger_stream import holder_pseudonym
from ..models import CommitmentEntry, DrawCommitment, DrawResult, DrawWinner, LedgerSeal, Lottery


@dataclass(frozen=True)
class WinnerForEnrolment:
    winner_id: int
    prize_id: int
    ticket_number: int
    user_id: int | None


def draw_winners_for_enrolment(*, result_id: int) -> list[WinnerForEnrolment]:
    """The winners of a draw with the account that bought each ticket, if any."""
    rows = DrawWinner.objects.filter(result_id=result_id).values_list(
        "pk", "prize_id", "ticket__number", "ticket__order__buyer_id"
    )
    return [WinnerForEnrolment(*row) for row in rows]


def draw_winners_of_orders(*, order_ids: list[int]) -> list[WinnerForEnrolment]:
    """The winning tickets of these orders, in drawn lotteries, with their account now."""
    rows = DrawWinner.objects.filter(ticket__order_id__in=order_ids).values_list(
        "pk", "prize_id", "ticket__number", "ticket__order__buyer_id"
    )
    return [WinnerForEnrolment(*row) for row in rows]


def order_prizes_won(*, order: Any) -> list[DrawWinner]:
    """The prizes an order's tickets won, by slot (none before the draw)."""
    return list(
        DrawWinner.objects.filter(ticket__order_id=order.pk)
        .select_related("prize", "ticket")
        .order_by("slot")
    )


@dataclass
class DrawState:
    commitment: DrawCommitment | None
    seal: LedgerSeal | None
    result: DrawResult | None
    winners_by_prize: list[tuple[Any, list[DrawWinner]]]
    entry: CommitmentEntry | None = None


def draw_state(*, lottery: Lottery) -> DrawState:
    """What is public about a lottery's draw so far (the seed only once drawn)."""
    # The chain entry comes in the same query, through the lottery's reverse relation.
    commitment = (
        DrawCommitment.objects.filter(lottery=lottery)
        .select_related("lottery__commitment_entry")
        .first()
    )
    seal = LedgerSeal.objects.filter(lottery=lottery).first()
    result = DrawResult.objects.filter(lottery=lottery).first()
    by_prize: dict[int, tuple[Any, list[DrawWinner]]] = {}
    if result is not None:
        for winner in result.winners.select_related("prize", "ticket").order_by("slot"):
            by_prize.setdefault(winner.prize_id, (winner.prize, []))[1].append(winner)
    entry = None
    if commitment is not None:
        try:
            entry = commitment.lottery.commitment_entry
        except CommitmentEntry.DoesNotExist:
            entry = None
    return DrawState(commitment, seal, result, list(by_prize.values()), entry)


def holder_pseudonyms_of_user(*, user: Any) -> dict[int, str]:
    """lottery id → the user's pseudonym in that lottery's ledger, for "My tickets"."""
    if not getattr(user, "is_authenticated", False):
        return {}
    commitments = DrawCommitment.objects.filter(lottery__orders__buyer=user).distinct()
    return {
        c.lottery_id: holder_pseudonym(
            holder_key=c.holder_key, user_id=user.pk, email="", order_id=0
        )
        for c in commitments
    }


def commitment_entries_latest(*, limit: int) -> list[CommitmentEntry]:
    return list(CommitmentEntry.objects.select_related("lottery").order_by("-position")[:limit])


def commitments_chain_text() -> str:
    """Every entry's canonical text, in order, one empty line between two."""
    texts = CommitmentEntry.objects.order_by("position").values_list("text", flat=True)
    return "\n".join(texts.iterator(chunk_size=2000))


def winnings_of_user(*, user: Any, lottery_id: int | None = None) -> dict[int, list[DrawWinner]]:
    """The prizes a person's tickets won, by lottery id, best rank first (one query).

    Each carries its prize, its ticket and the lottery (claim deadline, association),
    so "My tickets" and the lottery page say what was won and what to do next.
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    winners = DrawWinner.objects.filter(ticket__order__buyer=user)
    if lottery_id is not None:
        winners = winners.filter(result__lottery_id=lottery_id)
    found: dict[int, list[DrawWinner]] = {}
    for winner in winners.select_related(
        "prize", "ticket", "result__lottery__association"
    ).order_by("result__lottery_id", "prize__rank", "slot"):
        found.setdefault(winner.result.lottery_id, []).append(winner)
    return found


def draw_record_bytes(*, result: DrawResult) -> bytes:
    """The published draw.json, byte for byte the same every time it is served."""
    return (json.dumps(result.record, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
