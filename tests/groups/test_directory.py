"""Groups and the showcase are reachable: the directory, the association page, the home
page and the showcase's next edition date; staff find the admins from their menu."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from groups.models import Group
from groups.pitches.models import ShowcasePage, ShowcaseSchedule
from groups.pitches.selectors import showcase_next_edition_at
from tests.associations.factories import AssociationFactory
from tests.factories import StaffFactory, UserFactory, english_client

from .factories import GroupFactory, GroupMemberFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _showcase(home_page):
    page = ShowcasePage(title="La vitrine", slug="vitrine", show_in_menus=True)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_directory_says_what_each_group_does_and_names_no_member(client, home_page):
    group = GroupFactory(
        title="Pitch X en 280 signes",
        topic=Group.Topic.X_PITCH,
        description="Écrire et relire son pitch.",
    )
    member = GroupMemberFactory(group=group, user=UserFactory(display_name="Zoé Confidentielle"))
    group.facilitator = UserFactory(display_name="Anatole Animateur")
    group.save()
    suspended = GroupFactory(
        title="Groupe caché", association=AssociationFactory(status="suspended")
    )

    response = client.get(reverse("groups:directory"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pitch X en 280 signes" in html and "Écrire et relire son pitch." in html
    assert group.association.name in html and group.get_absolute_url() in html
    assert group.association.get_absolute_url() in html
    assert member.user.display_name not in html and "Anatole Animateur" not in html
    assert member.user.email not in html
    assert suspended.title not in html


def test_the_association_page_lists_its_groups_and_showcase_editions(client, home_page):
    group = GroupFactory(title="Atelier LinkedIn du jeudi")
    showcase = _showcase(home_page)

    html = client.get(group.association.get_absolute_url()).content.decode()

    assert group.get_absolute_url() in html
    assert showcase.url in html
    assert reverse("groups:directory") in html


def test_the_home_page_and_the_menu_lead_to_the_showcase(client, home_page):
    showcase = _showcase(home_page)

    page = BeautifulSoup(client.get("/").content, "html.parser")

    assert page.select_one(f'#main-nav a[href="{showcase.url}"]')
    assert page.select_one(f'.home-showcase a[href="{showcase.url}"]')
    assert page.select_one(f'footer a[href="{showcase.url}"]')


def test_the_next_edition_is_the_coming_friday_at_15h_paris_time():
    # Thursday 10 December 2026, noon in Paris.
    now = dt.datetime(2026, 12, 10, 12, 0, tzinfo=PARIS)
    at = showcase_next_edition_at(now=now)
    assert at.astimezone(PARIS) == dt.datetime(2026, 12, 11, 15, 0, tzinfo=PARIS)
    # Just after Friday's edition: the one a week later.
    after = showcase_next_edition_at(now=dt.datetime(2026, 12, 11, 15, 1, tzinfo=PARIS))
    assert after.astimezone(PARIS) == dt.datetime(2026, 12, 18, 15, 0, tzinfo=PARIS)


def test_an_association_with_its_own_time_gets_its_own_next_edition():
    association = AssociationFactory()
    ShowcaseSchedule.objects.create(
        association=association, weekday=ShowcaseSchedule.Weekday.MONDAY, time=dt.time(9, 30)
    )
    now = dt.datetime(2026, 12, 10, 12, 0, tzinfo=PARIS)
    at = showcase_next_edition_at(association=association, now=now)
    assert at.astimezone(PARIS) == dt.datetime(2026, 12, 14, 9, 30, tzinfo=PARIS)


def test_the_showcase_page_shows_its_next_edition(client, home_page):
    showcase = _showcase(home_page)
    response = english_client(client).get(showcase.url)
    page = BeautifulSoup(response.content, "html.parser")
    text = page.select_one(".showcase-next").get_text(" ", strip=True)
    expected = response.context["next_edition_at"].astimezone(PARIS)
    assert expected.weekday() == 4 and (expected.hour, expected.minute) == (15, 0)
    assert str(expected.day) in text and "15:00" in text


def test_staff_find_the_cms_and_the_back_office_in_their_account_menu(client, home_page):
    staff = StaffFactory()
    client.force_login(staff)
    page = BeautifulSoup(client.get(reverse("accounts:dashboard")).content, "html.parser")
    links = {a["href"] for a in page.select(".account-links a")}
    assert reverse("wagtailadmin_home") in links and reverse("admin:index") in links

    client.force_login(UserFactory())
    page = BeautifulSoup(client.get(reverse("accounts:dashboard")).content, "html.parser")
    links = {a["href"] for a in page.select(".account-links a")}
    assert reverse("wagtailadmin_home") not in links and reverse("admin:index") not in links
