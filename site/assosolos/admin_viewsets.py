"""Wagtail admin building blocks shared by the apps."""

import datetime

from django.urls import path
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet


class ReadOnlyModelViewSet(ModelViewSet):
    """A listing and an inspect page, no add/edit/delete: changes go through services."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


def relative_time(value: datetime.datetime, *, now: datetime.datetime | None = None) -> str:
    """ "in 3 weeks" for a future time, "2 hours ago" for a past one (the largest unit only)."""
    now = now or timezone.now()
    if value > now:
        return _("in %(time)s") % {"time": timeuntil(value, now).split(",")[0]}
    return _("%(time)s ago") % {"time": timesince(value, now).split(",")[0]}


class LocalDateColumn(Column):
    """A date in the admin's time zone (Paris unless a user chose another), then how far.

    Wagtail's own `DateColumn` reads every date as past ("0 minutes ago" for a draw a
    month ahead); this one writes the date and says "in 4 weeks" or "2 days ago".
    """

    cell_template_name = "admin/local_date_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = self.get_value(instance)
        if isinstance(value, datetime.datetime):
            context["local_value"] = timezone.localtime(value)
            context["relative"] = relative_time(value)
        return context


class LocalTimeInspectMixin:
    """Inspect pages show times in the admin's time zone, like every other admin page.

    Wagtail's inspect template formats values with `localize`, which does not move a
    time out of UTC: the same minute read once in UTC and once in Paris elsewhere.
    """

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value
