"""Setting a lottery up: validation, creation, edits, prizes and bundles."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from associations.services import association_require_active
from assosolos.money import money_text

from ..date_window import DATE_FIELDS, DATETIME_FIELDS, window_errors
from ..locking import lottery_lock
from ..models import Bundle, Lottery, Prize
from ..selectors.actions import lottery_actions
from ..selectors.sales import prize_cash_refusal, prize_is_cash
from .alerts import no_sales_warning_schedule_on_commit
from .errors import MAX_AMOUNT_CENTS

logger = logging.getLogger(__name__)

Status = Lottery.Status


def _add(errors: dict[str, list], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def lottery_validate(*, lottery: Lottery) -> None:
    """Check the lottery's own fields; raise a ValidationError keyed by field."""
    errors: dict[str, list] = {}
    if lottery.ticket_price_cents is not None and lottery.ticket_price_cents <= 0:
        _add(errors, "ticket_price_cents", _("The ticket price must be more than zero."))
    if lottery.ticket_price_cents is not None and lottery.ticket_price_cents > MAX_AMOUNT_CENTS:
        _add(
            errors,
            "ticket_price_cents",
            _("A ticket may cost at most %(max)s.") % {"max": money_text(MAX_AMOUNT_CENTS)},
        )
    if lottery.ticket_cap is not None and lottery.ticket_cap <= 0:
        _add(errors, "ticket_cap", _("A lottery must offer at least one ticket."))
    max_cap = getattr(settings, "LOTTERY_MAX_TICKETS", 100_000)
    if lottery.ticket_cap and lottery.ticket_cap > max_cap:
        _add(
            errors,
            "ticket_cap",
            _("A lottery may offer at most %(max)s tickets.") % {"max": max_cap},
        )
    if lottery.per_person_cap is not None:
        if lottery.per_person_cap <= 0:
            _add(errors, "per_person_cap", _("Leave this empty for no limit, or give at least 1."))
        elif lottery.ticket_cap and lottery.per_person_cap > lottery.ticket_cap:
            _add(
                errors,
                "per_person_cap",
                _("A person cannot buy more tickets than the lottery offers."),
            )
    opens, closes, draw = lottery.sales_open_at, lottery.sales_close_at, lottery.draw_at
    if opens and closes and closes <= opens:
        _add(errors, "sales_close_at", _("Sales must close after they open."))
    if closes and draw and draw <= closes:
        _add(errors, "draw_at", _("The draw must take place after sales close."))
    dates = {name: getattr(lottery, name) for name in DATE_FIELDS + DATETIME_FIELDS}
    for field, message in window_errors(values=dates).items():
        _add(errors, field, message)
    if errors:
        raise ValidationError(errors)


def lottery_validate_for_opening(*, lottery: Lottery, now: datetime | None = None) -> None:
    """Everything that must hold before tickets go on sale."""
    now = now or timezone.now()
    errors: dict[str, list] = {}
    try:
        lottery_validate(lottery=lottery)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not lottery.authorisation_reference.strip():
        _add(
            errors,
            "authorisation_reference",
            _("Give the reference of the mayor's authorisation before opening sales."),
        )
    if lottery.authorisation_date is None:
        _add(
            errors,
            "authorisation_date",
            _("Give the date of the mayor's authorisation before opening sales."),
        )
    if not lottery.authorisation_commune.strip():
        _add(
            errors,
            "authorisation_commune",
            _("Give the commune whose mayor authorised the lottery before opening sales."),
        )
    if not lottery.authorisation_scan:
        _add(
            errors,
            "authorisation_scan",
            _("Upload the scan of the mayor's authorisation before opening sales."),
        )
    if not settings.DRAND_URLS and not settings.DRAW_SEED_ONLY_ALLOWED:
        _add(
            errors,
            "__all__",
            _(
                "This platform has no source of public randomness configured: its draws "
                "could not be checked against it, so no lottery opens. Its operator sets "
                "DRAND_URLS."
            ),
        )
    if not (lottery.rules or "").strip():
        _add(
            errors,
            "rules",
            _("Give the rules of the lottery, as filed with the mayor, before opening sales."),
        )
    if lottery.sales_close_at and lottery.sales_close_at <= now:
        _add(errors, "sales_close_at", _("The closing time has already passed."))
    if not lottery.prizes.exists():
        _add(errors, "__all__", _("Add at least one prize before opening sales."))
    for message in _prize_ranks_repeated(lottery):
        _add(errors, "__all__", message)
    for prize in lottery.prizes.all():
        if prize_is_cash(name=prize.name):
            _add(errors, "__all__", prize_cash_refusal(name=prize.name))
    for bundle in lottery.bundles.all():
        try:
            bundle_validate(bundle=bundle)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    _add(errors, "__all__", message)
    try:
        association_require_active(association=lottery.association)
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, "__all__", message)
    if errors:
        raise ValidationError(errors)


