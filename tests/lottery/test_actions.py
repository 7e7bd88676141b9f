"""`lottery_actions`: one decision of what may be done to a lottery, by whom, and whether
it is on sale; the services refuse on it and the pages show it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, Membership
from lottery import services
from lottery.models import Lottery, Order
from lottery.selectors.actions import NotOnSale, lottery_actions
from tests.associations.factories import MembershipFactory
from tests.factories import StaffFactory, UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of, open_lottery

pytestmark = pytest.mark.django_db

Status = Lottery.Status
ACTIONS = (
    "edit",
    "edit_prizes",
    "open",
    "open_now",
    "unschedule",
    "close",
    "cancel",
    "record_sale",
)
# What each `may_…` needs of the lottery's state, whoever acts (`can_…`).
STATE_RULE = {
    "edit": "can_edit",
    "edit_prizes": "can_edit_prizes",
    "open": "can_open",
    "open_now": "can_open",
    "unschedule": "can_open",
    "close": "can_close",
    "cancel": "can_cancel",
    "record_sale": "can_record_sale",
}

# state: (how the lottery stands, why it is not on sale, what its managers may do)
STATES = {
    "draft, opening later": (
        {"status": Status.DRAFT, "sales_open_at": +1},
        NotOnSale.NOT_YET,
        {"edit", "edit_prizes", "open", "open_now", "cancel"},
    ),
    "draft, opening time passed": (
        {"status": Status.DRAFT},
        NotOnSale.NOT_YET,
        {"edit", "edit_prizes", "open", "cancel"},
    ),
    "scheduled": (
        {"status": Status.DRAFT, "sales_open_at": +1, "open_requested": True},
        NotOnSale.NOT_YET,
        {"edit", "edit_prizes", "open_now", "unschedule", "cancel"},
    ),
    "open": (
        {"status": Status.OPEN},
        NotOnSale.NONE,
        {"edit", "close", "cancel", "record_sale"},
    ),
    "open, association under review": (
        {"status": Status.OPEN, "association": Association.Status.PENDING},
        NotOnSale.ASSOCIATION,
        {"edit", "close", "cancel"},
    ),
    "open, association suspended": (
        {"status": Status.OPEN, "association": Association.Status.SUSPENDED},
        NotOnSale.ASSOCIATION,
        {"edit", "close", "cancel"},
    ),
    "open, closing time passed": (
        {"status": Status.OPEN, "sales_close_at": -1},
        NotOnSale.CLOSED,
        {"edit", "close", "cancel"},
    ),
    "closed": ({"status": Status.CLOSED}, NotOnSale.CLOSED, {"cancel"}),
    "closed, ledger sealed": ({"status": Status.CLOSED, "sealed": True}, NotOnSale.CLOSED, set()),
    "drawn": ({"status": Status.DRAWN, "sealed": True}, NotOnSale.DRAWN, set()),
    "cancelled": ({"status": Status.CANCELLED}, NotOnSale.CANCELLED, set()),
}

# actor: whether they manage the association
ACTORS = {
    "owner": True,
    "admin": True,
    "member": False,
    "staff": False,
    "another association's admin": False,
    "visitor": False,
    "nobody (a task)": False,
}


def _lottery(given: dict, now) -> Lottery:
    lottery = LotteryFactory(status=given["status"])
    changes = {}
    if "sales_open_at" in given:
        changes["sales_open_at"] = now + timedelta(days=given["sales_open_at"])
    if "sales_close_at" in given:
        changes["sales_close_at"] = now + timedelta(minutes=given["sales_close_at"])
    if given.get("open_requested"):
        changes["open_requested_at"] = now
    if given.get("sealed"):
        changes["ledger_sealed_at"] = now
    Lottery.objects.filter(pk=lottery.pk).update(**changes)
    if "association" in given:
        Association.objects.filter(pk=lottery.association_id).update(status=given["association"])
    return Lottery.objects.select_related("association").get(pk=lottery.pk)


def _actor(kind: str, lottery: Lottery):
    from django.contrib.auth.models import AnonymousUser

    association = lottery.association
    if kind == "owner":
        return manager_of(association, role=Membership.Role.OWNER)
    if kind == "admin":
        return manager_of(association, role=Membership.Role.ADMIN)
    if kind == "member":
        return MembershipFactory(association=association, role=Membership.Role.MEMBER).user
    if kind == "staff":
        return StaffFactory()
    if kind == "another association's admin":
        return manager_of(LotteryFactory().association)
    if kind == "visitor":
        return AnonymousUser()
    return None


@pytest.mark.parametrize("state", STATES)
def test_the_table_of_states_and_actors(state):
    now = timezone.now()
    given, reason, managers_may = STATES[state]
    lottery = _lottery(given, now)
    for kind, manages in ACTORS.items():
        actions = lottery_actions(lottery=lottery, actor=_actor(kind, lottery), now=now)
        assert actions.not_on_sale == reason, (state, kind)
        assert actions.on_sale is (reason == NotOnSale.NONE), (state, kind)
        assert actions.manager is manages, (state, kind)
        for name in ACTIONS:
            may = getattr(actions, f"may_{name}")
            assert may is (manages and name in managers_may), (state, kind, name)
            # What the state allows does not depend on who asks.
            if name in managers_may:
                assert getattr(actions, STATE_RULE[name]), (state, kind, name)


def test_the_draw_is_due_once_sales_are_closed_and_its_time_has_come():
    now = timezone.now()
    closed = _lottery(STATES["closed"][0], now)
    assert not lottery_actions(lottery=closed, actor=None, now=now).draw_due
    later = closed.draw_at + timedelta(seconds=1)
    assert lottery_actions(lottery=closed, actor=None, now=later).draw_due
    for state in ("open", "drawn", "cancelled"):
        lottery = _lottery(STATES[state][0], now)
        assert not lottery_actions(lottery=lottery, actor=None, now=later).draw_due, state


def test_what_templates_read_follows_the_badge():
    now = timezone.now()
    scheduled = _lottery(STATES["scheduled"][0], now)
    actions = lottery_actions(lottery=scheduled, actor=None, now=now)
    assert actions.is_draft and actions.is_scheduled and actions.opens_later
    assert not (actions.is_open or actions.is_drawn or actions.is_cancelled or actions.is_finished)
    drawn = lottery_actions(lottery=_lottery(STATES["drawn"][0], now), actor=None, now=now)
    assert drawn.is_drawn and drawn.is_finished and not drawn.is_draft


def test_a_visitor_costs_no_query_about_managers(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    now = timezone.now()
    lottery = _lottery(STATES["open"][0], now)
    signed_in = UserFactory()
    with django_assert_num_queries(0):
        for actor in (AnonymousUser(), signed_in):
            actions = lottery_actions(lottery=lottery, actor=actor, now=now)
            assert actions.on_sale and actions.is_open


# --- The services refuse on the same decision -------------------------------------------


def test_a_sealed_lottery_cannot_be_cancelled_and_its_page_offers_no_cancellation(client):
    lottery = _lottery(STATES["closed, ledger sealed"][0], timezone.now())
    manager = manager_of(lottery.association)
    with pytest.raises(ValidationError, match="sealed|scellé"):
        services.lottery_cancel(lottery=lottery, actor=manager)
    client.force_login(manager)
    page = client.get(
        reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])
    ).content.decode()
    assert reverse("lottery:manage_cancel", args=[lottery.association.slug, lottery.slug]) not in (
        page
    )


def test_an_association_under_review_sells_nothing_online_nor_in_cash():
    lottery = open_lottery(ticket_cap=10)
    Association.objects.filter(pk=lottery.association_id).update(status=Association.Status.PENDING)
    lottery.refresh_from_db()
    with pytest.raises(services.SalesNotOpen):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    with pytest.raises(services.SalesNotOpen):
        services.order_record_offline(
            lottery=lottery, actor=None, channel=Order.Channel.CASH, quantity=1, receipt_number="R1"
        )
    assert not Order.objects.filter(lottery=lottery).exists()


def test_its_public_page_says_so_and_offers_no_purchase(client):
    lottery = open_lottery(ticket_cap=10)
    Association.objects.filter(pk=lottery.association_id).update(status=Association.Status.PENDING)
    response = client.get(lottery.get_absolute_url())
    assert response.context["actions"].not_on_sale == NotOnSale.ASSOCIATION
    assert response.context["on_sale"] is False


# --- The manager's pages show what it decides ------------------------------------------


def _manage_page(client, lottery) -> str:
    client.force_login(manager_of(lottery.association))
    url = reverse("lottery:manage", args=[lottery.association.slug, lottery.slug])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _links(lottery) -> dict[str, str]:
    args = [lottery.association.slug, lottery.slug]
    return {
        "open": reverse("lottery:manage_open", args=args),
        "open_now": reverse("lottery:manage_open_now", args=args),
        "unschedule": reverse("lottery:manage_unschedule", args=args),
        "close": reverse("lottery:manage_close", args=args),
        "record_sale": reverse("lottery:manage_sale", args=args),
        "cancel": reverse("lottery:manage_cancel", args=args),
        "edit": reverse("lottery:manage_edit", args=args),
    }


@pytest.mark.parametrize(
    "state", ["draft, opening later", "scheduled", "open", "open, closing time passed", "drawn"]
)
def test_the_managers_page_shows_exactly_the_actions_allowed(client, state):
    given, _reason, managers_may = STATES[state]
    lottery = _lottery(given, timezone.now())
    PrizeFactory(lottery=lottery)
    page = _manage_page(client, lottery)
    for name, link in _links(lottery).items():
        assert (f'"{link}"' in page) is (name in managers_may), (state, name)


def test_the_cash_sale_page_takes_no_sale_once_the_closing_time_has_passed(client):
    lottery = _lottery(STATES["open, closing time passed"][0], timezone.now())
    client.force_login(manager_of(lottery.association))
    page = client.get(
        reverse("lottery:manage_sale", args=[lottery.association.slug, lottery.slug])
    ).content.decode()
    assert "<form" not in page.split('class="narrow"', 1)[1]


def test_prizes_are_read_only_once_sales_open(client):
    lottery = open_lottery()
    client.force_login(manager_of(lottery.association))
    response = client.get(
        reverse("lottery:manage_prizes", args=[lottery.association.slug, lottery.slug])
    )
    assert response.context["actions"].may_edit_prizes is False
    draft = LotteryFactory()
    client.force_login(manager_of(draft.association))
    response = client.get(
        reverse("lottery:manage_prizes", args=[draft.association.slug, draft.slug])
    )
    assert response.context["actions"].may_edit_prizes is True
