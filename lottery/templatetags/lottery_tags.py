from django import template

from lottery import money_text
from lottery.selectors import (
    lottery_counts,
    lottery_first_prize_image,
    lottery_shows_sales_progress,
    lottery_status_word,
)

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Integer cents as a price: "2,50 €" in French, "€2.50" in English."""
    return money_text.euros(cents)


@register.filter
def status_badge(status: str) -> str:
    """The badge class that goes with a lottery or order status."""
    return {
        "open": "badge-ok",
        "paid": "badge-ok",
        "draft": "",
        "pending": "badge-warn",
        "closed": "badge-warn",
        "drawn": "",
        "cancelled": "badge-err",
        "expired": "badge-err",
        "failed": "badge-err",
        "refunded": "badge-err",
        "voided": "badge-err",
    }.get(status, "")


@register.filter
def status_word(lottery):
    """The lottery's status as a badge says it ("Scheduled" for a draft due to open)."""
    return lottery_status_word(lottery=lottery)


@register.filter
def counts(lottery):
    """Sold, reserved, left and raised: the same counters on every page."""
    return lottery_counts(lottery=lottery)


@register.filter
def first_prize_image(lottery):
    """The image of the lottery's best-ranked prize that has one, or None."""
    return lottery_first_prize_image(lottery=lottery)


@register.filter
def shows_sales_progress(lottery) -> bool:
    """Whether "tickets sold" means something: not for a cancelled lottery (all refunded)."""
    return lottery_shows_sales_progress(lottery=lottery)


@register.filter
def ticket_ranges(numbers) -> str:
    """Ticket numbers as a person reads them: [1, 2, 3, 4, 14, 16, 17] → "1–4, 14, 16–17"."""
    ordered = sorted({int(number) for number in numbers or ()})
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)
