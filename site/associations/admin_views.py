"""CMS admin screens where platform staff review associations.

A read-only viewset (list, inspect) plus one view per decision; the decisions
themselves are the services' (`association_verify`, `_reject`, `_suspend`).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from assosolos.admin_viewsets import LocalDateColumn, LocalTimeInspectMixin, ReadOnlyModelViewSet
from assosolos.forms import form_errors_apply

from . import selectors, services
from .forms import DecisionForm
from .models import Association, AssociationDetailsChange

Status = Association.Status

# decision name → (status it leads to, service, button label, success message)
DECISIONS = {
    "verify": (
        Status.VERIFIED,
        services.association_verify,
        _("Verify"),
        _("%(name)s is verified; its owners have been told by email."),
    ),
    "reject": (
        Status.REJECTED,
        services.association_reject,
        _("Reject"),
        _("%(name)s is rejected; its owners have been told by email."),
    ),
    "suspend": (
        Status.SUSPENDED,
        services.association_suspend,
        _("Suspend"),
        _("%(name)s is suspended; its owners have been told by email."),
    ),
}


def available_decisions(association: Association) -> list[str]:
    return [
        name
        for name, (status, *_rest) in DECISIONS.items()
        if services.association_decision_allowed(association=association, status=status)
    ]


class AssociationIndexView(IndexView):
    def get_base_queryset(self):
        # Pending first, then suspended, verified and rejected.
        return selectors.associations_for_review()


class AssociationInspectView(LocalTimeInspectMixin, InspectView):
    template_name = "associations/admin/inspect.html"
    decision_url_names: dict[str, str] = {}
    change_decision_url_name = ""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value in (None, "") else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        association = self.object
        context["documents"] = selectors.association_documents(association=association)
        context["team"] = selectors.association_team(association=association)
        context["status_changes"] = association.status_changes.select_related("decided_by")
        change = selectors.association_pending_details_change(association=association)
        context["pending_change"] = change
        if change is not None and self.user_has_permission("change"):
            context["change_decisions"] = [
                {
                    "name": name,
                    "label": CHANGE_DECISIONS[name][1],
                    "url": reverse(self.change_decision_url_name, args=[name, change.pk]),
                }
                for name in CHANGE_DECISIONS
            ]
        if self.user_has_permission("change"):
            context["decisions"] = [
                {
                    "name": name,
                    "label": DECISIONS[name][2],
                    "url": reverse(self.decision_url_names[name], args=[association.pk]),
                }
                for name in available_decisions(association)
            ]
        return context


class AssociationDecisionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Confirm one decision about an association, with a reason when it is required."""

    model = Association
    permission_required = "change"
    template_name = "associations/admin/decision.html"
    form_class = DecisionForm
    decision = ""
    index_url_name = None
    inspect_url_name = None
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Association, pk=kwargs["pk"])

    @cached_property
    def status(self) -> str:
        return DECISIONS[self.decision][0]

    def get_page_title(self):
        return DECISIONS[self.decision][2]

    def get_page_subtitle(self):
        return self.object.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Associations")},
            {"url": self.get_inspect_url(), "label": self.object.name},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_inspect_url(self) -> str:
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["reason_required"] = self.status != Status.VERIFIED
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            association=self.object,
            decision=self.decision,
            allowed=services.association_decision_allowed(
                association=self.object, status=self.status
            ),
            inspect_url=self.get_inspect_url(),
            submit_label=DECISIONS[self.decision][2],
        )
        return context

    def form_valid(self, form):
        _status, service, _label, success = DECISIONS[self.decision]
        try:
            service(
                association=self.object,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, success % {"name": self.object.name})
        return redirect(self.get_inspect_url())


# decision on a proposed name or commune → (service, button label, success message)
CHANGE_DECISIONS = {
    "accept": (
        services.association_details_change_accept,
        _("Accept the change"),
        _("The new details of %(name)s are now public."),
    ),
    "reject": (
        services.association_details_change_reject,
        _("Reject the change"),
        _("The change was rejected; %(name)s keeps its verified details."),
    ),
}


class AssociationDetailsChangeDecisionView(
    PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """Accept or reject a verified association's proposed name or commune."""

    model = Association
    permission_required = "change"
    template_name = "associations/admin/details_change.html"
    form_class = DecisionForm
    inspect_url_name = None
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if kwargs["decision"] not in CHANGE_DECISIONS:
            raise Http404
        self.decision = kwargs["decision"]
        self.change = get_object_or_404(
            AssociationDetailsChange.objects.select_related("association"), pk=kwargs["pk"]
        )

    def get_page_title(self):
        return CHANGE_DECISIONS[self.decision][1]

    def get_page_subtitle(self):
        return self.change.association.name

    def get_inspect_url(self) -> str:
        return reverse(self.inspect_url_name, args=[self.change.association_id])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["reason_required"] = self.decision == "reject"
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            change=self.change,
            decision=self.decision,
            allowed=self.change.status == AssociationDetailsChange.Status.PENDING,
            inspect_url=self.get_inspect_url(),
            submit_label=CHANGE_DECISIONS[self.decision][1],
        )
        return context

    def form_valid(self, form):
        service, _label, success = CHANGE_DECISIONS[self.decision]
        try:
            change = service(
                change_id=self.change.pk,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, success % {"name": change.association.name})
        return redirect(self.get_inspect_url())


class AssociationViewSet(ReadOnlyModelViewSet):
    """Associations in the CMS admin: review and decide, no editing or deleting."""

    model = Association
    name = "association_review"
    url_prefix = "associations"
    icon = "group"
    menu_label = _("Associations")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = AssociationIndexView
    inspect_view_class = AssociationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["status"]
    list_per_page = 50
    search_fields = ["name", "commune", "postcode", "rna_number", "siren", "contact_email"]
    list_display = [
        "name",
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda a: a.status == Status.PENDING,
            sort_key="status",
        ),
        Column("commune", label=_("Commune"), sort_key="commune"),
        Column("identifier", label=_("RNA / SIREN"), accessor=lambda a: a.rna_number or a.siren),
        LocalDateColumn("created_at", label=_("Registered"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "name",
        "status",
        "status_reason",
        "status_changed_by",
        "status_changed_at",
        "legal_form",
        "rna_number",
        "siren",
        "address",
        "postcode",
        "commune",
        "contact_email",
        "purpose",
        "website",
        "linkedin_url",
        "facebook_url",
        "instagram_url",
        "x_url",
        "created_by",
        "created_at",
    ]

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            decision_url_names={name: self.get_url_name(name) for name in DECISIONS},
            change_decision_url_name=self.get_url_name("details_change"),
            **kwargs,
        )

    def decision_view(self, decision: str):
        return self.construct_view(
            AssociationDecisionView,
            decision=decision,
            index_url_name=self.get_url_name("index"),
            inspect_url_name=self.get_url_name("inspect"),
        )

    def get_urlpatterns(self):
        # Associations are created on the site and change status through decisions only.
        return super().get_urlpatterns() + [
            *(path(f"{name}/<int:pk>/", self.decision_view(name), name=name) for name in DECISIONS),
            path(
                "details-change/<str:decision>/<int:pk>/",
                self.construct_view(
                    AssociationDetailsChangeDecisionView,
                    inspect_url_name=self.get_url_name("inspect"),
                ),
                name="details_change",
            ),
        ]
