from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _dashboard_payments(*, request, context) -> dict | None:
    # The association dashboard's payments panel: its Stripe account, balance, payouts.
    from .selectors import payments_panel

    association = context.get("association")
    if association is None or not context.get("can_manage"):
        return None
    return {"payments": payments_panel(association=association)}


class ConnectConfig(AppConfig):
    name = "connect"
    label = "connect"
    verbose_name = _("Payment accounts")

    def ready(self) -> None:
        from assosolos.sections import section_register

        section_register(
            place="association_dashboard",
            template_name="connect/_dashboard_panel.html",
            context=_dashboard_payments,
            order=5,
        )
