"""One reservation rule, two executors: the table of cases runs against both.

Each case of `reservation_cases.json` sets a sale up, reserves, and checks the
outcome (placed with its numbers, resumed, or the refusal and its message) and that
a refusal changed nothing. The ORM executor runs everywhere; the one-statement
executor needs PostgreSQL. Breaking a rule in either executor fails the table: two
tests below break one on purpose and watch it fail.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from associations.models import Association
from lottery import services
from lottery.models import Lottery, Order, Ticket
from lottery.services import reservation_sql, reservations
from tests.conftest import is_postgres, skip_or_fail
from tests.factories import UserFactory
from tests.lottery.factories import open_lottery

pytestmark = pytest.mark.django_db

CASES = json.loads((Path(__file__).parent / "reservation_cases.json").read_text())["cases"]
MAX_HELD = 6
MAX_PER_ADDRESS = 8
# Every reservation of a case comes from this address, the buyer's and the others'.
ADDRESS = "203.0.113.7"


@pytest.fixture
def executor(request, monkeypatch, settings):
    name = request.param
    if name == "statement" and not is_postgres():
        skip_or_fail("the one-statement executor needs PostgreSQL")
    monkeypatch.setattr(reservations, "RESERVATION_EXECUTOR", name)
    settings.LOTTERY_MAX_HELD_TICKETS = MAX_HELD
    settings.LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS = MAX_PER_ADDRESS
    return name


def _pending(*, lottery, buyer, quantity, expired, address=ADDRESS, email=""):
    order = services.order_reserve(
        lottery=lottery, buyer=buyer, quantity=quantity, client_address=address, email=email
    )
    if expired:
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return order


def _typed(email: str) -> str:
    """The account's email as a guest may type it: other case, stray spaces."""
    return f"  {email.upper()} "


def _arrange(given: dict):
    """The sale the case describes; returns the lottery, the buyer and their pending order.

    The buyer is an account, or None for a guest who types the account's email.
    """
    lottery = open_lottery(ticket_cap=given.get("cap", 10), per_person_cap=given.get("per_person"))
    account = UserFactory()
    buyer = None if given.get("buyer") == "guest" else account
    # Who placed the earlier orders: the buyer, or the same person as the other kind.
    history_kind = given.get("history", given.get("buyer", "account"))
    earlier = {
        "buyer": None if history_kind == "guest" else account,
        "email": _typed(account.email) if history_kind == "guest" else "",
    }
    expired = given.get("pending_expired", False)
    if given.get("others_hold"):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=given["others_hold"])
    if given.get("paid_here"):
        order = services.order_reserve(lottery=lottery, quantity=given["paid_here"], **earlier)
        assert services.order_confirm_payment(order_id=order.pk, payment_intent_id=f"pi_{order.pk}")
    pending = None
    if given.get("pending_here"):
        pending = _pending(
            lottery=lottery, quantity=given["pending_here"], expired=expired, **earlier
        )
    if given.get("pending_elsewhere"):
        _pending(
            lottery=open_lottery(ticket_cap=10),
            quantity=given["pending_elsewhere"],
            expired=expired,
            **earlier,
        )
    if given.get("address_held"):
        # Other accounts, reserving from the buyer's address, in another lottery
        # (4 each, under the per-account cap).
        elsewhere, left = open_lottery(ticket_cap=20), given["address_held"]
        while left:
            _pending(
                lottery=elsewhere,
                buyer=UserFactory(),
                quantity=min(left, 4),
                expired=given.get("address_held_expired", False),
            )
            left -= min(left, 4)
    if given.get("address_held_here"):
        _pending(
            lottery=lottery, buyer=UserFactory(), quantity=given["address_held_here"], expired=False
        )
    now = timezone.now()
    changes = {}
    if given.get("status"):
        changes["status"] = given["status"]
    if given.get("window") == "not_yet":
        changes["sales_open_at"] = now + timedelta(hours=1)
    if given.get("window") == "past":
        changes["sales_close_at"] = now - timedelta(minutes=1)
    if changes:
        Lottery.objects.filter(pk=lottery.pk).update(**changes)
    if given.get("suspended"):
        Association.objects.filter(pk=lottery.association_id).update(
            status=Association.Status.SUSPENDED
        )
    if given.get("association"):
        Association.objects.filter(pk=lottery.association_id).update(status=given["association"])
    return lottery, buyer, pending, account.email


