"""Purchase errors: each carries the message shown to the buyer as it is."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assosolos.money import money_text

from ..models import Lottery

logger = logging.getLogger(__name__)

Status = Lottery.Status

# The most one payment may be: Stripe's limit for euros (999,999.99 EUR), well within
# what the amount columns hold. Prices, bundles and order totals stay below it.
MAX_AMOUNT_CENTS = 99_999_999


class PurchaseError(ValidationError):
    """A purchase that cannot go through; the message is shown to the buyer as it is."""

    default_message = _("This purchase is not possible.")
    default_code = "purchase"

    def __init__(self, message: Any = None, code: str | None = None, params: Any = None) -> None:
        super().__init__(
            message or self.default_message, code=code or self.default_code, params=params
        )


class SoldOut(PurchaseError):
    default_message = _("Sorry, there are not enough tickets left for this purchase.")
    default_code = "sold_out"


class SalesNotOpen(PurchaseError):
    default_message = _("Ticket sales are not open for this lottery.")
    default_code = "sales_not_open"


class PerPersonCapReached(PurchaseError):
    default_message = _("You have reached the number of tickets one person may buy.")
    default_code = "per_person_cap"


class HeldTicketsCapReached(PurchaseError):
    default_message = _("You hold as many unpaid tickets as one account may.")
    default_code = "held_cap"


class AmountTooLarge(PurchaseError):
    default_code = "amount_too_large"

    def __init__(self, message: Any = None, code: str | None = None, params: Any = None) -> None:
        # Written when raised, in the buyer's language, the amount as well as the words.
        message = message or _("This order would cost more than one payment may (%(max)s).") % {
            "max": money_text(MAX_AMOUNT_CENTS)
        }
        super().__init__(message, code=code, params=params)


class InvalidQuantity(PurchaseError):
    default_message = _("Choose a number of tickets between 1 and the number on sale.")
    default_code = "invalid_quantity"


# --- Validation ----------------------------------------------------------------------
