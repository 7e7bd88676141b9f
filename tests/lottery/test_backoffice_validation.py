"""Setting a lottery up: bundles cheaper than singles, unique sizes and ranks, rules to open."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lottery import services
from lottery.models import Bundle, Lottery, Prize
from tests.lottery.factories import BundleFactory, LotteryFactory, PrizeFactory, manager_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def lottery():
    return LotteryFactory(ticket_price_cents=200)


@pytest.fixture
def admin_client(client, lottery):
    client.force_login(manager_of(lottery.association))
    return client


def url(name, lottery):
    return reverse(f"lottery:{name}", args=[lottery.association.slug, lottery.slug])


def formset_data(rows: list[dict], initial: int = 0) -> dict:
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


# --- Bundles -------------------------------------------------------------------------


@pytest.mark.parametrize("price_cents", [1000, 1200])
def test_a_bundle_must_cost_less_than_as_many_single_tickets(lottery, price_cents):
    bundle = Bundle(lottery=lottery, quantity=5, price_cents=price_cents)
    with pytest.raises(ValidationError) as exc:
        services.bundle_save(bundle=bundle)
    [message] = exc.value.message_dict["price_cents"]
    assert message == (
        "La formule de 5 billets doit coûter moins que 5 billets à l'unité (10\u00a0€)."
    )
    assert not Bundle.objects.exists()

    bundle.price_cents = 999
    services.bundle_save(bundle=bundle)
    assert Bundle.objects.get().price_cents == 999


def test_bundle_sizes_are_unique_in_a_lottery(lottery):
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    other_lottery = LotteryFactory(ticket_price_cents=200)
    BundleFactory(lottery=other_lottery, quantity=10, price_cents=1500)

    with pytest.raises(ValidationError) as exc:
        services.bundle_save(bundle=Bundle(lottery=lottery, quantity=5, price_cents=700))
    assert exc.value.message_dict["quantity"] == ["Il y a déjà une formule de 5 billets."]
    services.bundle_save(bundle=Bundle(lottery=lottery, quantity=10, price_cents=1500))
    assert sorted(lottery.bundles.values_list("quantity", flat=True)) == [5, 10]


def test_bundles_page_shows_the_price_and_duplicate_errors_on_their_fields(admin_client, lottery):
    response = admin_client.post(
        url("manage_bundles", lottery),
        formset_data(
            [{"quantity": "5", "price_cents": "10"}, {"quantity": "5", "price_cents": "8"}]
        ),
    )

    assert response.status_code == 200
    first, second = response.context["formset"].forms
    assert "doit coûter moins que 5 billets" in first.errors["price_cents"][0]
    assert second.errors["quantity"] == ["Il existe déjà une formule pour ce nombre de billets."]
    assert not Bundle.objects.exists()


def test_opening_checks_bundles_against_the_ticket_price_set_later(lottery):
    PrizeFactory(lottery=lottery)
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    services.lottery_update(lottery=lottery, actor=None, ticket_price_cents=150)

    with pytest.raises(ValidationError) as exc:
        services.lottery_request_open(lottery=lottery, actor=None)
    assert any("moins que 5 billets" in m for m in exc.value.message_dict["__all__"])
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT


# --- Prizes --------------------------------------------------------------------------


def test_prize_ranks_are_unique_in_a_lottery(lottery):
    PrizeFactory(lottery=lottery, rank=1)
    PrizeFactory(lottery=LotteryFactory(), rank=2)

    with pytest.raises(ValidationError) as exc:
        services.prize_save(prize=Prize(lottery=lottery, rank=1, name="Vélo", quantity=1))
    assert "rang 1" in exc.value.message_dict["rank"][0]
    services.prize_save(prize=Prize(lottery=lottery, rank=2, name="Vélo", quantity=1))
    assert sorted(lottery.prizes.values_list("rank", flat=True)) == [1, 2]


def test_prizes_page_shows_a_repeated_rank_on_the_field(admin_client, lottery):
    row = {"name": "Atelier", "value_cents": "10", "quantity": "1"}
    response = admin_client.post(
        url("manage_prizes", lottery),
        formset_data([{**row, "rank": "1"}, {**row, "rank": "1", "name": "Livre"}]),
    )

    assert response.status_code == 200
    second = response.context["formset"].forms[1]
    assert second.errors["rank"] == ["Un autre lot a déjà ce rang."]
    assert not Prize.objects.exists()


def test_opening_refuses_two_prizes_of_the_same_rank(lottery):
    PrizeFactory(lottery=lottery, rank=1)
    PrizeFactory(lottery=lottery, rank=2)
    Prize.objects.filter(lottery=lottery).update(rank=1)  # as an older version allowed

    with pytest.raises(ValidationError) as exc:
        services.lottery_request_open(lottery=lottery, actor=None)
    assert any("rang 1" in m for m in exc.value.message_dict["__all__"])


# --- Rules ---------------------------------------------------------------------------


def test_the_rules_are_required_to_open(admin_client, lottery):
    PrizeFactory(lottery=lottery)
    Lottery.objects.filter(pk=lottery.pk).update(rules="  ")

    response = admin_client.post(url("manage_open", lottery), follow=True)

    assert "Indiquez le règlement de la loterie" in response.content.decode()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    Lottery.objects.filter(pk=lottery.pk).update(rules="Règlement déposé en mairie.")
    admin_client.post(url("manage_open", lottery))
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
