"""Payment accounts for tests: an association's connected Stripe account."""

import secrets

import factory

from connect.models import PaymentAccount
from tests.associations.factories import AssociationFactory


class PaymentAccountFactory(factory.django.DjangoModelFactory):
    """A connected account that can take payments (a ready Standard account)."""

    class Meta:
        model = PaymentAccount

    association = factory.SubFactory(AssociationFactory)
    account_id = factory.LazyFunction(lambda: "acct_" + secrets.token_hex(8))
    charges_enabled = True
    payouts_enabled = True
    details_submitted = True


def ready_account_for(association) -> PaymentAccount:
    """The association's connected account, connected now if it had none."""
    account = PaymentAccount.objects.filter(
        association=association, disconnected_at__isnull=True
    ).first()
    return account or PaymentAccountFactory(association=association)
