"""Development settings: the embedded default, DEBUG on, console email."""

import base64
import hashlib

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Only for a local run; production refuses to start without its own key.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
# The relay's credentials key, derived from SECRET_KEY unless given (never in production).
RELAY_CREDENTIALS_KEY = (
    env("RELAY_CREDENTIALS_KEY", default="")
    or base64.urlsafe_b64encode(hashlib.sha256(f"relay:{SECRET_KEY}".encode()).digest()).decode()
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
