from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self) -> None:
        from assosolos.sections import section_register

        from . import receivers, sections

        receivers.connect()
        section_register(
            place="account", template_name="groups/_account_panel.html", context=sections.account
        )
        section_register(
            place="association_dashboard",
            template_name="groups/_dashboard_panel.html",
            context=sections.association_dashboard,
            order=20,
        )
        section_register(
            place="association_page",
            template_name="groups/_association_section.html",
            context=sections.association_page,
            order=40,
        )
        section_register(
            place="lottery_page",
            template_name="groups/_lottery_page_seats.html",
            context=sections.lottery_page,
        )
