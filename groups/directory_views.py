"""The public groups directory at `/groupes/`: what each group does, no member named."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors

DIRECTORY_PAGE_SIZE = 24


def directory(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.groups_directory(), DIRECTORY_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "groups/directory.html",
        {"page_obj": page_obj, "groups": list(page_obj.object_list)},
    )
