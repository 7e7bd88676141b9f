from wagtail import hooks

from .admin_views import AssociationViewSet


@hooks.register("register_admin_viewset")
def register_association_viewset():
    return AssociationViewSet()
