"""Reads about groups: who may do what, seats, members, sessions, the room's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from associations.models import Association
from associations.selectors import association_can_manage, association_manager_ids
from lottery.models import Lottery, Prize, Ticket
from lottery.selectors import HELD, lottery_ledger_sealed

from .models import (
    Commitment,
    Group,
    GroupApplication,
    GroupInvitation,
    GroupMembership,
    GroupSeatPrize,
    Message,
    MessageReport,
    Session,
    WaitingListEntry,
)

Role = GroupMembership.Role
LotteryStatus = Lottery.Status


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def group_can_manage(*, user: Any, group: Group) -> bool:
    """Association admins (and platform staff) manage a group: settings, members, sessions."""
    if not _signed_in(user):
        return False
    return bool(user.is_staff) or association_can_manage(user=user, association=group.association)


def group_membership(*, user: Any, group_id: int) -> GroupMembership | None:
    if not _signed_in(user):
        return None
    return GroupMembership.objects.filter(group_id=group_id, user_id=user.pk).first()


def group_is_moderator(*, user: Any, group: Group, membership: GroupMembership | None) -> bool:
    """The facilitator and the association's admins moderate the room."""
    if membership is not None and membership.role == Role.FACILITATOR:
        return True
    if _signed_in(user) and group.facilitator_id == user.pk:
        return True
    return group_can_manage(user=user, group=group)


def group_seats_taken(*, group: Group) -> int:
    """Seats count members only; the facilitator does not take one."""
    return group.memberships.filter(role=Role.MEMBER).count()


def group_has_free_seat(*, group: Group) -> bool:
    return group_seats_taken(group=group) < group.capacity


def group_members(*, group: Group) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("user").order_by("role", "joined_at", "pk")


def group_waiting_list(*, group: Group) -> QuerySet[WaitingListEntry]:
    return group.waiting_list.select_related("user")


def groups_of_association(*, association: Association) -> QuerySet[Group]:
    return association.groups.annotate(
        member_count=Count("memberships", filter=Q(memberships__role=Role.MEMBER))
    ).order_by("title")


def groups_open_to_applications() -> QuerySet[Group]:
    return (
        Group.objects.filter(
            admission=Group.Admission.APPLICATIONS,
            association__status=Association.Status.VERIFIED,
        )
        .select_related("association")
        .order_by("title")
    )


@dataclass(frozen=True)
class MyGroup:
    membership: GroupMembership
    unread: int


