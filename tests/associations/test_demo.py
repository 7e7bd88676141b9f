import pytest
from allauth.account.models import EmailAddress
from django.core.files import File

from associations.demo import demo_create
from associations.models import Association, Membership
from associations.validators import validate_document_file

pytestmark = pytest.mark.django_db


def test_demo_creates_two_verified_teams_and_one_pending_association_once():
    demo_create(log=lambda line: None)
    demo_create(log=lambda line: None)

    verified = Association.objects.filter(status=Association.Status.VERIFIED)
    assert verified.count() == 2
    assert Association.objects.filter(status=Association.Status.PENDING).count() == 1
    for association in verified:
        roles = sorted(association.memberships.values_list("role", flat=True))
        assert roles == sorted(Membership.Role.values)
    member_users = [m.user for m in Membership.objects.select_related("user")]
    assert len(member_users) == 7
    for user in member_users:
        assert EmailAddress.objects.get(user=user, email=user.email).verified
    for association in Association.objects.all():
        association.full_clean()  # demo identifiers are valid RNA / SIREN numbers
        document = association.documents.get()
        with document.file.open("rb") as handle:
            assert validate_document_file(File(handle, name="statuts.pdf")) == "application/pdf"
