"""Test settings: fast hashing, in-memory email, a private cache.

DATABASE_URL and REDIS_URL, when set, switch the suite to PostgreSQL and Redis.
"""

import base64
import hashlib
import os
from urllib.parse import urlsplit, urlunsplit

# Each pytest-xdist worker gets its own Redis database (the next ones after
# REDIS_URL's): tests clear the cache between them, which flushes a whole database,
# and a worker must not wipe another's rate-limit counts. Done once per process tree,
# so servers a test starts inherit the same database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if (
    os.environ.get("REDIS_URL")
    and _worker.startswith("gw")
    and not os.environ.get("ASSOSOLOS_TEST_REDIS_DB")
):
    _parts = urlsplit(os.environ["REDIS_URL"])
    _db = int(_parts.path.lstrip("/") or 0) + 1 + int(_worker[2:])
    os.environ["REDIS_URL"] = urlunsplit(_parts._replace(path=f"/{_db}"))
    os.environ["ASSOSOLOS_TEST_REDIS_DB"] = str(_db)

from .base import *  # noqa: E402, F403
from .base import POST_OFFICE, REDIS_URL, env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-key-with-enough-length-to-satisfy-the-checks-0123456789"  # noqa: S105
# The relay's credentials key, derived from SECRET_KEY unless given (never in production).
RELAY_CREDENTIALS_KEY = (
    env("RELAY_CREDENTIALS_KEY", default="")
    or base64.urlsafe_b64encode(hashlib.sha256(f"relay:{SECRET_KEY}".encode()).digest()).decode()
)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Emails go through the outgoing queue as in production, then to Django's outbox.
POST_OFFICE = {
    **POST_OFFICE,
    "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=ROOT_DIR / "var" / "test-media")  # noqa: F405
PRIVATE_MEDIA_ROOT = ROOT_DIR / "var" / "test-private-media"  # noqa: F405
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = "assosolos-test"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "assosolos-test"  # noqa: F405
    Q_CLUSTER["name"] = "assosolos-test"  # noqa: F405
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "local": LOCAL_CACHE,  # noqa: F405
    }
# Tasks run in-process unless a test starts a real cluster.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
LANGUAGE_CODE = "fr"
LOGGING = {"version": 1, "disable_existing_loggers": False}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Django's backend with a flush by DELETE (see its docstring): the suite's
    # transactional tests end sooner.
    DATABASES["default"]["ENGINE"] = "tests.postgres_backend"  # noqa: F405
    # A database already migrated (CI makes one): each test database is a copy of it,
    # made in a second instead of running every migration again.
    if env("TEST_DATABASE_TEMPLATE", default=""):
        DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = env("TEST_DATABASE_TEMPLATE")  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    (ROOT_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    # A file, not shared-cache memory: concurrent tests need SQLite's busy timeout,
    # which shared-cache mode ignores (it fails at once with "table is locked").
    # One file per test process, so parallel runs never share a database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(ROOT_DIR / "var" / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
