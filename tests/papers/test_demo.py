"""Demo papers: request details and costs on every demo lottery, and one lottery drawn."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from associations.demo import demo_create as associations_demo
from lottery.demo import demo_create as lottery_demo
from lottery.demo_story import demo_draws_create
from lottery.models import DrawResult, Lottery
from papers import selectors
from papers.demo import demo_create
from papers.models import FundUse, LotteryRequest
from tests.cms.factories import HomePageFactory
from tests.lottery.factories import manager_of

pytestmark = pytest.mark.django_db


def test_the_demo_has_papers_and_a_drawn_lottery_with_its_report_and_funds(client):
    HomePageFactory(parent=Page.get_first_root_node(), slug="accueil-demo")
    associations_demo(log=lambda line: None)
    lottery_demo(log=lambda line: None)
    demo_draws_create(log=lambda line: None)
    demo_create(log=lambda line: None)
    demo_create(log=lambda line: None)  # a second run changes nothing

    for lottery in Lottery.objects.exclude(status=Lottery.Status.DRAFT):
        papers = selectors.lottery_papers(lottery=lottery)
        assert papers.authorised and papers.request is not None
        assert papers.costs.lines_cents > 0 and not papers.costs_over
    drawn = Lottery.objects.get(status=Lottery.Status.DRAWN)
    assert DrawResult.objects.filter(lottery=drawn).exists()
    assert LotteryRequest.objects.filter(lottery=drawn).count() == 1
    assert FundUse.objects.filter(lottery=drawn).count() == 1
    funds = selectors.lottery_funds(lottery=drawn)
    # Sold online to demo buyers, then partly used.
    assert funds.online_cents > 0
    assert funds.net_cents > funds.used_cents > 0

    assert client.get(reverse("papers:funds", args=[drawn.slug])).status_code == 200
    client.force_login(manager_of(drawn.association))
    report = client.get(reverse("papers:report_pdf", args=[drawn.association.slug, drawn.slug]))
    assert report.status_code == 200 and report.content.startswith(b"%PDF")
