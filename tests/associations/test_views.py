import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from associations import services
from associations.models import Association, AssociationDocument, Invitation, Membership
from associations.validators import MAX_DOCUMENT_SIZE
from tests.associations.factories import (
    PDF_BYTES,
    AssociationFactory,
    MembershipFactory,
    pdf_file,
    png_image,
)
from tests.factories import StaffFactory, UserFactory, en

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Association.Status
REGISTER_URL = en(reverse("associations:register"))


def registration_data(**overrides):
    data = {
        "name": "Collectif Freelances Lyonnais",
        "legal_form": Association.LegalForm.LAW_1901,
        "rna_number": "W691000003",
        "siren": "",
        "address": "10 rue de la Charité",
        "postcode": "69002",
        "commune": "Lyon",
        "purpose": "Des indépendants qui s'entraident pour se faire connaître.",
        "contact_email": "bonjour@freelances-lyon.example.org",
        "website": "freelances-lyon.example.org",
        "linkedin_url": "",
        "facebook_url": "",
        "instagram_url": "",
        "x_url": "",
    }
    data.update(overrides)
    return data


def dashboard_url(association):
    return reverse("associations:dashboard", kwargs={"slug": association.slug})


# --- Registration -----------------------------------------------------------------------


def test_registration_needs_a_signed_in_user(client):
    response = client.get(REGISTER_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_registration_through_the_form_makes_the_user_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        REGISTER_URL,
        registration_data(
            statutes=pdf_file("statuts.pdf"),
            prefecture_receipt=pdf_file("recepisse.pdf"),
            logo=png_image(),
        ),
    )
    association = Association.objects.get()
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(association)
    assert association.status == Status.PENDING
    assert association.website == "https://freelances-lyon.example.org"
    assert association.logo
    assert Membership.objects.get(association=association).user == user
    assert sorted(association.documents.values_list("kind", flat=True)) == [
        AssociationDocument.Kind.PREFECTURE_RECEIPT,
        AssociationDocument.Kind.STATUTES,
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rna_number": "W12"}, "rna_number"),
        ({"rna_number": "", "siren": "732829321"}, "siren"),
        ({"rna_number": "", "siren": ""}, "rna_number"),
        ({"postcode": "6900"}, "postcode"),
        ({"name": ""}, "name"),
        ({"contact_email": "pas-une-adresse"}, "contact_email"),
    ],
)
def test_registration_form_shows_errors_on_the_right_field(client, overrides, field):
    client.force_login(UserFactory())
    response = client.post(REGISTER_URL, registration_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not Association.objects.exists()
    # The error is shown next to the field.
    assert escape(form.errors[field][0]) in response.content.decode()


def test_registration_form_refuses_a_duplicate_rna_naming_the_field(client):
    AssociationFactory(rna_number="W691000003")
    client.force_login(UserFactory())
    response = client.post(REGISTER_URL, registration_data(rna_number="w 691 000 003"))
    assert response.status_code == 200
    assert response.context["form"].errors["rna_number"] == [
        "An association with this RNA number is already registered."
    ]
    assert Association.objects.count() == 1


def test_full_width_digits_register_no_duplicate_of_an_existing_association(client):
    AssociationFactory(rna_number="W691012345")
    client.force_login(UserFactory())
    response = client.post(
        REGISTER_URL, registration_data(rna_number="W６９１０１２３４５", postcode="６９００２")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["rna_number"][0].startswith("An RNA number is the letter W")
    assert errors["postcode"] == ["A French postcode has exactly 5 digits."]
    assert Association.objects.count() == 1


def test_registration_form_refuses_a_duplicate_siren_naming_the_field(client):
    AssociationFactory(rna_number="", siren="732829320")
    client.force_login(UserFactory())
    response = client.post(REGISTER_URL, registration_data(rna_number="", siren="732829320"))
    assert response.context["form"].errors["siren"] == [
        "An association with this SIREN number is already registered."
    ]


def test_registration_refuses_a_document_over_5_mb(client):
    client.force_login(UserFactory())
    big = pdf_file("statuts.pdf", content=PDF_BYTES + b"0" * MAX_DOCUMENT_SIZE)
    response = client.post(REGISTER_URL, registration_data(statutes=big))
    assert response.status_code == 200
    assert "5 MB" in response.context["form"].errors["statutes"][0]
    assert not Association.objects.exists()


def test_registration_refuses_a_document_that_is_not_really_a_pdf(client):
    client.force_login(UserFactory())
    fake = pdf_file("recepisse.pdf", content=b"<html><script>alert(1)</script></html>")
    response = client.post(REGISTER_URL, registration_data(prefecture_receipt=fake))
    assert "prefecture_receipt" in response.context["form"].errors
    assert not Association.objects.exists()


# --- Public pages -----------------------------------------------------------------------


def test_public_list_shows_verified_associations_only(client):
    verified = AssociationFactory(name="Visible")
    hidden = [
        AssociationFactory(name=f"Cachée {status}", status=status)
        for status in (Status.PENDING, Status.REJECTED, Status.SUSPENDED)
    ]
    response = client.get(reverse("associations:list"))
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [verified]
    for association in hidden:
        assert association.name not in response.content.decode()


def test_public_page_of_a_verified_association(client):
    association = AssociationFactory(linkedin_url="https://www.linkedin.com/company/x")
    response = client.get(association.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert association.name in body
    assert association.purpose.replace("'", "&#x27;") in body
    assert "https://www.linkedin.com/company/x" in body


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SUSPENDED])
def test_public_page_of_an_unverified_association_is_404(client, status):
    association = AssociationFactory(status=status)
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    assert client.get(association.get_absolute_url()).status_code == 404
    client.force_login(owner)
    assert client.get(association.get_absolute_url()).status_code == 404


# --- Dashboard --------------------------------------------------------------------------


def test_dashboard_for_an_owner_shows_status_team_and_invitations(client, team):
    services.invitation_create(
        association=team.association, inviter=team.owner, email="pending@example.org"
    )
    client.force_login(team.owner)
    response = client.get(dashboard_url(team.association))
    assert response.status_code == 200
    assert response.context["can_manage"] is True
    assert response.context["association"] == team.association
    assert "associations/_dashboard_extra.html" in [t.name for t in response.templates]
    body = response.content.decode()
    for user in (team.owner, team.admin, team.member):
        assert user.email in body
    assert "pending@example.org" in body


def test_dashboard_shows_the_reason_of_a_rejection(client):
    association = AssociationFactory(status=Status.REJECTED, status_reason="Statuts illisibles")
    owner = MembershipFactory(association=association, role=Role.OWNER).user
    client.force_login(owner)
    assert "Statuts illisibles" in client.get(dashboard_url(association)).content.decode()


def test_a_member_sees_the_dashboard_without_team_management(client, team):
    services.invitation_create(
        association=team.association, inviter=team.owner, email="secret@example.org"
    )
    client.force_login(team.member)
    response = client.get(dashboard_url(team.association))
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    body = response.content.decode()
    assert "secret@example.org" not in body
    assert reverse("associations:invite", kwargs={"slug": team.association.slug}) not in body


def test_dashboard_is_forbidden_to_strangers_and_asks_anonymous_visitors_to_sign_in(client, team):
    url = dashboard_url(team.association)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(team.stranger)
    assert client.get(url).status_code == 403


def test_my_account_lists_my_associations(client, team):
    client.force_login(team.member)
    response = client.get(reverse("accounts:dashboard"))
    assert team.association.name in response.content.decode()
    assert dashboard_url(team.association) in response.content.decode()


def test_owner_edits_public_details_but_a_member_cannot(client, team):
    url = reverse("associations:edit", kwargs={"slug": team.association.slug})
    data = {
        "name": team.association.name,
        "address": team.association.address,
        "postcode": "69003",
        "commune": "Lyon",
        "purpose": "Nouvelle présentation.",
        "contact_email": team.association.contact_email,
        "website": "",
        "linkedin_url": "",
        "facebook_url": "",
        "instagram_url": "",
        "x_url": "",
    }
    client.force_login(team.member)
    assert client.post(url, data).status_code == 403
    team.association.refresh_from_db()
    assert team.association.purpose != "Nouvelle présentation."

    client.force_login(team.owner)
    assert client.post(url, {**data, "postcode": "6"}).status_code == 200
    old_postcode = team.association.postcode
    response = client.post(url, data)
    assert response.status_code == 302
    team.association.refresh_from_db()
    # The association is verified: the new postcode waits for staff review.
    assert (team.association.purpose, team.association.postcode) == (
        "Nouvelle présentation.",
        old_postcode,
    )
    assert team.association.details_changes.get().changes["postcode"] == "69003"


# --- Team management through the site ---------------------------------------------------


def test_a_member_cannot_manage_the_team(client, team):
    slug = team.association.slug
    client.force_login(team.member)
    admin_membership = Membership.objects.get(user=team.admin, association=team.association)

    invite = client.post(
        reverse("associations:invite", kwargs={"slug": slug}),
        {"email": "friend@example.org", "role": Role.ADMIN},
    )
    role = client.post(
        reverse("associations:member_role", kwargs={"slug": slug, "pk": admin_membership.pk}),
        {"role": Role.MEMBER},
    )
    remove = client.post(
        reverse("associations:member_remove", kwargs={"slug": slug, "pk": admin_membership.pk})
    )
    assert (invite.status_code, role.status_code, remove.status_code) == (403, 403, 403)
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_an_admin_invites_by_email(client, team, django_capture_on_commit_callbacks):
    client.force_login(team.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("associations:invite", kwargs={"slug": team.association.slug}),
            {"email": "friend@example.org", "role": Role.MEMBER},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "friend@example.org",
        Role.MEMBER,
        team.admin,
    )
    assert mail.outbox[0].to == ["friend@example.org"]
    assert "/associations/invitations/" in mail.outbox[0].body


def test_an_admin_cannot_invite_an_owner_through_the_form(client, team):
    client.force_login(team.admin)
    client.post(
        reverse("associations:invite", kwargs={"slug": team.association.slug}),
        {"email": "boss@example.org", "role": Role.OWNER},
    )
    assert not Invitation.objects.exists()


def test_owner_changes_a_role_and_removes_a_member(client, team):
    slug = team.association.slug
    member = Membership.objects.get(user=team.member, association=team.association)
    client.force_login(team.owner)
    client.post(
        reverse("associations:member_role", kwargs={"slug": slug, "pk": member.pk}),
        {"role": Role.ADMIN},
    )
    member.refresh_from_db()
    assert member.role == Role.ADMIN
    client.post(reverse("associations:member_remove", kwargs={"slug": slug, "pk": member.pk}))
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_last_owner_cannot_leave_or_be_demoted_through_the_site(client, team):
    slug = team.association.slug
    owner = Membership.objects.get(user=team.owner, association=team.association)
    client.force_login(team.owner)
    response = client.post(reverse("associations:leave", kwargs={"slug": slug}), follow=True)
    assert "last owner" in response.content.decode()
    client.post(
        reverse("associations:member_role", kwargs={"slug": slug, "pk": owner.pk}),
        {"role": Role.MEMBER},
    )
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_a_member_leaves(client, team):
    client.force_login(team.member)
    response = client.post(reverse("associations:leave", kwargs={"slug": team.association.slug}))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=team.member).exists()


