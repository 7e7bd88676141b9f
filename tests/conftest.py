"""Fixtures shared by the whole suite.

Tests that need PostgreSQL, Redis or Chromium skip when those are absent on a
developer's machine, but fail with CI=true: CI must run every one of them.
"""

import contextlib
import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""


# What runs a second time on SQLite in CI: the code that takes another path there (the
# reservation, the room post, the seal, the locks, the search backend, the cache and
# rate limits without Redis, the ORM task broker) and the embedded default (settings
# with nothing set, demo data, the development server's path).
SQLITE_FILES = frozenset(
    {
        "tests/accounts/test_login_limits.py",
        "tests/cms/test_demo_data.py",
        "tests/cms/test_search.py",
        "tests/cms/test_search_everything.py",
        "tests/followups/test_reminders.py",
        "tests/followups/test_services.py",
        "tests/groups/test_attendance_services.py",
        "tests/groups/test_demo.py",
        "tests/groups/test_room_edits.py",
        "tests/groups/test_room_messages.py",
        "tests/groups/test_room_post_contract.py",
        "tests/groups/test_notify_digest.py",
        "tests/groups/test_room_search.py",
        "tests/lottery/test_reservation_contract.py",
        "tests/lottery/test_demo.py",
        "tests/lottery/test_draw_chain.py",
        "tests/lottery/test_draw_services.py",
        "tests/lottery/test_race.py",
        "tests/lottery/test_services.py",
        "tests/lottery/test_tasks.py",
        "tests/project/test_cache_outage.py",
        "tests/project/test_healthz.py",
        "tests/project/test_layout.py",
        "tests/project/test_page_cache.py",
        "tests/project/test_ratelimit.py",
        "tests/project/test_settings.py",
        "tests/project/test_task_queues.py",
    }
)


def skip_or_fail(reason: str) -> None:
    """Skip on a laptop that lacks a service; fail in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _wagtail_tree_after_flush(sender, **kwargs) -> None:
    """Put back the rows Wagtail's data migrations make, after a test flushed them.

    A transactional test empties every table when it ends; Django then sends
    post_migrate (content types and permissions come back) but runs no migration,
    so the page tree's root, the default site and the root collection would be
    gone for every later test of the same process, whatever file it is in.
    """
    if sender.label != "wagtailcore":
        return
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    using = kwargs.get("using", "default")
    if Page._meta.db_table not in connections[using].introspection.table_names():
        return
    if not Collection.objects.using(using).filter(depth=1).exists():
        Collection.add_root(name="Root")
    if Page.objects.using(using).filter(depth=1).exists():
        return
    locale, _created = Locale.objects.using(using).get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    page_type = ContentType.objects.get_for_model(Page)
    root = Page.add_root(
        instance=Page(title="Root", slug="root", content_type=page_type, locale=locale)
    )
    welcome = root.add_child(
        instance=Page(
            title="Welcome to your new Wagtail site!",
            slug="home",
            content_type=page_type,
            locale=locale,
        )
    )
    Site.objects.using(using).get_or_create(
        hostname="localhost",
        defaults={"port": 80, "root_page": welcome, "is_default_site": True},
    )


# A SQLite database migrated earlier (CI makes one beside the PostgreSQL template): each
# test process starts from a copy of it instead of running every migration again.
SQLITE_TEMPLATE = os.environ.get("TEST_SQLITE_TEMPLATE", "")


def _sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def pytest_configure(config):
    from django.db.models.signals import post_migrate

    post_migrate.connect(_wagtail_tree_after_flush, dispatch_uid="tests_wagtail_tree")
    if SQLITE_TEMPLATE and _sqlite():
        config.option.reuse_db = True  # keep the copy: migrate then finds nothing to do


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    if SQLITE_TEMPLATE and _sqlite():
        copy = settings.DATABASES["default"]["TEST"]["NAME"]
        shutil.copyfile(SQLITE_TEMPLATE, copy)
        yield
        for path in (copy, f"{copy}-wal", f"{copy}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        return
    yield


def pytest_collection_modifyitems(config, items):
    # Mark what needs a real service, so a run can select or deselect it. CI runs the
    # whole suite on PostgreSQL + Redis, then on SQLite only the tests marked `sqlite`:
    # those of what differs by database, and of the embedded default (SQLITE_FILES).
    for item in items:
        if item.nodeid.split("::")[0] in SQLITE_FILES:
            item.add_marker(pytest.mark.sqlite)
        fixtures = getattr(item, "fixturenames", ())
        if "require_postgres" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "require_redis" in fixtures:
            item.add_marker(pytest.mark.redis)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with its periodic tasks due from now, as a migration makes them.

    A test database copied from a template migrated earlier (TEST_DATABASE_TEMPLATE)
    would carry the template's next runs, minutes old: a cluster catches up one period
    per pass, and the task health check would find it late.
    """
    from django.utils import timezone
    from django_q.models import Schedule

    with django_db_blocker.unblock():
        Schedule.objects.filter(next_run__lt=timezone.now()).update(next_run=timezone.now())


@pytest.fixture
def english(client):
    """The test client reading the English site (`/en/…`), signed in as `client` is."""
    from tests.factories import english_client

    return english_client(client)


@pytest.fixture(autouse=True)
def _language_reset():
    # A request in English leaves English active in this thread (the locale middleware
    # activates it and nothing deactivates it): the next test starts from the default.
    yield
    translation.deactivate()


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


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """STATIC_ROOT for the production-shaped servers, collected once per run.

    Production pages name their static files through the collected manifest. Test
    workers of one run share it: the first collects under a file lock, the others
    find it done (collecting takes seconds; several modules need it).
    """
    import fcntl

    from tests.project.live_production import collect_static

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    path = shared / "collected-static"
    with open(shared / "collected-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / "staticfiles.json").exists():
            collect_static(str(path))
    return str(path)


@pytest.fixture
def artifacts_dir():
    """Where browser tests leave screenshots for people to look at."""
    path = settings.ROOT_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
