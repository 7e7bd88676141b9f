"""Demo associations: two verified ones with a team, and one waiting for verification.

Idempotent: associations are found by slug and users by email; a second run
changes nothing.
"""

from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import Association, AssociationDocument, AssociationStatusChange, Membership

# A published demo credential, never used outside a local demo database.
DEMO_PASSWORD = "assosolos-demo-membre"  # noqa: S105

Role = Membership.Role

ASSOCIATIONS = [
    {
        "slug": "tremplin-linkedin",
        "name": "Tremplin LinkedIn",
        "status": Association.Status.VERIFIED,
        "rna_number": "W691012345",
        "address": "12 rue Sainte-Catherine",
        "postcode": "69001",
        "commune": "Lyon",
        "contact_email": "contact@tremplin-linkedin.test",
        "website": "https://tremplin-linkedin.example.org",
        "linkedin_url": "https://www.linkedin.com/company/tremplin-linkedin-demo",
        "purpose": (
            "Tremplin LinkedIn accompagne les personnes en recherche d'emploi dans la "
            "rédaction de leur profil, de leurs publications et de leurs messages. Nos "
            "bénévoles animent des ateliers en petits groupes, chaque semaine, à Lyon et "
            "en ligne."
        ),
        "team": [
            ("claire.martin@tremplin-linkedin.test", "Claire Martin", Role.OWNER),
            ("yacine.benali@tremplin-linkedin.test", "Yacine Benali", Role.ADMIN),
            ("louise.petit@tremplin-linkedin.test", "Louise Petit", Role.MEMBER),
        ],
    },
    {
        "slug": "collectif-des-independants-nantais",
        "name": "Collectif des indépendants nantais",
        "status": Association.Status.VERIFIED,
        "rna_number": "W442098765",
        "address": "3 quai de la Fosse",
        "postcode": "44000",
        "commune": "Nantes",
        "contact_email": "bonjour@independants-nantais.test",
        "website": "https://independants-nantais.example.org",
        "instagram_url": "https://www.instagram.com/independants_nantais_demo",
        "purpose": (
            "Un collectif de graphistes, développeurs, photographes et rédacteurs "
            "indépendants qui s'entraident pour se faire connaître : portfolio, pitch, "
            "présence sur Instagram et sur les réseaux professionnels, rencontres "
            "mensuelles entre pairs."
        ),
        "team": [
            ("hugo.lefebvre@independants-nantais.test", "Hugo Lefebvre", Role.OWNER),
            ("amina.diallo@independants-nantais.test", "Amina Diallo", Role.ADMIN),
            ("theo.garnier@independants-nantais.test", "Théo Garnier", Role.MEMBER),
        ],
    },
    {
        "slug": "voix-des-solos-en-corse",
        "name": "Voix des solos en Corse",
        "status": Association.Status.PENDING,
        "siren": "732829320",
        "address": "8 cours Napoléon",
        "postcode": "20000",
        "commune": "Ajaccio",
        "contact_email": "contact@voix-des-solos.test",
        "purpose": (
            "Une association d'entrepreneurs individuels corses qui veut organiser des "
            "cercles d'entraide pour apprendre à bloguer et à présenter son activité en "
            "quelques phrases."
        ),
        "team": [
            ("marie.santoni@voix-des-solos.test", "Marie Santoni", Role.OWNER),
        ],
    },
]


def _demo_user(email: str, display_name: str, created: list[str]) -> User:
    user, was_created = User.objects.get_or_create(
        email=email, defaults={"display_name": display_name}
    )
    if was_created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        created.append(f"user {email}")
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _demo_statutes(*, association: Association, owner: User) -> None:
    """A one-page PDF, so staff have a document to open when they review."""
    text = f"Statuts de l'association {association.name} (document de démonstration)"
    text = text.encode("latin-1", "replace").decode("latin-1").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 50 780 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    document = AssociationDocument(
        association=association,
        kind=AssociationDocument.Kind.STATUTES,
        original_name="statuts.pdf",
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=owner,
    )
    document.file.save("statuts.pdf", ContentFile(pdf), save=False)
    document.save()


def _staff_user() -> User | None:
    return User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()


def demo_create(*, log: Callable[[str], None] = print) -> None:
    """Create the demo associations and their teams if they are missing."""
    created: list[str] = []
    with transaction.atomic():
        staff = _staff_user()
        for data in ASSOCIATIONS:
            data = dict(data)
            team = data.pop("team")
            slug = data.pop("slug")
            association = Association.objects.filter(slug=slug).first()
            if association is None:
                owner_email, owner_name, _role = team[0]
                owner = _demo_user(owner_email, owner_name, created)
                association = Association.objects.create(slug=slug, created_by=owner, **data)
                if association.status == Association.Status.VERIFIED:
                    now = timezone.now()
                    association.status_changed_by = staff
                    association.status_changed_at = now
                    association.save(update_fields=["status_changed_by", "status_changed_at"])
                    AssociationStatusChange.objects.create(
                        association=association,
                        status=association.status,
                        decided_by=staff,
                        decided_at=now,
                    )
                _demo_statutes(association=association, owner=owner)
                created.append(f"association {association.name}")
            for email, display_name, role in team:
                user = _demo_user(email, display_name, created)
                Membership.objects.get_or_create(
                    association=association, user=user, defaults={"role": role}
                )
    for line in created:
        log(f"Created {line}")
