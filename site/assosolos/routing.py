"""Websocket routes of every app, gathered for the ASGI router.

Each app that serves live rooms appends its own patterns here.
"""

websocket_urlpatterns: list = []