# --- Accepting invitations --------------------------------------------------------------


def _invite(team, email):
    _invitation, token = services.invitation_create(
        association=team.association, inviter=team.owner, email=email
    )
    return reverse("associations:invitation_accept", kwargs={"token": token})


def test_an_anonymous_visitor_is_asked_to_sign_in_with_the_invited_address(client, team):
    url = _invite(team, "new@example.org")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "new@example.org" in body
    assert re.search(r'href="/en/accounts/login/\?next=%2Fen%2Fassociations%2Finvitations%2F', body)
    assert client.post(url).status_code == 200
    assert not Membership.objects.filter(user__email="new@example.org").exists()


def test_the_invited_user_accepts_and_joins_the_team(client, team):
    url = _invite(team, "new@example.org")
    invited = UserFactory(email="new@example.org")
    client.force_login(invited)
    assert team.association.name in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(team.association)
    assert Membership.objects.get(user=invited).role == Role.MEMBER


def test_accepting_with_another_email_is_refused_with_a_clear_message(client, team):
    url = _invite(team, "new@example.org")
    client.force_login(team.stranger)
    response = client.post(url)
    assert response.status_code == 400
    body = response.content.decode()
    assert "new@example.org" in body
    assert team.stranger.email in body
    assert "Sign out and use another account" in body
    assert not Membership.objects.filter(user=team.stranger).exists()


