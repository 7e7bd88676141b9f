"""Factories for lotteries; associations and teams come from the associations tests."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from associations.models import Membership
from lottery import services
from lottery.models import Bundle, Lottery, Order, Prize
from tests.associations.factories import AssociationFactory, MembershipFactory
from tests.connect.factories import ready_account_for
from tests.factories import UserFactory


def _now():
    return timezone.now()


class LotteryFactory(factory.django.DjangoModelFactory):
    """A draft lottery whose sales window is open now; `OpenLotteryFactory` opens it."""

    class Meta:
        model = Lottery
        skip_postgeneration_save = True

    association = factory.SubFactory(AssociationFactory)
    title = factory.Sequence(lambda n: f"Tombola de printemps {n}")
    slug = factory.Sequence(lambda n: f"tombola-de-printemps-{n}")
    description = "Une tombola pour financer nos ateliers."
    rules = "Règlement déposé en mairie."
    authorisation_reference = "ARR-2026-042"
    authorisation_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    ticket_price_cents = 200
    ticket_cap = 100
    per_person_cap = None
    authorisation_commune = "Lyon"
    # A stored name is enough for the rules; tests of the upload itself send a real file.
    authorisation_scan = "lottery/authorisations/test/arrete.pdf"
    sales_open_at = factory.LazyFunction(lambda: _now() - timedelta(hours=1))
    sales_close_at = factory.LazyFunction(lambda: _now() + timedelta(days=7))
    draw_at = factory.LazyFunction(lambda: _now() + timedelta(days=8))

    @factory.post_generation
    def payment_account(obj, create, extracted, **kwargs):
        """The association can take payments online unless `payment_account=False`."""
        if create and extracted is not False:
            ready_account_for(obj.association)


class PrizeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prize

    lottery = factory.SubFactory(LotteryFactory)
    rank = factory.Sequence(lambda n: n + 1)
    name = "Un an d'ateliers LinkedIn"
    value_cents = 1000
    quantity = 1


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle

    lottery = factory.SubFactory(LotteryFactory)
    quantity = 5
    price_cents = 800


def open_lottery(**kwargs) -> Lottery:
    """A lottery with one prize, opened through the service (its tickets exist)."""
    lottery = LotteryFactory(**kwargs)
    PrizeFactory(lottery=lottery)
    services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN
    return lottery


def manager_of(association, role=Membership.Role.ADMIN):
    return MembershipFactory(association=association, role=role).user


def paid_order(*, lottery: Lottery, buyer=None, quantity: int = 1, pi: str = "") -> Order:
    buyer = buyer or UserFactory()
    order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)
    assert services.order_confirm_payment(
        order_id=order.pk, payment_intent_id=pi or f"pi_{order.pk}"
    )
    order.refresh_from_db()
    return order
