"""Websocket routes of every app, gathered for the ASGI router.

Each installed app that serves live rooms has a `routing` module with its own
`websocket_urlpatterns`; they are collected here by app, so this project module
imports no app by name.
"""

from importlib import import_module

from django.apps import apps


def _collect() -> list:
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


websocket_urlpatterns: list = _collect()
