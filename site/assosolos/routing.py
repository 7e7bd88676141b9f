"""Websocket routes of every app, gathered for the ASGI router.

An app that serves live rooms either has a `routing` module with its own
`websocket_urlpatterns`, or appends to this module's `websocket_urlpatterns` in its
`AppConfig.ready`; both are gathered here, so this project module imports no app by
name. `websocket_routes()` adds, last, the route that closes any other path cleanly.
"""

from importlib import import_module

from channels.generic.websocket import AsyncWebsocketConsumer
from django.apps import apps
from django.urls import re_path

websocket_urlpatterns: list = []

# Like HTTP's 404, in the range (4000–4999) left to applications.
UNKNOWN_PATH_CLOSE_CODE = 4404


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """A websocket opened on a path no app serves: closed with 4404, not an error."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=UNKNOWN_PATH_CLOSE_CODE)


def _app_routing_modules() -> list:
    patterns: list = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.routing")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.routing":
                raise
            continue
        patterns.extend(getattr(module, "websocket_urlpatterns", []))
    return patterns


def websocket_routes() -> list:
    """The apps' routes, then the catch-all for unknown paths (it must stay last)."""
    return [
        *_app_routing_modules(),
        *websocket_urlpatterns,
        re_path(r"", UnknownPathConsumer.as_asgi()),
    ]
