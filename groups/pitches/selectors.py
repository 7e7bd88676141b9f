"""Reads for pitches and the showcase."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from associations.selectors import association_can_manage
from groups.models import Group
from groups.networks import NETWORKS, share_url
from groups.selectors import group_is_moderator, group_membership

from .models import Edition, EditionEntry, Pitch, PitchComment, PitchVersion


def pitch_can_view(*, user: Any, pitch: Pitch) -> bool:
    """Members of the group and the association's admins read pitches under review."""
    if group_membership(user=user, group_id=pitch.group_id) is not None:
        return True
    return bool(getattr(user, "is_authenticated", False)) and association_can_manage(
        user=user, association=pitch.group.association
    )


@dataclass(frozen=True)
class PitchActions:
    edit: bool
    submit: bool
    withdraw: bool
    comment: bool
    mark_ready: bool
    approve: bool


def pitch_actions(*, user: Any, pitch: Pitch, version: PitchVersion | None) -> PitchActions:
    """What `user` may do on `pitch` now; the services enforce the same rules."""
    Status = Pitch.Status
    is_author = getattr(user, "pk", None) == pitch.author_id
    membership = group_membership(user=user, group_id=pitch.group_id)
    member = membership is not None
    moderator = group_is_moderator(user=user, group=pitch.group, membership=membership)
    in_review = pitch.status == Status.IN_REVIEW
    already_ready = bool(
        version and member and version.ready_marks.filter(member_id=user.pk).exists()
    )
    peers_ready = bool(version and version.ready_marks.exclude(member_id=pitch.author_id).exists())
    return PitchActions(
        edit=is_author and member,
        submit=is_author and member and pitch.status in (Status.DRAFT, Status.WITHDRAWN),
        withdraw=is_author and pitch.status != Status.WITHDRAWN,
        comment=member and pitch.status != Status.WITHDRAWN and version is not None,
        mark_ready=member and not is_author and in_review and not already_ready,
        approve=moderator and not is_author and in_review and peers_ready,
    )


def pitches_of_group(*, group: Group) -> QuerySet[Pitch]:
    return (
        Pitch.objects.filter(group=group)
        .select_related("author")
        .annotate(version_count=Count("versions"))
        .order_by("author__display_name", "network")
    )


def pitches_of_user(*, user: Any) -> QuerySet[Pitch]:
    return Pitch.objects.filter(author_id=user.pk).select_related("group").order_by("-updated_at")


def pitch_versions(*, pitch: Pitch) -> QuerySet[PitchVersion]:
    return pitch.versions.annotate(ready_count=Count("ready_marks")).order_by("-number")


def pitch_comments(*, version: PitchVersion) -> QuerySet[PitchComment]:
    return version.comments.select_related("author")


def pitch_diff(*, old: str, new: str) -> SafeString:
    """Word by word, what changed from `old` to `new`: deletions in <del>, additions in <ins>."""
    a, b = old.split(" "), new.split(" ")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # every piece of text is escaped above


def editions_public() -> QuerySet[Edition]:
    return (
        Edition.objects.filter(page__live=True)
        .select_related("association", "page")
        .annotate(
            shown=Count("entries", filter=~_withdrawn_q("entries__pitch__status")),
        )
        .order_by("-slot")
    )


def editions_in_language(editions) -> list[Edition]:
    """`editions` with `local_page` set: each one's page in the active language's tree
    where the showcase is translated, else its own page (one query for them all)."""
    from wagtail.models import Page

    editions = list(editions)
    keys = {edition.page.translation_key for edition in editions if edition.page_id}
    language = translation.get_language() or settings.LANGUAGE_CODE
    local = {
        page.translation_key: page
        for page in Page.objects.filter(
            translation_key__in=keys, locale__language_code=language, live=True
        )
    }
    for edition in editions:
        edition.local_page = local.get(edition.page.translation_key, edition.page)
    return editions


def _withdrawn_q(field: str):
    from django.db.models import Q

    return Q(**{field: Pitch.Status.WITHDRAWN})


@dataclass(frozen=True)
class ShowcaseEntry:
    pitch_id: int
    anchor: str
    name: str
    network: str
    network_label: str
    network_site: str
    text: str
    contact: str
    contact_href: str
    share_href: str
    share_kind: str


def edition_entries_public(*, edition: Edition, request: Any = None) -> list[ShowcaseEntry]:
    """What the public sees of an edition: display name, pitch, contact link; never an
    email unless it is the contact the member gave; nothing of a withdrawn pitch."""
    page_url = ""
    if edition.page_id:
        page_url = (
            request.build_absolute_uri(edition.page.url)
            if request is not None
            else edition.page.full_url or ""
        )
    entries = (
        EditionEntry.objects.filter(edition=edition)
        .exclude(pitch__status=Pitch.Status.WITHDRAWN)
        .select_related("version", "pitch__author")
        .order_by("pk")
    )
    out = []
    for entry in entries:
        pitch, version = entry.pitch, entry.version
        network = NETWORKS[pitch.network]
        anchor = f"pitch-{pitch.pk}"
        link = f"{page_url}#{anchor}" if page_url else ""
        contact = version.contact
        out.append(
            ShowcaseEntry(
                pitch_id=pitch.pk,
                anchor=anchor,
                name=pitch.author.display_name or gettext("A member"),
                network=pitch.network,
                network_label=str(network.label),
                network_site=network.site,
                text=version.text,
                contact=contact,
                contact_href=contact if "://" in contact else f"mailto:{contact}",
                share_href=share_url(network=pitch.network, text=version.text, page_url=link),
                share_kind=network.share,
            )
        )
    return out


def pitch_versions_with_comments(*, pitch: Pitch) -> QuerySet[PitchVersion]:
    return pitch.versions.prefetch_related(
        Prefetch("comments", queryset=PitchComment.objects.select_related("author"))
    ).order_by("-number")


def showcase_entry_published(*, pitch_id: int) -> EditionEntry | None:
    """The latest published entry of a pitch still shown (not withdrawn)."""
    return (
        EditionEntry.objects.filter(pitch_id=pitch_id, edition__page__live=True)
        .exclude(pitch__status=Pitch.Status.WITHDRAWN)
        .select_related("version", "edition__page")
        .order_by("-edition__slot")
        .first()
    )


# --- When the showcase comes out next ---------------------------------------------


def showcase_next_edition_at(*, association: Any = None, now: Any = None):
    """The next publishing time after `now` (aware, Paris time), of one association or of
    the soonest of all verified associations; the default slot (Friday 15:00 Paris)
    where none has set its own."""
    import datetime as dt

    from croniter import croniter
    from django.conf import settings
    from django.utils import timezone

    from associations.models import Association

    from .models import ShowcaseSchedule

    local = timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE))
    schedules = ShowcaseSchedule.objects.all()
    if association is not None:
        schedules = schedules.filter(association=association)
    else:
        schedules = schedules.filter(association__status=Association.Status.VERIFIED)
    crons = {schedule.cron for schedule in schedules} or {ShowcaseSchedule().cron}
    return min(croniter(cron, local).get_next(dt.datetime) for cron in crons)


def showcase_page_live() -> Any:
    """The live showcase page, if any."""
    from .models import ShowcasePage

    return ShowcasePage.objects.live().first()


def editions_of_association(*, association: Any, limit: int = 5) -> list[Edition]:
    """An association's latest published editions, newest first (each with `shown`)."""
    return editions_in_language(editions_public().filter(association=association)[:limit])
