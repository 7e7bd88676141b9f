"""Read-only queries for the CMS pages, menus and search."""

import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import get_language
from taggit.models import Tag
from wagtail.models import Locale, Page, Site

from .models import ArticleIndexPage, ArticlePage, ContentPage
from .search import search_sources

SEARCH_QUERY_MAX_LENGTH = 200


def article_list_latest(*, root: Page, limit: int = 3) -> QuerySet[ArticlePage]:
    """The newest live, public articles under `root`."""
    return (
        ArticlePage.objects.live()
        .public()
        .descendant_of(root)
        .select_related("locale")  # each card says its language when not the page's
        .order_by("-date", "-first_published_at")[:limit]
    )


def article_list_for_index(*, index: ArticleIndexPage, tag: str = "") -> QuerySet[ArticlePage]:
    """The live articles of an index, newest first, optionally those with a tag (by slug).

    An index translated into another language lists its own articles and, for those not
    translated yet, the default language's (each card says their language).
    """
    articles = ArticlePage.objects.live().child_of(index)
    source = _default_language_version(index)
    if source is not None:
        translated = articles.values("translation_key")
        untranslated = (
            ArticlePage.objects.live().child_of(source).exclude(translation_key__in=translated)
        )
        articles = ArticlePage.objects.filter(
            Q(pk__in=articles.values("pk")) | Q(pk__in=untranslated.values("pk"))
        )
    if tag:
        articles = articles.filter(tags__slug=tag)
    return (
        articles.select_related("owner", "locale")
        .prefetch_related("tags")
        .order_by("-date", "-first_published_at", "-pk")
        .distinct()
    )


def _default_language_version(page: Page) -> Page | None:
    """`page`'s live version in the default language, when `page` is a translation."""
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return None  # served in the default language: `page` is its own version
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return None
    return Page.objects.filter(
        translation_key=page.translation_key,
        locale__language_code=settings.LANGUAGE_CODE,
        live=True,
    ).first()


def article_tag_list(*, index: ArticleIndexPage) -> QuerySet[Tag]:
    """Tags used by the live articles of an index, most used first."""
    article_ids = ArticlePage.objects.live().child_of(index).values("pk")
    return (
        Tag.objects.filter(cms_articlepagetag_items__content_object__in=article_ids)
        .annotate(article_count=Count("cms_articlepagetag_items"))
        .order_by("-article_count", "name")
    )


def home_translation(*, site: Site) -> Page | None:
    """The site's home page in the active language, if that is another language than the
    home page's own (the default) and editors translated it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return None
    root = site.root_page
    return Page.objects.filter(
        translation_key=root.translation_key, locale__language_code=language, live=True
    ).first()


def _in_active_language(
    pages: QuerySet, *, site: Site, under_home: Callable[[Page], QuerySet]
) -> QuerySet:
    """`pages` (from the default language's tree) with each one that has a translation in
    the active language's tree replaced by it; `under_home(home)` gives the same selection
    in another tree."""
    home = home_translation(site=site)
    if home is None:
        return pages.order_by("path")
    translated = under_home(home)
    untranslated = pages.exclude(translation_key__in=translated.values("translation_key"))
    return pages.model.objects.filter(
        Q(pk__in=translated.values("pk")) | Q(pk__in=untranslated.values("pk"))
    ).order_by("path")


def menu_page_list(*, site: Site | None) -> QuerySet[Page]:
    """Live pages right under the site's home that editors put in the menu, in the
    visitor's language where translated."""
    if site is None:
        return Page.objects.none()
    return _in_active_language(
        site.root_page.get_children().live().in_menu(),
        site=site,
        under_home=lambda home: home.get_children().live().in_menu(),
    )


def footer_page_list(*, site: Site | None) -> QuerySet[ContentPage]:
    """Live content pages of the site flagged for the footer (legal notices), in the
    visitor's language where translated."""
    if site is None:
        return ContentPage.objects.none()
    return _in_active_language(
        ContentPage.objects.live().in_site(site).filter(show_in_footer=True),
        site=site,
        under_home=lambda home: (
            ContentPage.objects.live().descendant_of(home).filter(show_in_footer=True)
        ),
    )


NAVIGATION_CACHE_KEY = "cms:navigation:{kind}:{site}:{language}"
NAVIGATION_CACHE_SECONDS = 300


def navigation_links(*, kind: str, host: str, build: Callable[[], list[dict]]) -> list:
    """The links of a menu of the site at `host` (`build()`: titles and URLs), kept in the cache.

    Every page shows the main menu and the footer; reading them is a query and a URL
    per page each time. They change only when editors publish, unpublish or move a
    page, which bumps the CMS pages' version and so makes the kept links stale.
    """
    from assosolos.page_cache import (
        dependency_versions,
        local_copy,
        page_cache_seconds,
        versions_current,
    )

    from .apps import CMS_PAGES

    if page_cache_seconds() <= 0:  # no page cache (development, tests): read them now
        return build()
    key = NAVIGATION_CACHE_KEY.format(kind=kind, site=host, language=get_language())

    def shared() -> list:
        entry = cache.get(key)
        if entry is not None and versions_current(entry["versions"]):
            return entry["links"]
        versions = dependency_versions(CMS_PAGES)
        links = build()
        cache.set(key, {"versions": versions, "links": links}, NAVIGATION_CACHE_SECONDS)
        return links

    # Each process keeps its own copy a few seconds: no round trip on most pages.
    return local_copy(key, shared)


def page_search(*, query: str, site: Site | None):
    """Live, public pages of the site matching `query`, best first."""
    words = search_words(query)
    if not words:
        return Page.objects.none()
    # The active language's tree only: an English search finds English pages.
    pages = Page.objects.live().public()
    locale = Locale.objects.filter(language_code=translation.get_language()).first()
    if locale is not None:
        pages = pages.filter(locale=locale)
    if site is not None:
        # The site's home in the active language: each language's tree has its own.
        pages = pages.descendant_of(site.root_page.localized, inclusive=True)
    return pages.specific().search(words)


def search_words(query: str) -> str:
    """The words of a search query, without operators."""
    # Quotes, stars and brackets are operators to SQLite's full-text engine, and a
    # stray one is a syntax error there.
    return " ".join(re.sub(r"[^\w\s]+", " ", query[:SEARCH_QUERY_MAX_LENGTH]).split())


def site_search_others(*, query: str, limit: int = 5) -> list[dict]:
    """What other apps' registered sources find for `query` (lotteries, associations),
    one group per source that found something."""
    words = search_words(query)
    if not words:
        return []
    groups = []
    for source in search_sources():
        items = list(source.search(query=words, limit=limit))
        if items:
            groups.append({"source": source, "items": items})
    return groups
