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
# What the law forbids as a prize (money, or what stands for it), as opposed to a
# name that merely mentions an amount ("Panier garni d'une valeur de 50 €").
CASH_PRIZE = re.compile(
    r"(esp[eè]ces|ch[eè]ques?|bons? d[’'\s]?achat|cartes?[\s-]cadeaux?|\bcash\b|num[eé]raire"
    r"|gift\s*cards?|vouchers?|\bvirement\b|\bcagnotte\b|\bsomme de\b"
    r"|^\W*\d[\d\s.,]*\s*(€|eur\b|euros?\b)\W*$)",
    re.IGNORECASE,
)
