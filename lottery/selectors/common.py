"""Names every lottery read shares: statuses, what counts as held, the cash-like prize pattern."""

from __future__ import annotations

import re

from ..models import Lottery, Ticket

Status = Lottery.Status
HELD = (Ticket.Status.RESERVED, Ticket.Status.SOLD)


CASH_LIKE = re.compile(
    r"(€|\beur\b|\beuros?\b|esp[eè]ces|ch[eè]ques?|bons? d[’'\s]?achat|cartes?[\s-]cadeaux?"
    r"|\bcash\b|num[eé]raire|gift\s*cards?|vouchers?|\bvirement\b)",
    re.IGNORECASE,
)
