"""Writes for pitches: writing, reviewing, approving, withdrawing; the weekly showcase.

Who may do what:
- the author (a member of the group) writes, edits, submits and withdraws their pitch;
- other members comment on a version and mark it ready;
- the facilitator or an association admin approves it, never its own author, and only
  once a peer has marked the current version ready.
Each edit keeps a version; approval names the version the showcase publishes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from associations.selectors import association_manage_check
from assosolos.effects import on_commit
from groups.models import Group
from groups.networks import NETWORKS, pitch_count
from groups.selectors import group_is_moderator, group_membership

from .models import (
    Edition,
    EditionEntry,
    Pitch,
    PitchComment,
    PitchReadyMark,
    PitchVersion,
    ShowcaseSchedule,
)

logger = logging.getLogger(__name__)

Status = Pitch.Status
PARIS = ZoneInfo("Europe/Paris")
COMMENT_MAX = 2000


# --- Rules on the text --------------------------------------------------------------


def pitch_contact_normalise(*, contact: str) -> str:
    """A contact link is a web address (http or https) or an email address."""
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError(
            {"contact": _("Give at least one way to reach you: a web address or an email.")}
        )
    if "@" in contact and "/" not in contact:
        address = contact.removeprefix("mailto:")
        try:
            EmailValidator()(address)
        except ValidationError as exc:
            raise ValidationError({"contact": _("This email address is not valid.")}) from exc
        return address
    if not contact.lower().startswith(("http://", "https://")):
        contact = f"https://{contact}"
    try:
        URLValidator(schemes=["http", "https"])(contact)
    except ValidationError as exc:
        raise ValidationError(
            {"contact": _("This web address is not valid (for example https://monsite.fr).")}
        ) from exc
    return contact


def pitch_text_check(*, text: str, network: str) -> None:
    if network not in NETWORKS:
        raise ValidationError({"network": _("Choose a network from the list.")})
    if not text.strip():
        raise ValidationError({"text": _("Write your pitch.")})
    count = pitch_count(text=text, network=network)
    if not count.fits:
        if count.used > count.limit:
            message = _(
                "Too long for %(network)s: %(used)s of %(limit)s characters, as %(network)s "
                "counts them."
            ) % {"network": NETWORKS[network].label, "used": count.used, "limit": count.limit}
        else:
            message = _("Too long for %(network)s: %(bytes)s of %(max)s bytes.") % {
                "network": NETWORKS[network].label,
                "bytes": count.bytes,
                "max": count.byte_limit,
            }
        raise ValidationError({"text": message})


# --- Permissions ---------------------------------------------------------------------


def _require_member(*, actor: Any, group: Group) -> None:
    if group_membership(user=actor, group_id=group.pk) is None:
        raise PermissionDenied(_("Only members of this group can do this."))


def _require_author(*, actor: Any, pitch: Pitch) -> None:
    if actor is None or pitch.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can do this."))
    _require_member(actor=actor, group=pitch.group)


def _locked(pitch: Pitch) -> Pitch:
    return Pitch.objects.select_for_update().select_related("group").get(pk=pitch.pk)


def _current_version(pitch: Pitch) -> PitchVersion | None:
    return pitch.versions.order_by("-number").first()


# --- Writing -------------------------------------------------------------------------


def pitch_save(
    *,
    actor: Any,
    group: Group,
    network: str,
    text: str,
    audience: str,
    contact: str,
    pitch: Pitch | None = None,
) -> Pitch:
    """Create a pitch or record a new version of it. Nothing is saved if the text does
    not fit the network. A new version of a pitch in review or approved goes back to
    review; the approved version stays published until the next approval."""
    text = text.strip()
    audience = audience.strip()
    pitch_text_check(text=text, network=network)
    contact = pitch_contact_normalise(contact=contact) if contact.strip() else ""
    with transaction.atomic():
        if pitch is None:
            _require_member(actor=actor, group=group)
            if Pitch.objects.filter(group=group, author=actor, network=network).exists():
                raise ValidationError(
                    {"network": _("You already have a pitch for this network: edit it.")}
                )
            pitch = Pitch.objects.create(group=group, author=actor, network=network)
            current = None
        else:
            pitch = _locked(pitch)
            _require_author(actor=actor, pitch=pitch)
            current = _current_version(pitch)
        if current and (current.text, current.audience, current.contact) == (
            text,
            audience,
            contact,
        ):
            return pitch
        PitchVersion.objects.create(
            pitch=pitch,
            number=(current.number + 1) if current else 1,
            text=text,
            audience=audience,
            contact=contact,
        )
        if pitch.status in (Status.APPROVED, Status.WITHDRAWN):
            pitch.status = Status.IN_REVIEW if pitch.status == Status.APPROVED else Status.DRAFT
            pitch.withdrawn_at = None
        pitch.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return pitch


def pitch_submit(*, actor: Any, pitch: Pitch) -> Pitch:
    """Ask the group for review: needs a contact link and the audience it is written for."""
    with transaction.atomic():
        pitch = _locked(pitch)
        _require_author(actor=actor, pitch=pitch)
        version = _current_version(pitch)
        if version is None:
            raise ValidationError(_("Write your pitch first."))
        errors = {}
        if not version.contact:
            errors["contact"] = _(
                "Add at least one way to reach you (a web address or an email) before "
                "asking for review."
            )
        if not version.audience:
            errors["audience"] = _(
                "Say who this pitch is written for (recruiters in a field, clients of a trade…)."
            )
        if errors:
            raise ValidationError(errors)
        pitch_text_check(text=version.text, network=pitch.network)
        if pitch.status != Status.APPROVED:
            pitch.status = Status.IN_REVIEW
            pitch.withdrawn_at = None
            pitch.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return pitch


def pitch_withdraw(*, actor: Any, pitch: Pitch) -> Pitch:
    """The author takes the pitch back; every showcase edition stops showing it."""
    with transaction.atomic():
        pitch = _locked(pitch)
        _require_author(actor=actor, pitch=pitch)
        pitch.status = Status.WITHDRAWN
        pitch.withdrawn_at = timezone.now()
        pitch.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return pitch


# --- Review --------------------------------------------------------------------------


def pitch_comment_add(*, actor: Any, version: PitchVersion, body: str) -> PitchComment:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            {"body": _("A comment is at most %(max)s characters.") % {"max": COMMENT_MAX}}
        )
    _require_member(actor=actor, group=version.pitch.group)
    if version.pitch.status == Status.WITHDRAWN:
        raise ValidationError(_("This pitch was withdrawn by its author."))
    return PitchComment.objects.create(version=version, author=actor, body=body)


def pitch_mark_ready(*, actor: Any, version: PitchVersion) -> PitchReadyMark:
    """A peer (not the author) says the pitch's current version is ready."""
    with transaction.atomic():
        pitch = _locked(version.pitch)
        _require_member(actor=actor, group=pitch.group)
        if pitch.author_id == actor.pk:
            raise PermissionDenied(_("Your peers mark your pitch ready, not you."))
        if pitch.status != Status.IN_REVIEW:
            raise ValidationError(_("Only a pitch in review can be marked ready."))
        current = _current_version(pitch)
        if current is None or current.pk != version.pk:
            raise ValidationError(_("The author has written a newer version: review that one."))
        mark, _created = PitchReadyMark.objects.get_or_create(version=version, member=actor)
    return mark


