"""The draw's part of the lottery page and of "My tickets"."""

from django import template

from ..draw import selectors as draw_selectors

register = template.Library()


@register.inclusion_tag("lottery/_draw_panel.html")
def draw_panel(lottery):
    return {"lottery": lottery, "draw": draw_selectors.draw_state(lottery=lottery)}


@register.simple_tag(takes_context=True)
def my_pseudonyms(context):
    """lottery id → the signed-in person's pseudonym in that lottery's ledger."""
    return draw_selectors.holder_pseudonyms_of_user(user=context["request"].user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
