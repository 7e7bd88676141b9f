"""Demo lotteries: the open ones, one drawn in spring 2024 whose record verifies, and one
drawn by the task cluster minutes after start. Runs on SQLite too: keep it quick."""

import json
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from associations.demo import demo_create as associations_demo
from associations.models import Association
from groups.demo import demo_create as groups_demo
from groups.models import GroupMembership
from lottery import demo_story, selectors, services
from lottery.demo import demo_create
from lottery.models import DrawResult, Lottery, LotteryIndexPage, Ticket
from tests.cms.factories import HomePageFactory

pytestmark = pytest.mark.django_db


def test_without_verified_associations_nothing_is_created():
    lines = []
    demo_create(log=lines.append)
    assert not Lottery.objects.exists()
    assert not LotteryIndexPage.objects.exists()
    assert lines and "No verified" in lines[0]


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from wagtail.models import Page

    HomePageFactory(parent=Page.get_first_root_node(), slug="accueil-demo")
    # The draw's effects (seat, emails) run at its commit, as under `manage.py demo_data`.
    with django_capture_on_commit_callbacks(execute=True):
        associations_demo(log=lambda line: None)
        demo_create(log=lambda line: None)
        groups_demo(log=lambda line: None)
        mail.outbox.clear()
        demo_story.demo_draws_create(log=lambda line: None)
        # A second run changes nothing.
        demo_create(log=lambda line: None)
        demo_story.demo_draws_create(log=lambda line: None)


def test_demo_open_lotteries_are_open_valid_and_created_once(demo):
    verified = Association.objects.filter(status=Association.Status.VERIFIED).count()
    story = (demo_story.PAST_SLUG_PREFIX, demo_story.SOON_SLUG_PREFIX)
    lotteries = [lottery for lottery in Lottery.objects.all() if not lottery.slug.startswith(story)]
    assert len(lotteries) == verified >= 1
    for lottery in lotteries:
        assert lottery.status == Lottery.Status.OPEN
        assert lottery.prizes.count() == 3
        assert lottery.bundles.count() == 2
        assert lottery.tickets.count() == lottery.ticket_cap
        assert selectors.lottery_warnings(lottery=lottery) == []  # in kind, under 15 %
    index = LotteryIndexPage.objects.get()
    assert index.live and index.show_in_menus
    # The menu page stands at the index's own address: no redirect on the way.
    assert index.url_path.endswith(reverse("lottery:index"))


def _download(client, lottery, tmp_path):
    for name, url in [
        ("draw.json", reverse("lottery:draw_record", args=[lottery.slug])),
        ("commitments.txt", reverse("lottery:commitments_chain")),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        (tmp_path / name).write_bytes(
            b"".join(response) if response.streaming else response.content
        )
    ledger = client.get(reverse("lottery:draw_ledger", args=[lottery.slug]))
    (tmp_path / "ledger.txt").write_bytes(b"".join(ledger.streaming_content))


def test_the_demo_drawn_lottery_verifies_with_its_real_beacon(demo, client, tmp_path):
    from .test_draw_verify import SCRIPT

    lottery = Lottery.objects.get(slug__startswith=demo_story.PAST_SLUG_PREFIX)
    assert lottery.status == Lottery.Status.DRAWN
    result = DrawResult.objects.get(lottery=lottery)
    assert DrawResult.objects.filter(lottery=lottery).count() == 1  # drawn once
    assert result.beacon_round == demo_story.RECORDED_ROUND
    assert result.certificate_sha256 and result.record["winners"]
    assert lottery.commitment_entry.position == 1  # opened first, first in the chain

    _download(client, lottery, tmp_path)
    record = json.loads((tmp_path / "draw.json").read_text())
    assert record["beacon"]["signature"] == demo_story.RECORDED_SIGNATURE
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            str(SCRIPT),
            "draw.json",
            "ledger.txt",
            "--chain",
            "commitments.txt",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == "valid", done.stdout
    assert "no public randomness" not in done.stdout

    for url in (
        reverse("lottery:draw_result", args=[lottery.slug]),
        reverse("lottery:draw_certificate", args=[lottery.slug]),
        reverse("papers:funds", args=[lottery.slug]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_demo_draw_enrolled_its_winner_and_told_each_winner_once(demo):
    lottery = Lottery.objects.get(slug__startswith=demo_story.PAST_SLUG_PREFIX)
    result = lottery.draw_result
    first = result.winners.select_related("ticket__order__buyer").get(prize__rank=1)
    assert GroupMembership.objects.filter(
        user=first.ticket.order.buyer,
        group__association=lottery.association,
        joined_via=GroupMembership.JoinedVia.PRIZE_SEAT,
    ).exists()
    winners = result.winners.select_related("ticket__order__buyer")
    people = {w.ticket.order.buyer.email for w in winners if w.ticket.order.buyer}
    result_url = reverse("lottery:draw_result", args=[lottery.slug])
    told = [m for m in mail.outbox if result_url in m.body]
    assert sorted(m.to[0] for m in told) == sorted(people)


def test_the_soon_lottery_closes_in_minutes_and_the_task_cluster_draws_it(
    demo, django_capture_on_commit_callbacks
):
    lottery = Lottery.objects.get(slug__startswith=demo_story.SOON_SLUG_PREFIX)
    now = timezone.now()
    assert lottery.status == Lottery.Status.OPEN
    assert lottery.tickets.filter(status=Ticket.Status.SOLD).exists()
    assert now < lottery.sales_close_at <= now + timezone.timedelta(minutes=10)
    assert lottery.sales_close_at < lottery.draw_at <= now + timezone.timedelta(minutes=15)

    # What the cluster's periodic tasks do once the time has come.
    later = lottery.draw_at + timezone.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.lotteries_sales_sweep(now=lottery.sales_close_at)
        services.draws_sweep(now=lottery.sales_close_at)
    schedule = Schedule.objects.get(name=f"lottery {lottery.pk}: draw")
    assert schedule.next_run == lottery.draw_at
    services.draws_sweep(now=later)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.DRAWN
