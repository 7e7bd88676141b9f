"""Account journeys: where people land after signing up, confirming, failing to log in."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.urls import reverse

from associations import services as association_services
from associations.models import Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "un-mot-de-passe-solide-2026"


def confirmation_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_confirming_the_email_signs_in_and_returns_to_where_the_person_came_from(
    client, django_capture_on_commit_callbacks
):
    came_from = "/associations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('account_signup')}?next={came_from}",
            {
                "display_name": "Inès",
                "email": "ines@example.org",
                "password1": STRONG,
                "password2": STRONG,
            },
        )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    response = client.post(confirmation_path(mail.outbox[-1]))
    assert response.status_code == 302
    assert response["Location"] == came_from
    assert EmailAddress.objects.get(email="ines@example.org").verified
    assert client.session["_auth_user_id"]
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_an_invitation_signup_starts_with_the_invited_address(client):
    association = AssociationFactory()
    owner = MembershipFactory(association=association, role=Membership.Role.OWNER).user
    _, token = association_services.invitation_create(
        association=association, inviter=owner, email="invitee@example.org"
    )
    invitation_path = reverse("associations:invitation_accept", args=[token])
    page = BeautifulSoup(client.get(invitation_path).content, "html.parser")
    signup_link = next(
        a["href"] for a in page.select("main a") if a["href"].startswith(reverse("account_signup"))
    )
    signup = BeautifulSoup(client.get(signup_link).content, "html.parser")
    assert signup.select_one("input[name=email]")["value"] == "invitee@example.org"
    # The invitation is where the person goes back to after signing up.
    assert signup.select_one("main form input[name=next]")["value"] == invitation_path


def test_a_login_error_is_shown_once(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "not-the-right-one"}
    )
    assert response.status_code == 200
    error = str(response.context["form"].non_field_errors()[0])
    page = BeautifulSoup(response.content, "html.parser")
    assert page.get_text().count(error) == 1


def test_destructive_buttons_are_styled_as_destructive(client):
    association = AssociationFactory()
    owner = MembershipFactory(association=association, role=Membership.Role.OWNER).user
    MembershipFactory(association=association, role=Membership.Role.MEMBER)
    association_services.invitation_create(
        association=association, inviter=owner, email="pending@example.org"
    )
    client.force_login(owner)
    page = BeautifulSoup(client.get(association.get_dashboard_url()).content, "html.parser")
    destructive_labels = re.compile(r"(Remove|Retirer|Leave|Quitter|Withdraw|Annuler)")
    destructive = [
        button
        for button in page.select("main button")
        if destructive_labels.match(button.text.strip())
    ]
    assert len(destructive) == 3  # remove the member, leave, withdraw the invitation
    for button in destructive:
        assert "button-destructive" in button["class"], button
    # The others are not.
    assert all(
        "button-destructive" not in button.get("class", [])
        for button in page.select("main button")
        if button not in destructive
    )
    stylesheet = (Path(settings.ROOT_DIR) / "static" / "css" / "site.css").read_text()
    assert ".button.button-destructive" in stylesheet


def test_allauth_remove_buttons_are_destructive(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email="second@example.org", verified=True)
    client.force_login(user)
    page = BeautifulSoup(client.get(reverse("account_email")).content, "html.parser")
    remove = page.select_one("button[name=action_remove]")
    assert "button-destructive" in remove["class"]
    assert "button-destructive" not in page.select_one("button[name=action_primary]")["class"]
