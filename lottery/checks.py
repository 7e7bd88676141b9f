"""Start-up checks of the lottery settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error

SEED_ONLY_MESSAGE = (
    "No drand relay is configured (DRAND_URLS): every draw would rest on the platform's "
    "own seed, with no public randomness mixed in."
)


def draw_randomness_check(app_configs, **kwargs) -> list[Error]:
    if settings.DRAND_URLS or settings.DRAW_SEED_ONLY_ALLOWED:
        return []
    return [
        Error(
            SEED_ONLY_MESSAGE,
            hint=(
                "Set DRAND_URLS to one or more quicknet relays, or set "
                "DRAW_SEED_ONLY_ALLOWED=true to accept draws from the seed alone."
            ),
            id="lottery.E001",
        )
    ]
