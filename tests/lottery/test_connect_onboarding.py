"""Connecting an association's Stripe account: the OAuth round trip and every refused return.

Through the real `stripe` library and the site's views, against the fake Stripe's
Connect (tests/lottery/localstripe_connect.py).
"""

from __future__ import annotations

import urllib.parse
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connect.models import ConnectState, PaymentAccount
from tests.associations.factories import AssociationFactory
from tests.lottery.factories import manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def association():
    return AssociationFactory(name="Les Ateliers du Lien")


@pytest.fixture
def admin(association):
    return manager_of(association)


def _start(client, association) -> str:
    response = client.post(reverse("connect:start", args=[association.slug]))
    assert response.status_code == 302
    return response["Location"]


def _return_path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return f"{parts.path}?{parts.query}"


def _query(location: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_an_admin_connects_the_association_s_account(client, localstripe, association, admin):
    client.force_login(admin)
    authorize = _start(client, association)
    query = _query(authorize)
    assert authorize.startswith(f"{localstripe.url}/oauth/authorize?")
    assert query["client_id"] == "ca_assosolos_test_platform"
    assert query["redirect_uri"].endswith(reverse("connect:return"))
    state = ConnectState.objects.get()
    assert query["state"] == state.token and state.association == association
    assert state.actor == admin

    back = client.get(_return_path(localstripe.consent(authorize)), follow=True)

    account = PaymentAccount.objects.get(association=association)
    assert account.charges_enabled and account.details_submitted and account.ready
    assert account.connected_by == admin
    assert localstripe.client.v1.accounts.retrieve(account.account_id).id == account.account_id
    assert back.redirect_chain[-1][0] == association.get_dashboard_url()
    page = back.content.decode()
    assert account.account_id in page
    assert "la vente en ligne peut ouvrir" in " ".join(_messages(back))


def test_an_account_with_details_due_is_connected_but_cannot_take_payments(
    client, localstripe, association, admin
):
    client.force_login(admin)
    authorize = _start(client, association)

    client.get(_return_path(localstripe.consent(authorize, incomplete=True)))

    account = PaymentAccount.objects.get(association=association)
    assert not account.ready
    assert "external_account" in account.requirements_due
    page = client.get(association.get_dashboard_url()).content.decode()
    assert 'data-test="charges-enabled">non<' in page or 'data-test="charges-enabled">no<' in page


def _nothing_changed(association) -> None:
    assert not PaymentAccount.objects.filter(association=association).exists()


def test_a_return_without_state_is_refused(client, localstripe, association, admin):
    client.force_login(admin)
    authorize = _start(client, association)
    location = localstripe.consent(authorize)
    code = _query(location)["code"]

    response = client.get(reverse("connect:return"), {"code": code}, follow=True)

    assert response.status_code == 200
    assert _messages(response)
    _nothing_changed(association)


def test_a_replayed_state_is_refused(client, localstripe, association, admin):
    client.force_login(admin)
    first = _start(client, association)
    path = _return_path(localstripe.consent(first))
    client.get(path)
    PaymentAccount.objects.all().delete()  # as if nothing had been connected

    client.get(path)

    _nothing_changed(association)


def test_a_state_started_by_someone_else_is_refused(client, localstripe, association, admin):
    client.force_login(admin)
    path = _return_path(localstripe.consent(_start(client, association)))
    other_admin = manager_of(association)
    client.force_login(other_admin)

    response = client.get(path, follow=True)

    assert _messages(response)
    _nothing_changed(association)
    # The rightful person can still finish: the foreign try did not use it up.
    client.force_login(admin)
    client.get(path)
    assert PaymentAccount.objects.filter(association=association).exists()


def test_an_unknown_or_expired_state_is_refused(client, localstripe, association, admin):
    client.force_login(admin)
    location = localstripe.consent(_start(client, association))
    code = _query(location)["code"]

    client.get(reverse("connect:return"), {"code": code, "state": "made-up"})
    _nothing_changed(association)

    ConnectState.objects.update(created_at=timezone.now() - timedelta(hours=1))
    client.get(_return_path(location))
    _nothing_changed(association)


def test_a_code_for_another_platform_is_refused(client, localstripe, association, admin, settings):
    localstripe.platform_register(
        site_url=settings.SITE_URL, client_id="ca_other_platform", secret_key="sk_test_other"
    )
    client.force_login(admin)
    ours = _query(_start(client, association))
    theirs = localstripe.consent(
        f"{localstripe.url}/oauth/authorize?response_type=code&client_id=ca_other_platform"
        f"&state=x&redirect_uri={urllib.parse.quote(ours['redirect_uri'])}"
    )

    response = client.get(
        reverse("connect:return"),
        {"code": _query(theirs)["code"], "state": ours["state"]},
        follow=True,
    )

    assert _messages(response)
    _nothing_changed(association)


def test_a_declined_consent_changes_nothing(client, localstripe, association, admin):
    client.force_login(admin)
    location = localstripe.consent(_start(client, association), allow=False)
    assert _query(location)["error"] == "access_denied"

    response = client.get(_return_path(location), follow=True)

    assert _messages(response)
    _nothing_changed(association)


def test_a_member_who_is_not_a_manager_cannot_start(client, localstripe, association):
    from associations.models import Membership
    from tests.associations.factories import MembershipFactory

    member = MembershipFactory(association=association, role=Membership.Role.MEMBER).user
    client.force_login(member)

    assert client.post(reverse("connect:start", args=[association.slug])).status_code == 403
    assert not ConnectState.objects.exists()


def test_an_admin_removed_before_returning_cannot_finish(client, localstripe, association, admin):
    from associations.models import Membership

    client.force_login(admin)
    path = _return_path(localstripe.consent(_start(client, association)))
    Membership.objects.filter(association=association, user=admin).delete()

    client.get(path)

    _nothing_changed(association)


def test_one_stripe_account_serves_one_association(client, localstripe, association, admin):
    client.force_login(admin)
    client.get(_return_path(localstripe.consent(_start(client, association))))
    account = PaymentAccount.objects.get(association=association)
    other = AssociationFactory()
    other_admin = manager_of(other)
    client.force_login(other_admin)
    # Its holder picks, for the other association, the account already connected.
    location = localstripe.consent(_start(client, other), account=account.account_id)

    response = client.get(_return_path(location), follow=True)

    assert _messages(response)
    assert not PaymentAccount.objects.filter(association=other).exists()


def test_start_needs_the_platform_configured(client, association, admin, settings):
    settings.STRIPE_CONNECT_CLIENT_ID = ""
    client.force_login(admin)

    response = client.post(reverse("connect:start", args=[association.slug]), follow=True)

    assert response.redirect_chain[-1][0] == association.get_dashboard_url()
    assert _messages(response)
    assert not ConnectState.objects.exists()


def test_a_stranger_is_sent_to_sign_in(client, association):
    response = client.post(reverse("connect:start", args=[association.slug]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ConnectState.objects.exists()