def test_a_reused_invitation_link_is_refused(client, team):
    url = _invite(team, "new@example.org")
    invited = UserFactory(email="new@example.org")
    client.force_login(invited)
    client.post(url)
    Membership.objects.filter(user=invited).delete()
    response = client.post(url)
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=invited).exists()


def test_an_expired_invitation_link_is_refused(client, team):
    url = _invite(team, "new@example.org")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    invited = UserFactory(email="new@example.org")
    client.force_login(invited)
    body = client.get(url).content.decode()
    assert "expired" in body
    assert "Sign out and use another account" not in body
    response = client.post(url)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=invited).exists()


def test_a_made_up_invitation_link_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("associations:invitation_accept", kwargs={"token": "nope"}))
    assert response.status_code == 400
    assert not Membership.objects.exists()


# --- Documents --------------------------------------------------------------------------


@pytest.fixture
def document(team):
    return services.association_document_add(
        association=team.association,
        actor=team.owner,
        kind=AssociationDocument.Kind.STATUTES,
        file=pdf_file("statuts.pdf"),
    )


def test_managers_and_staff_download_documents(client, team, document):
    for user in (team.owner, team.admin, StaffFactory()):
        client.force_login(user)
        response = client.get(document.get_absolute_url())
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "no-store" in response["Cache-Control"]


