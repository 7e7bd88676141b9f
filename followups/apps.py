from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-ups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from assosolos.sections import section_register

        from . import sections, tasks

        post_migrate.connect(tasks.followup_schedules_ensure_after_migrate, sender=self)
        section_register(
            place="account_links", template_name="followups/_account_link.html", order=40
        )
        section_register(
            place="group_session",
            template_name="followups/_session_counts.html",
            context=sections.group_session,
        )
