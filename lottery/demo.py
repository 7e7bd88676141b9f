"""Demo lotteries: a "Loteries" page under the home page and one open lottery for each
verified demo association, with prizes in kind and bundles; with them, the story's
other two (`demo_story`): one drawn in spring 2024, one drawn minutes after start.

Idempotent: the page and lotteries are found by slug; a second run changes nothing.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from associations.demo import ASSOCIATIONS
from associations.models import Association, Membership
from connect.models import PaymentAccount

from . import demo_story, services
from .models import Bundle, Lottery, LotteryIndexPage, Prize

# The lottery index's own address (`selectors.lottery_index_url`): the menu links there.
INDEX_SLUG = "loteries"

RULES = (
    "Article 1 — L'association organise une loterie autorisée par arrêté du maire, "
    "au profit de ses actions d'entraide.\n"
    "Article 2 — Les billets sont numérotés et vendus en ligne ou auprès des bénévoles. "
    "Le tirage a lieu à la date indiquée, de façon publique et vérifiable.\n"
    "Article 3 — Les lots sont exclusivement en nature. Ils ne peuvent être échangés "
    "contre leur valeur en argent.\n"
    "Article 4 — Les gagnants sont prévenus par courriel et disposent de deux mois "
    "pour retirer leur lot.\n"
    "Article 5 — Si aucun billet n'est vendu à la clôture des ventes, le tirage a lieu "
    "à la date prévue et ne désigne aucun gagnant ; les lots restent à l'association."
)

PRIZES = [
    (
        "Six mois d'accompagnement en petit groupe",
        "Une place dans un groupe d'entraide : séances toutes les deux semaines, "
        "relecture de votre profil et de vos publications.",
        30000,
    ),
    (
        "Séance photo professionnelle",
        "Un portrait réalisé par un photographe indépendant, pour votre profil.",
        15000,
    ),
    (
        "Panier de produits locaux",
        "Des produits de producteurs de la région.",
        4500,
    ),
]


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


def owner_of(association: Association):
    membership = (
        association.memberships.filter(role=Membership.Role.OWNER).select_related("user").first()
    )
    return membership.user if membership else None


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
                by=owner,
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
            services.lottery_request_open(lottery=lottery, by=owner)
            log(f"Created the lottery {lottery.title}")
    soon = associations[1] if len(associations) > 1 else associations[0]
    demo_story.soon_lottery_create(association=soon, owner=owner_of(soon), log=log)


def demo_authorisation_scan_attach(lottery: Lottery) -> None:
    """The demo's stand-in for the signed arrêté: a one-page PDF saying what it is."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 770, f"Arrêté municipal n° {lottery.authorisation_reference}")
    page.setFont("Helvetica", 11)
    page.drawString(72, 745, f"Commune de {lottery.authorisation_commune}")
    page.drawString(72, 720, f"Autorisation de la loterie « {lottery.title} »")
    page.drawString(72, 695, "Document de démonstration : il ne vaut pas autorisation.")
    page.showPage()
    page.save()
    lottery.authorisation_scan.save("arrete-demo.pdf", ContentFile(buffer.getvalue()), save=False)
    Lottery.objects.filter(pk=lottery.pk).update(authorisation_scan=lottery.authorisation_scan.name)
