from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedules_after_migrate(sender, **kwargs):
    # Periodic tasks exist wherever the database does, with no manual step.
    from .tasks import schedules_ensure

    schedules_ensure()


class LotteryConfig(AppConfig):
    name = "lottery"
    verbose_name = _("Lotteries")

    def ready(self) -> None:
        post_migrate.connect(_schedules_after_migrate, sender=self)
