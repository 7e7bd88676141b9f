"""The association admins' lottery pages: permissions, forms, actions, exports, chart."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, Membership
from lottery import services
from lottery.models import Bundle, Lottery, Order, Prize
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.factories import UserFactory
from tests.lottery.factories import (
    LotteryFactory,
    PrizeFactory,
    manager_of,
    open_lottery,
)

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def url(name, lottery, *extra):
    return reverse(f"lottery:{name}", args=[lottery.association.slug, lottery.slug, *extra])


@pytest.fixture
def lottery():
    return LotteryFactory()


@pytest.fixture
def admin_client(client, lottery):
    client.force_login(manager_of(lottery.association))
    return client


def lottery_form_data(**overrides):
    now = timezone.localtime()
    data = {
        "title": "Tombola des ateliers",
        "description": "Pour financer nos ateliers.",
        "rules": "Règlement.",
        "authorisation_reference": "ARR-1",
        "authorisation_date": (now.date() - timedelta(days=3)).isoformat(),
        "ticket_price_cents": "2,50",
        "ticket_cap": "200",
        "per_person_cap": "",
        "sales_open_at": (now + timedelta(hours=1)).strftime(FMT),
        "sales_close_at": (now + timedelta(days=5)).strftime(FMT),
        "draw_at": (now + timedelta(days=6)).strftime(FMT),
    }
    data.update(overrides)
    return data


# --- Permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Membership.Role.MEMBER])
def test_members_and_strangers_get_403_and_change_nothing(client, lottery, role):
    user = UserFactory()
    if role:
        MembershipFactory(association=lottery.association, user=user, role=role)
    PrizeFactory(lottery=lottery)
    client.force_login(user)
    for name in ("manage", "manage_edit", "manage_prizes", "manage_sale", "export_orders"):
        assert client.get(url(name, lottery)).status_code == 403, name
    assert client.post(url("manage_open", lottery)).status_code == 403
    assert client.post(url("manage_cancel", lottery)).status_code == 403
    assert client.post(url("manage_edit", lottery), lottery_form_data()).status_code == 403
    create = reverse("lottery:manage_create", args=[lottery.association.slug])
    assert client.post(create, lottery_form_data(title="Intrus")).status_code == 403
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    assert lottery.title != "Tombola des ateliers"
    assert Lottery.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, lottery):
    response = client.get(url("manage", lottery))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_admin_of_another_association_cannot_reach_this_one(client, lottery):
    client.force_login(manager_of(AssociationFactory()))
    assert client.get(url("manage", lottery)).status_code == 403


def test_unknown_lottery_is_404(admin_client, lottery):
    missing = reverse("lottery:manage", args=[lottery.association.slug, "nope"])
    assert admin_client.get(missing).status_code == 404


# --- Create and edit -----------------------------------------------------------------


def test_create_a_lottery_in_euros(admin_client, lottery):
    create = reverse("lottery:manage_create", args=[lottery.association.slug])
    assert admin_client.get(create).status_code == 200
    response = admin_client.post(create, lottery_form_data())
    created = Lottery.objects.get(title="Tombola des ateliers")
    assert response.status_code == 302
    assert response["Location"] == url("manage_prizes", created)
    assert created.ticket_price_cents == 250
    assert created.status == Lottery.Status.DRAFT
    assert created.association == lottery.association


def test_create_shows_clear_field_errors(admin_client, lottery):
    create = reverse("lottery:manage_create", args=[lottery.association.slug])
    now = timezone.localtime()
    response = admin_client.post(
        create,
        lottery_form_data(
            ticket_price_cents="0",
            sales_close_at=(now - timedelta(days=1)).strftime(FMT),
            draw_at=(now - timedelta(days=2)).strftime(FMT),
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"ticket_price_cents", "sales_close_at", "draw_at"}
    assert Lottery.objects.count() == 1


def test_amounts_are_parsed_without_floats(admin_client, lottery):
    create = reverse("lottery:manage_create", args=[lottery.association.slug])
    response = admin_client.post(create, lottery_form_data(ticket_price_cents="2,555"))
    assert "ticket_price_cents" in response.context["form"].errors
    admin_client.post(create, lottery_form_data(ticket_price_cents="0.29"))
    assert Lottery.objects.get(title="Tombola des ateliers").ticket_price_cents == 29


def test_pending_association_cannot_create(client):
    association = AssociationFactory(status=Association.Status.PENDING)
    client.force_login(manager_of(association))
    create = reverse("lottery:manage_create", args=[association.slug])
    response = client.post(create, lottery_form_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Lottery.objects.exists()


def test_edit_an_open_lottery_keeps_the_numbers_fixed(admin_client):
    lottery = open_lottery()
    client = admin_client
    client.force_login(manager_of(lottery.association))
    data = lottery_form_data(title="Titre changé", ticket_cap="5000")
    response = client.post(url("manage_edit", lottery), data)
    assert response.status_code == 302
    lottery.refresh_from_db()
    assert lottery.title == "Titre changé"
    assert lottery.ticket_cap == 100  # disabled field: the posted value is ignored


# --- Prizes and bundles --------------------------------------------------------------


def test_prizes_formset_adds_and_warns_about_cash(admin_client, lottery):
    page = url("manage_prizes", lottery)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-rank": "1",
        "form-0-name": "Chèque de 100 €",
        "form-0-value_cents": "100",
        "form-0-quantity": "1",
    }
    assert admin_client.post(page, data).status_code == 302
    prize = Prize.objects.get(lottery=lottery)
    assert prize.value_cents == 10000
    response = admin_client.get(page)
    assert "Chèque de 100 €" in " ".join(response.context["warnings"])
    dashboard = admin_client.get(url("manage", lottery))
    assert len(dashboard.context["warnings"]) >= 1


def test_bundles_formset_refuses_a_zero_price(admin_client, lottery):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-quantity": "5",
        "form-0-price_cents": "0",
    }
    response = admin_client.post(url("manage_bundles", lottery), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["price_cents"]
    assert not Bundle.objects.exists()
    data["form-0-price_cents"] = "8"
    assert admin_client.post(url("manage_bundles", lottery), data).status_code == 302
    assert Bundle.objects.get(lottery=lottery).price_cents == 800


# --- Actions -------------------------------------------------------------------------


def test_open_action_shows_what_is_missing(admin_client, lottery):
    response = admin_client.post(url("manage_open", lottery), follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "message-error" in text
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT


def test_open_then_close_actions(admin_client, lottery):
    PrizeFactory(lottery=lottery)
    admin_client.post(url("manage_open", lottery))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
    assert lottery.tickets.count() == lottery.ticket_cap
    admin_client.post(url("manage_close", lottery))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.CLOSED


def test_open_action_refuses_get(admin_client, lottery):
    assert admin_client.get(url("manage_open", lottery)).status_code == 405


def test_cancel_asks_then_cancels(admin_client, lottery):
    PrizeFactory(lottery=lottery)
    services.lottery_request_open(lottery=lottery, actor=None)
    assert admin_client.get(url("manage_cancel", lottery)).status_code == 200
    admin_client.post(url("manage_cancel", lottery), {"reason": "Salle indisponible"})
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.CANCELLED
    assert lottery.transitions.get(to_status="cancelled").note == "Salle indisponible"


# --- Cash sales ----------------------------------------------------------------------


def test_cash_sale_form_records_numbers(client):
    lottery = open_lottery(ticket_cap=5)
    client.force_login(manager_of(lottery.association))
    page = url("manage_sale", lottery)
    data = {"channel": "cash", "quantity": "3", "receipt_number": "R-7", "buyer_name": "Léa"}
    response = client.post(page, data, follow=True)
    assert response.status_code == 200
    order = Order.objects.get(receipt_number="R-7")
    assert order.channel == Order.Channel.CASH
    assert order.status == Order.Status.PAID
    assert "1, 2, 3" in response.content.decode()


def test_cash_sale_form_errors(client):
    lottery = open_lottery(ticket_cap=5)
    client.force_login(manager_of(lottery.association))
    page = url("manage_sale", lottery)
    response = client.post(page, {"channel": "cash", "quantity": "2", "receipt_number": ""})
    assert "receipt_number" in response.context["form"].errors
    client.post(page, {"channel": "cash", "quantity": "4", "receipt_number": "R-1"})
    response = client.post(page, {"channel": "cash", "quantity": "2", "receipt_number": "R-2"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # sold out: 1 left
    assert Order.objects.count() == 1


# --- Exports and figures -------------------------------------------------------------


def test_association_dashboard_links_to_the_lotteries(client, lottery):
    client.force_login(manager_of(lottery.association))
    response = client.get(reverse("associations:dashboard", args=[lottery.association.slug]))
    assert response.status_code == 200
    assert url("manage", lottery) in response.content.decode()


def test_open_action_before_the_opening_time_schedules_it(admin_client, lottery):
    PrizeFactory(lottery=lottery)
    Lottery.objects.filter(pk=lottery.pk).update(sales_open_at=timezone.now() + timedelta(days=1))
    response = admin_client.post(url("manage_open", lottery), follow=True)
    assert "message-success" in response.content.decode()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    assert lottery.open_requested_at is not None
    admin_client.post(url("manage_unschedule", lottery))
    lottery.refresh_from_db()
    assert lottery.open_requested_at is None
