"""Fixtures shared by the whole suite.

Tests that need PostgreSQL, Redis or Chromium skip when those are absent on a
developer's machine, but fail with CI=true: CI must run every one of them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop that lacks a service; fail in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    # Mark what needs a real service, so a run can select or deselect it
    # (CI's SQLite pass leaves these to its PostgreSQL + Redis pass).
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "require_postgres" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "require_redis" in fixtures:
            item.add_marker(pytest.mark.redis)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits count in the cache; no test may inherit another's counts, nor a copy
    # of another's pages kept in this process.
    cache.clear()
    caches["local"].clear()
    yield
    cache.clear()
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def require_postgres():
    if not is_postgres():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis: set REDIS_URL=redis://…")


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return StaffFactory(email="staff@example.org")


# --- Browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def _playwright_browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread
    # while it is open, which async tests in other modules must not inherit.
    if not CHROMIUM:
        skip_or_fail("needs the system Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # The ORM refuses to run in a thread with a running event loop; Playwright's
    # loop only drives the browser, so the test's own queries are safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(_playwright_browser, live_server, settings):
    """A fresh browser context on the live server; the page's base URL is the server's."""
    settings.ALLOWED_HOSTS = ["*"]
    context = _playwright_browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    """Where browser tests leave screenshots for people to look at."""
    path = settings.ROOT_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
