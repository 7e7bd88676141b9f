"""The one rule of a reservation: what refuses it, in which order, with which message.

Pure: `reservation_decide` reads a snapshot of the sale, what an executor saw of the
lottery, its association and the buyer's orders under its locks, and decides. Both
executors end in it: the ORM one (SQLite, or PostgreSQL when asked) and the
one-statement one (PostgreSQL), so the refusals cannot drift apart; the table of
cases in the tests runs against both.

The order of the checks:

1. the association is not active (suspended, or under review by the platform): no
   sale at all (`selectors.actions.association_sells`);
2. the buyer already holds a pending order here for as many tickets, not expired:
   it is resumed (same numbers, same deadline), even if the window closed since;
3. the lottery is not open, or now is outside its sales window
   (`selectors.actions.sales_window_open`);
4. more tickets than the lottery has;
5. more unpaid tickets over all lotteries than one account may hold;
5b. more unpaid tickets held from the buyer's client address (over every account
   reserving from it, all lotteries) than one address may hold; not checked when
   the address is unknown (the buyer's own pending order here is replaced, so it
   does not count);
6. more tickets than one person may hold here (paid ones count; a pending order
   here is replaced, so it does not, but one placed with the same email as the
   other kind of buyer, a guest's or the account's, does);
7. otherwise the order is placed, if enough numbers are free (else: sold out).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from associations.models import Association

from ..selectors.actions import association_sells
from .errors import (
    MAX_AMOUNT_CENTS,
    AmountTooLarge,
    HeldTicketsCapReached,
    InvalidQuantity,
    PerPersonCapReached,
    SalesNotOpen,
    SoldOut,
)


@dataclass(frozen=True, slots=True)
class SaleSnapshot:
    """What one reservation saw, at one instant, under its locks."""

    on_sale: bool  # the lottery is open and now is within its sales window
    association_status: str  # the lottery's association's (it sells when active)
    ticket_cap: int
    per_person_cap: int | None
    # The buyer is a person: the account's orders and the online ones placed with its
    # email (a guest's: those placed with the email). The buyer's own pending order
    # here is replaced, so it counts in neither figure below.
    paid_here: int  # the person's paid tickets here, and unpaid ones not replaced
    held_elsewhere: int  # the person's other unpaid, unexpired online tickets
    resumable: bool  # a pending order here for as many tickets, not expired
    # Unpaid, unexpired online tickets held from the buyer's client address (every
    # account, every lottery, but the buyer's own pending order here); None when the
    # address is unknown.
    held_from_address: int | None = None


class Decision(enum.Enum):
    RESUME = "resume"
    PLACE = "place"


def max_held_tickets() -> int:
    """How many unpaid tickets one account may hold at a time (`LOTTERY_MAX_HELD_TICKETS`)."""
    return int(getattr(settings, "LOTTERY_MAX_HELD_TICKETS", 20))


def max_held_tickets_per_address() -> int:
    """Unpaid tickets held from one client address (`LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS`)."""
    return int(getattr(settings, "LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS", 40))


def reservation_decide(
    sale: SaleSnapshot, *, quantity: int, max_held: int, max_per_address: int | None = None
) -> Decision:
    """Resume, place, or raise the refusal (a PurchaseError) the rule names first.

    `max_per_address` defaults to `max_held_tickets_per_address()`.
    """
    if not association_sells(status=sale.association_status):
        raise association_refusal(status=sale.association_status)
    if sale.resumable:
        return Decision.RESUME
    if not sale.on_sale:
        raise SalesNotOpen()
    if quantity > sale.ticket_cap:
        raise InvalidQuantity()
    if sale.held_elsewhere + quantity > max_held:
        raise held_cap_refusal(held_elsewhere=sale.held_elsewhere, limit=max_held)
    if max_per_address is None:
        max_per_address = max_held_tickets_per_address()
    if sale.held_from_address is not None and sale.held_from_address + quantity > max_per_address:
        raise address_cap_refusal(limit=max_per_address)
    if sale.per_person_cap is not None and sale.paid_here + quantity > sale.per_person_cap:
        raise per_person_refusal(cap=sale.per_person_cap, held=sale.paid_here)
    return Decision.PLACE


def quantity_check(quantity: Any) -> int:
    """A whole number of tickets between 1 and `LOTTERY_MAX_TICKETS_PER_ORDER`."""
    max_per_order = getattr(settings, "LOTTERY_MAX_TICKETS_PER_ORDER", 100)
    if (
        not isinstance(quantity, int)
        or isinstance(quantity, bool)
        or not (1 <= quantity <= max_per_order)
    ):
        raise InvalidQuantity(_("Choose between 1 and %(max)s tickets.") % {"max": max_per_order})
    return quantity


def amount_check(amount_cents: int) -> int:
    """An order's total, refused (AmountTooLarge) above what one payment may be."""
    if amount_cents > MAX_AMOUNT_CENTS:
        raise AmountTooLarge()
    return amount_cents


def association_refusal(*, status: str) -> SalesNotOpen:
    """No sale for an association that is not active: suspended, or under review."""
    if status == Association.Status.SUSPENDED:
        return SalesNotOpen(
            _("Sales are suspended: the platform has suspended this lottery's association.")
        )
    return SalesNotOpen(_("Ticket sales are suspended while the platform reviews the association."))


def per_person_refusal(*, cap: int, held: int) -> PerPersonCapReached:
    left = max(cap - held, 0)
    return PerPersonCapReached(
        _(
            "One person may hold at most %(cap)s tickets in this lottery; "
            "you can still get %(left)s."
        )
        % {"cap": cap, "left": left}
    )


def held_cap_refusal(*, held_elsewhere: int, limit: int) -> HeldTicketsCapReached:
    return HeldTicketsCapReached(
        _(
            "One account may hold at most %(max)s unpaid tickets at a time; you already "
            "hold %(held)s in other lotteries. Pay for them or cancel those orders first."
        )
        % {"max": limit, "held": held_elsewhere}
        if held_elsewhere
        else _("One account may hold at most %(max)s unpaid tickets at a time.") % {"max": limit}
    )


def address_cap_refusal(*, limit: int) -> HeldTicketsCapReached:
    return HeldTicketsCapReached(
        _(
            "Too many unpaid tickets are already held from your connection (at most "
            "%(max)s at a time, over every account using it). Try again once they are "
            "paid for or released."
        )
        % {"max": limit}
    )


def sold_out_error(*, left: int) -> SoldOut:
    if left == 0:
        return SoldOut(_("Sorry, this lottery is sold out."))
    return SoldOut(_("Sorry, only %(left)s tickets are left at the moment.") % {"left": left})