def pitch_approve(*, actor: Any, pitch: Pitch) -> Pitch:
    """The facilitator (or an association admin) approves the current version."""
    with transaction.atomic():
        pitch = _locked(pitch)
        group = pitch.group
        membership = group_membership(user=actor, group_id=group.pk)
        if not group_is_moderator(user=actor, group=group, membership=membership):
            raise PermissionDenied(_("Only the facilitator or the association approves."))
        if pitch.author_id == actor.pk:
            raise PermissionDenied(_("A pitch cannot be approved by its own author."))
        if pitch.status != Status.IN_REVIEW:
            raise ValidationError(_("Only a pitch in review can be approved."))
        version = _current_version(pitch)
        peers = version.ready_marks.exclude(member_id=pitch.author_id) if version else None
        if version is None or not peers.exists():
            raise ValidationError(_("A peer must mark this version ready first."))
        pitch.status = Status.APPROVED
        pitch.approved_version = version
        pitch.approved_by = actor
        pitch.approved_at = timezone.now()
        pitch.save(
            update_fields=["status", "approved_version", "approved_by", "approved_at", "updated_at"]
        )
        association_id = group.association_id
        on_commit(showcase_schedule_ensure, association_id=association_id)
    return pitch


# --- Weekly showcase -----------------------------------------------------------------

SCHEDULE_FUNC = "groups.pitches.tasks.showcase_publish_task"


def _schedule_name(association_id: int) -> str:
    return f"showcase-{association_id}"


def showcase_schedule_ensure(*, association_id: int) -> ShowcaseSchedule:
    """The association's publishing time, and the django-q2 cron schedule that runs it.

    django-q2 computes cron times in Paris time (`TIME_ZONE`), so 15:00 stays 15:00
    across daylight-saving changes.
    """
    from django_q.models import Schedule

    schedule, _created = ShowcaseSchedule.objects.get_or_create(association_id=association_id)
    Schedule.objects.update_or_create(
        name=_schedule_name(association_id),
        defaults={
            "func": SCHEDULE_FUNC,
            "args": repr(association_id),
            "schedule_type": Schedule.CRON,
            "cron": schedule.cron,
            "repeats": -1,
        },
    )
    return schedule


def showcase_schedule_set(
    *, actor: Any, association: Association, weekday: int, time: dt.time
) -> ShowcaseSchedule:
    association_manage_check(
        actor=actor,
        association=association,
        message=_("Only the association's admins change the showcase time."),
    )
    if weekday not in ShowcaseSchedule.Weekday.values:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    with transaction.atomic():
        schedule, _created = ShowcaseSchedule.objects.select_for_update().get_or_create(
            association=association
        )
        schedule.weekday, schedule.time = weekday, time.replace(second=0, microsecond=0)
        schedule.save()
        from django_q.models import Schedule

        Schedule.objects.filter(name=_schedule_name(association.pk)).delete()
    return showcase_schedule_ensure(association_id=association.pk)


