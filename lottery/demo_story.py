"""The demo's whole story: a lottery drawn in the past, and one drawn minutes after start.

- **Drawn** (`PAST_SLUG_PREFIX`): a spring 2024 lottery, sold online to demo buyers
  who have accounts, then sealed and drawn through the real path (commitment and its
  chain entry at opening, sealed ledger, draw, certificate, winners' emails, group
  seat). Its public randomness is a real drand quicknet beacon, round 5928395
  (16 March 2024), stored below: a demo machine has no network, and the beacon is
  checked against quicknet's public key exactly as a fetched one is. The seal names
  that round only if it happened just before it, so the lottery's life is replayed at
  its own dates under `demo_clock`; its record then verifies with
  `tools/verify_draw.py` like any other draw.
- **Soon** (`SOON_SLUG_PREFIX`): on sale now, closing a few minutes after the demo data
  is loaded and drawn two minutes later by the task cluster (the sales sweep closes
  it, the draw sweep seals it and schedules the draw), so the live draw page can be
  watched. No drand relay in the demo: that draw is made from the seed alone.

Idempotent: lotteries are found by slug; a drawn one is never drawn again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from associations.demo import DEMO_PASSWORD
from associations.models import Association

from . import services
from .demo_material import PRIZES, RULES, demo_authorisation_scan_attach, owner_of
from .drand import Beacon
from .draw import core as draw_core
from .models import Bundle, LedgerSeal, Lottery, Prize

PAST_SLUG_PREFIX = "tombola-printemps-2024-"
SOON_SLUG_PREFIX = "tombola-express-"

# A real quicknet beacon (published with a BLS test program; it verifies against
# quicknet's public key, see tests/lottery/drand_relay.py).
RECORDED_ROUND = 5928395
RECORDED_SIGNATURE = (
    "a5d07c0071b4e386b3ae09206522253c68fefe8490ad59ecc44a7dd0d0745be9"
    "1da5779e2247a82403fbc0cb9a34cb61"
)

# Demo buyers, with accounts (they sign in with DEMO_PASSWORD): (handle, name, tickets).
# Every ticket has an account behind it, so the first prize's winner always takes the
# group seat; Léa buys many, so she often wins more than one prize (one email for all).
BUYERS = [
    ("lea", "Léa", 12),
    ("marc", "Marc", 5),
    ("sophie", "Sophie", 4),
    ("jules", "Jules", 3),
    ("emma", "Emma", 2),
]

PAST_PRIZES = [
    (
        "Six mois d'accompagnement en petit groupe",
        "Une place dans le groupe d'entraide de l'association.",
        30000,
        1,
    ),
    ("Séance photo professionnelle", "Un portrait pour votre profil.", 15000, 2),
    ("Panier de produits locaux", "Des produits de producteurs de la région.", 4500, 1),
]

SOON_MINUTES_TO_CLOSE = 4
SOON_MINUTES_TO_DRAW = 6


@contextmanager
def demo_clock(at: dt.datetime) -> Iterator[None]:
    """Run the services inside as if the wall clock read `at` (and went on from there).

    Only for replaying a demo lottery's past: the services read the time through
    `timezone.now()`, so they record the dates of that past, and every rule they apply
    (sales window, seal, beacon round) applies as it did then.
    """
    real_now = timezone.now
    offset = at - real_now()
    with mock.patch.object(timezone, "now", lambda: real_now() + offset):
        yield


def _buyer(handle: str, name: str, domain: str) -> User:
    email = f"{handle}@{domain}"
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _buyers_domain(association: Association) -> str:
    owner = association.memberships.select_related("user").order_by("pk").first()
    return owner.user.email.split("@", 1)[1] if owner else "demo.test"


def _sell_online(lottery: Lottery, buyers: list[tuple[User, int]]) -> None:
    """Paid online orders, as the Stripe webhook would confirm them (no Stripe here)."""
    for buyer, quantity in buyers:
        order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)
        services.order_confirm_payment(order_id=order.pk, payment_intent_id=f"pi_demo_{order.pk}")


def _prizes_and_bundles(lottery: Lottery, prizes) -> None:
    for rank, (name, description, value, quantity) in enumerate(prizes, start=1):
        services.prize_save(
            prize=Prize(
                lottery=lottery,
                rank=rank,
                name=name,
                description=description,
                value_cents=value,
                quantity=quantity,
            )
        )
    services.bundle_save(bundle=Bundle(lottery=lottery, quantity=5, price_cents=800))


def past_seal_at() -> dt.datetime:
    """The seal time whose named round is RECORDED_ROUND (seal + margin, then the next round)."""
    margin = int(getattr(settings, "DRAW_BEACON_MARGIN_SECONDS", 60))
    unix = draw_core.quicknet_round_time(RECORDED_ROUND) - margin - 3
    return dt.datetime.fromtimestamp(unix, dt.UTC)


def past_lottery_prepare(
    *, association: Association, owner: User | None, log: Callable[[str], None]
) -> Lottery | None:
    """The spring 2024 lottery, opened, sold and closed at its own dates (drawn later,
    by `demo_draws_create`, once the groups step has put a seat on its first prize)."""
    slug = f"{PAST_SLUG_PREFIX}{association.slug}"[:160]
    existing = Lottery.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    seal_at = past_seal_at()
    opened_at = seal_at - dt.timedelta(days=30)
    domain = _buyers_domain(association)
    buyers = [(_buyer(handle, name, domain), n) for handle, name, n in BUYERS]
    with demo_clock(opened_at - dt.timedelta(hours=1)), transaction.atomic():
        lottery = services.lottery_create(
            association=association,
            actor=owner,
            slug=slug,
            created_at=timezone.now(),
            title=f"Tombola de printemps 2024 — {association.name}",
            description=(
                f"La tombola du printemps 2024 de {association.name} : tirée, vérifiable, "
                "et son premier lot a ouvert une place dans un groupe d'entraide."
            ),
            rules=RULES,
            authorisation_reference=f"ARR-2024-P{association.pk:03d}",
            authorisation_date=(opened_at - dt.timedelta(days=20)).date(),
            authorisation_commune=association.commune,
            ticket_price_cents=200,
            ticket_cap=100,
            per_person_cap=20,
            sales_open_at=opened_at,
            sales_close_at=seal_at - dt.timedelta(minutes=10),
            draw_at=seal_at + dt.timedelta(minutes=5),
        )
        _prizes_and_bundles(lottery, PAST_PRIZES)
        demo_authorisation_scan_attach(lottery)
    with demo_clock(opened_at), transaction.atomic():
        services.lottery_request_open(lottery=lottery, actor=owner, now=timezone.now())
    for day, chunk in ((3, buyers[:2]), (12, buyers[2:4]), (25, buyers[4:])):
        with demo_clock(opened_at + dt.timedelta(days=day)), transaction.atomic():
            _sell_online(lottery, chunk)
    with demo_clock(lottery.sales_close_at), transaction.atomic():
        services.lottery_close(lottery_id=lottery.pk, actor=owner)
    log(f"Created the lottery {lottery.title} (sold and closed in spring 2024)")
    return lottery


def soon_lottery_create(
    *, association: Association, owner: User | None, log: Callable[[str], None]
) -> Lottery | None:
    """A lottery on sale now that closes in a few minutes and is drawn two minutes later."""
    slug = f"{SOON_SLUG_PREFIX}{association.slug}"[:160]
    existing = Lottery.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    now = timezone.now()
    domain = _buyers_domain(association)
    buyers = [(_buyer(handle, name, domain), max(1, n // 2)) for handle, name, n in BUYERS]
    with transaction.atomic():
        lottery = services.lottery_create(
            association=association,
            actor=owner,
            slug=slug,
            title=f"Tirage express — {association.name}",
            description=(
                "Une petite tombola dont le tirage a lieu quelques minutes après le "
                "lancement de la démo : suivez-le en direct."
            ),
            rules=RULES,
            authorisation_reference=f"ARR-{now.year}-E{association.pk:03d}",
            authorisation_date=(now - dt.timedelta(days=10)).date(),
            authorisation_commune=association.commune,
            ticket_price_cents=200,
            ticket_cap=100,
            per_person_cap=20,
            sales_open_at=now - dt.timedelta(hours=2),
            sales_close_at=now + dt.timedelta(minutes=SOON_MINUTES_TO_CLOSE),
            draw_at=now + dt.timedelta(minutes=SOON_MINUTES_TO_DRAW),
        )
        _prizes_and_bundles(lottery, [(name, text, value, 1) for name, text, value in PRIZES])
        demo_authorisation_scan_attach(lottery)
        services.lottery_request_open(lottery=lottery, actor=owner)
        _sell_online(lottery, buyers)
    log(
        f"Created the lottery {lottery.title}: sales close in {SOON_MINUTES_TO_CLOSE} "
        f"minutes, the task cluster draws it {SOON_MINUTES_TO_DRAW} minutes from now"
    )
    return lottery


def demo_draws_create(*, log: Callable[[str], None] = print) -> None:
    """Seal and draw the spring 2024 lotteries at their own dates, with the recorded beacon."""
    for lottery in Lottery.objects.filter(
        slug__startswith=PAST_SLUG_PREFIX, status=Lottery.Status.CLOSED
    ).select_related("association"):
        owner = owner_of(lottery.association)
        seal_at = past_seal_at()
        with demo_clock(seal_at), transaction.atomic():
            services.ledger_seal(lottery_id=lottery.pk, now=timezone.now(), name_beacon=True)
        seal = LedgerSeal.objects.filter(lottery=lottery).first()
        if seal is None or seal.beacon_round != RECORDED_ROUND:
            raise RuntimeError(
                f"{lottery.slug}: the seal names round "
                f"{seal.beacon_round if seal else None}, not the recorded {RECORDED_ROUND}"
            )
        drawn_at = dt.datetime.fromtimestamp(
            draw_core.quicknet_round_time(RECORDED_ROUND), dt.UTC
        ) + dt.timedelta(minutes=5)
        beacon = Beacon(round=RECORDED_ROUND, signature=RECORDED_SIGNATURE, randomness="")
        # The draw's effects (group seats, winners' emails) run at its commit, here.
        with demo_clock(drawn_at), transaction.atomic():
            services.draw_perform(
                lottery_id=lottery.pk, actor=owner, now=timezone.now(), beacon=beacon
            )
        log(f"Drew the lottery {lottery.title} with drand quicknet round {RECORDED_ROUND}")
