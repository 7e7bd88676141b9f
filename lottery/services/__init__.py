"""Writes for lotteries, by topic; every public name is importable from here.

- `setup`: validation, creation and edits, prizes and bundles;
- `lifecycle`: opening, closing, cancelling, each change recorded;
- `reservations`: holding numbered tickets for a buyer, never past the cap;
- `orders`: cash sales, payments confirmed, holds released, refunds;
- `backoffice`: one order refunded, voided or corrected by its association, recorded;
- `alerts`: the warning before a draw with no ticket sold;
- `guests`: orders placed with an email only, attached to the account that verifies it;
- `draw`: the commitment, the sealed ledger, the draw run once, prize claims.

Row locks go through `lottery.locking`, in the order written there.
"""

from .alerts import lotteries_no_sales_sweep, lottery_no_sales_warn
from .backoffice import order_correct, order_refund, order_refund_made_elsewhere, order_void
from .draw import (
    DrawNotDue,
    claim_deadline_passed,
    draw_commitment_create,
    draw_perform,
    draws_sweep,
    holder_pseudonym,
    ledger_seal,
    lottery_sealed_check,
    winner_claim_record,
)
from .errors import (
    MAX_AMOUNT_CENTS,
    AmountTooLarge,
    HeldTicketsCapReached,
    InvalidQuantity,
    PerPersonCapReached,
    PurchaseError,
    SalesNotOpen,
    SoldOut,
)
from .guests import guest_orders_attach
from .lifecycle import (
    lotteries_sales_sweep,
    lottery_cancel,
    lottery_close,
    lottery_open,
    lottery_open_now,
    lottery_request_open,
    lottery_unschedule,
)
from .orders import (
    order_cancel,
    order_confirm_payment,
    order_mark_refunded,
    order_record_offline,
    order_release,
    orders_release_for_suspension,
    reservations_expire,
)
from .reservations import SALE_FIELDS, max_held_tickets, order_reserve
from .setup import (
    EDITABLE_WHILE_OPEN,
    RESERVED_SLUGS,
    RowsRefused,
    bundle_delete,
    bundle_save,
    bundle_validate,
    bundles_save,
    lottery_create,
    lottery_slug_unique,
    lottery_update,
    lottery_validate,
    lottery_validate_for_opening,
    prize_delete,
    prize_save,
    prize_validate,
    prizes_save,
)

__all__ = [
    "lotteries_no_sales_sweep",
    "lottery_no_sales_warn",
    "MAX_AMOUNT_CENTS",
    "AmountTooLarge",
    "DrawNotDue",
    "draw_commitment_create",
    "draw_perform",
    "draws_sweep",
    "holder_pseudonym",
    "ledger_seal",
    "lottery_sealed_check",
    "winner_claim_record",
    "claim_deadline_passed",
    "EDITABLE_WHILE_OPEN",
    "RESERVED_SLUGS",
    "SALE_FIELDS",
    "HeldTicketsCapReached",
    "InvalidQuantity",
    "PerPersonCapReached",
    "PurchaseError",
    "SalesNotOpen",
    "SoldOut",
    "RowsRefused",
    "bundles_save",
    "prizes_save",
    "bundle_delete",
    "bundle_save",
    "bundle_validate",
    "guest_orders_attach",
    "lotteries_sales_sweep",
    "lottery_cancel",
    "lottery_close",
    "lottery_create",
    "lottery_open",
    "lottery_open_now",
    "lottery_request_open",
    "lottery_slug_unique",
    "lottery_unschedule",
    "lottery_update",
    "lottery_validate",
    "lottery_validate_for_opening",
    "max_held_tickets",
    "order_cancel",
    "order_confirm_payment",
    "order_correct",
    "order_mark_refunded",
    "order_record_offline",
    "order_refund",
    "order_refund_made_elsewhere",
    "order_release",
    "orders_release_for_suspension",
    "order_reserve",
    "order_void",
    "prize_delete",
    "prize_save",
    "prize_validate",
    "reservations_expire",
]
