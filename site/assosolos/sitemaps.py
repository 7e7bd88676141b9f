"""The site map: one map per language, listed by an index at /sitemap.xml.

Each language's map holds the CMS pages of that language's tree, then the sections
each app registers in its ready() (`site/` imports no app above it), at their addresses
in that language (`/en/…` for English).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap


class LanguagePageSitemap(PageSitemap):
    """The live public pages of the active language's tree (Wagtail's own map lists the
    default tree, whatever the language)."""

    def items(self):
        return (
            self.get_wagtail_site()
            .root_page.localized.get_descendants(inclusive=True)
            .live()
            .public()
            .order_by("path")
            .defer_streamfields()
            .specific()
        )


SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {"pages": LanguagePageSitemap}


def sitemap_register(*, key: str, sitemap: type[Sitemap] | Sitemap) -> None:
    SITEMAPS[key] = sitemap


@require_GET
def sitemap_index(request) -> HttpResponse:
    """The index of the per-language maps (the sitemaps.org index format)."""
    base = f"{request.scheme}://{request.get_host()}"
    entries = "".join(
        f"<sitemap><loc>{base}{reverse('sitemap', kwargs={'language': code})}</loc></sitemap>"
        for code, _name in settings.LANGUAGES
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    )
    return HttpResponse(body, content_type="application/xml")


@require_GET
def sitemap_language(request, language: str) -> HttpResponse:
    """One language's map: its page tree and the apps' pages, at that language's addresses."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = wagtail_sitemap(request, sitemaps=SITEMAPS)
        # The map is a template response: render it while the language is active.
        response.render()
    return response
