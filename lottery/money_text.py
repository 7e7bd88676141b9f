"""An amount in cents as a person reads it, in the active language.

Low in the app, with no import of its own: the `euros` template filter, the
certificate and the services' messages all say amounts this one way.
"""

from __future__ import annotations

from django.utils.translation import get_language


def euros(cents: int | str | None) -> str:
    """Integer cents as a price: "2,50 €" in French, "€2.50" in English."""
    if cents in (None, ""):
        return ""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    if (get_language() or "fr").startswith("fr"):
        amount = f"{whole:,}".replace(",", "\u202f")
        return f"{sign}{amount},{rest:02d}\u00a0€" if rest else f"{sign}{amount}\u00a0€"
    amount = f"{whole:,}"
    return f"{sign}€{amount}.{rest:02d}" if rest else f"{sign}€{amount}"
