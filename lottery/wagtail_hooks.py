"""Lotteries in the CMS admin: platform staff see every lottery (read-only).

Association admins manage their own lotteries from the site's dashboard; the
life cycle changes through services only, so the CMS offers no edit form.
"""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic import IndexView, InspectView

from assosolos.admin_viewsets import LocalDateColumn, LocalTimeInspectMixin, ReadOnlyModelViewSet

from . import selectors
from .models import Lottery
from .selectors.actions import lottery_actions


class LotteryIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("association")


class LotteryInspectView(LocalTimeInspectMixin, InspectView):
    def get_status_display_value(self):
        # "Scheduled" for a draft due to open, as on the site.
        return selectors.lottery_status_word(lottery=self.object).label

    def get_fields_context(self):
        lottery = self.object
        figures = selectors.lottery_figures(lottery=lottery)
        extra = [
            (_("Tickets sold"), f"{figures.sold} / {lottery.ticket_cap}"),
            (_("Tickets held awaiting payment"), figures.reserved),
            (_("Paid orders"), figures.paid_orders),
            (_("Takings (cents)"), figures.takings_cents),
        ]
        extra += [(_("Warning"), w) for w in selectors.lottery_warnings(lottery=lottery)]
        extra.append((_("Draw"), _draw_action(lottery, self.request)))
        return super().get_fields_context() + [
            {"label": label, "value": value, "component": None} for label, value in extra
        ]


class LotteryViewSet(ReadOnlyModelViewSet):
    model = Lottery
    name = "lotteries"
    url_prefix = "loteries"
    icon = "tag"
    menu_label = _("Lotteries")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = LotteryIndexView
    inspect_view_class = LotteryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_filter = ["status", "association"]
    list_per_page = 50
    search_fields = ["title", "slug", "authorisation_reference"]
    list_display = [
        "title",
        Column("association", label=_("Association"), accessor="association.name"),
        StatusTagColumn(
            "status",
            label=_("Status"),
            # "Scheduled" for a draft due to open, as on the site.
            accessor=lambda lottery: selectors.lottery_status_word(lottery=lottery).label,
            primary=lambda lottery: lottery.status == Lottery.Status.OPEN,
            sort_key="status",
        ),
        Column("ticket_cap", label=_("Tickets"), sort_key="ticket_cap"),
        LocalDateColumn("sales_close_at", label=_("Sales close"), sort_key="sales_close_at"),
        LocalDateColumn("draw_at", label=_("Draw"), sort_key="draw_at"),
    ]
    inspect_view_fields = [
        "title",
        "association",
        "status",
        "slug",
        "authorisation_reference",
        "authorisation_date",
        "ticket_price_cents",
        "ticket_cap",
        "per_person_cap",
        "authorisation_commune",
        "sales_open_at",
        "sales_close_at",
        "draw_at",
        "open_requested_at",
        "created_by",
        "created_at",
        "description",
        "rules",
    ]


@hooks.register("register_admin_viewset")
def register_lottery_viewset():
    return LotteryViewSet()


def _draw_action(lottery: Lottery, request):
    """The draw's state, and a button to run it by hand once it is due."""
    from django.middleware.csrf import get_token
    from django.utils import timezone

    from .models import DrawResult

    result_url = reverse("lottery:draw_result", args=[lottery.slug])
    if DrawResult.objects.filter(lottery=lottery).exists():
        return format_html('<a href="{}">{}</a>', result_url, _("Drawn: see the result"))
    if not lottery_actions(lottery=lottery, actor=request.user, now=timezone.now()).draw_due:
        return _("Not due yet")
    return format_html(
        '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><button class="button" type="submit">{}</button></form>',
        reverse("lottery_draw_run", args=[lottery.pk]),
        get_token(request),
        _("Run the draw now"),
    )


@hooks.register("register_admin_urls")
def register_draw_urls():
    from .draw.admin import draw_run
    from .refunds_admin import refunds_blocked_view

    return [
        path("loteries/<int:pk>/tirage/", draw_run, name="lottery_draw_run"),
        path("remboursements-bloques/", refunds_blocked_view, name="lottery_refunds_blocked"),
    ]


@hooks.register("register_admin_menu_item")
def register_refunds_blocked_menu_item():
    from wagtail.admin.menu import MenuItem

    class StaffMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.is_staff

    return StaffMenuItem(
        _("Blocked refunds"),
        reverse("lottery_refunds_blocked"),
        icon_name="warning",
        order=265,
    )