def groups_of_user(*, user: Any) -> list[MyGroup]:
    """The user's groups with their unread counts (visible messages after the last read)."""
    if not _signed_in(user):
        return []
    # Deleted messages are not news: they are left out of the count (one query still).
    deleted_unread = (
        Message.objects.filter(
            group_id=OuterRef("group_id"),
            seq__gt=OuterRef("last_read_seq"),
            deleted_at__isnull=False,
        )
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    memberships = (
        GroupMembership.objects.filter(user=user)
        .select_related("group__association")
        .annotate(deleted_unread=Coalesce(Subquery(deleted_unread), 0))
    )
    return [
        MyGroup(membership=m, unread=max(0, m.group.last_seq - m.last_read_seq - m.deleted_unread))
        for m in memberships
    ]


def invitations_for_user(*, user: Any) -> QuerySet[GroupInvitation]:
    if not _signed_in(user):
        return GroupInvitation.objects.none()
    return GroupInvitation.objects.filter(
        email__iexact=user.email, status=GroupInvitation.Status.PENDING
    ).select_related("group__association")


def waiting_entries_for_user(*, user: Any) -> QuerySet[WaitingListEntry]:
    if not _signed_in(user):
        return WaitingListEntry.objects.none()
    return WaitingListEntry.objects.filter(user=user).select_related("group")


def group_pending_applications(*, group: Group) -> QuerySet[GroupApplication]:
    return group.applications.filter(status=GroupApplication.Status.PENDING).select_related("user")


def group_pending_invitations(*, group: Group) -> QuerySet[GroupInvitation]:
    return group.invitations.filter(status=GroupInvitation.Status.PENDING)


def group_open_reports(*, group: Group) -> QuerySet[MessageReport]:
    return MessageReport.objects.filter(
        message__group=group, resolved_at__isnull=True
    ).select_related("message__author", "reporter")


def group_sessions(*, group: Group) -> QuerySet[Session]:
    return group.sessions.all()


def group_commitment_record(*, group: Group) -> QuerySet[Commitment]:
    """Every goal set in the group's sessions, oldest first: the group's record."""
    return Commitment.objects.filter(session__group=group).select_related("user", "session")


# --- Room -------------------------------------------------------------------------


# Each message with its author, and the message it answers with that one's author.
ROOM_MESSAGE_RELATED = ("author", "reply_to__author")


def room_messages_after(*, group_id: int, after: int, limit: int) -> list[Message]:
    return list(
        Message.objects.filter(group_id=group_id, seq__gt=after)
        .select_related(*ROOM_MESSAGE_RELATED)
        .order_by("seq")[:limit]
    )


def room_messages_before(*, group_id: int, before: int | None, limit: int) -> list[Message]:
    queryset = Message.objects.filter(group_id=group_id)
    if before is not None:
        queryset = queryset.filter(seq__lt=before)
    return list(reversed(queryset.select_related(*ROOM_MESSAGE_RELATED).order_by("-seq")[:limit]))


def room_messages_around(*, group_id: int, seq: int, limit: int) -> list[Message]:
    """At most `limit` messages with `seq` about in the middle (numbers have no gaps)."""
    first = max(1, seq - limit // 2)
    return list(
        Message.objects.filter(group_id=group_id, seq__gte=first, seq__lt=first + limit)
        .select_related(*ROOM_MESSAGE_RELATED)
        .order_by("seq")
    )


def room_message_with_past(*, group_id: int, seq: int) -> Message | None:
    """A message with its earlier versions and, if deleted, its moderation record."""
    return (
        Message.objects.filter(group_id=group_id, seq=seq)
        .select_related("deletion__author")
        .prefetch_related("revisions")
        .first()
    )


def room_reaction_counts(*, message_ids: list[int]) -> dict[int, dict[str, int]]:
    from .models import Reaction

    counts: dict[int, dict[str, int]] = {}
    rows = (
        Reaction.objects.filter(message_id__in=message_ids)
        .values("message_id", "emoji")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["message_id"], {})[row["emoji"]] = row["n"]
    return counts


def room_reactor_names(*, message_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Who reacted with what, by name, in the order they reacted (the hover of a reaction)."""
    from .models import Reaction

    names: dict[int, dict[str, list[str]]] = {}
    rows = (
        Reaction.objects.filter(message_id__in=message_ids)
        .select_related("user")
        .only("message_id", "emoji", "user__display_name", "user__email")
        .order_by("pk")
    )
    for row in rows:
        names.setdefault(row.message_id, {}).setdefault(row.emoji, []).append(row.user.public_name)
    return names


def room_member_names(*, group: Group) -> list[str]:
    """The members' public names, for the "@" autocomplete of the room's message box."""
    return sorted({m.user.public_name for m in group_members(group=group)}, key=str.lower)


# --- Seats offered as lottery prizes -------------------------------------------------
# groups may read the lottery; the lottery never reads groups (it announces its draws).

# A seat may be attached until sales close: it only adds to what a buyer may win.
SEAT_ATTACHABLE_STATUSES = (LotteryStatus.DRAFT, LotteryStatus.OPEN)
# A seat may be detached from a draft or a cancelled lottery (nothing will be drawn), and
# from an open one until its first ticket is held: buyers pay for the prize as announced.
SEAT_DETACHABLE_STATUSES = (LotteryStatus.DRAFT, LotteryStatus.OPEN, LotteryStatus.CANCELLED)
# Attached prizes of these lotteries still promise their seats: the draw is to come.
SEAT_PROMISING_STATUSES = (LotteryStatus.DRAFT, LotteryStatus.OPEN, LotteryStatus.CLOSED)
# The public group page names the prizes of lotteries the public can follow to a draw.
SEAT_PUBLIC_STATUSES = (LotteryStatus.OPEN, LotteryStatus.CLOSED)


def seat_prize_attachable(*, lottery: Lottery) -> bool:
    """May a prize of this lottery take (or change) a seat? Not once sales have closed."""
    return lottery.status in SEAT_ATTACHABLE_STATUSES and not lottery_ledger_sealed(lottery=lottery)


def seat_prize_detachable(*, lottery: Lottery) -> bool:
    """May a prize of this lottery lose its seat? Not once a ticket was sold with it."""
    if lottery.status not in SEAT_DETACHABLE_STATUSES or lottery_ledger_sealed(lottery=lottery):
        return False
    return not (lottery.status == LotteryStatus.OPEN and lottery_has_tickets_held(lottery=lottery))


def lottery_has_tickets_held(*, lottery: Lottery) -> bool:
    """Has anyone bought (or started paying for) a ticket of this lottery?"""
    return Ticket.objects.filter(lottery_id=lottery.pk, status__in=HELD).exists()


@dataclass(frozen=True)
class PrizeSeat:
    """A prize carrying a seat in the group, as the manage page lists it."""

    seat: GroupSeatPrize
    can_detach: bool
    promised: int


def group_prize_seats(*, group: Group) -> list[PrizeSeat]:
    """The prizes that carry a seat in the group, newest lotteries first."""
    seats = group.prize_seats.select_related("prize__lottery").order_by(
        "-prize__lottery__draw_at", "prize__lottery_id", "prize__rank", "prize_id"
    )
    return [
        PrizeSeat(
            seat=seat,
            can_detach=seat_prize_detachable(lottery=seat.prize.lottery),
            promised=seat.prize.quantity
            if seat.prize.lottery.status in SEAT_PROMISING_STATUSES
            else 0,
        )
        for seat in seats
    ]


def group_seats_promised(*, group: Group) -> int:
    """Seats the group owes to winners of draws still to come: one per prize slot.

    An upper bound: a winner already in the group, or a slot left unawarded, takes none.
    """
    seats = GroupSeatPrize.objects.filter(
        group_id=group.pk, prize__lottery__status__in=SEAT_PROMISING_STATUSES
    )
    return seats.aggregate(n=Coalesce(Sum("prize__quantity"), 0))["n"]


@dataclass(frozen=True)
class SeatPromises:
    """A group's seats: taken by members, promised to draws to come, and what is left."""

    capacity: int
    taken: int
    promised: int

    @property
    def free(self) -> int:
        """Seats a new prize may still promise."""
        return max(0, self.capacity - self.taken - self.promised)

    @property
    def short(self) -> int:
        """Winners who would find the group full (members joined after the promise)."""
        return max(0, self.taken + self.promised - self.capacity)


def group_seat_promises(*, group: Group) -> SeatPromises:
    return SeatPromises(
        capacity=group.capacity,
        taken=group_seats_taken(group=group),
        promised=group_seats_promised(group=group),
    )


def group_prizes_attachable(*, group: Group) -> QuerySet[Prize]:
    """The association's prizes that may take a seat in the group now.

    Prizes of its own lotteries, before sales close, that carry no seat yet (in any group).
    """
    return (
        Prize.objects.filter(
            lottery__association_id=group.association_id,
            lottery__status__in=SEAT_ATTACHABLE_STATUSES,
            lottery__ledger_sealed_at__isnull=True,
            group_seat__isnull=True,
        )
        .select_related("lottery")
        .order_by("lottery__draw_at", "lottery_id", "rank", "pk")
    )


def group_public_prize_seats(*, group: Group) -> list[GroupSeatPrize]:
    """The prizes the public may still win a seat with: lotteries on sale or awaiting the draw.

    As in the lottery listings, a suspended association's lotteries are left out.
    """
    return list(
        group.prize_seats.filter(
            prize__lottery__status__in=SEAT_PUBLIC_STATUSES,
            prize__lottery__association__status=Association.Status.VERIFIED,
        )
        .select_related("prize__lottery")
        .order_by("prize__lottery__draw_at", "prize__lottery_id", "prize__rank", "prize_id")
    )


# --- Room moderation ----------------------------------------------------------------


@dataclass(frozen=True)
class ReportedMessage:
    """A message with its open reports: moderators act once per message, not per report."""

    message: Message
    reports: list[MessageReport]

    @property
    def deleted(self) -> bool:
        return self.message.deleted_at is not None

    @property
    def text(self) -> str:
        """What moderators read: a deleted message's text from its moderation record."""
        if not self.deleted:
            return self.message.body
        deletion = getattr(self.message, "deletion", None)
        return deletion.body if deletion is not None else ""

    @property
    def author_name(self) -> str:
        author = self.message.author
        if self.deleted:
            deletion = getattr(self.message, "deletion", None)
            author = deletion.author if deletion is not None else None
        return author.public_name if author else ""


def room_open_reports(*, group: Group) -> list[ReportedMessage]:
    """Messages with open reports, the one waiting longest first; one query."""
    reports = (
        MessageReport.objects.filter(message__group=group, resolved_at__isnull=True)
        .select_related("message__author", "message__deletion__author", "reporter")
        .order_by("created_at", "pk")
    )
    by_message: dict[int, ReportedMessage] = {}
    for report in reports:
        entry = by_message.setdefault(
            report.message_id, ReportedMessage(message=report.message, reports=[])
        )
        entry.reports.append(report)
    return list(by_message.values())


def room_moderator_ids(*, group: Group) -> set[int]:
    """Who moderates the room by name: the facilitator(s) and the association's managers.

    Platform staff moderate too but are not listed: they are not told of each report.
    """
    ids = set(group.memberships.filter(role=Role.FACILITATOR).values_list("user_id", flat=True))
    if group.facilitator_id:
        ids.add(group.facilitator_id)
    ids.update(association_manager_ids(association_id=group.association_id))
    return ids


def prize_seats_of(*, prize_ids: list[int]) -> list[GroupSeatPrize]:
    """The seats these prizes carry, in prize order, with their groups (one query)."""
    if not prize_ids:
        return []
    return list(
        GroupSeatPrize.objects.filter(prize_id__in=prize_ids)
        .select_related("prize", "group")
        .order_by("prize__rank", "prize_id")
    )


def groups_directory() -> QuerySet[Group]:
    """The public list of groups of verified associations, by association then title.

    Each carries its association, `member_count` and `seats_taken`, never who the
    members are: the directory names no one.
    """
    return (
        Group.objects.filter(association__status=Association.Status.VERIFIED)
        .select_related("association")
        .annotate(member_count=Count("memberships", filter=Q(memberships__role=Role.MEMBER)))
        .order_by("association__name", "title", "pk")
    )
