"""Groups listen to the lottery: winners of a seat-carrying prize join the group."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def draw_committed_enrol_winners(
    sender: Any, *, lottery_id: int, result_id: int, **kwargs: Any
) -> None:
    """Enrol each winner whose prize carries a seat (sent after the draw's commit)."""
    from lottery.draw.selectors import draw_winners_for_enrolment

    _winners_enrol(draw_winners_for_enrolment(result_id=result_id), why=f"lottery {lottery_id}")


def guest_orders_attached_enrol_winners(
    sender: Any, *, user_id: int, order_ids: list[int], **kwargs: Any
) -> None:
    """A guest who won a seat, then made an account with that email, joins the group now."""
    from lottery.draw.selectors import draw_winners_of_orders

    _winners_enrol(draw_winners_of_orders(order_ids=order_ids), why=f"orders of user {user_id}")


def _winners_enrol(winners: list[Any], *, why: str) -> None:
    from .models import GroupSeatPrize
    from .services import group_seat_award

    prize_ids = {w.prize_id for w in winners}
    seats = dict(
        GroupSeatPrize.objects.filter(prize_id__in=prize_ids).values_list("prize_id", "group_id")
    )
    for winner in winners:
        group_id = seats.get(winner.prize_id)
        if group_id is None or not winner.user_id:
            # No seat on this prize, or a ticket bought with no account (yet): a guest
            # is enrolled once an account verifies the order's email.
            continue
        outcome = group_seat_award(
            group_id=group_id, user_id=winner.user_id, prize_id=winner.prize_id
        )
        logger.info("%s: winner %s of prize %s → %s", why, winner.user_id, winner.prize_id, outcome)


def team_membership_changed_settle_roles(
    sender: Any, *, association_id: int, user_id: int, ended: bool, **kwargs: Any
) -> None:
    """Leaving an association's team ends its group roles; a role change reaches sockets."""
    from .services import group_roles_settle

    group_roles_settle(association_id=association_id, user_id=user_id, ended=ended)


def _schedules_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections
    from django_q.models import Schedule

    from .tasks import schedules_ensure

    if Schedule._meta.db_table in connections[using].introspection.table_names():
        schedules_ensure()


def _seat_prize_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The lottery's page names the seats its prizes carry: refresh its kept parts."""
    from assosolos.page_cache import page_cache_bump
    from lottery.models import Prize
    from lottery.selectors import lottery_page_dependency

    lottery_id = Prize.objects.filter(pk=instance.prize_id).values_list("lottery_id", flat=True)
    for found in lottery_id:
        page_cache_bump(lottery_page_dependency(found))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_migrate, post_save

    from associations.signals import team_membership_changed
    from lottery.signals import draw_committed, guest_orders_attached

    from .models import GroupSeatPrize

    post_save.connect(_seat_prize_changed, sender=GroupSeatPrize, dispatch_uid="groups_seat_save")
    post_delete.connect(
        _seat_prize_changed, sender=GroupSeatPrize, dispatch_uid="groups_seat_delete"
    )

    draw_committed.connect(draw_committed_enrol_winners, dispatch_uid="groups_enrol_winners")
    guest_orders_attached.connect(
        guest_orders_attached_enrol_winners, dispatch_uid="groups_enrol_attached_winners"
    )
    team_membership_changed.connect(
        team_membership_changed_settle_roles, dispatch_uid="groups_settle_roles"
    )
    post_migrate.connect(
        _schedules_after_migrate, sender=apps.get_app_config("groups"), dispatch_uid="groups_sched"
    )
