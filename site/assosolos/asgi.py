"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from assosolos.paths import add_source_folders

add_source_folders()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assosolos.settings.dev")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before the routing imports any model.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from assosolos.routing import websocket_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_routes()))
        ),
    }
)
