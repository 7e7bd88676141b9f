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


def _association_lotteries(*, request, context) -> dict | None:
    # An association's public page: its lotteries on sale, coming and past.
    from .selectors import lotteries_public_of_association

    association = context.get("association")
    if association is None:
        return None
    return {"lotteries": lotteries_public_of_association(association=association)}


def _dashboard_lotteries(*, request, context) -> dict | None:
    # The association dashboard: its lotteries and, for its managers, each one's money.
    from .selectors import lotteries_of_association
    from .selectors.money import lotteries_online_money

    association = context.get("association")
    if association is None:
        return None
    lotteries = list(lotteries_of_association(association=association))
    money = (
        lotteries_online_money(lottery_ids=[lottery.pk for lottery in lotteries])
        if context.get("can_manage")
        else {}
    )
    rows = [(lottery, money.get(lottery.pk)) for lottery in lotteries]
    return {"lottery_rows": rows, "online_money": any(m and m.any for _l, m in rows)}


class LotteryConfig(AppConfig):
    name = "lottery"
    verbose_name = _("Lotteries")

    def ready(self) -> None:
        from cms.search import SearchSource, search_source_register

        from .selectors import lotteries_search

        post_migrate.connect(_schedules_after_migrate, sender=self)
        from assosolos.health import HealthCheck, health_check_register

        from .drand import relays, relays_reachable

        health_check_register(
            HealthCheck("drand", relays_reachable, required=False, enabled=lambda: bool(relays()))
        )
        from django.core import checks

        from .checks import draw_randomness_check

        checks.register(draw_randomness_check)
        from assosolos import routing

        from .draw.live import websocket_urlpatterns

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

        from .receivers import receivers_connect

        receivers_connect()
        _refresh_cached_pages_on_change()
        _sections_register()


def _sections_register() -> None:
    from assosolos.sections import section_register
    from assosolos.sitemaps import sitemap_register

    from .sitemaps import LotteryIndexSitemap, LotterySitemap

    sitemap_register(key="lottery-index", sitemap=LotteryIndexSitemap)
    sitemap_register(key="lotteries", sitemap=LotterySitemap)

    section_register(
        place="home",
        template_name="lottery/_home_section.html",
        context=_home_open_lotteries,
        order=10,
    )
    section_register(
        place="association_dashboard",
        template_name="lottery/_dashboard_panel.html",
        context=_dashboard_lotteries,
        order=10,
    )
    section_register(place="account_links", template_name="lottery/_account_link.html", order=10)
    section_register(
        place="association_page",
        template_name="lottery/_association_section.html",
        context=_association_lotteries,
        order=10,
    )


def _lottery_changed(sender: type, instance: object, **kwargs: object) -> None:
    from assosolos.page_cache import page_cache_bump

    from .selectors import LOTTERY_LISTINGS, lottery_page_dependency

    lottery_id = instance.pk if sender.__name__ == "Lottery" else instance.lottery_id
    if lottery_id is not None:
        page_cache_bump(lottery_page_dependency(lottery_id), LOTTERY_LISTINGS)


def _payment_account_changed(sender: type, association_id: int, **kwargs: object) -> None:
    # A lottery page offers online sales only while the association's account can
    # take payments: its cached copies go when that changes.
    from assosolos.page_cache import page_cache_bump

    from .models import Lottery
    from .selectors import LOTTERY_LISTINGS, lottery_page_dependency

    ids = Lottery.objects.filter(association_id=association_id).values_list("pk", flat=True)
    page_cache_bump(*(lottery_page_dependency(pk) for pk in ids), LOTTERY_LISTINGS)


def _refresh_cached_pages_on_change() -> None:
    """A sale, a refund, a change of status or of prizes refreshes the cached pages.

    Every service that changes them saves the lottery or the order row (ticket rows
    change in bulk, with no signal, but always with their order), so these signals see
    every sale; the bump itself waits for the commit.
    """
    from django.db.models.signals import post_delete, post_save

    from .models import Bundle, Lottery, Order, Prize

    for model in (Lottery, Order, Prize, Bundle):
        post_save.connect(_lottery_changed, sender=model, weak=False)
    for model in (Prize, Bundle):
        post_delete.connect(_lottery_changed, sender=model, weak=False)

    from connect.signals import payment_account_changed

    payment_account_changed.connect(_payment_account_changed, weak=False)