def bundle_validate(*, bundle: Bundle, ticket_price_cents: int | None = None) -> None:
    """A bundle holds tickets and costs less than as many single tickets.

    The single price is `ticket_price_cents`, else the bundle's lottery's. Sizes
    are unique within a lottery: see `bundle_save`, which checks it against the others.
    """
    errors: dict[str, list] = {}
    if not bundle.quantity or bundle.quantity <= 0:
        _add(errors, "quantity", _("A bundle holds at least one ticket."))
    if bundle.price_cents is None or bundle.price_cents <= 0:
        _add(
            errors,
            "price_cents",
            _("The bundle of %(quantity)s tickets must have a price above zero.")
            % {"quantity": bundle.quantity or 0},
        )
    if ticket_price_cents is None and bundle.lottery_id:
        ticket_price_cents = bundle.lottery.ticket_price_cents
    if (
        ticket_price_cents
        and bundle.quantity
        and bundle.quantity > 0
        and bundle.price_cents
        and bundle.price_cents >= bundle.quantity * ticket_price_cents
    ):
        _add(
            errors,
            "price_cents",
            _(
                "The bundle of %(quantity)s tickets must cost less than %(quantity)s single "
                "tickets (%(full)s)."
            )
            % {
                "quantity": bundle.quantity,
                "full": money_text(bundle.quantity * ticket_price_cents),
            },
        )
    if bundle.price_cents is not None and bundle.price_cents > MAX_AMOUNT_CENTS:
        _add(
            errors,
            "price_cents",
            _("A bundle may cost at most %(max)s.") % {"max": money_text(MAX_AMOUNT_CENTS)},
        )
    if errors:
        raise ValidationError(errors)


def _bundle_size_unique(bundle: Bundle) -> None:
    others = Bundle.objects.filter(lottery_id=bundle.lottery_id, quantity=bundle.quantity)
    if bundle.pk:
        others = others.exclude(pk=bundle.pk)
    if others.exists():
        raise ValidationError(
            {
                "quantity": _("There is already a bundle of %(quantity)s tickets.")
                % {"quantity": bundle.quantity}
            }
        )


def prize_validate(*, prize: Prize) -> None:
    errors: dict[str, list] = {}
    if not prize.name or not prize.name.strip():
        _add(errors, "name", _("Give the prize a name."))
    if not prize.quantity or prize.quantity <= 0:
        _add(errors, "quantity", _("There is at least one of each prize."))
    if not prize.rank or prize.rank <= 0:
        _add(errors, "rank", _("The rank is 1 for the first prize drawn, then 2, 3…"))
    if errors:
        raise ValidationError(errors)


def _prize_rank_unique(prize: Prize) -> None:
    others = Prize.objects.filter(lottery_id=prize.lottery_id, rank=prize.rank)
    if prize.pk:
        others = others.exclude(pk=prize.pk)
    if others.exists():
        raise ValidationError(
            {
                "rank": _("Another prize already has rank %(rank)s: each rank is drawn once.")
                % {"rank": prize.rank}
            }
        )


def _prize_ranks_repeated(lottery: Lottery) -> list:
    ranks = list(lottery.prizes.values_list("rank", flat=True))
    return [
        _("Two prizes have rank %(rank)s: give each prize its own rank.") % {"rank": rank}
        for rank in sorted({r for r in ranks if ranks.count(r) > 1})
    ]


# --- Setting a lottery up ------------------------------------------------------------

EDITABLE_WHILE_OPEN = frozenset(
    {
        "title",
        "description",
        "title_en",
        "description_en",
        "rules",
        "sales_close_at",
        "draw_at",
        "claim_deadline",
    }
)


# Path segments the lottery URLs use; a lottery slug must not shadow them.
RESERVED_SLUGS = frozenset({"mes-billets", "gestion", "commande", "stripe"})


def lottery_slug_unique(*, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:140] or "loterie"
    if base in RESERVED_SLUGS:
        base = f"loterie-{base}"
    slug, n = base, 2
    others = Lottery.objects.exclude(pk=exclude_pk) if exclude_pk else Lottery.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def lottery_create(*, association: Association, actor: Any, **fields: Any) -> Lottery:
    """Create a draft lottery. Only a verified association may start one."""
    association_require_active(association=association)
    lottery = Lottery(association=association, created_by=actor, status=Status.DRAFT, **fields)
    if not lottery.slug:
        lottery.slug = lottery_slug_unique(title=lottery.title)
    lottery.full_clean()
    lottery_validate(lottery=lottery)
    lottery.save()
    return lottery


