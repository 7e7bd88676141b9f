"""The one view guard of "may manage this association", for every app's views."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import Association
from .selectors import association_manage_check


def managed_association_get(request: HttpRequest, slug: str) -> Association:
    """The association at `slug`, for a person who may manage it: 404 when there is none,
    403 (PermissionDenied) when it is not theirs to manage."""
    association = get_object_or_404(Association, slug=slug)
    association_manage_check(actor=request.user, association=association)
    return association
