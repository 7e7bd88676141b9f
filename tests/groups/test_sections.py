"""The registry through which apps add sections to the site's pages."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory

from assosolos import sections
from tests.associations.factories import AdminFactory
from tests.lottery.factories import open_lottery

SITE_DIR = Path(settings.ROOT_DIR) / "site"
APPS_ABOVE_SITE = {"lottery", "groups"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_site_imports_no_app_above_it():
    offenders = [
        str(path.relative_to(SITE_DIR))
        for path in SITE_DIR.rglob("*.py")
        if "migrations" not in path.parts and _imported_modules(path) & APPS_ABOVE_SITE
    ]
    assert offenders == []


def test_site_templates_name_no_template_of_an_app_above_it():
    template_dirs = [Path(settings.ROOT_DIR) / "templates" / name for name in ("accounts", "cms")]
    template_dirs.append(Path(settings.ROOT_DIR) / "templates" / "associations")
    offenders = []
    for directory in template_dirs:
        for path in directory.rglob("*.html"):
            text = path.read_text()
            if any(f'"{app}/' in text or f"'{app}:" in text for app in APPS_ABOVE_SITE):
                offenders.append(path.name)
    assert offenders == []


def test_unknown_place_is_refused():
    with pytest.raises(ValueError, match="Unknown place"):
        sections.section_register(place="sidebar", template_name="x.html")


def test_callable_returning_none_leaves_the_section_out(db):
    rendered = Template('{% load sections %}{% sections "home" %}').render(
        Context({"request": RequestFactory().get("/")})
    )
    # No open lottery: the lottery app's home section is left out, not shown empty.
    assert "open-lotteries-title" not in rendered


def test_home_page_shows_open_lotteries_through_the_registry(client, home_page):
    lottery = open_lottery(title="Loterie du printemps")
    response = client.get(home_page.url)
    assert response.status_code == 200
    assert 'id="open-lotteries-title"' in response.text
    assert lottery.title in response.text


def test_account_pages_show_the_apps_links_and_panels(client, user):
    client.force_login(user)
    response = client.get("/compte/")
    assert response.status_code == 200
    assert 'href="/loteries/mes-billets/"' in response.text


def test_association_dashboard_shows_the_lottery_panel_to_managers(client, db):
    admin = AdminFactory()
    client.force_login(admin.user)
    response = client.get(admin.association.get_dashboard_url())
    assert response.status_code == 200
    assert 'id="lotteries-title"' in response.text
