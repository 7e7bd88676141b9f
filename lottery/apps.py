from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedules_after_migrate(sender, using="default", **kwargs):
    # Periodic tasks exist wherever the database does, with no manual step.
    from django.db import connections
    from django_q.models import Schedule

    from .tasks import schedules_ensure

    if Schedule._meta.db_table in connections[using].introspection.table_names():
        schedules_ensure()


def _home_open_lotteries(*, request, context) -> dict | None:
    # The home page's "lotteries open now", left out when there is none.
    from .selectors import lotteries_open_for_home

    lotteries = list(lotteries_open_for_home(limit=3))
    return {"open_lotteries": lotteries} if lotteries else None


class LotteryConfig(AppConfig):
    name = "lottery"
    verbose_name = _("Lotteries")

    def ready(self) -> None:
        from assosolos.sections import section_register

        post_migrate.connect(_schedules_after_migrate, sender=self)
        section_register(
            place="home",
            template_name="lottery/_home_section.html",
            context=_home_open_lotteries,
            order=10,
        )
        section_register(
            place="association_dashboard", template_name="lottery/_dashboard_panel.html", order=10
        )
        section_register(
            place="account_links", template_name="lottery/_account_link.html", order=10
        )
