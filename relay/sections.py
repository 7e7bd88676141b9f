"""What the relay adds to other apps' pages (registered in RelayConfig.ready)."""

from __future__ import annotations

from typing import Any

from . import selectors


def association_dashboard(*, request: Any, context: Any) -> dict | None:
    association = context.get("association")
    if association is None or not context.get("can_manage"):
        return None
    return {"relay_accounts": selectors.accounts_of(association=association)}


def pitch_page(*, request: Any, context: Any) -> dict | None:
    pitch = context.get("pitch")
    user = getattr(request, "user", None)
    if pitch is None or user is None or user.pk != pitch.author_id:
        return None
    if not selectors.pitch_relayable(pitch=pitch):
        return None
    return {
        "relay_agreed": selectors.consent_given(pitch=pitch),
        "relay_posts": selectors.posts_of_pitch(pitch=pitch),
    }
