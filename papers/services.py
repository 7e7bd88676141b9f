"""Changes to a lottery's papers: request details, costs, the authorisation, uses of funds.

Each change checks who may make it (the association's owners and admins) and when:
the authorisation is recorded while the lottery is a draft (afterwards only what is
still missing may be added), costs may be recorded at any time until the report is
shown, and uses of the funds only once the draw is made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.selectors import association_manage_check
from associations.validators import validate_document_file
from lottery.locking import lottery_lock
from lottery.models import Lottery

from .models import CostLine, FundUse, LotteryRequest

REQUEST_FIELDS = (
    "cause",
    "funds_use",
    "sales_places",
    "draw_place",
    "public_utility_decree",
    "public_utility_date",
    "subsidies",
)


def _require_manager(*, lottery: Lottery, actor: Any) -> None:
    association_manage_check(
        actor=actor,
        association=lottery.association,
        message=_("Only the association's owners and admins change its papers."),
    )


def _require_not_cancelled(lottery: Lottery) -> None:
    if lottery.status == Lottery.Status.CANCELLED:
        raise ValidationError(_("This lottery is cancelled: its papers no longer change."))


def request_save(*, lottery: Lottery, actor: Any, **fields: Any) -> LotteryRequest:
    """Create or update what the authorisation request declares."""
    _require_manager(lottery=lottery, actor=actor)
    _require_not_cancelled(lottery)
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise ValueError(f"Not request fields: {sorted(unknown)}")
    request, _created = LotteryRequest.objects.get_or_create(
        lottery=lottery, defaults={"funds_use": fields.get("funds_use", "")}
    )
    for name, value in fields.items():
        setattr(request, name, value.strip() if isinstance(value, str) else value)
    request.full_clean(exclude=["lottery"])
    request.save()
    return request


def cost_line_add(
    *, lottery: Lottery, actor: Any, kind: str, label: str, amount_cents: int
) -> CostLine:
    _require_manager(lottery=lottery, actor=actor)
    _require_not_cancelled(lottery)
    line = CostLine(
        lottery=lottery,
        kind=kind,
        label=(label or "").strip(),
        amount_cents=amount_cents,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if not line.amount_cents or line.amount_cents <= 0:
        raise ValidationError({"amount_cents": _("A cost is a positive amount.")})
    line.full_clean()
    line.save()
    return line


def cost_line_delete(*, line: CostLine, actor: Any) -> None:
    _require_manager(lottery=line.lottery, actor=actor)
    _require_not_cancelled(line.lottery)
    line.delete()


AUTHORISATION_FIELDS = (
    "authorisation_reference",
    "authorisation_date",
    "authorisation_commune",
    "authorisation_scan",
)


def authorisation_record(
    *,
    lottery: Lottery,
    actor: Any,
    reference: str,
    date: dt.date | None,
    commune: str,
    scan=None,
    today: dt.date | None = None,
) -> Lottery:
    """Keep the mayor's authorisation: reference, date, commune and the signed arrêté's scan.

    While the lottery is a draft everything may change; once sales opened only what
    is still missing may be filled in (what the public saw stays as it was).
    """
    _require_manager(lottery=lottery, actor=actor)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    reference, commune = (reference or "").strip(), (commune or "").strip()
    if date is not None and date > today:
        errors.setdefault("authorisation_date", []).append(
            _("The authorisation cannot be dated in the future.")
        )
    if scan is not None:
        try:
            validate_document_file(scan)
        except ValidationError as exc:
            errors.setdefault("authorisation_scan", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lottery_lock(lottery.pk)
        if locked.status == Lottery.Status.CANCELLED:
            raise ValidationError(_("This lottery is cancelled: its papers no longer change."))
        draft = locked.status == Lottery.Status.DRAFT
        wanted = {
            "authorisation_reference": reference,
            "authorisation_date": date,
            "authorisation_commune": commune,
        }
        changed = []
        for name, value in wanted.items():
            current = getattr(locked, name)
            if value in ("", None) or value == current:
                continue
            if not draft and current not in ("", None):
                raise ValidationError({name: [_("Fixed once sales are open.")]})
            setattr(locked, name, value)
            changed.append(name)
        if scan is not None:
            if not draft and locked.authorisation_scan:
                raise ValidationError({"authorisation_scan": [_("Fixed once sales are open.")]})
            locked.authorisation_scan.save(scan.name, scan, save=False)
            changed.append("authorisation_scan")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    lottery.refresh_from_db()
    return lottery


def fund_use_add(
    *,
    lottery: Lottery,
    actor: Any,
    amount_cents: int,
    used_on: dt.date,
    beneficiary: str,
    description: str = "",
    proof=None,
    today: dt.date | None = None,
) -> FundUse:
    """Record how part of the money raised was used; only after the draw."""
    _require_manager(lottery=lottery, actor=actor)
    if lottery.status != Lottery.Status.DRAWN:
        raise ValidationError(_("The use of the funds is recorded once the draw is made."))
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not amount_cents or amount_cents <= 0:
        errors.setdefault("amount_cents", []).append(_("Give the amount used."))
    if used_on is None:
        errors.setdefault("used_on", []).append(_("Give the date."))
    elif used_on > today:
        errors.setdefault("used_on", []).append(_("Record a use once it is made."))
    if not (beneficiary or "").strip():
        errors.setdefault("beneficiary", []).append(_("Say who received the money."))
    if proof is not None:
        try:
            validate_document_file(proof)
        except ValidationError as exc:
            errors.setdefault("proof", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    use = FundUse(
        lottery=lottery,
        amount_cents=amount_cents,
        used_on=used_on,
        beneficiary=beneficiary.strip(),
        description=(description or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if proof is not None:
        use.proof.save(proof.name, proof, save=False)
    use.full_clean()
    use.save()
    return use


def fund_use_delete(*, use: FundUse, actor: Any) -> None:
    _require_manager(lottery=use.lottery, actor=actor)
    if use.proof:
        use.proof.delete(save=False)
    use.delete()
