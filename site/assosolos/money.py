"""Money as people read it. Amounts are integer cents everywhere; only here are they text.

`money_text` is the one way a price is written for a person: on pages (the `euros`
template filter calls it), in emails, in documents and in the messages services
raise. `money_plain` is the bare number a French form field or spreadsheet takes.
"""

from __future__ import annotations

from django.utils.translation import get_language

# French writes "1 234,50 €": a narrow no-break space between thousands and a
# no-break space before the sign, so neither the number nor its sign is cut at a line end.
_FR_THOUSANDS = "\u202f"
_FR_BEFORE_SIGN = "\u00a0"


def _parts(cents: int) -> tuple[str, int, int]:
    cents = int(cents)
    whole, rest = divmod(abs(cents), 100)
    return ("-" if cents < 0 else ""), whole, rest


def money_text(cents: int | None, *, language: str | None = None) -> str:
    """`cents` as a price: "1 234,50 €" in French, "€1,234.50" in English.

    Whole euros are written without decimals ("5 €", "€5"). `language` defaults to
    the active one (the visitor's on a page, the site's in an email). None gives "".
    """
    if cents is None or cents == "":
        return ""
    sign, whole, rest = _parts(cents)
    if (language or get_language() or "fr").startswith("fr"):
        amount = f"{whole:,}".replace(",", _FR_THOUSANDS)
        decimals = f",{rest:02d}" if rest else ""
        return f"{sign}{amount}{decimals}{_FR_BEFORE_SIGN}€"
    decimals = f".{rest:02d}" if rest else ""
    return f"{sign}€{whole:,}{decimals}"


def money_plain(cents: int | None) -> str:
    """`cents` as a bare French decimal, "1234,50": a form field's value, a CSV cell."""
    if cents is None:
        return ""
    sign, whole, rest = _parts(cents)
    return f"{sign}{whole},{rest:02d}"
