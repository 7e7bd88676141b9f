"""In Chromium: axe-core finds no serious or critical violation on the main page of each role.

One browser context per role visits its pages in turn: a visitor (home, a lottery, the
showcase), a buyer (checkout, "My tickets"), an association admin (its dashboard, a
lottery's manage page) and a group member (the group, its room, a pitch). A failure
lists, per page, each rule broken, what to do and the first elements at fault.
"""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from cms.demo import demo_site_create
from groups.pitches import services as pitch_services
from groups.services.room import REACTIONS, room_message_post, room_reaction_toggle
from lottery import services as lottery_services
from tests.factories import UserFactory
from tests.groups.conftest import server  # noqa: F401
from tests.groups.factories import GroupFactory, GroupMemberFactory, SessionFactory
from tests.groups.pitches.conftest import GOOD
from tests.lottery.conftest import localstripe, localstripe_server, reserve_with_intent  # noqa: F401
from tests.lottery.factories import manager_of, open_lottery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def _context(browser, base_url, user=None):
    """A browser context, signed in as `user` (the test client's session cookie) if given."""
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
        )
    return context


def _violations(axe, page, url, ready) -> list[str]:
    """The serious and critical violations on `url`, one readable line each."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    if ready:  # what the page's script fills in, so axe checks it too
        expect(page.locator(ready).first).to_be_visible()
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        found.append(
            f"{url}: {violation['impact']} {violation['id']}: {violation['help']}"
            f" ({len(violation['nodes'])}x) at {targets}"
        )
    return found


def _pitch_approved(*, group, author, peer, facilitator):
    pitch = pitch_services.pitch_save(actor=author, group=group, **GOOD)
    pitch_services.pitch_submit(actor=author, pitch=pitch)
    version = pitch.versions.get()
    pitch_services.pitch_comment_add(actor=peer, version=version, body="Clair et précis.")
    pitch_services.pitch_mark_ready(actor=peer, version=version)
    return pitch_services.pitch_approve(actor=facilitator, pitch=pitch)


@pytest.mark.usefixtures("localstripe")  # the checkout page creates its PaymentIntent there
def test_main_pages_of_every_role_have_no_serious_accessibility_violation(
    _playwright_browser,
    live_server,
    server,  # noqa: F811 (the fixture imported above)
    settings,
):
    from groups.models import GroupMembership

    settings.ALLOWED_HOSTS = ["*"]
    demo_site_create(log=lambda message: None)
    lottery = open_lottery(title="Tombola des ateliers", ticket_price_cents=300, ticket_cap=40)
    admin = manager_of(lottery.association)
    buyer = UserFactory(display_name="Camille")
    lottery_services.order_confirm_payment(
        order_id=(paid := reserve_with_intent(lottery=lottery, buyer=buyer, quantity=2)).pk,
        payment_intent_id=paid.stripe_payment_intent_id,
    )
    pending = reserve_with_intent(lottery=lottery, buyer=buyer, quantity=1)

    group = GroupFactory(title="Groupe X")
    author, peer, facilitator = (UserFactory(display_name=n) for n in ("Awa", "Paul", "Fanny"))
    GroupMemberFactory(group=group, user=author)
    GroupMemberFactory(group=group, user=peer)
    GroupMemberFactory(group=group, user=facilitator, role=GroupMembership.Role.FACILITATOR)
    group.facilitator = facilitator
    group.save(update_fields=["facilitator"])
    SessionFactory(group=group)
    # A room with a conversation: a message, an answer to it, a reaction.
    first = room_message_post(group_id=group.pk, actor=peer, body="Bonjour à tous !")
    room_message_post(group_id=group.pk, actor=author, body="Bonjour Paul.", reply_to_seq=first.seq)
    room_reaction_toggle(group_id=group.pk, seq=first.seq, actor=author, emoji=REACTIONS[0])
    pitch = _pitch_approved(group=group, author=author, peer=peer, facilitator=facilitator)
    edition = pitch_services.showcase_publish(
        association_id=group.association_id, now=pitch.approved_at + dt.timedelta(days=8)
    )

    manage_args = [lottery.association.slug, lottery.slug]
    live = live_server.url
    # (server, role, [(page, what shows it is ready)]). The room needs its websocket,
    # so a real ASGI server on the same database.
    visits = [
        (live, None, ["/", reverse("lottery:detail", args=[lottery.slug]), edition.page.url]),
        (
            live,
            buyer,
            [reverse("lottery:checkout", args=[pending.pk]), reverse("lottery:my_tickets")],
        ),
        (
            live,
            admin,
            [
                reverse("associations:dashboard", args=[lottery.association.slug]),
                reverse("lottery:manage", args=manage_args),
            ],
        ),
        (
            live,
            author,
            [reverse("groups:detail", args=[group.pk]), reverse("pitches:detail", args=[pitch.pk])],
        ),
        (server, author, [(reverse("groups:room", args=[group.pk]), "#room-messages li >> nth=1")]),
    ]
    axe = Axe()
    found = []
    for base_url, user, urls in visits:
        context = _context(_playwright_browser, base_url, user)
        page = context.new_page()
        for url in urls:
            url, ready = url if isinstance(url, tuple) else (url, None)
            found += _violations(axe, page, url, ready)
        context.close()
    assert not found, "axe-core, serious and critical violations:\n" + "\n".join(found)
