"""Platform staff see every lottery in the CMS admin, read-only."""

import pytest

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
