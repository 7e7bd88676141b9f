from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PitchesConfig(AppConfig):
    name = "groups.pitches"
    label = "pitches"
    verbose_name = _("Pitches and showcase")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from assosolos.sections import section_register

        from . import sections, tasks

        post_migrate.connect(tasks.showcase_schedules_ensure_after_migrate, sender=self)
        section_register(
            place="account_links", template_name="pitches/_account_link.html", order=30
        )
        section_register(
            place="home",
            template_name="pitches/_home_section.html",
            context=sections.home,
            order=30,
        )
        section_register(
            place="association_page",
            template_name="pitches/_association_section.html",
            context=sections.association_page,
            order=50,
        )
        section_register(
            place="association_dashboard",
            template_name="pitches/_dashboard_panel.html",
            context=sections.association_dashboard,
            order=30,
        )
