"""The room's search page: a GET form, results by pages, members (and moderators) only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .. import services
from ..models import Group
from .forms import RoomSearchForm
from .selectors import room_messages_search, search_hits_in_context, search_query_clean

RESULTS_PER_PAGE = 20


@login_required
def room_search(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.select_related("association"), pk=pk)
    try:
        services.room_access(group_id=group.pk, actor=request.user)
    except services.RoomError as exc:
        raise PermissionDenied(exc.message) from exc
    form = RoomSearchForm(request.GET)
    context = {"group": group, "form": form, "query": "", "page": None, "hits": []}
    if form.is_valid():
        query = search_query_clean(form.cleaned_data["q"])
        context["query"] = query
        if query:
            messages = room_messages_search(group_id=group.pk, query=query)
            page = Paginator(messages, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            context["page"] = page
            context["hits"] = search_hits_in_context(
                group_id=group.pk, messages=list(page.object_list)
            )
    return render(
        request, "groups/room_search.html", context, status=200 if form.is_valid() else 400
    )
