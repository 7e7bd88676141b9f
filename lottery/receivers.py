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


def receivers_connect() -> None:
    from associations.signals import association_status_changed

    association_status_changed.connect(
        association_suspended_release_orders, dispatch_uid="lottery_suspension_release"
    )
