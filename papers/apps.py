from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _manage_panel(*, request, context) -> dict | None:
    # The lottery's management page: its papers at a glance, and the way to them.
    from .selectors import lottery_papers

    lottery = context.get("lottery")
    if lottery is None:
        return None
    return {"papers": lottery_papers(lottery=lottery)}


def _lottery_page_section(*, request, context) -> dict | None:
    # The public lottery page: the authorisation and the link to where the money goes.
    lottery = context.get("lottery")
    if lottery is None or lottery.status not in ("open", "closed", "drawn"):
        return None
    return {}


def _association_section(*, request, context) -> dict | None:
    # An association's public page: the funds pages of its public lotteries.
    from lottery.models import Lottery

    association = context.get("association")
    if association is None:
        return None
    lotteries = list(
        Lottery.objects.filter(
            association=association, status__in=("open", "closed", "drawn")
        ).order_by("-sales_open_at", "-pk")[:10]
    )
    return {"funds_lotteries": lotteries} if lotteries else None


def _dashboard_panel(*, request, context) -> dict | None:
    # The association's dashboard: which lotteries' papers need attention.
    from lottery.models import Lottery

    from .selectors import lotteries_papers_flags

    association = context.get("association")
    if association is None or not context.get("can_manage"):
        return None
    lotteries = list(
        Lottery.objects.filter(association=association)
        .exclude(status=Lottery.Status.CANCELLED)
        .order_by("-created_at", "-pk")[:20]
    )
    if not lotteries:
        return None
    return {"papers_flags": lotteries_papers_flags(lotteries=lotteries)}


class PapersConfig(AppConfig):
    name = "papers"
    label = "papers"
    verbose_name = _("Lottery papers")

    def ready(self) -> None:
        from assosolos.sections import section_register

        section_register(
            place="lottery_manage",
            template_name="papers/_manage_panel.html",
            context=_manage_panel,
            order=10,
        )
        section_register(
            place="lottery_page",
            template_name="papers/_lottery_page_section.html",
            context=_lottery_page_section,
            order=50,
        )
        section_register(
            place="association_dashboard",
            template_name="papers/_dashboard_panel.html",
            context=_dashboard_panel,
            order=12,
        )
        section_register(
            place="association_page",
            template_name="papers/_association_section.html",
            context=_association_section,
            order=50,
        )
