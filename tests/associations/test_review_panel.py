"""The CMS dashboard lists the associations waiting for staff, in Paris time."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone, translation

from associations import services
from associations.models import Association, Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import StaffFactory, UserFactory, staff_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def french():
    with translation.override("fr"):
        yield


def dashboard(client):
    staff_sign_in(client, StaffFactory())
    response = client.get("/cms/")
    assert response.status_code == 200
    return response


def test_the_dashboard_lists_registrations_and_changes_waiting(client, settings):
    settings.LANGUAGE_CODE = "fr"
    pending = AssociationFactory(name="Nouvelle Asso", status=Association.Status.PENDING)
    # 22:30 UTC in winter is 23:30 in Paris.
    Association.objects.filter(pk=pending.pk).update(
        created_at=datetime(2026, 1, 15, 22, 30, tzinfo=UTC)
    )
    verified = AssociationFactory(name="Asso Vérifiée")
    owner = MembershipFactory(association=verified, role=Membership.Role.OWNER).user
    services.association_details_update(association=verified, actor=owner, commune="Nantes")
    AssociationFactory(name="Rien à faire")

    page = BeautifulSoup(dashboard(client).content, "html.parser")
    panel = page.select_one("#associations-waiting-section")
    assert panel is not None
    names = [a.get_text(strip=True) for a in panel.select("tbody a")]
    assert names == ["Nouvelle Asso", "Asso Vérifiée"]
    first_time = panel.select_one("tbody time")
    assert "23:30" in first_time["title"]
    assert first_time["datetime"].endswith("+01:00")


def test_a_future_date_reads_as_in_so_many_days(client, settings):
    settings.LANGUAGE_CODE = "fr"
    soon = AssociationFactory(name="Horloge en avance", status=Association.Status.PENDING)
    Association.objects.filter(pk=soon.pk).update(
        created_at=timezone.now() + timedelta(days=3, hours=1)
    )
    panel = BeautifulSoup(dashboard(client).content, "html.parser").select_one(
        "#associations-waiting-section"
    )
    text = panel.select_one("tbody time").get_text(strip=True)
    assert text.startswith("dans 3")
    assert "il y a" not in text


def test_no_avatar_is_fetched_from_an_outside_service(client):
    UserFactory()
    html = dashboard(client).text
    assert "gravatar" not in html.lower()


def test_site_users_do_not_see_the_panel(client):
    AssociationFactory(status=Association.Status.PENDING)
    editor = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    staff_sign_in(client, editor)
    assert "associations-waiting" not in client.get("/cms/").text
