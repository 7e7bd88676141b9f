"""Production settings: every secret comes from the environment, or nothing starts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production.")
required("DATABASE_URL")
# Rate limits and the live rooms need a cache and a channel layer shared by all workers.
required("REDIS_URL")
# The networks' credentials of the relay are encrypted with it (a Fernet key).
RELAY_CREDENTIALS_KEY = required("RELAY_CREDENTIALS_KEY")
# Anonymous visitors get the home and lottery pages from a copy a few seconds old at most.
ANONYMOUS_PAGE_CACHE_SECONDS = env.int("ANONYMOUS_PAGE_CACHE_SECONDS", default=5)
# A draw needs public randomness (DRAND_URLS) unless the operator says otherwise.
DRAW_SEED_ONLY_ALLOWED = env.bool("DRAW_SEED_ONLY_ALLOWED", default=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# --- Content-Security-Policy (django-csp) --------------------------------------
from .csp import content_security_policy, staff_content_security_policy  # noqa: E402

CONTENT_SECURITY_POLICY = content_security_policy(
    site_url=SITE_URL,  # noqa: F405
    stripe_js_url=STRIPE_JS_URL,  # noqa: F405
    stripe_api_base=STRIPE_API_BASE,  # noqa: F405
    templates_dir=ROOT_DIR / "templates",  # noqa: F405
)
CONTENT_SECURITY_POLICY_STAFF = staff_content_security_policy()
# --- End of Content-Security-Policy --------------------------------------------

# --- PostgreSQL connection pool --------------------------------------------------
# Django's built-in psycopg pool: each worker process holds between MIN and MAX
# connections and hands them to requests, so an ASGI server's many threads never
# open more (a persistent CONN_MAX_AGE connection per thread leaks under ASGI).
# DB_POOL=false leaves pooling to something in front of PostgreSQL (PgBouncer).
DB_POOL = env.bool("DB_POOL", default=True)
if DB_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    # The pool checks each connection before handing it out (psycopg_pool's
    # ConnectionPool.check_connection, which Django passes as the pool's `check` when
    # health checks are on): after a database restart, the dead connections it held
    # are replaced instead of failing one request each.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        # Seconds a request waits for a free connection before it fails.
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        # Seconds an idle connection above MIN is kept before being closed.
        "max_idle": env.float("DB_POOL_MAX_IDLE", default=300.0),
    }
# --- End of PostgreSQL connection pool -------------------------------------------

# The health endpoint answers a monitor over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
