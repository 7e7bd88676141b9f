"""Demo lotteries: a "Loteries" page under the home page and one open lottery for each
verified demo association, with prizes in kind and bundles; with them, the story's
other two (`demo_story`): one drawn in spring 2024, one drawn minutes after start.

Idempotent: the page and lotteries are found by slug; a second run changes nothing.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from associations.demo import ASSOCIATIONS
from associations.models import Association
from connect.models import PaymentAccount

from . import demo_story, services
from .demo_material import PRIZES, RULES, demo_authorisation_scan_attach, owner_of
from .models import Bundle, Lottery, LotteryIndexPage, Prize

# The lottery index's own address (`selectors.lottery_index_url`): the menu links there.
INDEX_SLUG = "loteries"


def _index_page(log: Callable[[str], None]) -> LotteryIndexPage | None:
    from cms.demo import page_translation_create
    from cms.models import HomePage

    default = {"locale__language_code": settings.LANGUAGE_CODE}
    existing = LotteryIndexPage.objects.filter(**default).first()
    if existing is not None:
        return existing
    home = HomePage.objects.filter(**default).first()
    if home is None:
        log("No home page: the lottery listing page is not created.")
        return None
    index = LotteryIndexPage(
        title="Loteries",
        slug=INDEX_SLUG,
        show_in_menus=True,
        intro=(
            "<p>Chaque billet finance une association et peut vous ouvrir une place "
            "dans un groupe d'entraide.</p>"
        ),
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    log(f"Created the page {index.title}")
    english = Locale.objects.filter(language_code="en").first()
    if english is not None and home.has_translation(english):
        created: list[str] = []
        page_translation_create(index, english, INDEX_EN, owner=None, created=created)
        for item in created:
            log(item[:1].upper() + item[1:])
    return index


INDEX_EN = {
    "title": "Lotteries",
    "intro": (
        "<p>Every ticket funds an association and may open you a seat in a peer-learning group.</p>"
    ),
}


def demo_create(*, log: Callable[[str], None] = print) -> None:
    slugs = [data["slug"] for data in ASSOCIATIONS]
    associations = list(
        Association.objects.filter(slug__in=slugs, status=Association.Status.VERIFIED).order_by(
            "name"
        )
    )
    if not associations:
        log("No verified demo association: run associations.demo first. No lottery created.")
        return
    # The drawn one first: its commitment comes first in the public chain, as its
    # opening came first in time.
    demo_story.past_lottery_prepare(
        association=associations[0], owner=owner_of(associations[0]), log=log
    )
    now = timezone.now()
    with transaction.atomic():
        _index_page(log)
        for association in associations:
            # Demo associations take payments on an account of the local fake Stripe,
            # which the development server connects at start (scripts/dev_server.py).
            PaymentAccount.objects.get_or_create(
                account_id=f"acct_demo{association.pk:06d}",
                defaults={
                    "association": association,
                    "charges_enabled": True,
                    "payouts_enabled": True,
                    "details_submitted": True,
                },
            )
            slug = f"tombola-{association.slug}"[:160]
            if Lottery.objects.filter(slug=slug).exists():
                continue
            owner = owner_of(association)
            lottery = services.lottery_create(
                association=association,
                actor=owner,
                slug=slug,
                title=f"Tombola solidaire — {association.name}",
                description=(
                    f"Soutenez {association.name} : chaque billet finance nos ateliers, "
                    "et le premier lot ouvre une place dans un groupe d'entraide."
                ),
                rules=RULES,
                authorisation_reference=f"ARR-{now.year}-{association.pk:03d}",
                authorisation_date=(now - timedelta(days=20)).date(),
                authorisation_commune=association.commune,
                ticket_price_cents=200,
                ticket_cap=2000,
                per_person_cap=50,
                sales_open_at=now - timedelta(days=1),
                sales_close_at=now + timedelta(days=30),
                draw_at=now + timedelta(days=31),
            )
            for rank, (name, description, value) in enumerate(PRIZES, start=1):
                services.prize_save(
                    prize=Prize(
                        lottery=lottery,
                        rank=rank,
                        name=name,
                        description=description,
                        value_cents=value,
                    )
                )
            for quantity, price in ((5, 800), (10, 1500)):
                services.bundle_save(
                    bundle=Bundle(lottery=lottery, quantity=quantity, price_cents=price)
                )
            demo_authorisation_scan_attach(lottery)
            services.lottery_request_open(lottery=lottery, actor=owner)
            log(f"Created the lottery {lottery.title}")
    soon = associations[1] if len(associations) > 1 else associations[0]
    demo_story.soon_lottery_create(association=soon, owner=owner_of(soon), log=log)
