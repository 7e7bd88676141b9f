from django.conf import settings
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import selectors
from .admin_views import AssociationViewSet


@hooks.register("register_admin_viewset")
def register_association_viewset():
    return AssociationViewSet()


class AssociationReviewPanel(Component):
    """The CMS dashboard's list of associations waiting for a staff decision."""

    name = "associations_waiting_for_review"
    template_name = "associations/admin/review_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["rows"] = selectors.associations_waiting_for_review()
        # Staff decide for associations in France: times read in Paris time.
        context["time_zone"] = settings.TIME_ZONE
        return context


@hooks.register("construct_homepage_panels")
def add_association_review_panel(request, panels):
    if request.user.has_perm("associations.change_association"):
        panels.append(AssociationReviewPanel())
