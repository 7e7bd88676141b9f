"""Demo papers: each demo lottery's request details and costs, and one lottery already drawn.

The drawn one shows the end of the story: its cash sales, its draw, its financial
report and its funds page with the uses of the money. Idempotent: a lottery that
already has its request details is left as it is, and the drawn one is found by slug.
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from lottery import services as lottery_services
from lottery.demo import _owner, demo_authorisation_scan_attach
from lottery.models import Lottery, Order, Prize

from .models import Cause, CostLine, FundUse, LotteryRequest

DRAWN_PREFIX = "bilan-"

COSTS = [
    (CostLine.Kind.PRINTING, "Affiches et billets papier pour les bénévoles", 4500),
    (CostLine.Kind.OTHER, "Location de la salle du tirage", 6000),
]


def _details(lottery: Lottery, costs=COSTS) -> None:
    LotteryRequest.objects.create(
        lottery=lottery,
        cause=Cause.CHARITY,
        funds_use=(
            "Financer une année d'ateliers d'entraide : animation des groupes, "
            "salle de réunion et matériel de prise de vue."
        ),
        sales_places=f"Au local de l'association, {lottery.association.address}",
        draw_place=f"Salle des fêtes de {lottery.association.commune}",
        subsidies="Aucune subvention publique sur le dernier exercice.",
    )
    CostLine.objects.bulk_create(
        CostLine(lottery=lottery, kind=kind, label=label, amount_cents=cents)
        for kind, label, cents in costs
    )


def _drawn_lottery(association, log: Callable[[str], None]) -> None:
    """A small lottery of last month: sold in cash, drawn, its money partly used."""
    slug = f"{DRAWN_PREFIX}{association.slug}"[:160]
    if Lottery.objects.filter(slug=slug).exists():
        return
    owner = _owner(association)
    now = timezone.now()
    lottery = lottery_services.lottery_create(
        association=association,
        by=owner,
        slug=slug,
        title=f"Tombola d'automne — {association.name}",
        description="La tombola de l'automne dernier : tirée, et son argent déjà au travail.",
        rules="Règlement déposé en mairie. Lots en nature uniquement.",
        authorisation_reference=f"ARR-{now.year}-A{association.pk:03d}",
        authorisation_date=(now - dt.timedelta(days=60)).date(),
        authorisation_commune=association.commune,
        ticket_price_cents=300,
        ticket_cap=200,
        sales_open_at=now - dt.timedelta(minutes=5),
        sales_close_at=now + dt.timedelta(days=1),
        draw_at=now + dt.timedelta(days=2),
    )
    lottery_services.prize_save(
        prize=Prize(lottery=lottery, rank=1, name="Un panier de producteurs", value_cents=6000)
    )
    demo_authorisation_scan_attach(lottery)
    _details(lottery, costs=[(CostLine.Kind.PRINTING, "Carnets de billets", 1500)])
    lottery_services.lottery_request_open(lottery=lottery, by=owner)
    for number, quantity in enumerate((5, 3, 10, 2, 4, 6), start=1):
        lottery_services.order_record_offline(
            lottery=lottery,
            by=owner,
            channel=Order.Channel.CASH if number % 2 else Order.Channel.CHEQUE,
            quantity=quantity,
            receipt_number=f"R-{number:03d}",
            buyer_name=f"Acheteur {number}",
        )
    # The sales and the draw happened in the past: move the dates, then close and draw.
    Lottery.objects.filter(pk=lottery.pk).update(
        sales_close_at=now - dt.timedelta(minutes=2), draw_at=now - dt.timedelta(minutes=1)
    )
    lottery_services.lottery_close(lottery_id=lottery.pk, by=owner)
    lottery_services.ledger_seal(lottery_id=lottery.pk, now=now)
    lottery_services.draw_perform(lottery_id=lottery.pk, by=owner, now=now)
    FundUse.objects.create(
        lottery=lottery,
        amount_cents=4000,
        used_on=timezone.localdate(),
        beneficiary="Maison des associations",
        description="Location de la salle des ateliers pour un trimestre",
    )
    log(f"Created the drawn lottery {lottery.title}, with its report and funds page")


@transaction.atomic
def demo_create(log: Callable[[str], None] = print) -> None:
    for lottery in Lottery.objects.filter(slug__startswith="tombola-").select_related(
        "association"
    ):
        if LotteryRequest.objects.filter(lottery=lottery).exists():
            continue
        _details(lottery)
        log(f"Recorded the papers of {lottery.title}")
    first = (
        Lottery.objects.filter(slug__startswith="tombola-", status=Lottery.Status.OPEN)
        .select_related("association")
        .order_by("association__name")
        .first()
    )
    if first is not None:
        _drawn_lottery(first.association, log)
