"""Platform staff see every lottery in the CMS admin, read-only."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from lottery.models import Lottery
from tests.factories import UserFactory, staff_sign_in
from tests.lottery.factories import LotteryFactory, open_lottery, paid_order

pytestmark = pytest.mark.django_db


def test_staff_list_every_lottery_and_inspect_one(client, staff_user):
    draft = LotteryFactory(title="Brouillon asso A")
    lottery = open_lottery(title="Tombola asso B")
    paid_order(lottery=lottery, quantity=3)
    staff_sign_in(client, staff_user)

    listing = client.get("/cms/loteries/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert draft.title in html and lottery.title in html

    filtered = client.get("/cms/loteries/", {"status": Lottery.Status.OPEN})
    assert lottery.title in filtered.content.decode()
    assert draft.title not in filtered.content.decode()

    inspect = client.get(f"/cms/loteries/inspect/{lottery.pk}/")
    assert inspect.status_code == 200
    assert "3 / 100" in inspect.content.decode()


def test_no_edit_or_delete_screens(client, staff_user):
    lottery = LotteryFactory()
    staff_sign_in(client, staff_user)
    assert client.get(f"/cms/loteries/edit/{lottery.pk}/").status_code == 404
    assert client.post(f"/cms/loteries/delete/{lottery.pk}/").status_code == 404
    assert Lottery.objects.filter(pk=lottery.pk).exists()


def test_ordinary_users_cannot_see_the_admin_list(client):
    LotteryFactory()
    client.force_login(UserFactory())
    response = client.get("/cms/loteries/")
    assert response.status_code in (302, 403)


def test_listing_dates_are_in_paris_time_and_future_ones_read_as_future(client, staff_user):
    client.cookies["django_language"] = "en"
    draw_at = timezone.now() + timedelta(days=30)
    lottery = LotteryFactory(
        title="Tombola du mois prochain",
        sales_close_at=draw_at - timedelta(days=1),
        draw_at=draw_at,
    )
    staff_sign_in(client, staff_user)
    html = client.get("/cms/loteries/").content.decode()
    row = html.split(lottery.title, 1)[1].split("</tr>", 1)[0]
    assert "ago" not in row and "just now" not in row
    assert "in 4\u00a0weeks" in row or "in 4 weeks" in row
    paris = timezone.localtime(draw_at, timezone=timezone.get_default_timezone())
    assert f'datetime="{paris.strftime("%Y-%m-%dT%H:%M:%S")}' in row
    assert paris.strftime("%d/%m/%Y") in row or paris.strftime("%m/%d/%Y") in row


def test_inspect_shows_times_in_paris_not_utc(client, staff_user):
    client.cookies["django_language"] = "en"
    # 12:34 UTC in winter is 13:34 in Paris.
    created = datetime(2026, 1, 15, 12, 34, tzinfo=UTC)
    lottery = LotteryFactory(created_at=created)
    staff_sign_in(client, staff_user)
    html = client.get(f"/cms/loteries/inspect/{lottery.pk}/").content.decode()
    block = html.split("<dt>Created at</dt>", 1)[1].split("</dd>", 1)[0]
    assert "13:34" in block and "12:34" not in block


def test_a_scheduled_draft_reads_scheduled_in_the_admin(client, staff_user):
    from lottery import services
    from tests.lottery.factories import PrizeFactory

    client.cookies["django_language"] = "en"
    lottery = LotteryFactory(
        title="Tombola programmée", sales_open_at=timezone.now() + timedelta(days=3)
    )
    PrizeFactory(lottery=lottery)
    services.lottery_request_open(lottery=lottery, actor=None)
    staff_sign_in(client, staff_user)
    row = client.get("/cms/loteries/").content.decode().split(lottery.title, 1)[1]
    assert "Scheduled" in row.split("</tr>", 1)[0]
    inspect = client.get(f"/cms/loteries/inspect/{lottery.pk}/").content.decode()
    assert "Scheduled" in inspect.split("<dt>Status</dt>", 1)[1].split("</dd>", 1)[0]
