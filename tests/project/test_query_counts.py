"""Every public page makes a number of queries that does not grow with the data.

Each page is loaded with a little data and with much more (SIZES); the same query
budget must hold for both, so a query made once per lottery, order, article or
member shows up as a failure at the larger size.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import Invitation, Membership
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.cms.factories import ArticlePageFactory
from tests.factories import UserFactory
from tests.lottery.factories import BundleFactory, PrizeFactory, open_lottery, paid_order

pytestmark = pytest.mark.django_db

SIZES = [2, 30]


def small_lottery(**kwargs):
    kwargs.setdefault("ticket_cap", 10)
    return open_lottery(**kwargs)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def articles(tree, size):
    first = datetime.date(2025, 1, 1)
    return [
        ArticlePageFactory(
            parent=tree["articles"],
            tags=[f"tag-{i}", "commun"],
            date=first + datetime.timedelta(days=i),
        )
        for i in range(size)
    ]


@pytest.mark.parametrize("size", SIZES)
def test_home(client, tree, size, django_assert_max_num_queries):
    for _ in range(size):
        small_lottery()
    articles(tree, size)
    # A CMS page reads its translations once, for the language switch and hreflang.
    with django_assert_max_num_queries(15):
        response = get(client, "/")
    assert len(response.context["open_lotteries"]) == min(size, 3)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(18):
        get(client, "/")


@pytest.mark.parametrize("size", SIZES)
def test_lottery_index(client, tree, size, django_assert_max_num_queries):
    from lottery.models import Lottery
    from tests.lottery.factories import LotteryFactory

    now = timezone.now()
    on_sale = [small_lottery() for _ in range(size)]
    for lottery in on_sale:
        PrizeFactory(lottery=lottery)
    for i in range(size):
        # Coming (a scheduled draft, no page yet) and drawn ones are listed too.
        LotteryFactory(
            title=f"Bientôt {i}",
            sales_open_at=now + datetime.timedelta(days=2),
            open_requested_at=now,
        )
        PrizeFactory(lottery=LotteryFactory(status=Lottery.Status.DRAWN, title=f"Tirée {i}"))
    with django_assert_max_num_queries(10):
        response = get(client, reverse("lottery:index"))
    html = response.content.decode()
    assert all(lottery.get_absolute_url() in html for lottery in on_sale[:24])
    assert response.context["page_obj"].paginator.count == 3 * size
    if size < 8:  # everything on one page: on sale, then coming, then drawn
        assert html.index(on_sale[-1].title) < html.index("Bientôt 0") < html.index("Tirée 0")
    with django_assert_max_num_queries(10):
        response = get(client, reverse("lottery:index") + "?page=2")
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_groups_directory(client, tree, size, django_assert_max_num_queries):
    from tests.groups.factories import GroupFactory, GroupMemberFactory

    groups = [GroupFactory() for _ in range(size)]
    for group in groups:
        for _ in range(3):
            GroupMemberFactory(group=group)
    with django_assert_max_num_queries(8):
        response = get(client, reverse("groups:directory"))
    assert len(response.context["groups"]) == min(size, 24)
    assert all(g.member_count == 3 for g in response.context["groups"])


@pytest.mark.parametrize("size", SIZES)
def test_lottery_page(client, tree, size, django_assert_max_num_queries):
    lottery = small_lottery(ticket_cap=100)
    buyer = UserFactory()
    for i in range(size):
        PrizeFactory(lottery=lottery, name=f"Lot {i}")
        BundleFactory(lottery=lottery, quantity=2 + i, price_cents=150 * (2 + i))
    for _ in range(min(size, 3)):
        paid_order(lottery=lottery, buyer=buyer)
    url = lottery.get_absolute_url()
    # Without the page cache every part is rendered; one query names the groups whose
    # seats the prizes carry (the groups app's section of the page).
    with django_assert_max_num_queries(11):
        response = get(client, url)
    assert len(response.context["prizes"]) == size + 1
    client.force_login(buyer)
    with django_assert_max_num_queries(14):
        response = get(client, url)
    assert response.context["held"] == min(size, 3)


@pytest.mark.parametrize("size", SIZES)
def test_association_list_and_page(client, tree, size, django_assert_max_num_queries):
    associations = [AssociationFactory() for _ in range(size)]
    association = associations[0]
    for _ in range(size):
        MembershipFactory(association=association)
    small_lottery(association=association)
    with django_assert_max_num_queries(7):
        response = get(client, reverse("associations:list"))
    assert len(response.context["page_obj"].object_list) == min(size, 24)
    from tests.groups.factories import GroupFactory, GroupMemberFactory

    for _ in range(size):
        GroupMemberFactory(group=GroupFactory(association=association))
    # One more for the funds pages of its lotteries; three for its groups, its showcase
    # editions and the showcase page, one for its showcase schedule.
    with django_assert_max_num_queries(11):
        response = get(client, association.get_absolute_url())
    assert response.content.decode().count('href="/groupes/') >= size


@pytest.mark.parametrize("size", SIZES)
def test_article_index_and_article(client, tree, size, django_assert_max_num_queries):
    pages = articles(tree, size)
    with django_assert_max_num_queries(16):
        response = get(client, tree["articles"].url)
    assert len(response.context["articles"]) == min(size, 10)
    with django_assert_max_num_queries(15):
        get(client, tree["articles"].url + "?tag=commun")
    with django_assert_max_num_queries(14):
        get(client, pages[-1].url)


@pytest.mark.parametrize("size", SIZES)
def test_my_tickets(client, tree, size, django_assert_max_num_queries):
    buyer = UserFactory()
    for _ in range(size):
        paid_order(lottery=small_lottery(), buyer=buyer, quantity=2)
    client.force_login(buyer)
    with django_assert_max_num_queries(9):
        response = get(client, reverse("lottery:my_tickets"))
    assert len(response.context["groups"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_association_dashboard(client, tree, size, django_assert_max_num_queries):
    owner = UserFactory()
    association = AssociationFactory()
    MembershipFactory(association=association, user=owner, role=Membership.Role.OWNER)
    for i in range(size):
        MembershipFactory(
            association=association,
            role=Membership.Role.ADMIN if i % 2 else Membership.Role.MEMBER,
        )
        small_lottery(association=association)
        Invitation.objects.create(
            association=association,
            email=f"invite{i}@example.org",
            role=Membership.Role.MEMBER,
            invited_by=owner,
            token_hash=f"{i:064d}",
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
    client.force_login(owner)
    # Three for the papers panel: the lotteries, their fees, their recorded costs; one
    # for the relay panel (the association's connected networks).
    with django_assert_max_num_queries(25):
        response = get(client, association.get_dashboard_url())
    assert len(response.context["team"]) == size + 1
    with django_assert_max_num_queries(11):
        response = get(client, reverse("lottery:manage_list", args=[association.slug]))
    assert len(response.context["lotteries"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_lottery_dashboard(client, tree, size, django_assert_max_num_queries):
    owner = UserFactory()
    association = AssociationFactory()
    MembershipFactory(association=association, user=owner, role=Membership.Role.OWNER)
    lottery = small_lottery(association=association, ticket_cap=100)
    for i in range(size):
        PrizeFactory(lottery=lottery)
        BundleFactory(lottery=lottery, quantity=2 + i, price_cents=150 * (2 + i))
        paid_order(lottery=lottery)
    client.force_login(owner)
    # The papers panel: the request, the costs, the fees and the accounts on file.
    with django_assert_max_num_queries(29):
        response = get(client, reverse("lottery:manage", args=[association.slug, lottery.slug]))
    assert response.context["figures"].paid_orders == size
