"""Seats offered as lottery prizes: an association admin attaches a prize to a group.

When the draw commits, each winner of such a prize is enrolled (`groups.receivers`),
so what is attached here is a promise made to ticket buyers. Hence the rules:

- only the association's own prizes, and a prize carries a seat in one group at most;
- a seat is added while the lottery is a draft or open. Once sales have closed, the
  ledger is sealed or the draw is published, nothing changes: buyers have paid for the
  prizes as announced and the published draw must keep its meaning;
- a seat is taken off a draft's prize, a cancelled lottery's (nothing will be drawn), or
  an open lottery's until its first ticket is held: once someone has paid for a prize,
  it stays as announced (the lottery's own prizes change only before sales open);
- a promise the group can keep: the seats taken by members plus the seats already
  promised to draws still to come plus this prize's quantity must fit the capacity.
  A winner who finds the group full would only head its waiting list, which is not the
  prize the buyers were shown. Members who join later can still fill promised seats
  (admissions do not hold seats back); the manage page then warns the admins.

Lock order: the group row (as every change of seats), then the lottery row `FOR SHARE`
through `lottery.locking` (its status cannot change until the attachment commits, and
many attachments may share it). The lottery's services never lock a group, so the two
orders cannot meet in a cycle.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from associations.services import association_require_active
from lottery.locking import money_path_lock
from lottery.models import Prize

from .. import selectors
from ..models import Group, GroupSeatPrize
from .errors import GroupError
from .membership import _group_lock, _require_manager

_LOTTERY_FROZEN = gettext_lazy(
    "The lottery “%(lottery)s” (%(status)s) can no longer change: its prizes stay as announced."
)


def group_seat_prize_attach(*, group: Group, actor: Any, prize_id: int) -> GroupSeatPrize:
    """Make a prize of the association's lottery carry a seat in `group`.

    Raises GroupError (on the `prize` field) when the rules above refuse, and
    PermissionDenied when `actor` does not manage the group.
    """
    _require_manager(actor=actor, group=group)
    association_require_active(association=group.association)
    prize = Prize.objects.filter(pk=prize_id).select_related("lottery").first()
    # Someone else's prize reads as an unknown one: its existence is none of our business.
    if prize is None or prize.lottery.association_id != group.association_id:
        raise GroupError({"prize": _("Choose one of your association's prizes.")})
    with transaction.atomic():
        locked = _group_lock(group.pk)
        lottery, _orders = money_path_lock(lottery_id=prize.lottery_id, lottery_shared=True)
        if not selectors.seat_prize_attachable(lottery=lottery):
            raise GroupError(
                {
                    "prize": _LOTTERY_FROZEN
                    % {"lottery": lottery.title, "status": lottery.get_status_display()}
                }
            )
        existing = GroupSeatPrize.objects.filter(prize_id=prize.pk).select_related("group").first()
        if existing is not None:
            raise GroupError({"prize": _already_carries(existing=existing, group=locked)})
        free = selectors.group_seat_promises(group=locked).free
        if prize.quantity > free:
            raise GroupError(
                {
                    "prize": ngettext(
                        "This prize has %(quantity)s winner; seats neither taken nor promised "
                        "to another prize: %(free)s. Raise the group's capacity first.",
                        "This prize has %(quantity)s winners; seats neither taken nor promised "
                        "to another prize: %(free)s. Raise the group's capacity first.",
                        prize.quantity,
                    )
                    % {"quantity": prize.quantity, "free": free}
                }
            )
        try:
            # A savepoint, so that losing a race on the prize leaves the transaction usable.
            with transaction.atomic():
                return GroupSeatPrize.objects.create(prize=prize, group=locked)
        except IntegrityError:
            existing = GroupSeatPrize.objects.filter(prize_id=prize.pk).select_related("group")
            raise GroupError(
                {"prize": _already_carries(existing=existing.first(), group=locked)}
            ) from None


def _already_carries(*, existing: GroupSeatPrize | None, group: Group) -> str:
    if existing is not None and existing.group_id == group.pk:
        return _("This prize already carries a seat in this group.")
    if existing is not None:
        return _("This prize already carries a seat in the group “%(group)s”.") % {
            "group": existing.group.title
        }
    return _("This prize already carries a seat in another group.")


def group_seat_prize_detach(*, group: Group, actor: Any, seat_id: int) -> None:
    """Take the seat off a prize, while its lottery is a draft, open or cancelled."""
    _require_manager(actor=actor, group=group)
    with transaction.atomic():
        _group_lock(group.pk)
        seat = GroupSeatPrize.objects.filter(pk=seat_id, group_id=group.pk).first()
        if seat is None:
            raise GroupError(_("This prize no longer carries a seat in this group."))
        lottery, _orders = money_path_lock(lottery_id=seat.prize.lottery_id, lottery_shared=True)
        if not selectors.seat_prize_detachable(lottery=lottery):
            names = {"lottery": lottery.title, "status": lottery.get_status_display()}
            if selectors.seat_prize_attachable(lottery=lottery):
                # Open, with tickets held: the change is refused for the buyers' sake.
                raise GroupError(
                    _(
                        "The seat stays with its prize: tickets of the lottery “%(lottery)s” "
                        "have been sold with it."
                    )
                    % names
                )
            raise GroupError(_LOTTERY_FROZEN % names)
        seat.delete()
