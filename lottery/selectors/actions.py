"""What may be done to a lottery, and by whom: the one place that decides it.

`lottery_actions` answers for one lottery, one actor and one moment: whether
tickets are on sale (and why not), and which of the manager's actions apply. The
services refuse on the same answer (`can_…`: what the lottery's state allows,
whoever acts), the views and templates show on it (`may_…`: the state allows it
and the actor manages the association, as `associations.selectors` rules).

On sale means one thing everywhere: the lottery is open, now is within its sales
window, and its association is active (verified: not pending, rejected or
suspended). The reservation statement reads the same two halves in SQL
(`sales_window_open`, `association_sells`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from associations.selectors import association_can_manage, association_status_is_active

from ..models import Lottery
from .common import Status
from .counts import StatusWord, lottery_status_word


class NotOnSale(StrEnum):
    """Why tickets are not on sale, in the order the public page tells it."""

    NONE = ""  # they are on sale
    CANCELLED = "cancelled"
    DRAWN = "drawn"
    CLOSED = "closed"  # closed, or the closing time has passed
    ASSOCIATION = "association"  # the association is not active
    NOT_YET = "not_yet"  # a draft (scheduled or not), or before the opening time


def sales_window_open(*, lottery: Lottery, now: datetime) -> bool:
    """The lottery is open and `now` is within its sales window."""
    return lottery.status == Status.OPEN and lottery.sales_open_at <= now < lottery.sales_close_at


def association_sells(*, status: str) -> bool:
    """An association with this status may sell tickets: it is active."""
    return association_status_is_active(status=status)


def lottery_not_on_sale(*, lottery: Lottery, now: datetime) -> NotOnSale:
    """Why the lottery's tickets are not on sale now, or `NotOnSale.NONE`."""
    if lottery.status == Status.CANCELLED:
        return NotOnSale.CANCELLED
    if lottery.status == Status.DRAWN:
        return NotOnSale.DRAWN
    if lottery.status == Status.CLOSED or (
        lottery.status == Status.OPEN and lottery.sales_close_at <= now
    ):
        return NotOnSale.CLOSED
    if not association_sells(status=lottery.association.status):
        return NotOnSale.ASSOCIATION
    if not sales_window_open(lottery=lottery, now=now):
        return NotOnSale.NOT_YET
    return NotOnSale.NONE


@dataclass(frozen=True)
class LotteryActions:
    """One lottery seen by one actor at one moment (`lottery_actions`).

    Each answer is worked out when first asked, so a page that shows no manager's
    action never asks who manages the association.
    """

    lottery: Lottery
    actor: Any
    now: datetime

    @cached_property
    def status(self) -> StatusWord:
        """The badge, and what is_draft, is_open… read."""
        return lottery_status_word(lottery=self.lottery)

    @cached_property
    def not_on_sale(self) -> NotOnSale:
        return lottery_not_on_sale(lottery=self.lottery, now=self.now)

    @cached_property
    def manager(self) -> bool:
        """The actor manages the lottery's association (staff do not, as such)."""
        return self.actor is not None and association_can_manage(
            user=self.actor, association=self.lottery.association
        )

    @property
    def opens_later(self) -> bool:
        """The opening time is still to come."""
        return self.lottery.sales_open_at > self.now

    @property
    def open_requested(self) -> bool:
        """A draft whose opening is asked (scheduled, or due to open)."""
        return self.lottery.open_requested_at is not None

    @property
    def sealed(self) -> bool:
        """The ledger is sealed for the draw."""
        return self.lottery.ledger_sealed_at is not None

    # --- Where the lottery stands -----------------------------------------------------

    @property
    def on_sale(self) -> bool:
        return self.not_on_sale == NotOnSale.NONE

    @property
    def is_draft(self) -> bool:
        """A draft, scheduled to open or not."""
        return self.status.draft

    @property
    def is_scheduled(self) -> bool:
        return self.status.scheduled

    @property
    def is_open(self) -> bool:
        return self.status.open

    @property
    def is_drawn(self) -> bool:
        return self.status.drawn

    @property
    def is_cancelled(self) -> bool:
        return self.status.cancelled

    @property
    def is_finished(self) -> bool:
        return self.status.finished

    # --- What the lottery's state allows, whoever acts (the services refuse on these) ---

    @property
    def can_edit(self) -> bool:
        """Its settings may change: a draft, or open (texts and later dates only).

        The association must be active too: the services ask `associations` for that."""
        return self.status.draft or self.status.open

    @property
    def can_edit_prizes(self) -> bool:
        """Prizes and bundles change only before sales open (and the association active)."""
        return self.status.draft

    @property
    def can_open(self) -> bool:
        """An opening may be asked, or made now (the opening checks then apply)."""
        return self.status.draft

    @property
    def can_close(self) -> bool:
        return self.status.open

    @property
    def can_cancel(self) -> bool:
        """Not drawn, not cancelled already, and the ledger not sealed for the draw."""
        return not self.status.finished and not self.sealed

    @property
    def draw_due(self) -> bool:
        """Sales are closed and the draw time has come (the draw waits for the seal too)."""
        return self.lottery.status == Status.CLOSED and self.lottery.draw_at <= self.now

    @property
    def can_record_sale(self) -> bool:
        """A cash or cheque sale is recorded only while tickets are on sale."""
        return self.on_sale

    # --- What this actor may do (the views and templates show these) -------------------

    @property
    def may_edit(self) -> bool:
        return self.manager and self.can_edit

    @property
    def may_edit_prizes(self) -> bool:
        return self.manager and self.can_edit_prizes

    @property
    def may_open(self) -> bool:
        """Ask for the opening (at its time, or at once when the time has come)."""
        return self.manager and self.can_open and not self.open_requested

    @property
    def may_open_now(self) -> bool:
        """Open at once, before the opening time."""
        return self.manager and self.can_open and self.opens_later

    @property
    def may_unschedule(self) -> bool:
        """Withdraw the request to open: the draft stays a draft."""
        return self.manager and self.can_open and self.open_requested

    @property
    def may_close(self) -> bool:
        return self.manager and self.can_close

    @property
    def may_cancel(self) -> bool:
        return self.manager and self.can_cancel

    @property
    def may_record_sale(self) -> bool:
        return self.manager and self.can_record_sale


def lottery_actions(*, lottery: Lottery, actor: Any, now: datetime) -> LotteryActions:
    """What `actor` may do to `lottery` at `now`, and whether its tickets are on sale.

    `actor` is whoever acts or looks: a manager, a visitor, or None for the platform
    itself (a task); only the association's owners and admins manage it
    (`associations.selectors.association_can_manage`: staff act elsewhere).
    """
    return LotteryActions(lottery=lottery, actor=actor, now=now)
