from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SiteLanguageMiddleware(LocaleMiddleware):
    """The language is the address's: `/en/…` is English, any other address French.

    Django's LocaleMiddleware also follows the language cookie and the browser's
    Accept-Language header for addresses without a prefix; here a page of the site
    always shows the same language to everyone, so a shared link, a cached copy and a search
    engine's copy agree (the switch in the header links to the same page in the other
    language, `assosolos/languages.py`).
    """

    # The staff screens have no language in their addresses: there the switch's cookie
    # (the Django admin) or each person's setting (Wagtail's) chooses.
    STAFF_PREFIXES = ("/cms/", "/django-admin/")

    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        if not language and request.path_info.startswith(self.STAFF_PREFIXES):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = chosen if chosen in dict(settings.LANGUAGES) else None
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # No "Vary: Accept-Language": the header changes nothing here.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


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
