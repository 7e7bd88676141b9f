"""Names every lottery read shares: statuses, what counts as held, the cash-like prize pattern."""

from __future__ import annotations

import re

from ..models import Lottery, Ticket

Status = Lottery.Status
HELD = (Ticket.Status.RESERVED, Ticket.Status.SOLD)

# CSI L322-3: prizes in kind only; mayors usually ask prizes + costs ≤ 15% of sales.
COSTS_RATIO_PERCENT = 15

CASH_LIKE = re.compile(
    r"(€|\beur\b|\beuros?\b|esp[eè]ces|ch[eè]ques?|bons? d[’'\s]?achat|cartes?[\s-]cadeaux?"
    r"|\bcash\b|num[eé]raire|gift\s*cards?|vouchers?|\bvirement\b)",
    re.IGNORECASE,
)
