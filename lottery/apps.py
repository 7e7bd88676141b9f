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


class LotteryConfig(AppConfig):
    name = "lottery"
    verbose_name = _("Lotteries")

    def ready(self) -> None:
        from cms.search import SearchSource, search_source_register

        from .selectors import lotteries_search

        post_migrate.connect(_schedules_after_migrate, sender=self)
        from assosolos import routing

        from .draw_live import websocket_urlpatterns

        routing.websocket_urlpatterns.extend(
            p for p in websocket_urlpatterns if p not in routing.websocket_urlpatterns
        )
        search_source_register(
            SearchSource(
                key="lotteries",
                heading=_("Lotteries"),
                search=lotteries_search,
                template="lottery/_search_result.html",
                order=10,
            )
        )
