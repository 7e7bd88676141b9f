"""The same page in each language: the header's switch and the hreflang alternates.

French lives at the root and English under `/en/` (`i18n_patterns` in urls.py). A CMS
page's other-language version is its translation in that language's page tree (Wagtail's
localisation), when editors made one and it is live; any other page of the site has the
same address with the other prefix (`translate_url`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy
from wagtail.models import Page

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str  # absolute
    current: bool
    # False when the page has no version in this language: the switch then leads to
    # that language's home page, and no hreflang alternate is announced.
    same_page: bool


def language_links(*, request, page: Page | None = None) -> list[LanguageLink]:
    """One link per language to the page the visitor is on, in that language."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    translations = _page_translations(page) if isinstance(page, Page) else None
    links = []
    for code, _name in settings.LANGUAGES:
        if translations is None:
            url, same_page = translate_url(request.get_full_path(), code), True
        elif code in translations:
            url, same_page = translations[code].get_url(request), True
        else:
            url, same_page = _home_url(code), False
        links.append(
            LanguageLink(
                code=code,
                name=LANGUAGE_NAMES.get(code, code),
                url=request.build_absolute_uri(url),
                current=code == active,
                same_page=same_page,
            )
        )
    return links


def _page_translations(page: Page) -> dict[str, Page]:
    """`page` and its live translations, by language code (one query)."""
    pages = Page.objects.filter(translation_key=page.translation_key, live=True).select_related(
        "locale"
    )
    return {p.locale.language_code: p for p in pages}


def _home_url(code: str) -> str:
    """The home of `code`'s site: its tree's home page when translated, else the default
    language's home in that language's interface (no query)."""
    with translation.override(code):
        return reverse("wagtail_serve", args=[""])


# Under a text shown in the other language (the site has two).
LANGUAGE_NOTES = {
    "fr": gettext_lazy("In French: no English version yet."),
    "en": gettext_lazy("In English: no French version yet."),
}


def language_note_text(code: str) -> str:
    return str(LANGUAGE_NOTES.get(code, ""))


@dataclass(frozen=True)
class TextHere:
    """A text as the page shows it: the version in the page's language, or the default
    language's with that language's code in `lang` (for `lang="fr"` and a note)."""

    text: str
    lang: str = ""

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


class InLanguage:
    """A model attribute giving `field` in the active language: `<field>_<language>`
    when the author wrote it, else `field` (the default language's) marked as such.

        title_here = InLanguage("title")  # with fields `title` and `title_en`
    """

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        text = getattr(obj, self.field) or ""
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language == settings.LANGUAGE_CODE:
            return TextHere(text)
        translated = getattr(obj, f"{self.field}_{language}", "")
        if translated:
            return TextHere(translated)
        return TextHere(text, settings.LANGUAGE_CODE if text else "")