def _state(lottery) -> list:
    return [
        sorted(Order.objects.filter(lottery=lottery).values_list("pk", "status", "quantity")),
        sorted(Ticket.objects.filter(lottery=lottery).values_list("number", "status", "order_id")),
    ]


def _check(case: dict) -> None:
    lottery, buyer, pending, email = _arrange(case["given"])
    expect = case["expect"]
    before = _state(lottery)
    orders_before = Order.objects.count()
    try:
        order = services.order_reserve(
            lottery=lottery,
            buyer=buyer,
            quantity=case["ask"],
            client_address=case.get("from", ADDRESS),
            email="" if buyer is not None else _typed(email),
        )
    except services.PurchaseError as exc:
        assert type(exc).__name__ == expect["outcome"], (case["name"], repr(exc))
        if "message" in expect:
            assert expect["message"] in " ".join(exc.messages), (case["name"], exc.messages)
        assert _state(lottery) == before, (case["name"], "a refusal changed the sale")
        assert Order.objects.count() == orders_before, (case["name"], "a refusal left an order")
        return
    assert expect["outcome"] in ("placed", "resumed"), (case["name"], "accepted", order)
    if expect["outcome"] == "resumed":
        assert order.pk == pending.pk, case["name"]
        assert _state(lottery) == before, case["name"]
        return
    numbers = sorted(
        Ticket.objects.filter(order_id=order.pk, status=Ticket.Status.RESERVED).values_list(
            "number", flat=True
        )
    )
    assert numbers == expect["numbers"], (case["name"], numbers)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.quantity, stored.buyer_id, stored.buyer_email) == (
        Order.Status.PENDING,
        case["ask"],
        getattr(buyer, "pk", None),
        email.lower(),
    ), case["name"]
    assert stored.expires_at > timezone.now(), case["name"]
    if pending is not None:
        pending.refresh_from_db()
        assert (pending.status == Order.Status.CANCELLED) is expect.get("replaced", False)
        if expect.get("replaced"):
            assert not Ticket.objects.filter(order_id=pending.pk).exists(), case["name"]


EXECUTORS = ["orm", pytest.param("statement", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("executor", EXECUTORS, indirect=True)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_reservation_contract(executor, case):
    _check(case)


def _case(name: str) -> dict:
    return next(c for c in CASES if c["name"] == name)


@pytest.mark.parametrize("executor", EXECUTORS[1:], indirect=True)
def test_a_statement_that_forgets_a_rule_fails_the_table(executor, monkeypatch):
    original = reservation_sql._reserve_sql.__wrapped__

    def forgetful(**kwargs):
        sql = original(**kwargs)
        gate = "AND mine.elsewhere + %(quantity)s <= %(max_held)s"
        assert gate in sql
        return sql.replace(gate, "")

    monkeypatch.setattr(reservation_sql, "_reserve_sql", forgetful)
    with pytest.raises(AssertionError, match="a refusal"):
        _check(_case("unpaid tickets elsewhere count"))


@pytest.mark.parametrize("executor", ["orm"], indirect=True)
def test_an_orm_executor_that_misreads_the_sale_fails_the_table(executor, monkeypatch):
    monkeypatch.setattr(reservations, "_association_status", lambda lottery: "verified")
    with pytest.raises(AssertionError):
        _check(_case("suspended association"))


@pytest.mark.parametrize("executor", EXECUTORS[1:], indirect=True)
def test_a_statement_that_forgets_the_address_cap_fails_the_table(executor, monkeypatch):
    original = reservation_sql._reserve_sql.__wrapped__

    def forgetful(**kwargs):
        sql = original(**kwargs)
        gate = "AND mine.from_address + %(quantity)s <= %(max_per_address)s"
        assert gate in sql
        return sql.replace(gate, "")

    monkeypatch.setattr(reservation_sql, "_reserve_sql", forgetful)
    with pytest.raises(AssertionError, match="a refusal"):
        _check(_case("unpaid tickets held from the same address count"))
