"""Demo papers: each demo lottery's request details and costs, and a use of the funds of
the lottery the demo drew (`lottery.demo_story`), so its financial report and funds
page show the end of the story. Idempotent: a lottery that already has its request
details, or its use of funds, is left as it is.
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from lottery.demo_story import PAST_SLUG_PREFIX, SOON_SLUG_PREFIX
from lottery.models import Lottery

from .models import Cause, CostLine, FundUse, LotteryRequest

SMALL_COSTS = [(CostLine.Kind.PRINTING, "Carnets de billets", 1500)]

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


def _drawn_lottery_funds(lottery: Lottery, log: Callable[[str], None]) -> None:
    """The drawn demo lottery's money at work: one use of its funds, once."""
    if FundUse.objects.filter(lottery=lottery).exists():
        return
    drawn_on = timezone.localdate(lottery.draw_at)
    FundUse.objects.create(
        lottery=lottery,
        amount_cents=2000,
        used_on=drawn_on + dt.timedelta(days=30),
        beneficiary="Maison des associations",
        description="Location de la salle des ateliers pour un trimestre",
    )
    log(f"Recorded a use of the funds of {lottery.title}: its funds page shows it")


@transaction.atomic
def demo_create(log: Callable[[str], None] = print) -> None:
    for lottery in Lottery.objects.filter(slug__startswith="tombola-").select_related(
        "association"
    ):
        if LotteryRequest.objects.filter(lottery=lottery).exists():
            continue
        # The story's two small lotteries (100 tickets) have small costs, within 15 %.
        small = lottery.slug.startswith((PAST_SLUG_PREFIX, SOON_SLUG_PREFIX))
        _details(lottery, costs=SMALL_COSTS if small else COSTS)
        log(f"Recorded the papers of {lottery.title}")
    for lottery in Lottery.objects.filter(
        slug__startswith=PAST_SLUG_PREFIX, status=Lottery.Status.DRAWN
    ):
        _drawn_lottery_funds(lottery, log)