def test_documents_are_not_readable_by_strangers_or_members(client, team, document):
    response = client.get(document.get_absolute_url())
    assert response.status_code == 302  # to the login page
    for user in (team.member, team.stranger):
        client.force_login(user)
        assert client.get(document.get_absolute_url()).status_code == 403


def test_a_document_is_not_reachable_through_another_association(client, team, document):
    other = AssociationFactory()
    MembershipFactory(association=other, user=team.stranger, role=Role.OWNER)
    client.force_login(team.stranger)
    url = reverse("associations:document", kwargs={"slug": other.slug, "pk": document.pk})
    assert client.get(url).status_code == 404


def test_documents_are_not_stored_under_the_public_media_folder(settings, document):
    from pathlib import Path

    path = Path(document.file.path).resolve()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.parents
    assert Path(settings.MEDIA_ROOT).resolve() not in path.parents


def test_owner_adds_a_document_from_the_dashboard(client, team):
    client.force_login(team.owner)
    url = reverse("associations:document_upload", kwargs={"slug": team.association.slug})
    client.post(url, {"kind": AssociationDocument.Kind.PREFECTURE_RECEIPT, "file": png_image()})
    document = team.association.documents.get()
    assert document.content_type == "image/png"


def test_document_upload_limits_on_the_dashboard(client, team):
    client.force_login(team.owner)
    url = reverse("associations:document_upload", kwargs={"slug": team.association.slug})
    big = pdf_file(content=PDF_BYTES + b"0" * MAX_DOCUMENT_SIZE)
    response = client.post(url, {"kind": "statutes", "file": big}, follow=True)
    assert "5 MB" in response.content.decode()
    fake = pdf_file("image.png", content=PDF_BYTES)
    client.post(url, {"kind": "statutes", "file": fake})
    assert not team.association.documents.exists()


def test_a_member_cannot_upload_documents(client, team):
    client.force_login(team.member)
    url = reverse("associations:document_upload", kwargs={"slug": team.association.slug})
    assert client.post(url, {"kind": "statutes", "file": pdf_file()}).status_code == 403
    assert not team.association.documents.exists()
