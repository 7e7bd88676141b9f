"""Verification by platform staff in the CMS admin."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from associations import services
from associations.models import Association, AssociationDocument, Membership
from tests.associations.factories import AssociationFactory, MembershipFactory, pdf_file
from tests.factories import StaffFactory, UserFactory, staff_sign_in

pytestmark = pytest.mark.django_db

Status = Association.Status


def admin_url(name, *args):
    return reverse(f"association_review:{name}", args=args)


@pytest.fixture
def staff_client(client):
    staff_sign_in(client, StaffFactory())
    return client


@pytest.fixture
def pending():
    association = AssociationFactory(name="Entraide Emploi Nantes", status=Status.PENDING)
    owner = MembershipFactory(association=association, role=Membership.Role.OWNER).user
    services.association_document_add(
        association=association,
        actor=owner,
        kind=AssociationDocument.Kind.STATUTES,
        file=pdf_file("statuts-entraide.pdf"),
    )
    association.owner = owner
    return association


def test_listing_puts_pending_associations_first_and_filters_by_status(staff_client):
    AssociationFactory(name="A verified", status=Status.VERIFIED)
    AssociationFactory(name="B rejected", status=Status.REJECTED)
    waiting = AssociationFactory(name="Z pending", status=Status.PENDING)

    response = staff_client.get(admin_url("index"))
    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert listed[0] == waiting
    assert len(listed) == 3

    response = staff_client.get(admin_url("index"), {"status": Status.PENDING})
    assert list(response.context["object_list"]) == [waiting]


def test_inspect_shows_documents_through_the_permission_checked_view(staff_client, pending):
    response = staff_client.get(admin_url("inspect", pending.pk))
    assert response.status_code == 200
    body = response.content.decode()
    document = pending.documents.get()
    assert document.get_absolute_url() in body
    assert "statuts-entraide.pdf" in body
    assert admin_url("verify", pending.pk) in body
    assert admin_url("reject", pending.pk) in body
    # Suspending only applies to verified associations.
    assert admin_url("suspend", pending.pk) not in body
    assert staff_client.get(document.get_absolute_url()).status_code == 200


def test_no_add_edit_or_delete_screens(staff_client, pending):
    body = staff_client.get(admin_url("index")).content.decode()
    assert "/cms/associations/new/" not in body
    assert "/cms/associations/edit/" not in body
    assert staff_client.get(f"/cms/associations/delete/{pending.pk}/").status_code == 404


def test_staff_verifies_and_the_owner_is_emailed(
    staff_client, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(admin_url("verify", pending.pk), {"reason": ""})
    assert response.status_code == 302
    assert response["Location"] == admin_url("inspect", pending.pk)
    pending.refresh_from_db()
    assert pending.status == Status.VERIFIED
    assert pending.status_changed_by.is_staff
    assert [m.to for m in mail.outbox] == [[pending.owner.email]]


def test_staff_rejects_with_a_reason_and_the_owner_is_emailed(
    staff_client, pending, django_capture_on_commit_callbacks
):
    url = admin_url("reject", pending.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"reason": "Le récépissé de préfecture manque."})
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert pending.status_reason == "Le récépissé de préfecture manque."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [pending.owner.email]
    assert "Le récépissé de préfecture manque." in mail.outbox[0].body


def test_staff_suspends_with_a_reason_and_the_owner_is_emailed(
    staff_client, django_capture_on_commit_callbacks
):
    association = AssociationFactory(status=Status.VERIFIED)
    owner = MembershipFactory(association=association, role=Membership.Role.OWNER).user
    url = admin_url("suspend", association.pk)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"reason": "Signalement en cours d'examen."})
    association.refresh_from_db()
    assert association.status == Status.SUSPENDED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert "Signalement en cours d'examen." in mail.outbox[0].body


def test_an_impossible_decision_changes_nothing(staff_client, pending):
    response = staff_client.post(admin_url("suspend", pending.pk), {"reason": "Raison"})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_the_review_screens_are_closed_to_site_users(client, pending):
    client.force_login(pending.owner)
    response = client.post(admin_url("verify", pending.pk))
    assert response.status_code == 302
    assert "/cms/login/" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_cms_editors_without_the_association_permission_cannot_decide(client, pending):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    staff_sign_in(client, editor)
    # Wagtail answers a permission failure with a redirect to the admin home.
    response = client.post(admin_url("verify", pending.pk))
    assert (response.status_code, response["Location"]) == (302, "/cms/")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_inspect_and_listing_read_times_in_paris(staff_client):
    from datetime import UTC, datetime

    staff_client.cookies["django_language"] = "en"
    # 12:34 UTC in winter is 13:34 in Paris, on the inspect page as in its history.
    association = AssociationFactory(name="Heure de Paris")
    Association.objects.filter(pk=association.pk).update(
        created_at=datetime(2026, 1, 15, 12, 34, tzinfo=UTC)
    )
    html = staff_client.get(admin_url("inspect", association.pk)).content.decode()
    block = html.split("<dt>Registered at</dt>", 1)[1].split("</dd>", 1)[0]
    assert "13:34" in block and "12:34" not in block
    listing = staff_client.get(admin_url("index")).content.decode()
    row = listing.split("Heure de Paris", 1)[1].split("</tr>", 1)[0]
    assert 'datetime="2026-01-15T13:34:00+01:00"' in row and "ago" in row
