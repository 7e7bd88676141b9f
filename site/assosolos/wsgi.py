"""WSGI entry point, for servers that do not need websockets."""

import os

from assosolos.paths import add_source_folders

add_source_folders()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.dev")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
