from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET
from wagtail.models import Site

from .selectors import SEARCH_QUERY_MAX_LENGTH, page_search, site_search_others

RESULTS_PER_PAGE = 10


@require_GET
def search(request):
    """Site search over live pages, lotteries and associations; an empty query only shows
    the form."""
    search_query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = None
    others: list[dict] = []
    if search_query:
        pages = page_search(query=search_query, site=Site.find_for_request(request))
        results = Paginator(pages, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # Lotteries and associations head the first page of results only.
        if results.number == 1:
            others = site_search_others(query=search_query)
    return render(
        request,
        "cms/search.html",
        {"search_query": search_query, "results": results, "others": others},
    )


@require_GET
def robots_txt(request):
    """Crawl rules: the public pages yes, accounts, dashboards and back office no, in
    every language's addresses."""
    private = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefix = reverse("search").removesuffix("recherche/")
            private += [
                reverse("accounts:dashboard"),
                reverse("lottery:my_tickets"),
                reverse("associations:register"),
                reverse("search"),
                *(
                    f"{prefix}{path}"
                    for path in (
                        "accounts/",
                        "loteries/gestion/",
                        "loteries/commande/",
                        "associations/invitations/",
                        "associations/*/tableau-de-bord/",
                    )
                ),
            ]
    return render(
        request,
        "cms/robots.txt",
        {"private_paths": sorted(set(private))},
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon."""
    return redirect(static("img/favicon.ico"))
