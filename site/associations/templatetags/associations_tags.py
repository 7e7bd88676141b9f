from django import template

from associations import selectors

register = template.Library()


@register.simple_tag
def my_association_memberships(user):
    """The user's memberships, for "my account" and menus."""
    return list(selectors.memberships_of_user(user=user))


@register.simple_tag
def association_can_manage(user, association) -> bool:
    """`{% association_can_manage user association as can_manage %}` in any template."""
    return selectors.association_can_manage(user=user, association=association)
