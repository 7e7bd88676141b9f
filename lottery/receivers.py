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


def user_logged_in_attach_guest_orders(sender: Any, *, user: Any, **kwargs: Any) -> None:
    """Guest orders placed with an address the account had already verified join it too."""
    from allauth.account.models import EmailAddress

    from .services import guest_orders_attach

    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    for email in verified:
        guest_orders_attach(user=user, email=email)


def receivers_connect() -> None:
    from allauth.account.signals import email_confirmed
    from django.contrib.auth.signals import user_logged_in

    from associations.signals import association_status_changed

    email_confirmed.connect(
        email_confirmed_attach_guest_orders, dispatch_uid="lottery_attach_guest_orders"
    )
    user_logged_in.connect(
        user_logged_in_attach_guest_orders, dispatch_uid="lottery_attach_guest_orders_login"
    )

    association_status_changed.connect(
        association_suspended_release_orders, dispatch_uid="lottery_suspension_release"
    )
