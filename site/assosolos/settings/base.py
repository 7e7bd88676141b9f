"""Settings shared by every environment, read from the environment.

With nothing set, the site runs on the embedded default: SQLite, an in-memory
channel layer, the django-q2 ORM broker, console email and local media.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

ROOT_DIR = Path(__file__).resolve().parents[3]
SITE_DIR = ROOT_DIR / "site"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "accounts",
    "associations",
    "cms",
    "lottery",
    "connect",
    "papers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "channels",
    "django_q",
    "post_office",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

# Peer-learning groups and their live rooms.
INSTALLED_APPS += ["groups", "groups.pitches"]
INSTALLED_APPS += ["followups"]
INSTALLED_APPS += ["relay"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database or cache that is away gives the 503 page (assosolos/unavailable.py).
    "assosolos.unavailable.ServiceUnavailableMiddleware",
    "assosolos.middleware.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "assosolos.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so that every middleware above also runs on a page served from the cache.
    "assosolos.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "assosolos.urls"
WSGI_APPLICATION = "assosolos.wsgi.application"
ASGI_APPLICATION = "assosolos.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
            # {% sections "<place>" %}: what apps add to site/'s pages (sections.py);
            # {% personal "<template>" %}: a page's part that is the visitor's own (personal.py).
            "libraries": {"sections": "assosolos.sections", "personal": "assosolos.personal"},
        },
    },
]

# --- Data stores ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{ROOT_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer lock instead of failing at once; IMMEDIATE takes the write
    # lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# Seconds the cache (and the task broker's client) waits to connect to Redis and for an
# answer: an unreachable Redis costs a page this much at most, then the page goes on.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
# One per deployment sharing a Redis: cache keys, channel-layer groups and the
# task queue are all named after it.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="assosolos")

# This process's own short-lived copies of what every request reads alike (menus, the
# shared parts of a lottery's page), so a signed-in page costs no round trip for them;
# they live at most ANONYMOUS_PAGE_CACHE_SECONDS, like the anonymous page copies.
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "assosolos-local",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# A room's hub channel (one per room and server process, see groups.hub) carries all
# of the room's events for that process, so a burst of messages fits in it; other
# channels keep the layer's default of 100 waiting messages. (Redis layer only.)
ROOM_HUB_CHANNEL_CAPACITY = {"*!roomhub.*": 1000}

if REDIS_URL:
    CACHES = {
        "default": {
            # One pool of Redis connections per process, not one per request; while
            # Redis is away it misses instead of failing (see assosolos/cache.py).
            "BACKEND": "assosolos.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                # A page waits this long at most for an unreachable Redis.
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        },
        "local": LOCAL_CACHE,
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py refuses a 101st connection by default (it does not wait), and
                # a room's members connecting at once each need one for group_add.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=1000),
                        # The layer waits for messages with a blocking pop of 5 s; redis-py's
                        # own default read timeout is also 5 s, so an idle, busy process
                        # could time out on the pop's empty answer and drop the socket.
                        "socket_timeout": 30,
                    }
                ],
                "prefix": CACHE_KEY_PREFIX,
                "channel_capacity": ROOM_HUB_CHANNEL_CAPACITY,
            },
        }
    }
else:
    # A real cache, not the dummy one: the login and signup rate limits count in it.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "local": LOCAL_CACHE,
    }
    # In one process the hub takes its events straight from memory: the default fits.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Task queue ----------------------------------------------------------------
Q_CLUSTER = {
    # The Redis list of queued tasks is named after the cluster: one per deployment,
    # so two deployments sharing a Redis never run each other's tasks.
    "name": CACHE_KEY_PREFIX,
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "catch_up": False,
    "ack_failures": True,
    "save_limit": 500,
    "label": "Tâches",
}
if REDIS_URL and env.bool("Q_REDIS_BROKER", default=True):
    # With timeouts, so an unreachable Redis fails the broker's calls instead of hanging
    # them (the cluster waits for tasks with a pop of 1 s; the read timeout is longer).
    _separator = "&" if "?" in REDIS_URL else "?"
    Q_CLUSTER["redis"] = (
        f"{REDIS_URL}{_separator}socket_connect_timeout={REDIS_CONNECT_TIMEOUT}"
        f"&socket_timeout={max(REDIS_SOCKET_TIMEOUT, 5.0)}"
    )
else:
    Q_CLUSTER["orm"] = "default"

# --- Authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address signs the person in and sends them where they were going.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Assosolos] "
# Signing up with a taken address must say so on the page.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Second-factor codes only: failed passwords are counted by accounts.login_limits
    # (the account adapter), per address and account together (LOGIN_FAILURES_*).
    "login_failed": "5/5m/key,10/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

# --- Accounts: one login door, two factors --------------------------------------
# The CMS and the Django admin send people to the site's login (see assosolos/urls.py);
# their own password screens are off, so verification and rate limits apply to all.
INSTALLED_APPS += ["allauth.mfa"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware") + 1,
    "accounts.middleware.StaffTwoFactorMiddleware",
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Assosolos"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# No avatars fetched from an outside service (it would learn who uses the admin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The client address behind a proxy: either the ASGI server rewrites it (uvicorn
# --proxy-headers --forwarded-allow-ips=<proxy>) and these stay unset, or the site
# reads it from the proxies' header (assosolos.ratelimit.client_address, which allauth
# uses too through the account adapter). Never both, and never trust a header no proxy
# sets. The ALLAUTH_ names are still read, for deployments configured before.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
)
TRUSTED_CLIENT_IP_HEADER = env(
    "TRUSTED_CLIENT_IP_HEADER", default=env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)
)
# Failed logins (accounts.login_limits). Per address and account together, so a
# stranger's wrong passwords never lock the owner out from elsewhere...
LOGIN_FAILURES_PER_PAIR = env.int("LOGIN_FAILURES_PER_PAIR", default=5)
LOGIN_FAILURES_PAIR_PERIOD = env.int("LOGIN_FAILURES_PAIR_PERIOD", default=300)
# ...per address over all accounts (one address trying many accounts)...
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURES_ADDRESS_PERIOD = env.int("LOGIN_FAILURES_ADDRESS_PERIOD", default=300)
# ...and per account over all addresses: past LOGIN_ACCOUNT_DELAY_AFTER failures in the
# period each attempt waits longer (doubling from LOGIN_ACCOUNT_DELAY_SECONDS up to
# LOGIN_ACCOUNT_MAX_DELAY_SECONDS); at LOGIN_ACCOUNT_CEILING password sign-in to the
# account pauses until the period ends and its owner is emailed a one-time sign-in
# link, valid LOGIN_LINK_MAX_AGE seconds.
LOGIN_ACCOUNT_PERIOD = env.int("LOGIN_ACCOUNT_PERIOD", default=3600)
LOGIN_ACCOUNT_DELAY_AFTER = env.int("LOGIN_ACCOUNT_DELAY_AFTER", default=10)
LOGIN_ACCOUNT_DELAY_SECONDS = env.int("LOGIN_ACCOUNT_DELAY_SECONDS", default=2)
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env.int("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", default=300)
LOGIN_ACCOUNT_CEILING = env.int("LOGIN_ACCOUNT_CEILING", default=20)
LOGIN_LINK_MAX_AGE = env.int("LOGIN_LINK_MAX_AGE", default=1800)
# Invitation emails one person, and one association, may send per period (seconds).
ASSOCIATIONS_INVITATIONS_PER_PERSON = 10
ASSOCIATIONS_INVITATIONS_PER_ASSOCIATION = 20
ASSOCIATIONS_INVITATIONS_PERIOD = 3600

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [ROOT_DIR / "locale"]
# Emails are written in one language, the site's: the person who receives one is rarely
# the one whose request caused it.
EMAIL_LANGUAGE_CODE = LANGUAGE_CODE
# English dates the British way (assosolos/formats/en/formats.py).
FORMAT_MODULE_PATH = ["assosolos.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# The language is in the address: French at the root, English under /en/ (urls.py,
# assosolos/languages.py). CMS pages are translated with Wagtail's localisation: one
# page tree per language, the English pages keep the French slugs.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=ROOT_DIR / "staticfiles")
STATICFILES_DIRS = [ROOT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=ROOT_DIR / "media")
# Uploaded documents that only their owners and staff may read; never web-served.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=ROOT_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email ---------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Assosolos <contact@assosolos.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Outgoing email queue (django-post-office) ---------------------------------
# Every email is written to a queue table in the transaction that causes it and
# sent by a task (assosolos.emails), so none is lost while SMTP, Redis or the task
# cluster is away. EMAIL_URL's backend is the one that actually delivers.
EMAIL_BACKEND = "assosolos.emails.QueueBackend"
POST_OFFICE = {
    "BACKENDS": {"default": EMAIL_CONFIG["EMAIL_BACKEND"]},
    "DEFAULT_PRIORITY": "medium",
    "MAX_RETRIES": env.int("EMAIL_MAX_RETRIES", default=8),
    "RETRY_INTERVAL": timedelta(minutes=env.int("EMAIL_RETRY_MINUTES", default=5)),
    "BATCH_SIZE": 50,
    "LOG_LEVEL": 1,
    "MESSAGE_ID_ENABLED": True,
    "CELERY_ENABLED": False,
}
# --- End of outgoing email queue -----------------------------------------------

# --- Wagtail -------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Assosolos"
WAGTAILADMIN_BASE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "png", "jpg", "jpeg"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Relay of the showcase to Mastodon and Bluesky ---------------------------------
# A Fernet key (urlsafe base64 of 32 bytes) encrypting the networks' credentials at
# rest; test and development settings derive one from SECRET_KEY, production requires it.
RELAY_CREDENTIALS_KEY = env("RELAY_CREDENTIALS_KEY", default="")

# --- Payments ------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Where the Stripe API lives; a local fake server in development and tests.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# The Payment Element with automatic payment methods (cards, and the wallets Stripe
# offers the buyer); the local fake Stripe.js has the card form only, so unset (None)
# means: with the real Stripe.js alone (`lottery.payments.payment_element_enabled`).
STRIPE_PAYMENT_ELEMENT = env.bool("STRIPE_PAYMENT_ELEMENT", default=None)
# Stripe Connect: the platform's client id (ca_…) for the associations' OAuth
# connection, and the signing secret of the webhook endpoint for their accounts' events.
STRIPE_CONNECT_CLIENT_ID = env("STRIPE_CONNECT_CLIENT_ID", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
# The platform's share of each online payment, in percent (solidarity: none by default).
try:
    PLATFORM_FEE_PERCENT = Decimal(env("PLATFORM_FEE_PERCENT", default="0"))
except InvalidOperation:
    raise ImproperlyConfigured("PLATFORM_FEE_PERCENT must be a number, e.g. 2.5.") from None
if not Decimal("0") <= PLATFORM_FEE_PERCENT < Decimal("100"):
    raise ImproperlyConfigured("PLATFORM_FEE_PERCENT must be at least 0 and below 100.")

SITE_URL = WAGTAILADMIN_BASE_URL

X_FRAME_OPTIONS = "SAMEORIGIN"
# Set in production (settings/production.py, settings/csp.py); no header without it.
CONTENT_SECURITY_POLICY = None
CONTENT_SECURITY_POLICY_STAFF = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's background tasks run inline and would log every page save.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Lottery -------------------------------------------------------------------
# How long an online order holds its numbers while the buyer pays.
LOTTERY_RESERVATION_MINUTES = env.int("LOTTERY_RESERVATION_MINUTES", default=15)
# Unpaid tickets one account may hold at a time, over all lotteries.
LOTTERY_MAX_HELD_TICKETS = env.int("LOTTERY_MAX_HELD_TICKETS", default=20)
# Unpaid tickets held at a time from one client address, over all its accounts.
LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS = env.int("LOTTERY_MAX_HELD_TICKETS_PER_ADDRESS", default=40)
LOTTERY_MAX_TICKETS_PER_ORDER = 100
# Orders one person may start per period (seconds): holds tie up numbers for others.
LOTTERY_PURCHASE_RATE_LIMIT = env.int("LOTTERY_PURCHASE_RATE_LIMIT", default=10)
LOTTERY_PURCHASE_RATE_PERIOD = 60
# Guest purchases per email address and period, on top of the per-address limit.
LOTTERY_GUEST_EMAIL_RATE_LIMIT = env.int("LOTTERY_GUEST_EMAIL_RATE_LIMIT", default=5)
# Seconds an anonymous visitor's copy of the home and lottery pages is kept (0: never).
# A sale refreshes it at once; anything else shows within this delay.
ANONYMOUS_PAGE_CACHE_SECONDS = env.int("ANONYMOUS_PAGE_CACHE_SECONDS", default=0)
LOTTERY_MAX_TICKETS = 100_000
# A sales window shorter than this (hours) is warned about on the manage page and on save.
LOTTERY_SHORT_SALES_WINDOW_HOURS = env.int("LOTTERY_SHORT_SALES_WINDOW_HOURS", default=24)
# This long (hours) before a draw with no ticket sold, the association and staff are told.
LOTTERY_NO_SALES_WARNING_HOURS = env.int("LOTTERY_NO_SALES_WARNING_HOURS", default=24)

# Draws: drand quicknet relays, tried in order (comma-separated URLs, e.g.
# https://api.drand.sh,https://drand.cloudflare.com). Empty: draws are made from the
# seed and the ledger only, and the result page says that no public randomness was used.
DRAND_URLS = env.list("DRAND_URLS", default=[])
# Without a relay, draws would rest on the platform's seed alone. Allowed here (the
# embedded default has no network); production refuses it unless this says otherwise.
DRAW_SEED_ONLY_ALLOWED = env.bool("DRAW_SEED_ONLY_ALLOWED", default=True)
DRAND_TIMEOUT_SECONDS = env.float("DRAND_TIMEOUT_SECONDS", default=5.0)
# The beacon round named at the seal is the first one produced this long after it.
DRAW_BEACON_MARGIN_SECONDS = env.int("DRAW_BEACON_MARGIN_SECONDS", default=60)

# --- Groups --------------------------------------------------------------------
# Messages one member may post in a room per period (seconds); a flood gets a warning.
GROUPS_ROOM_RATE_LIMIT = env.int("GROUPS_ROOM_RATE_LIMIT", default=20)
GROUPS_ROOM_RATE_PERIOD = env.int("GROUPS_ROOM_RATE_PERIOD", default=30)
# A member mentioned while away gets at most one digest email per period (minutes).
GROUPS_DIGEST_PERIOD_MINUTES = env.int("GROUPS_DIGEST_PERIOD_MINUTES", default=60)
# Web Push (VAPID keys, base64url, as `vapid --gen` or `web-push generate-vapid-keys`
# give them): browser notifications are off while either key is empty.
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_PUBLIC_KEY = env("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_SUBJECT = env("WEBPUSH_VAPID_SUBJECT", default="mailto:contact@assosolos.fr")
# The push services the site posts to (host names and their subdomains): a browser's
# subscription names its endpoint, and the server must not post to any other address.
WEBPUSH_ENDPOINT_HOSTS = env.list(
    "WEBPUSH_ENDPOINT_HOSTS",
    default=[
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
# Days a deleted room message's text and author stay in its moderation record before
# the scheduled purge removes them (and the message's earlier versions).
GROUPS_ROOM_DELETED_RETENTION_DAYS = env.int("GROUPS_ROOM_DELETED_RETENTION_DAYS", default=30)
# Images shared in rooms: the largest upload accepted (bytes), the pixel count beyond
# which it is refused undecoded (a decompression bomb), the largest side kept and the
# thumbnail's. The proxy in front must accept request bodies a little above the first.
GROUPS_ROOM_ATTACHMENT_MAX_BYTES = env.int(
    "GROUPS_ROOM_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024
)
GROUPS_ROOM_ATTACHMENT_MAX_PIXELS = env.int("GROUPS_ROOM_ATTACHMENT_MAX_PIXELS", default=40_000_000)
GROUPS_ROOM_ATTACHMENT_MAX_SIDE = env.int("GROUPS_ROOM_ATTACHMENT_MAX_SIDE", default=2048)
GROUPS_ROOM_ATTACHMENT_THUMB_SIDE = env.int("GROUPS_ROOM_ATTACHMENT_THUMB_SIDE", default=400)
