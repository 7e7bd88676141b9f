from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelayConfig(AppConfig):
    name = "relay"
    verbose_name = _("Relay to social networks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from assosolos.sections import section_register

        from . import sections, tasks

        post_migrate.connect(tasks.relay_schedule_ensure_after_migrate, sender=self)
        section_register(
            place="association_dashboard",
            template_name="relay/_dashboard_panel.html",
            context=sections.association_dashboard,
            order=35,
        )
        section_register(
            place="pitch_page",
            template_name="relay/_pitch_consent.html",
            context=sections.pitch_page,
        )
