"""The demo_data command: site tree, staff account, idempotency, other apps' steps."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Locale, Page, Revision, Site

from accounts.models import User
from cms.management.commands import demo_data
from cms.models import ArticleIndexPage, ArticlePage, ContentPage, HomePage
from tests.factories import totp_code

STEP_CALLS: list[str] = []


def record_step() -> None:
    """A demo step other apps could provide."""
    STEP_CALLS.append("called")


def run_demo_data(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "pages": list(Page.objects.order_by("pk").values_list("pk", "path", "live", "title")),
        "revisions": Revision.objects.count(),
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "password")),
        "emails": EmailAddress.objects.count(),
        "sites": list(Site.objects.values_list("pk", "hostname", "port", "root_page_id")),
    }


@pytest.fixture
def only_cms_step(monkeypatch):
    # Other apps' steps have their own tests; these check the site step.
    monkeypatch.setattr(demo_data, "DEMO_STEPS", [])


def test_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        run_demo_data()

    assert not HomePage.objects.exists()
    assert not User.objects.exists()


def test_runs_with_debug_on(db, settings, only_cms_step):
    settings.DEBUG = True

    run_demo_data()

    # The French home page and its English translation.
    assert sorted(HomePage.objects.values_list("locale__language_code", flat=True)) == [
        "en",
        "fr",
    ]


def test_builds_the_site_tree(db, client, only_cms_step):
    output = run_demo_data("--force")

    home = HomePage.objects.get(locale__language_code="fr")
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)
    # Wagtail's welcome page is gone: the home page and its English translation are the
    # only pages under the root.
    english_home = home.get_translation(Locale.objects.get(language_code="en"))
    assert list(Page.get_first_root_node().get_children()) == [
        home.page_ptr,
        english_home.page_ptr,
    ]
    index = ArticleIndexPage.objects.child_of(home).live().get(title="Articles")
    assert index.show_in_menus

    articles = ArticlePage.objects.child_of(index).live()
    assert articles.count() == 4
    for article in articles:
        assert article.tags.exists()
        paragraphs = [block for block in article.body if block.block_type == "paragraph"]
        assert len(paragraphs) >= 3
    legal = ContentPage.objects.live().child_of(home).filter(show_in_footer=True).order_by("path")
    assert [page.title for page in legal] == [
        "Mentions légales",
        "Confidentialité",
        "Conditions d'utilisation",
    ]
    assert ContentPage.objects.live().get(title="À propos").show_in_menus
    assert "created page “Articles”" in output

    response = client.get("/", headers={"host": "127.0.0.1:8000"})
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert len(page.select(".article-card")) == 3
    assert {"À propos", "Articles"} <= {a.get_text(strip=True) for a in page.select("ul.menu a")}
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_second_run_changes_nothing_and_says_so(db, only_cms_step):
    run_demo_data("--force")
    before = snapshot()

    output = run_demo_data("--force")

    assert snapshot() == before
    assert "nothing changed" in output
    assert "created" not in output


def test_whole_command_with_every_app_step_is_idempotent(db):
    run_demo_data("--force")
    before = snapshot()
    counts = {model: model.objects.count() for model in (Page, User, EmailAddress)}

    run_demo_data("--force")

    assert snapshot() == before
    assert {model: model.objects.count() for model in counts} == counts


def test_printed_staff_credentials_log_into_the_cms_and_the_site(db, client, only_cms_step):
    output = run_demo_data("--force")

    email, password = re.search(r"(\S+@\S+) / (\S+)", output).groups()
    assert email == "staff@assosolos.test"
    secret = re.search(r"two-factor secret .*: ([A-Z2-7]+)", output).group(1)
    assert f"secret={secret}" in re.search(r"URI: (otpauth://totp/\S+)", output).group(1)
    recovery_codes = re.search(r"recovery codes .*: ([\w ]+)", output).group(1).split()
    assert len(recovery_codes) == 10

    # The CMS's own login leads to the site's, which then asks for the second factor.
    response = client.post("/cms/login/", {"username": email, "password": password})
    assert response["Location"] == "/accounts/login/?next=%2Fcms%2F"
    response = client.post(response["Location"], {"login": email, "password": password})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200

    client.logout()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    response = client.post(reverse("mfa_authenticate"), {"code": recovery_codes[0]})
    assert response.status_code == 302
    assert client.get("/compte/").status_code == 200

    # A second run keeps the same device, so what was printed keeps working.
    assert f"{secret}" in run_demo_data("--force")


def test_runs_other_apps_steps_and_skips_missing_ones(db, monkeypatch):
    STEP_CALLS.clear()
    monkeypatch.setattr(
        demo_data,
        "DEMO_STEPS",
        [
            "tests.cms.test_demo_data.record_step",
            "notanapp.demo.demo_create",
            "cms.nodemo.demo_create",
        ],
    )

    output = run_demo_data("--force")

    assert STEP_CALLS == ["called"]
    assert "Skipped notanapp.demo.demo_create" in output
    assert "Skipped cms.nodemo.demo_create" in output


def test_a_step_missing_its_function_is_an_error(db, monkeypatch):
    monkeypatch.setattr(demo_data, "DEMO_STEPS", ["cms.demo.no_such_function"])

    with pytest.raises(ImportError):
        run_demo_data("--force")


def test_the_default_site_follows_the_address_the_site_runs_on(db, client, only_cms_step, settings):
    run_demo_data("--force")
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8123"
    run_demo_data("--force")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    sitemap = client.get("/sitemap-fr.xml").content.decode()
    assert "http://127.0.0.1:8123/" in sitemap and ":8000/" not in sitemap
