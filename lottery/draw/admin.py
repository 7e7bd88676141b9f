"""Staff run a due draw by hand from the CMS admin (the same service as the task).

A second click, or a click after the task ran, shows the stored result: the draw
is never made twice.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import drand, services
from ..models import DrawResult, Lottery


@staff_member_required
@require_POST
def draw_run(request: HttpRequest, pk: int) -> HttpResponse:
    lottery = get_object_or_404(Lottery, pk=pk)
    already = DrawResult.objects.filter(lottery=lottery).exists()
    try:
        services.ledger_seal(lottery_id=lottery.pk)
        services.draw_perform(lottery_id=lottery.pk, actor=request.user)
    except services.DrawNotDue as exc:
        messages.error(request, " ".join(exc.messages))
    except drand.BeaconError:
        messages.error(
            request,
            _("The public randomness could not be fetched and verified; try again later."),
        )
    else:
        if already:
            messages.info(request, _("This lottery was already drawn: its result is unchanged."))
        else:
            messages.success(request, _("The draw has been made."))
    return redirect(reverse("lotteries:inspect", args=[pk]))
