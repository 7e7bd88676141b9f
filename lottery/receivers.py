"""What the lottery app does when another app signals a change."""

from __future__ import annotations

from typing import Any


def association_suspended_release_orders(
    sender: Any, *, association_id: int, status: str, **kwargs: Any
) -> None:
    """A suspension stops every payment in flight: pending orders are released."""
    from associations.models import Association

    from .services import orders_release_for_suspension

    if status == Association.Status.SUSPENDED:
        orders_release_for_suspension(association_id=association_id)


def email_confirmed_attach_guest_orders(
    sender: Any, *, request: Any = None, email_address: Any, **kwargs: Any
) -> None:
    """An address is verified as an account's: the guest orders placed with it join it."""
    from .services import guest_orders_attach

    if email_address.user_id:
        guest_orders_attach(user=email_address.user, email=email_address.email)


def receivers_connect() -> None:
    from allauth.account.signals import email_confirmed

    from associations.signals import association_status_changed

    email_confirmed.connect(
        email_confirmed_attach_guest_orders, dispatch_uid="lottery_attach_guest_orders"
    )

    association_status_changed.connect(
        association_suspended_release_orders, dispatch_uid="lottery_suspension_release"
    )
