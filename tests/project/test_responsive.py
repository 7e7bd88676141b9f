"""No page scrolls sideways on a phone: a crawl of every page a signed-in person reaches.

Starting from the home page and the dashboards, as an association admin and as a buyer,
the browser follows every link of the site at a 390 px wide viewport and measures each
page: the document must be no wider than the screen, and no table may run past it
(a table in a scrolling box would hide its last columns).
"""

from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from accounts.models import User
from associations.models import Association
from lottery import services
from lottery.models import Lottery, Order
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Not pages a person reads on the site: admin, files, feeds, the language switch.
SKIPPED_PREFIXES = ("/cms/", "/django-admin/", "/documents/", "/media/", "/static/", "/i18n/")
SKIPPED_SUFFIXES = (
    ".csv",
    ".xlsx",
    ".pdf",
    ".ics",
    ".xml",
    ".txt",
    ".json",
    ".py",
    "/feed/",
    ".ico",
    ".svg",
    # Private files (the arrêté's scan, proofs of the use of funds) are downloads.
    "/arrete/",
)
MAX_PAGES = 120

MEASURE = """() => ({
  width: document.documentElement.scrollWidth,
  tables: [...document.querySelectorAll('table')]
    .filter(t => t.getClientRects().length)
    .map(t => Math.ceil(t.getBoundingClientRect().right)),
})"""


@pytest.fixture
def site_with_sales(transactional_db):
    """The demo site, with sales: a buyer's paid, pending and cash orders."""
    call_command("demo_data", "--force", stdout=StringIO())
    association = Association.objects.get(slug="tremplin-linkedin")
    admin = User.objects.get(email="yacine.benali@tremplin-linkedin.test")
    lottery = Lottery.objects.get(slug=f"tombola-{association.slug}")  # its main one, open
    buyer = UserFactory(
        email="camille.buyer@example.org", display_name="Camille Rousseau-Delacroix"
    )
    for quantity in (10, 5, 1):
        order = services.order_reserve(lottery=lottery, buyer=buyer, quantity=quantity)
        services.order_confirm_payment(order_id=order.pk, payment_intent_id=f"pi_demo_{order.pk}")
    services.order_reserve(lottery=lottery, buyer=buyer, quantity=2)  # left pending
    services.order_record_offline(
        lottery=lottery,
        actor=admin,
        channel=Order.Channel.CASH,
        quantity=3,
        receipt_number="R-2026-0001",
        buyer_name="Jean-Baptiste Villeneuve-Saint-Georges",
        buyer_email="jb.villeneuve@example.org",
    )
    return {"association": association, "admin": admin, "buyer": buyer, "lottery": lottery}


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _followable(url: str, origin: str) -> str | None:
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    return url


def crawl(page, origin: str, starts: list[str]) -> dict[str, dict]:
    """Every page reachable by links from `starts`, with its measures."""
    queue = deque(origin + path for path in starts)
    seen: set[str] = set()
    measures: dict[str, dict] = {}
    while queue and len(measures) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a file, not a page
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        assert response.status < 500, f"{url} answered {response.status}"
        if response.status >= 400:
            continue
        measures[page.url] = page.evaluate(MEASURE)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = _followable(href, origin)
            if link and link not in seen:
                queue.append(link)
    return measures


def _too_wide(measures: dict[str, dict]) -> list[str]:
    limit = PHONE["width"]
    return [
        f"{url}: page {m['width']} px, tables {m['tables']}"
        for url, m in measures.items()
        if m["width"] > limit or any(right > limit for right in m["tables"])
    ]


def test_no_page_scrolls_sideways_for_an_association_admin(
    browser_page, live_server, site_with_sales
):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, site_with_sales["admin"])
    slug = site_with_sales["association"].slug

    measures = crawl(
        page,
        live_server.url,
        ["/", reverse("accounts:dashboard"), reverse("associations:dashboard", args=[slug])],
    )

    # The crawl reached the pages that matter, not only the home page.
    paths = {urlsplit(url).path for url in measures}
    lottery = site_with_sales["lottery"]
    assert reverse("associations:dashboard", args=[slug]) in paths
    assert reverse("lottery:manage", args=[slug, lottery.slug]) in paths
    assert urlsplit(lottery.get_absolute_url()).path in paths
    assert len(measures) >= 20, sorted(paths)
    too_wide = _too_wide(measures)
    assert not too_wide, "\n".join(too_wide)


def test_no_page_scrolls_sideways_for_a_buyer(browser_page, live_server, site_with_sales):
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, site_with_sales["buyer"])

    measures = crawl(page, live_server.url, ["/", reverse("accounts:dashboard")])

    paths = {urlsplit(url).path for url in measures}
    assert reverse("lottery:my_tickets") in paths
    assert len(measures) >= 15, sorted(paths)
    too_wide = _too_wide(measures)
    assert not too_wide, "\n".join(too_wide)


SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


@pytest.mark.parametrize("screen", SCREENS)
def test_screenshots_of_the_lottery_page_and_my_tickets(
    browser_page, live_server, site_with_sales, screen
):
    """Saved under var/screenshots/ for people to look at (CI keeps them as artifacts)."""
    from django.conf import settings

    folder = settings.ROOT_DIR / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page = browser_page
    page.set_viewport_size(SCREENS[screen])
    sign_in(page, live_server, site_with_sales["buyer"])

    page.goto(site_with_sales["lottery"].get_absolute_url())
    page.locator("progress").first.wait_for()
    lottery_shot = folder / f"lottery-page-{screen}.png"
    page.screenshot(path=str(lottery_shot), full_page=True)

    page.goto(reverse("lottery:my_tickets"))
    # Every order's status and numbers are on screen, not in a box scrolled away.
    for cell in page.locator("td[data-label]").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= SCREENS[screen]["width"]
    assert page.locator("td[data-label]").count() >= 20  # 4 orders × 5 columns
    tickets_shot = folder / f"my-tickets-{screen}.png"
    page.screenshot(path=str(tickets_shot), full_page=True)

    for shot in (lottery_shot, tickets_shot):
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == SCREENS[screen]["width"]
