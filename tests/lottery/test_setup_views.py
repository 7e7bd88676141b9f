"""Setting a lottery up without traps: open now, a preview of a draft, several rows per save,
and a warning for a very short sales window."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lottery import selectors, services
from lottery.models import Lottery, LotteryTransition, Prize
from tests.factories import UserFactory
from tests.lottery.factories import LotteryFactory, PrizeFactory, manager_of

pytestmark = pytest.mark.django_db


def url(name, lottery):
    return reverse(f"lottery:{name}", args=[lottery.association.slug, lottery.slug])


@pytest.fixture
def scheduled():
    """A draft whose opening is requested for tomorrow: "Scheduled"."""
    lottery = LotteryFactory(sales_open_at=timezone.now() + timedelta(days=1))
    PrizeFactory(lottery=lottery)
    assert services.lottery_request_open(lottery=lottery, actor=None) is False
    lottery.refresh_from_db()
    return lottery


@pytest.fixture
def manager(scheduled):
    return manager_of(scheduled.association)


def _opened(lottery) -> int:
    return LotteryTransition.objects.filter(lottery=lottery, to_status=Lottery.Status.OPEN).count()


# --- Open sales now ------------------------------------------------------------------


def test_open_now_sits_beside_the_scheduled_opening(client, scheduled, manager):
    client.force_login(manager)
    html = client.get(url("manage", scheduled)).content.decode()
    banner = html.split("scheduled-opening", 1)[1].split("</div>", 1)[0]
    assert f'action="{url("manage_open_now", scheduled)}"' in banner
    assert 'name="csrfmiddlewaretoken"' in banner


def test_open_now_opens_once_and_the_scheduled_opening_does_nothing(client, scheduled, manager):
    client.force_login(manager)
    response = client.post(url("manage_open_now", scheduled))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == Lottery.Status.OPEN
    assert scheduled.sales_open_at <= timezone.now()
    assert scheduled.tickets.count() == scheduled.ticket_cap
    # The time first scheduled comes: the task and the sweep find it open.
    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    assert services.lottery_open(lottery_id=scheduled.pk, now=tomorrow) is False
    assert services.lotteries_sales_sweep(now=tomorrow)["opened"] == 0
    assert client.post(url("manage_open_now", scheduled)).status_code == 302
    assert _opened(scheduled) == 1
    assert scheduled.tickets.count() == scheduled.ticket_cap


def test_open_now_needs_a_post_with_the_csrf_token(scheduled, manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.get(url("manage_open_now", scheduled)).status_code == 405
    assert client.post(url("manage_open_now", scheduled)).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == Lottery.Status.DRAFT


def test_open_now_is_for_the_association_managers_only(client, scheduled):
    client.force_login(UserFactory())
    assert client.post(url("manage_open_now", scheduled)).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == Lottery.Status.DRAFT


@pytest.mark.parametrize(
    "change",
    [
        {"rules": ""},  # no rules filed
        {"prize": "Bon d'achat de 50 €"},  # a cash-like prize, forbidden by CSI L322-3
    ],
)
def test_open_now_goes_through_the_opening_checks(client, scheduled, manager, change):
    if "prize" in change:
        PrizeFactory(lottery=scheduled, name=change["prize"])
    else:
        Lottery.objects.filter(pk=scheduled.pk).update(**change)
    opens_at = scheduled.sales_open_at
    client.force_login(manager)
    response = client.post(url("manage_open_now", scheduled))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    scheduled.refresh_from_db()
    assert scheduled.status == Lottery.Status.DRAFT
    assert scheduled.sales_open_at == opens_at  # nothing moved
    assert not scheduled.tickets.exists()


# --- Preview of a draft ---------------------------------------------------------------


def test_managers_preview_a_draft_marked_and_not_indexed(client, scheduled, manager):
    client.force_login(manager)
    response = client.get(url("manage_preview", scheduled))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-preview" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert scheduled.title in html
    assert reverse("lottery:buy", args=[scheduled.slug]) not in html  # nothing to buy
    # The manage page links to it while the lottery is a draft.
    assert url("manage_preview", scheduled) in client.get(url("manage", scheduled)).content.decode()


def test_nobody_else_reaches_the_preview_or_the_draft(client, scheduled):
    preview = url("manage_preview", scheduled)
    response = client.get(preview)
    assert response.status_code == 302 and "next=" in response["Location"]
    assert client.get(reverse("lottery:detail", args=[scheduled.slug])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(preview).status_code == 403


# --- Several prize and bundle rows per save ------------------------------------------


def _rows(rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"form-{i}-{key}": value for key, value in row.items()})
    return data


def _prize(rank, name, quantity="1"):
    return {"rank": str(rank), "name": name, "value_cents": "20", "quantity": quantity}


def test_the_prizes_page_offers_several_empty_rows(client):
    lottery = LotteryFactory()
    client.force_login(manager_of(lottery.association))
    formset = client.get(url("manage_prizes", lottery)).context["formset"]
    assert len(formset.forms) >= 3


def test_several_prizes_are_saved_in_one_post(client):
    lottery = LotteryFactory()
    client.force_login(manager_of(lottery.association))
    data = _rows([_prize(1, "Vélo"), _prize(2, "Panier garni"), _prize(3, "Livre")])
    assert client.post(url("manage_prizes", lottery), data).status_code == 302
    assert list(lottery.prizes.order_by("rank").values_list("name", flat=True)) == [
        "Vélo",
        "Panier garni",
        "Livre",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        _prize(3, ""),  # refused by the form: no name
        _prize(3, "Livre", quantity="0"),  # refused by the service: none of it
    ],
)
def test_one_wrong_row_saves_nothing_and_is_marked(client, bad):
    lottery = LotteryFactory()
    client.force_login(manager_of(lottery.association))
    data = _rows([_prize(1, "Vélo"), _prize(2, "Panier garni"), bad])
    response = client.post(url("manage_prizes", lottery), data)
    assert response.status_code == 200
    assert not Prize.objects.filter(lottery=lottery).exists()
    forms = response.context["formset"].forms
    assert not forms[0].errors and not forms[1].errors
    assert forms[2].errors
    html = response.content.decode()
    assert html.count("data-invalid") == 1
    assert 'id="row-3" data-invalid' in html
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


# --- A very short sales window --------------------------------------------------------


def test_a_short_sales_window_is_warned_on_the_page_and_on_save(client, settings):
    settings.LOTTERY_SHORT_SALES_WINDOW_HOURS = 24
    now = timezone.now()
    lottery = LotteryFactory(
        sales_open_at=now + timedelta(hours=1), sales_close_at=now + timedelta(hours=1, minutes=5)
    )
    assert "5" in selectors.lottery_sales_window_warning(lottery=lottery)
    manager = manager_of(lottery.association)
    client.force_login(manager)
    page = client.get(url("manage", lottery))
    assert selectors.lottery_sales_window_warning(lottery=lottery) in page.context["warnings"]

    fmt = "%Y-%m-%dT%H:%M"
    local = timezone.localtime(now)
    form = {
        "title": lottery.title,
        "description": "",
        "rules": "Règlement.",
        "authorisation_reference": "ARR-1",
        "authorisation_date": (local.date() - timedelta(days=3)).isoformat(),
        "ticket_price_cents": "2",
        "ticket_cap": "100",
        "per_person_cap": "",
        "sales_open_at": (local + timedelta(hours=2)).strftime(fmt),
        "sales_close_at": (local + timedelta(hours=5)).strftime(fmt),
        "draw_at": (local + timedelta(days=1)).strftime(fmt),
    }
    response = client.post(url("manage_edit", lottery), form)
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success", "warning"]

    client.get(url("manage", lottery))  # the messages are read
    form["sales_close_at"] = (local + timedelta(days=3)).strftime(fmt)
    form["draw_at"] = (local + timedelta(days=4)).strftime(fmt)
    response = client.post(url("manage_edit", lottery), form)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    lottery.refresh_from_db()
    assert selectors.lottery_sales_window_warning(lottery=lottery) == ""


def test_two_prizes_swap_their_ranks_in_one_save(client):
    lottery = LotteryFactory()
    first = PrizeFactory(lottery=lottery, rank=1, name="Vélo")
    second = PrizeFactory(lottery=lottery, rank=2, name="Livre")
    client.force_login(manager_of(lottery.association))
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for i, (prize, rank) in enumerate(((first, 2), (second, 1))):
        data.update(
            {
                f"form-{i}-id": str(prize.pk),
                f"form-{i}-rank": str(rank),
                f"form-{i}-name": prize.name,
                f"form-{i}-value_cents": "10",
                f"form-{i}-quantity": "1",
            }
        )
    assert client.post(url("manage_prizes", lottery), data).status_code == 302
    assert list(lottery.prizes.order_by("rank").values_list("name", flat=True)) == [
        "Livre",
        "Vélo",
    ]


def test_a_batch_is_checked_against_the_rows_it_leaves_alone():
    lottery = LotteryFactory()
    kept = PrizeFactory(lottery=lottery, rank=1, name="Vélo")
    rows = [Prize(rank=2, name="Livre", quantity=1), Prize(rank=1, name="Panier", quantity=1)]
    with pytest.raises(services.RowsRefused) as exc:
        services.prizes_save(lottery=lottery, prizes=rows)
    assert list(exc.value.rows) == [1]
    assert "rank" in exc.value.rows[1].message_dict
    assert list(lottery.prizes.all()) == [kept]
    # Deleting the row in the way lets the batch through, in one go.
    services.prizes_save(lottery=lottery, prizes=rows, deleted=[kept])
    assert sorted(lottery.prizes.values_list("rank", "name")) == [(1, "Panier"), (2, "Livre")]
