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
