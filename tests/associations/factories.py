"""Factories for associations and their teams."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from associations.models import Association, Membership
from tests.factories import UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _rna(n: int) -> str:
    return f"W{n:09d}"


class AssociationFactory(factory.django.DjangoModelFactory):
    """A verified association; pass `status=` for another state."""

    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Les Solos Solidaires {n}")
    slug = factory.Sequence(lambda n: f"les-solos-solidaires-{n}")
    rna_number = factory.Sequence(lambda n: _rna(500_000_000 + n))
    address = "5 place Bellecour"
    postcode = "69002"
    commune = "Lyon"
    purpose = "Aider les demandeurs d'emploi à soigner leur profil LinkedIn."
    contact_email = factory.Sequence(lambda n: f"contact{n}@solos.example.org")
    status = Association.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    association = factory.SubFactory(AssociationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class OwnerFactory(MembershipFactory):
    role = Membership.Role.OWNER


class AdminFactory(MembershipFactory):
    role = Membership.Role.ADMIN


def pdf_file(name: str = "statuts.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_image(name: str = "logo.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
