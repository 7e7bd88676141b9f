"""Public draw pages and files, and the association's claims list.

Everything needed to re-run a draw is downloadable here: the record (draw.json),
the sealed ledger and the certificate. Views stay thin: reads in
`draw_selectors`, writes in `services`.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..models import DrawWinner, Lottery
from ..services.after_seal import lottery_refunded_after_seal
from ..views import _managed_lottery
from . import selectors as draw_selectors
from .check_messages import draw_check_messages


def _public_lottery(slug: str) -> Lottery:
    lottery = selectors.lottery_public_get(slug=slug)
    if lottery is None:
        raise Http404
    return lottery


def draw_result(request: HttpRequest, slug: str) -> HttpResponse:
    """The draw, before and after: commitment, seal, winners and how to check them."""
    lottery = _public_lottery(slug)
    return render(
        request,
        "lottery/draw_result.html",
        {
            "lottery": lottery,
            "draw": draw_selectors.draw_state(lottery=lottery),
            "check_messages": draw_check_messages(),
            "refunded_after_seal": lottery_refunded_after_seal(lottery_id=lottery.pk),
        },
    )


def draw_live(request: HttpRequest, slug: str) -> HttpResponse:
    """Winners revealed one by one over a websocket; the result page without JS."""
    lottery = _public_lottery(slug)
    return render(
        request,
        "lottery/draw_live.html",
        {"lottery": lottery, "draw": draw_selectors.draw_state(lottery=lottery)},
    )


def draw_record(request: HttpRequest, slug: str) -> HttpResponse:
    lottery = _public_lottery(slug)
    state = draw_selectors.draw_state(lottery=lottery)
    if state.result is None:
        raise Http404
    response = HttpResponse(
        draw_selectors.draw_record_bytes(result=state.result), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="draw.json"'
    return response


def draw_ledger(request: HttpRequest, slug: str) -> FileResponse:
    lottery = _public_lottery(slug)
    state = draw_selectors.draw_state(lottery=lottery)
    if state.seal is None:
        raise Http404
    return FileResponse(
        state.seal.ledger.open("rb"),
        as_attachment=True,
        filename="ledger.txt",
        content_type="text/plain; charset=us-ascii",
    )


def draw_certificate(request: HttpRequest, slug: str) -> FileResponse:
    lottery = _public_lottery(slug)
    state = draw_selectors.draw_state(lottery=lottery)
    if state.result is None or not state.result.certificate:
        raise Http404
    return FileResponse(
        state.result.certificate.open("rb"),
        filename="proces-verbal.pdf",
        content_type="application/pdf",
    )


HERE = Path(__file__).resolve().parent
LOTTERY = HERE.parent
VERIFIER_FILES = {
    "verify_draw.py": LOTTERY.parent / "tools" / "verify_draw.py",
    "draw_core.py": HERE / "core.py",
    "commitment_chain.py": LOTTERY / "commitment_chain.py",
}


def draw_verifier(request: HttpRequest, filename: str = "verify_draw.py") -> FileResponse:
    """The standalone verifier's source, and the two modules it runs, served by the site."""
    path = VERIFIER_FILES.get(filename)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"), filename=filename, content_type="text/x-python; charset=utf-8"
    )


@login_required
def manage_claims(request: HttpRequest, association_slug: str, lottery_slug: str) -> HttpResponse:
    """The association sees who won what, who was told, and records each claim."""
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    state = draw_selectors.draw_state(lottery=lottery)
    winners = []
    if state.result is not None:
        winners = list(
            state.result.winners.select_related("prize", "ticket__order__buyer").order_by("slot")
        )
    return render(
        request,
        "lottery/manage_claims.html",
        {
            "association": association,
            "lottery": lottery,
            "draw": state,
            "winners": winners,
            "deadline_passed": services.claim_deadline_passed(lottery=lottery),
        },
    )


@login_required
@require_POST
def manage_claim_record(
    request: HttpRequest, association_slug: str, lottery_slug: str, winner_id: int
) -> HttpResponse:
    association, lottery = _managed_lottery(request, association_slug, lottery_slug)
    winner = get_object_or_404(DrawWinner, pk=winner_id, result__lottery=lottery)
    try:
        recorded = services.winner_claim_record(
            winner=winner, actor=request.user, late_reason=request.POST.get("late_reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("lottery:manage_claims", association.slug, lottery.slug)
    if recorded:
        messages.success(
            request,
            _("Prize handed over for ticket %(number)s.") % {"number": winner.ticket.number},
        )
    return redirect("lottery:manage_claims", association.slug, lottery.slug)