def lottery_update(*, lottery: Lottery, actor: Any, **fields: Any) -> Lottery:
    """Change a lottery's fields. Once sales are open, only texts and later dates may change.

    The row is locked and its status read afresh, so an edit cannot slip in while
    sales open, and only the given fields are written (never a stale status).
    """
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        lottery.status = locked.status
        # A suspended association changes nothing until staff lift the suspension.
        association_require_active(association=locked.association)
        if not lottery_actions(lottery=locked, actor=actor, now=timezone.now()).can_edit:
            raise ValidationError(_("This lottery can no longer be changed."))
        if lottery.status == Status.OPEN:
            changed = {
                name for name, value in fields.items() if getattr(lottery, name, None) != value
            }
            locked = changed - EDITABLE_WHILE_OPEN
            if locked:
                raise ValidationError(
                    {name: _("This cannot change once sales are open.") for name in sorted(locked)}
                )
        for name, value in fields.items():
            setattr(lottery, name, value)
        lottery.full_clean()
        lottery_validate(lottery=lottery)
        if lottery.status == Status.OPEN and lottery.sales_close_at <= timezone.now():
            raise ValidationError({"sales_close_at": _("The closing time cannot be in the past.")})
        lottery.save(update_fields=[*fields, "updated_at"])
        if lottery.status == Status.OPEN and "draw_at" in fields:
            # The warning of a draw with no ticket sold follows the draw.
            no_sales_warning_schedule_on_commit(lottery=lottery)
    return lottery


def _require_draft(lottery: Lottery) -> None:
    """Caller is inside a transaction: the row lock keeps sales from opening meanwhile."""
    locked = lottery_lock(lottery.pk)
    association_require_active(association=locked.association)
    if not lottery_actions(lottery=locked, actor=None, now=timezone.now()).can_edit_prizes:
        raise ValidationError(_("Prizes and bundles can only change before sales open."))


@transaction.atomic
def prize_save(*, prize: Prize) -> Prize:
    _require_draft(prize.lottery)
    prize.full_clean()
    prize_validate(prize=prize)
    _prize_rank_unique(prize)
    prize.save()
    return prize


@transaction.atomic
def prize_delete(*, prize: Prize) -> None:
    _require_draft(prize.lottery)
    prize.delete()


@transaction.atomic
def bundle_save(*, bundle: Bundle) -> Bundle:
    _require_draft(bundle.lottery)
    bundle_validate(bundle=bundle)
    _bundle_size_unique(bundle)
    bundle.full_clean()
    bundle.save()
    return bundle


@transaction.atomic
def bundle_delete(*, bundle: Bundle) -> None:
    _require_draft(bundle.lottery)
    bundle.delete()


# --- Several rows at once -------------------------------------------------------------


class RowsRefused(ValidationError):
    """Some rows of a batch were refused; `rows` maps each one's index to its error."""

    def __init__(self, rows: dict[int, ValidationError]):
        self.rows = rows
        super().__init__([message for error in rows.values() for message in error.messages])


def _rows_save(
    *, lottery: Lottery, rows: list, deleted: list, model: type, check, unique: str, taken
) -> None:
    """Validate every row against the final set (so ranks may swap), then save all or none.

    Caller: `prizes_save` / `bundles_save`. The lottery row lock keeps sales from
    opening meanwhile; nothing is written unless every row passes.
    """
    with transaction.atomic():
        _require_draft(lottery)
        errors: dict[int, ValidationError] = {}
        for index, row in enumerate(rows):
            row.lottery = lottery
            try:
                check(row)
            except ValidationError as exc:
                errors[index] = exc
        # What stays as it is: the lottery's other rows, neither changed nor deleted.
        apart = {row.pk for row in [*rows, *deleted] if row.pk}
        seen = set(
            model.objects.filter(lottery=lottery)
            .exclude(pk__in=apart)
            .values_list(unique, flat=True)
        )
        for index, row in enumerate(rows):
            value = getattr(row, unique)
            if value in seen and index not in errors:
                errors[index] = ValidationError({unique: taken(value)})
            seen.add(value)
        if errors:
            raise RowsRefused(errors)
        for row in deleted:
            if row.pk:
                row.delete()
        for row in rows:
            row.save()


def _prize_check(prize: Prize) -> None:
    prize.full_clean(exclude=["lottery"])
    prize_validate(prize=prize)


def prizes_save(*, lottery: Lottery, prizes: list[Prize], deleted: list[Prize] = ()) -> None:
    """Save several prizes and delete others in one go, all or none (`RowsRefused`)."""
    _rows_save(
        lottery=lottery,
        rows=list(prizes),
        deleted=list(deleted),
        model=Prize,
        check=_prize_check,
        unique="rank",
        taken=lambda rank: (
            _("Another prize already has rank %(rank)s: each rank is drawn once.") % {"rank": rank}
        ),
    )


def _bundle_check(bundle: Bundle) -> None:
    bundle_validate(bundle=bundle)
    bundle.full_clean(exclude=["lottery"])


def bundles_save(*, lottery: Lottery, bundles: list[Bundle], deleted: list[Bundle] = ()) -> None:
    """Save several bundles and delete others in one go, all or none (`RowsRefused`)."""
    _rows_save(
        lottery=lottery,
        rows=list(bundles),
        deleted=list(deleted),
        model=Bundle,
        check=_bundle_check,
        unique="quantity",
        taken=lambda quantity: (
            _("There is already a bundle of %(quantity)s tickets.") % {"quantity": quantity}
        ),
    )