def showcase_slot_latest(*, schedule: ShowcaseSchedule, now: dt.datetime) -> dt.datetime:
    """The latest publishing time at or before `now` (Paris time, as an aware datetime)."""
    local = timezone.localtime(now, PARIS)
    # croniter steps back from just after `now`, so a task started on the minute
    # counts its own slot.
    return croniter(schedule.cron, local + dt.timedelta(seconds=1)).get_prev(dt.datetime)


def _showcase_page():
    """The showcase page of the default language's tree, made (with its translations
    where the home page is translated) the first time an edition needs it."""
    from wagtail.models import Page

    from .models import ShowcasePage

    default = {"locale__language_code": settings.LANGUAGE_CODE}
    page = ShowcasePage.objects.live().filter(**default).first()
    if page is not None:
        return page
    home = Page.objects.filter(depth=2, **default).first()
    if home is None:
        return None
    # In the main menu: the weekly showcase is one of the site's own places.
    page = ShowcasePage(title="La vitrine du coup de pouce", slug="vitrine", show_in_menus=True)
    home.add_child(instance=page)
    _page_translations_make(page, titles=SHOWCASE_TITLES)
    return page


# The showcase's title in the languages of the site's other trees (editors may change it).
SHOWCASE_TITLES = {"en": "The coup de pouce showcase"}


def _page_translations_make(page, *, titles: dict[str, str] | None = None) -> None:
    """Live translations of `page` into every language whose tree holds its parent's
    translation (Wagtail's localisation); an edition is then at the same address under
    /en/ and shows the English interface."""
    from wagtail.models import Locale

    parent = page.get_parent()
    for locale in Locale.objects.exclude(pk=page.locale_id):
        if page.has_translation(locale) or not parent.has_translation(locale):
            continue
        translated = page.copy_for_translation(locale)
        if titles and locale.language_code in titles:
            translated.title = titles[locale.language_code]
        translated.save_revision().publish()


def showcase_publish(*, association_id: int, now: dt.datetime | None = None) -> Edition | None:
    """Publish the association's edition for its latest slot. Idempotent.

    Gathers the pitches approved at or before the slot whose approved version was
    never published. A retried or doubled task finds the edition already there (the
    schedule row is locked and (association, slot) is unique), so it makes one.
    Returns the slot's edition, or None when there was nothing to publish.
    """
    return _publish(association_id=association_id, now=now or timezone.now())[0]


def _publish(*, association_id: int, now: dt.datetime) -> tuple[Edition | None, bool]:
    with transaction.atomic():
        schedule = showcase_schedule_ensure(association_id=association_id)
        schedule = ShowcaseSchedule.objects.select_for_update().get(pk=schedule.pk)
        slot = showcase_slot_latest(schedule=schedule, now=now)
        existing = Edition.objects.filter(association_id=association_id, slot=slot).first()
        if existing is not None:
            return existing, False
        pitches = list(
            Pitch.objects.filter(
                group__association_id=association_id,
                status=Status.APPROVED,
                approved_at__lte=slot,
                approved_version__entry__isnull=True,
            )
            .select_related("approved_version")
            .order_by("approved_at", "pk")
        )
        if not pitches:
            return None, False
        edition = Edition.objects.create(association_id=association_id, slot=slot, published_at=now)
        EditionEntry.objects.bulk_create(
            EditionEntry(edition=edition, pitch=p, version=p.approved_version) for p in pitches
        )
        parent = _showcase_page()
        if parent is not None:
            from .models import ShowcaseEditionPage

            association = Association.objects.get(pk=association_id)
            day = timezone.localtime(slot, PARIS)
            page = ShowcaseEditionPage(
                title=f"{association.name} — {day:%d/%m/%Y}",
                slug=f"{association.slug}-{day:%Y-%m-%d-%H%M}",
            )
            parent.add_child(instance=page)
            _page_translations_make(page)
            edition.page = page
            edition.save(update_fields=["page"])
    logger.info("Showcase edition %s published with %s pitches", edition.pk, len(pitches))
    return edition, True


def showcase_sweep(*, now: dt.datetime | None = None) -> int:
    """Publish the editions a stopped cluster missed (django-q2 does not replay a missed
    cron slot). Returns how many editions it made."""
    now = now or timezone.now()
    association_ids = (
        Pitch.objects.filter(status=Status.APPROVED, approved_version__entry__isnull=True)
        .values_list("group__association_id", flat=True)
        .distinct()
    )
    return sum(_publish(association_id=pk, now=now)[1] for pk in sorted(set(association_ids)))


def showcase_url(*, edition: Edition) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return base + edition.page.url if edition.page_id and edition.page.url else base
