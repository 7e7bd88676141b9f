from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SiteLanguageMiddleware(LocaleMiddleware):
    """French unless the visitor chose another language with the switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language header;
    the site is French first, so only an explicit choice (the language cookie set
    by the switch) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the staff policy on the admin screens.

    `CONTENT_SECURITY_POLICY` covers the public pages; the paths under
    `CONTENT_SECURITY_POLICY_STAFF["URL_PREFIXES"]` (the Wagtail and Django admins) get
    that setting's own directives instead (see settings/csp.py).
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        staff = getattr(settings, "CONTENT_SECURITY_POLICY_STAFF", None)
        if (
            staff
            and not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(staff["URL_PREFIXES"]))
        ):
            parts.config = default_config(staff["DIRECTIVES"])
        return parts
