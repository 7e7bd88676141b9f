from contextlib import suppress

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _lazy
from wagtail.models import Site

from assosolos import languages
from cms.selectors import footer_page_list, menu_page_list, navigation_links

register = template.Library()


def _site(request):
    return Site.find_for_request(request) if request is not None else None


def _host(request) -> str:
    """What picks the Wagtail site of a request, without a query."""
    return request.get_host() if request is not None else ""


def _aria_current(path: str, url: str, *, section: bool = True) -> str:
    """ "page" on the link's own page, "true" anywhere inside its section."""
    if not url or not path:
        return ""
    if path == url:
        return "page"
    if section and url != "/" and path.startswith(url):
        return "true"
    return ""


# The directories other apps serve, by URL name: the menu must not break without them.
# A menu page already at one of these addresses (the CMS lottery index) stands for it.
DIRECTORY_LINKS = (
    ("lottery:index", _lazy("Lotteries")),
    ("groups:directory", _lazy("Groups")),
    ("associations:list", _lazy("Associations")),
)


def _menu_links(request) -> list[dict]:
    """The main menu's links, read once per request: the header and the footer show them."""
    cached = getattr(request, "_cms_menu_links", None) if request is not None else None
    if cached is not None:
        return cached

    def build():
        items = [
            {"title": page.title, "url": page.get_url(request)}
            for page in menu_page_list(site=_site(request))
        ]
        urls = {item["url"] for item in items}
        for name, title in DIRECTORY_LINKS:
            with suppress(NoReverseMatch):
                url = reverse(name)
                if url not in urls:
                    items.append({"title": str(title), "url": url})
        return items

    links = navigation_links(kind="menu", host=_host(request), build=build)
    if request is not None:
        request._cms_menu_links = links
    return links


@register.inclusion_tag("cms/tags/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    path = request.path if request is not None else ""
    items = [{**item, "current": _aria_current(path, item["url"])} for item in _menu_links(request)]
    return {"items": items}


@register.inclusion_tag("cms/tags/footer_links.html", takes_context=True)
def footer_links(context):
    request = context.get("request")
    path = request.path if request is not None else ""

    def build():
        return [
            {"title": page.title, "url": page.get_url(request)}
            for page in footer_page_list(site=_site(request))
        ]

    links = navigation_links(kind="footer", host=_host(request), build=build)
    items = [{**item, "current": _aria_current(path, item["url"], section=False)} for item in links]
    return {"items": items}


@register.inclusion_tag("cms/tags/footer_explore.html", takes_context=True)
def footer_explore(context):
    """The footer's copy of the main menu (lotteries, groups, showcase, associations…)."""
    request = context.get("request")
    path = request.path if request is not None else ""
    items = [
        {**item, "current": _aria_current(path, item["url"], section=False)}
        for item in _menu_links(request)
    ]
    return {"items": items}


@register.inclusion_tag("cms/tags/breadcrumb.html", takes_context=True)
def breadcrumb(context, page):
    """The path from the site's home page down to `page`, for the breadcrumb trail."""
    request = context.get("request")
    site = _site(request)
    ancestors = page.get_ancestors().live()
    if site is not None:
        ancestors = ancestors.filter(depth__gte=site.root_page.depth)
    else:
        ancestors = ancestors.filter(depth__gt=1)
    return {
        "ancestors": [{"title": a.title, "url": a.get_url(request)} for a in ancestors],
        "page": page,
    }


@register.simple_tag(takes_context=True)
def language_links(context):
    """The page the visitor is on, in each language (the switch and the hreflang links)."""
    request = context.get("request")
    if request is None:
        return []
    return languages.language_links(request=request, page=context.get("page"))


@register.inclusion_tag("cms/tags/language_note.html")
def language_note(code: str):
    """A short note under a text shown in another language than the page's (an article
    or an association's text not translated yet)."""
    return {"note": languages.language_note_text(code)}


@register.filter
def lang_attr(text) -> str:
    """` lang="fr"` for a text shown in another language than the page's (a
    `languages.TextHere`), nothing otherwise: `<h1{{ lottery.title_here|lang_attr }}>`."""
    code = getattr(text, "lang", "")
    return format_html(' lang="{}"', code) if code else ""
