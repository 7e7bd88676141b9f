"""Lottery services: validation, life cycle, reservations, payments, refunds, cash sales."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from associations.models import Association
from lottery import locking, selectors, services
from lottery.models import Lottery, LotteryTransition, Order, Ticket
from tests.associations.factories import AssociationFactory
from tests.factories import UserFactory
from tests.lottery.factories import (
    BundleFactory,
    LotteryFactory,
    PrizeFactory,
    open_lottery,
    paid_order,
)

pytestmark = pytest.mark.django_db


def numbers_of(order: Order) -> list[int]:
    return sorted(order.tickets.values_list("number", flat=True))


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- Validation ----------------------------------------------------------------------


def test_closing_must_come_after_opening_and_draw_after_closing():
    now = timezone.now()
    lottery = LotteryFactory.build(
        sales_open_at=now, sales_close_at=now - timedelta(hours=1), draw_at=now - timedelta(hours=2)
    )
    with pytest.raises(ValidationError) as exc:
        services.lottery_validate(lottery=lottery)
    errors = errors_of(exc)
    assert len(errors["sales_close_at"]) == 1
    assert len(errors["draw_at"]) == 1


def test_price_must_be_positive_and_cap_at_least_one():
    lottery = LotteryFactory.build(ticket_price_cents=0, ticket_cap=0)
    with pytest.raises(ValidationError) as exc:
        services.lottery_validate(lottery=lottery)
    assert set(errors_of(exc)) >= {"ticket_price_cents", "ticket_cap"}


def test_per_person_cap_cannot_exceed_the_cap():
    lottery = LotteryFactory.build(ticket_cap=10, per_person_cap=11)
    with pytest.raises(ValidationError) as exc:
        services.lottery_validate(lottery=lottery)
    assert "per_person_cap" in errors_of(exc)


def test_opening_needs_a_prize_an_authorisation_and_positive_bundles():
    lottery = LotteryFactory(authorisation_reference="", authorisation_date=None)
    BundleFactory(lottery=lottery, quantity=5, price_cents=0)
    with pytest.raises(ValidationError) as exc:
        services.lottery_request_open(lottery=lottery, actor=None)
    errors = errors_of(exc)
    assert "authorisation_reference" in errors
    assert "authorisation_date" in errors
    assert len(errors["__all__"]) == 2  # no prize; the free bundle
    assert any("5" in message for message in errors["__all__"])  # the bundle is named
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    assert not lottery.tickets.exists()


def test_only_a_verified_association_may_create_or_open_a_lottery():
    pending = AssociationFactory(status=Association.Status.PENDING)
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.lottery_create(
            association=pending,
            actor=None,
            title="Tombola",
            ticket_price_cents=200,
            ticket_cap=10,
            sales_open_at=now,
            sales_close_at=now + timedelta(days=1),
            draw_at=now + timedelta(days=2),
        )
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery)
    Association.objects.filter(pk=lottery.association_id).update(
        status=Association.Status.SUSPENDED
    )
    lottery.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.lottery_request_open(lottery=lottery, actor=None)
    assert lottery.association.name in " ".join(exc.value.messages)


def test_create_makes_a_unique_slug_and_a_draft():
    association = AssociationFactory()
    now = timezone.now()
    fields = {
        "title": "Tombola d'été",
        "ticket_price_cents": 200,
        "ticket_cap": 10,
        "sales_open_at": now,
        "sales_close_at": now + timedelta(days=1),
        "draw_at": now + timedelta(days=2),
    }
    first = services.lottery_create(association=association, actor=None, **fields)
    second = services.lottery_create(association=association, actor=None, **fields)
    assert first.status == Lottery.Status.DRAFT
    assert first.slug == "tombola-dete"
    assert second.slug == "tombola-dete-2"


def test_warnings_for_cash_like_prizes():
    lottery = LotteryFactory(ticket_price_cents=200, ticket_cap=100)
    PrizeFactory(lottery=lottery, name="Panier garni", value_cents=2000)
    assert selectors.lottery_warnings(lottery=lottery) == []

    PrizeFactory(lottery=lottery, name="Bon d'achat de 50 €", value_cents=1500)
    warnings = selectors.lottery_warnings(lottery=lottery)
    assert len(warnings) == 1
    assert "Bon d'achat" in warnings[0]


@pytest.mark.parametrize(
    "name",
    ["50 €", "100 euros", "Espèces", "Chèque cadeau", "Carte cadeau Fnac", "Cash prize"],
)
def test_money_like_prize_names(name):
    assert selectors.prize_looks_like_cash(name=name)


@pytest.mark.parametrize("name", ["Panier garni", "Atelier LinkedIn", "Vélo électrique"])
def test_prizes_in_kind_are_not_flagged(name):
    assert not selectors.prize_looks_like_cash(name=name)


def test_warnings_do_not_block_opening():
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery, name="Panier garni d'une valeur de 200 €", value_cents=20000)
    assert services.lottery_request_open(lottery=lottery, actor=None) is True


# --- Life cycle ----------------------------------------------------------------------


def test_opening_creates_numbered_tickets_and_records_the_transition():
    user = UserFactory()
    lottery = LotteryFactory(ticket_cap=25)
    PrizeFactory(lottery=lottery)
    assert services.lottery_request_open(lottery=lottery, actor=user) is True
    assert lottery.status == Lottery.Status.OPEN
    assert list(lottery.tickets.order_by("number").values_list("number", flat=True)) == list(
        range(1, 26)
    )
    transition = LotteryTransition.objects.get(lottery=lottery)
    assert (transition.from_status, transition.to_status, transition.by) == ("draft", "open", user)


def test_opening_in_the_future_waits_for_the_sweep():
    now = timezone.now()
    lottery = LotteryFactory(sales_open_at=now + timedelta(hours=2))
    PrizeFactory(lottery=lottery)
    assert services.lottery_request_open(lottery=lottery, actor=None) is False
    assert lottery.status == Lottery.Status.DRAFT
    assert lottery.open_requested_at is not None

    assert services.lotteries_sales_sweep(now=now + timedelta(hours=1)) == {
        "opened": 0,
        "closed": 0,
    }
    result = services.lotteries_sales_sweep(now=now + timedelta(hours=2, minutes=1))
    assert result["opened"] == 1
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
    assert lottery.tickets.count() == lottery.ticket_cap


def test_opening_now_moves_the_opening_and_the_schedule_then_does_nothing():
    now = timezone.now()
    lottery = LotteryFactory(sales_open_at=now + timedelta(days=2))
    PrizeFactory(lottery=lottery)
    assert services.lottery_request_open(lottery=lottery, actor=None) is False

    services.lottery_open_now(lottery=lottery, actor=None, now=now)

    assert lottery.status == Lottery.Status.OPEN
    assert lottery.sales_open_at == now
    assert lottery.tickets.count() == lottery.ticket_cap
    later = now + timedelta(days=2, minutes=1)
    assert services.lottery_open(lottery_id=lottery.pk, now=later) is False
    assert services.lotteries_sales_sweep(now=later)["opened"] == 0
    with pytest.raises(ValidationError):
        services.lottery_open_now(lottery=lottery, actor=None)
    assert list(lottery.transitions.values_list("to_status", flat=True)) == ["open"]


def test_opening_now_refuses_a_cash_prize_and_changes_nothing():
    lottery = LotteryFactory(sales_open_at=timezone.now() + timedelta(days=2))
    PrizeFactory(lottery=lottery, name="Carte cadeau de 30 €")
    opens_at = lottery.sales_open_at
    with pytest.raises(ValidationError) as exc:
        services.lottery_open_now(lottery=lottery, actor=None)
    assert "L322-3" in " ".join(exc.value.messages)
    lottery.refresh_from_db()
    assert (lottery.status, lottery.sales_open_at) == (Lottery.Status.DRAFT, opens_at)
    assert not lottery.tickets.exists()


def test_a_draft_without_a_request_never_opens_by_itself():
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery)
    services.lotteries_sales_sweep()
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT


def test_sweep_closes_due_lotteries_once():
    lottery = open_lottery()
    later = lottery.sales_close_at + timedelta(minutes=1)
    assert services.lotteries_sales_sweep(now=later)["closed"] == 1
    assert services.lotteries_sales_sweep(now=later)["closed"] == 0
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.CLOSED
    assert list(lottery.transitions.values_list("to_status", flat=True)) == ["open", "closed"]


def test_only_texts_and_later_dates_change_once_open():
    lottery = open_lottery()
    with pytest.raises(ValidationError) as exc:
        services.lottery_update(lottery=lottery, actor=None, ticket_cap=500)
    assert "ticket_cap" in errors_of(exc)
    lottery.refresh_from_db()
    services.lottery_update(lottery=lottery, actor=None, title="Nouveau titre")
    lottery.refresh_from_db()
    assert lottery.title == "Nouveau titre"
    assert lottery.ticket_cap == 100


def test_prizes_and_bundles_are_frozen_once_open():
    lottery = open_lottery()
    with pytest.raises(ValidationError):
        services.prize_save(prize=PrizeFactory.build(lottery=lottery))
    with pytest.raises(ValidationError):
        services.bundle_save(bundle=BundleFactory.build(lottery=lottery))


def test_cancel_releases_holds_and_queues_refunds(django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args: queued.append(args))
    lottery = open_lottery()
    held = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_cancel(lottery=lottery, actor=None, note="mairie")
    assert lottery.status == Lottery.Status.CANCELLED
    held.refresh_from_db()
    assert held.status == Order.Status.EXPIRED
    assert not held.tickets.exists()
    # The held order's PaymentIntent is cancelled at Stripe; paid orders are refunded.
    assert queued == [
        ("lottery.tasks.order_payment_intent_cancel", held.pk),
        ("lottery.tasks.lottery_refunds_run", lottery.pk),
    ]
    # A second cancel changes nothing and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.lottery_cancel(lottery=lottery, actor=None)
    assert len(queued) == 2
    assert lottery.transitions.filter(to_status="cancelled").count() == 1


# --- Reserving -----------------------------------------------------------------------


def test_reserve_holds_the_lowest_numbers_with_the_bundle_price():
    lottery = open_lottery(ticket_price_cents=200)
    BundleFactory.create(lottery=lottery, quantity=5, price_cents=800)
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=5)
    assert order.status == Order.Status.PENDING
    assert order.amount_cents == 800
    assert numbers_of(order) == [1, 2, 3, 4, 5]
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.RESERVED}
    assert order.expires_at > timezone.now() + timedelta(minutes=14)
    services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_first")
    second = services.order_reserve(lottery=lottery, buyer=buyer, quantity=6)
    assert second.amount_cents == 800 + 200  # a bundle and a single
    assert numbers_of(second) == list(range(6, 12))
    assert selectors.lottery_tickets_left(lottery=lottery) == 100 - 11


def test_reservation_never_outlives_the_closing_time():
    lottery = open_lottery()
    Lottery.objects.filter(pk=lottery.pk).update(
        sales_close_at=timezone.now() + timedelta(minutes=3)
    )
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert order.expires_at <= timezone.now() + timedelta(minutes=3)


@pytest.mark.parametrize("quantity", [0, -1, 101, "3", True])
def test_invalid_quantities_are_refused(quantity):
    lottery = open_lottery()
    with pytest.raises(services.InvalidQuantity):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=quantity)
    assert not Order.objects.exists()


def test_no_sales_before_opening_or_after_closing():
    draft = LotteryFactory()
    with pytest.raises(services.SalesNotOpen):
        services.order_reserve(lottery=draft, buyer=UserFactory(), quantity=1)
    lottery = open_lottery()
    services.lottery_close(lottery_id=lottery.pk)
    with pytest.raises(services.SalesNotOpen) as exc:
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert exc.value.messages == [str(services.SalesNotOpen.default_message)]
    assert not Order.objects.exists()


def test_sold_out_reserves_nothing_and_says_how_many_are_left():
    lottery = open_lottery(ticket_cap=5)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)
    with pytest.raises(services.SoldOut) as exc:
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)
    assert "2" in exc.value.messages[0]
    assert Order.objects.count() == 1
    assert lottery.tickets.filter(status=Ticket.Status.AVAILABLE).count() == 2
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    with pytest.raises(services.SoldOut):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)


def test_per_person_cap_counts_held_and_paid_tickets_but_not_expired_ones():
    lottery = open_lottery(per_person_cap=4)
    buyer = UserFactory()
    paid_order(lottery=lottery, buyer=buyer, quantity=2)
    pending = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    # Asking again replaces the pending order: 2 paid + 3 would pass the cap.
    with pytest.raises(services.PerPersonCapReached) as exc:
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)
    assert "4" in exc.value.messages[0]
    # Someone else is not limited by this buyer's tickets.
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=4)
    services.order_release(order_id=pending.pk, status=Order.Status.EXPIRED)
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)


def test_the_returned_order_is_the_saved_one():
    lottery = open_lottery(ticket_price_cents=250)
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    saved = Order.objects.get(pk=order.pk)
    for name in ("lottery_id", "buyer_id", "buyer_email", "quantity", "amount_cents", "status"):
        assert getattr(order, name) == getattr(saved, name), name
    assert order.expires_at == saved.expires_at
    assert order.amount_cents == 500
    assert order.channel == Order.Channel.ONLINE
    assert order.receipt_number == ""
    assert numbers_of(order) == [1, 2]


# The PostgreSQL path keeps each lottery's price table between orders: it must never
# charge or limit from a copy that no longer matches the lottery (a database restored,
# a test database reusing ids). Here the copy is made stale by writing behind the
# services' back, since they refuse these changes once sales are open.


def test_a_bundle_added_behind_the_kept_price_table_is_charged():
    lottery = open_lottery(ticket_price_cents=200)
    first = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=5)
    assert first.amount_cents == 1000
    BundleFactory.create(lottery=lottery, quantity=5, price_cents=700)
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=5)
    assert order.amount_cents == 700
    assert Order.objects.get(pk=order.pk).amount_cents == 700
    assert numbers_of(order) == [6, 7, 8, 9, 10]


def test_a_per_person_cap_set_behind_the_kept_price_table_is_enforced():
    lottery = open_lottery(per_person_cap=None)
    buyer = UserFactory()
    first = services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    services.order_confirm_payment(order_id=first.pk, payment_intent_id="pi_first")
    Lottery.objects.filter(pk=lottery.pk).update(per_person_cap=3)
    with pytest.raises(services.PerPersonCapReached) as exc:
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)
    assert "3" in exc.value.messages[0]
    assert "1" in exc.value.messages[0]
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert lottery.tickets.exclude(status=Ticket.Status.AVAILABLE).count() == 2
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=1)


@pytest.mark.parametrize("stop", ["close", "cancel"])
def test_a_lottery_stopped_after_a_sale_sells_nothing_more(stop):
    lottery = open_lottery()
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    if stop == "close":
        services.lottery_close(lottery_id=lottery.pk)
    else:
        services.lottery_cancel(lottery=lottery, actor=None)
    with pytest.raises(services.SalesNotOpen):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert Order.objects.filter(lottery=lottery).count() == 1
    # Closing keeps the earlier hold (it may still be paid); cancelling releases it.
    held = lottery.tickets.filter(status=Ticket.Status.RESERVED).count()
    assert held == (1 if stop == "close" else 0)


def test_a_quantity_above_the_cap_is_refused_before_anything_is_held():
    lottery = open_lottery(ticket_cap=5)
    with pytest.raises(services.InvalidQuantity):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=6)
    assert not Order.objects.exists()
    assert lottery.tickets.filter(status=Ticket.Status.AVAILABLE).count() == 5


def test_a_missing_lottery_raises_does_not_exist():
    lottery = open_lottery()
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    missing = Lottery(pk=lottery.pk + 1000)
    with pytest.raises(Lottery.DoesNotExist):
        services.order_reserve(lottery=missing, buyer=UserFactory(), quantity=1)


@pytest.mark.django_db(transaction=True)
def test_outside_any_transaction_refusals_leave_nothing_and_release_the_buyer_lock():
    """As the buy view calls it: on PostgreSQL, each reservation is its own transaction."""
    lottery = open_lottery(ticket_cap=4, per_person_cap=3)
    buyer = UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=3)
    assert numbers_of(order) == [1, 2, 3]
    with pytest.raises(services.PerPersonCapReached):
        services.order_reserve(lottery=lottery, buyer=buyer, quantity=4)
    with pytest.raises(services.SoldOut) as exc:
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    assert "1" in exc.value.messages[0]
    services.lottery_close(lottery_id=lottery.pk)
    with pytest.raises(services.SalesNotOpen):
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    assert list(Order.objects.filter(lottery=lottery)) == [order]
    assert lottery.tickets.filter(status=Ticket.Status.RESERVED).count() == 3
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        # The buyer lock went with the reservation's transaction: another session gets it.
        key = locking.buyer_key(lottery_id=lottery.pk, buyer_id=buyer.pk)
        got = []

        def other_session():
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                    got.append(cursor.fetchone()[0])
                    cursor.execute("SELECT pg_advisory_unlock_all()")
            finally:
                connection.close()

        thread = threading.Thread(target=other_session)
        thread.start()
        thread.join(timeout=30)
        assert got == [True]


# --- Expiry and release --------------------------------------------------------------


def test_expiry_frees_numbers_and_they_are_reused_lowest_first():
    lottery = open_lottery()
    first = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=3)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    assert numbers_of(first) == [1, 2, 3]
    assert services.reservations_expire(now=timezone.now()) == 0
    assert services.reservations_expire(now=first.expires_at + timedelta(seconds=1)) == 2

    first.refresh_from_db()
    assert first.status == Order.Status.EXPIRED
    assert not first.tickets.exists()
    assert lottery.tickets.filter(status=Ticket.Status.AVAILABLE).count() == 100
    again = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=4)
    assert numbers_of(again) == [1, 2, 3, 4]


def test_expiry_leaves_paid_and_offline_orders_alone():
    lottery = open_lottery()
    paid = paid_order(lottery=lottery)
    cash = services.order_record_offline(
        lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number="A1"
    )
    assert services.reservations_expire(now=timezone.now() + timedelta(days=1)) == 0
    paid.refresh_from_db()
    cash.refresh_from_db()
    assert (paid.status, cash.status) == (Order.Status.PAID, Order.Status.PAID)


def test_release_marks_failed_and_is_a_noop_for_a_paid_order():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    services.order_release(order_id=order.pk, status=Order.Status.FAILED)
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert not order.tickets.exists()

    paid = paid_order(lottery=lottery)
    services.order_release(order_id=paid.pk, status=Order.Status.FAILED)
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    assert paid.tickets.filter(status=Ticket.Status.SOLD).count() == 1


def test_release_refuses_other_statuses():
    with pytest.raises(ValueError):
        services.order_release(order_id=1, status=Order.Status.PAID)


# --- Confirming payment --------------------------------------------------------------


def test_confirm_sells_the_held_numbers_and_emails_after_commit(
    django_capture_on_commit_callbacks,
):
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_a")
        assert mail.outbox == []  # nothing leaves before the commit
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.stripe_payment_intent_id == "pi_a"
    assert order.paid_at is not None
    tickets = list(order.tickets.all())
    assert {t.status for t in tickets} == {Ticket.Status.SOLD}
    assert all(t.sold_at for t in tickets)
    assert len(mail.outbox) == 1
    assert "1" in mail.outbox[0].body and "2" in mail.outbox[0].body


def test_duplicate_confirm_is_idempotent(django_capture_on_commit_callbacks):
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_b")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_b")
    assert len(mail.outbox) == 1  # one email only
    assert lottery.tickets.filter(status=Ticket.Status.SOLD).count() == 1


def test_confirm_with_another_payment_intent_is_refused():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    Order.objects.filter(pk=order.pk).update(stripe_payment_intent_id="pi_mine")
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_other") is False
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_confirm_after_expiry_takes_fresh_numbers():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    services.reservations_expire(now=order.expires_at + timedelta(seconds=1))
    # Meanwhile someone else took the freed numbers 1 and 2.
    other = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    assert numbers_of(other) == [1, 2]

    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_late")
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert numbers_of(order) == [3, 4]
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.SOLD}


def test_confirm_after_expiry_returns_false_when_sold_out():
    lottery = open_lottery(ticket_cap=2)
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    services.order_release(order_id=order.pk, status=Order.Status.EXPIRED)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)

    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_x") is False
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert not order.tickets.exists()
    assert lottery.tickets.filter(status=Ticket.Status.AVAILABLE).count() == 1


def test_confirm_after_expiry_returns_false_once_sales_are_closed():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    services.order_release(order_id=order.pk, status=Order.Status.EXPIRED)
    services.lottery_close(lottery_id=lottery.pk)
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_y") is False


def test_a_hold_paid_just_before_closing_is_served_after_closing():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    services.lottery_close(lottery_id=lottery.pk)
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_z") is True


def test_confirm_on_a_cancelled_lottery_returns_false():
    lottery = open_lottery()
    order = services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
    services.lottery_cancel(lottery=lottery, actor=None)
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_c") is False


def test_confirm_of_an_unknown_order_returns_false():
    assert services.order_confirm_payment(order_id=999_999, payment_intent_id="pi_q") is False


# --- Refunds -------------------------------------------------------------------------


def test_mark_refunded_voids_the_numbers_once():
    lottery = open_lottery()
    order = paid_order(lottery=lottery, quantity=2)
    services.order_mark_refunded(order_id=order.pk, refund_id="re_1")
    services.order_mark_refunded(order_id=order.pk, refund_id="re_2")
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.stripe_refund_id == "re_1"
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.VOID}
    # Voided numbers are never sold again.
    assert (
        services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=1)
        .tickets.get()
        .number
        == 3
    )
    assert services.order_confirm_payment(order_id=order.pk, payment_intent_id="pi_1") is False


# --- Cash and cheque sales -----------------------------------------------------------


def test_cash_sale_sells_numbers_from_the_same_pool():
    lottery = open_lottery(ticket_price_cents=200)
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=2)
    clerk = UserFactory()
    order = services.order_record_offline(
        lottery=lottery,
        actor=clerk,
        channel=Order.Channel.CHEQUE,
        quantity=5,
        receipt_number="  C-12 ",
        buyer_name="Mme Martin",
    )
    assert order.status == Order.Status.PAID
    assert order.amount_cents == 800
    assert order.receipt_number == "C-12"
    assert order.recorded_by == clerk
    assert numbers_of(order) == [3, 4, 5, 6, 7]
    assert set(order.tickets.values_list("status", flat=True)) == {Ticket.Status.SOLD}


def test_cash_sale_needs_a_unique_receipt_number():
    lottery = open_lottery()
    with pytest.raises(ValidationError) as exc:
        services.order_record_offline(
            lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number=" "
        )
    assert "receipt_number" in errors_of(exc)
    services.order_record_offline(
        lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number="R-1"
    )
    with pytest.raises(ValidationError) as exc:
        services.order_record_offline(
            lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number="r-1"
        )
    assert "receipt_number" in errors_of(exc)
    assert Order.objects.count() == 1


def test_cash_sales_at_the_cap_are_refused_past_it():
    lottery = open_lottery(ticket_cap=10)
    services.order_reserve(lottery=lottery, buyer=UserFactory(), quantity=4)
    services.order_record_offline(
        lottery=lottery, actor=None, channel="cash", quantity=6, receipt_number="R-1"
    )
    with pytest.raises(services.SoldOut):
        services.order_record_offline(
            lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number="R-2"
        )
    assert Order.objects.filter(receipt_number="R-2").count() == 0
    assert lottery.tickets.filter(status=Ticket.Status.AVAILABLE).count() == 0


def test_cash_sale_needs_open_sales():
    lottery = LotteryFactory()
    with pytest.raises(services.SalesNotOpen):
        services.order_record_offline(
            lottery=lottery, actor=None, channel="cash", quantity=1, receipt_number="R-1"
        )


# --- Prices --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [(1, 200), (4, 800), (5, 800), (6, 1000), (10, 1500), (12, 1900)],
)
def test_price_takes_the_cheapest_mix_of_bundles_and_singles(quantity, expected):
    lottery = LotteryFactory(ticket_price_cents=200)
    BundleFactory(lottery=lottery, quantity=5, price_cents=800)
    BundleFactory(lottery=lottery, quantity=10, price_cents=1500)
    assert selectors.price_for_quantity(lottery=lottery, quantity=quantity) == expected


def test_an_edit_from_a_stale_copy_cannot_slip_in_once_sales_opened():
    stale = LotteryFactory()
    PrizeFactory(lottery=stale)
    services.lottery_request_open(lottery=Lottery.objects.get(pk=stale.pk), actor=None)
    assert stale.status == Lottery.Status.DRAFT  # the copy in hand does not know
    with pytest.raises(ValidationError) as caught:
        services.lottery_update(lottery=stale, actor=None, ticket_price_cents=100)
    assert "ticket_price_cents" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.bundle_save(bundle=BundleFactory.build(lottery=stale, quantity=3))
    fresh = Lottery.objects.get(pk=stale.pk)
    assert fresh.ticket_price_cents == 200
    assert fresh.status == Lottery.Status.OPEN
    assert not fresh.bundles.exists()


def test_a_text_edit_from_a_stale_copy_never_writes_an_old_status_back():
    stale = LotteryFactory()
    PrizeFactory(lottery=stale)
    services.lottery_request_open(lottery=Lottery.objects.get(pk=stale.pk), actor=None)
    services.lottery_update(lottery=stale, actor=None, description="Nouveau texte")
    fresh = Lottery.objects.get(pk=stale.pk)
    assert fresh.status == Lottery.Status.OPEN
    assert fresh.description == "Nouveau texte"


def test_no_lottery_opens_without_public_randomness_unless_allowed(settings):
    settings.DRAND_URLS = []
    settings.DRAW_SEED_ONLY_ALLOWED = False
    lottery = LotteryFactory()
    PrizeFactory(lottery=lottery)

    with pytest.raises(ValidationError) as refused:
        services.lottery_request_open(lottery=lottery, actor=None)

    assert "DRAND_URLS" in " ".join(refused.value.messages)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAFT
    settings.DRAW_SEED_ONLY_ALLOWED = True
    assert services.lottery_request_open(lottery=lottery, actor=None)
