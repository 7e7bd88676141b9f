"""The public lottery index at `/loteries/`: on sale, coming, waiting for the draw, drawn."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assosolos.emails import absolute_url
from assosolos.page_cache import page_depends_on

from . import selectors

INDEX_PAGE_SIZE = 24


def lottery_index(request: HttpRequest) -> HttpResponse:
    page_depends_on(request, selectors.LOTTERY_LISTINGS)
    paginator = Paginator(selectors.lotteries_for_index(), INDEX_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    lotteries = list(page_obj.object_list)
    # Headings where the phase changes, so one page may hold the end of one list and
    # the start of the next.
    sections: list[dict] = []
    for lottery in lotteries:
        if not sections or sections[-1]["phase"] != lottery.phase:
            sections.append({"phase": lottery.phase, "lotteries": []})
        sections[-1]["lotteries"].append(lottery)
    return render(
        request,
        "lottery/lottery_index.html",
        {
            "page": selectors.lottery_index_page(),
            "page_obj": page_obj,
            "sections": sections,
            "phases": selectors.LotteryPhase,
            "canonical_url": absolute_url(selectors.lottery_index_url()),
        },
    )
