"""What a room socket accepts from a client: every frame's values, bounded in one place.

`frame_parse` turns the text a client sent into a frame whose values the handlers may
use as they are: a known "type", whole numbers in range (never a bool, a float, a
string of digits or 1e400), texts of bounded length that a database stores (no NUL, no
lone surrogate) and an optional `client_id` to echo. Anything else raises `FrameError`,
which the consumer answers with an "error" frame; the socket stays open. The codes are
listed in docs/rooms.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .services.room_post import MAX_LENGTH

MAX_FRAME_CHARS = 16_000
# Numbers a frame may carry (sequence numbers, ids, minutes): beyond this (1e400,
# 10**30) is no number of ours, and no database column holds it.
FRAME_INT_MAX = 2**53
CLIENT_ID_MAX = 64
REPORT_REASON_MAX = 500  # MessageReport.reason
EMOJI_MAX = 8  # Reaction.emoji


class FrameError(Exception):
    """A frame refused before any handler runs: `code` for the client, `message` for the person."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True, slots=True)
class Int:
    minimum: int = 0
    maximum: int = FRAME_INT_MAX
    required: bool = True
    default: int | None = None


@dataclass(frozen=True, slots=True)
class Text:
    max_length: int
    required: bool = True
    default: str = ""
    strip: bool = False


SEQ = Int(minimum=1)
USER_ID = Int(minimum=1)

# Each frame type and the values it carries; any other key is ignored.
FRAME_FIELDS: dict[str, dict[str, Int | Text]] = {
    "sync": {"after": Int(required=False, default=0)},
    # `around`: the page around a message (a reply's original); not with `before`.
    "history": {"before": Int(minimum=1, required=False), "around": Int(minimum=1, required=False)},
    "post": {
        "body": Text(max_length=MAX_LENGTH, strip=True),
        "reply_to": Int(minimum=1, required=False),
    },
    "edit": {"seq": SEQ, "body": Text(max_length=MAX_LENGTH, strip=True)},
    "delete": {"seq": SEQ},
    "typing": {},
    "heartbeat": {},
    "read": {"seq": SEQ},
    "react": {"seq": SEQ, "emoji": Text(max_length=EMOJI_MAX)},
    "report": {"seq": SEQ, "reason": Text(max_length=REPORT_REASON_MAX, required=False)},
    "hide": {"seq": SEQ},
    "revisions": {"seq": SEQ},
    # The service says how long a mute may last; this only keeps the number a number.
    "mute": {"user_id": USER_ID, "minutes": Int()},
    "remove": {"user_id": USER_ID},
}


def frame_decode(text_data: str | None, bytes_data: bytes | None = None) -> dict:
    """The JSON object a client sent, or `FrameError` ("bad_frame", "too_long")."""
    if text_data is None:
        raise FrameError("bad_frame", _("Send text frames."))
    if len(text_data) > MAX_FRAME_CHARS:
        raise FrameError("too_long", _("This frame is too large."))
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError) as exc:
        # RecursionError: thousands of nested brackets, which no frame of ours has.
        raise FrameError("bad_frame", _("This frame is not valid JSON.")) from exc
    if not isinstance(content, dict):
        raise FrameError("bad_frame", _("A frame is a JSON object."))
    return content


def frame_client_id(content: dict) -> str | int | None:
    """The client's own id for the frame, echoed in the answer; None when unusable."""
    value = content.get("client_id")
    if isinstance(value, str) and len(value) <= CLIENT_ID_MAX and _storable(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= FRAME_INT_MAX:
        return value
    return None


def frame_validate(content: dict) -> dict:
    """The frame with its type, its bounded values and `client_id`; or `FrameError`."""
    kind = content.get("type")
    fields = FRAME_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise FrameError("unknown_type", _("Unknown frame type."))
    frame: dict[str, Any] = {"type": kind, "client_id": None}
    if "client_id" in content and content["client_id"] is not None:
        frame["client_id"] = frame_client_id(content)
        if frame["client_id"] is None:
            if isinstance(content["client_id"], str) and len(content["client_id"]) > CLIENT_ID_MAX:
                raise _too_long("client_id", CLIENT_ID_MAX)
            raise _bad_value("client_id")
    for name, rule in fields.items():
        value = content.get(name)
        if isinstance(rule, Int):
            frame[name] = _int_value(name, value, rule)
        else:
            frame[name] = _text_value(name, value, rule)
    # A page is either before a number or around one.
    if kind == "history" and frame["before"] is not None and frame["around"] is not None:
        raise _bad_value("around")
    return frame


def frame_parse(text_data: str | None, bytes_data: bytes | None = None) -> dict:
    return frame_validate(frame_decode(text_data, bytes_data))


def _int_value(name: str, value: Any, rule: Int) -> int | None:
    if value is None:
        if rule.required:
            raise _bad_value(name)
        return rule.default
    # JSON gives bool for true/false, float for 1.5 and 1e400 (inf), NaN for NaN.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_value(name)
    if not rule.minimum <= value <= rule.maximum:
        raise _bad_value(name)
    return value


def _text_value(name: str, value: Any, rule: Text) -> str:
    if value is None:
        if rule.required:
            raise _bad_value(name)
        return rule.default
    if not isinstance(value, str):
        raise _bad_value(name)
    if rule.strip:
        value = value.strip()
    if len(value) > rule.max_length:
        raise _too_long(name, rule.max_length)
    if not _storable(value):
        raise FrameError(
            "bad_text", _("The text holds a character that cannot be sent."), field=name
        )
    return value


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL refuses it in text) and valid UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_value(name: str) -> FrameError:
    return FrameError(
        "bad_value",
        _("This frame's “%(field)s” is missing or not an accepted value.") % {"field": name},
        field=name,
    )


def _too_long(name: str, maximum: int) -> FrameError:
    if name == "body":
        return FrameError(
            "too_long",
            _("A message has at most %(max)d characters.") % {"max": maximum},
            field=name,
        )
    return FrameError(
        "too_long",
        _("“%(field)s” has at most %(max)d characters.") % {"field": name, "max": maximum},
        field=name,
    )
