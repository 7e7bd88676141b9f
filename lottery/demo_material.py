"""What every demo lottery is made of: its rules, its prizes, the stand-in for the
signed arrêté, and the association's owner who acts for it (`demo`, `demo_story`)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

from associations.models import Association, Membership

from .models import Lottery

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


def owner_of(association: Association):
    membership = (
        association.memberships.filter(role=Membership.Role.OWNER).select_related("user").first()
    )
    return membership.user if membership else None


def demo_authorisation_scan_attach(lottery: Lottery) -> None:
    """The demo's stand-in for the signed arrêté: a one-page PDF saying what it is."""
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
