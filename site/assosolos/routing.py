"""Websocket routes of every app, gathered for the ASGI router.

Each app that serves live rooms appends its own patterns to `websocket_urlpatterns`;
`websocket_routes()` adds, last, the route that closes any other path cleanly.
"""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

websocket_urlpatterns: list = []

# Like HTTP's 404, in the range (4000–4999) left to applications.
UNKNOWN_PATH_CLOSE_CODE = 4404


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """A websocket opened on a path no app serves: closed with 4404, not an error."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=UNKNOWN_PATH_CLOSE_CODE)


def websocket_routes() -> list:
    """The apps' routes, then the catch-all for unknown paths (it must stay last)."""
    return [*websocket_urlpatterns, re_path(r"", UnknownPathConsumer.as_asgi())]
