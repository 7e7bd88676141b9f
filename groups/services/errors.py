from django.core.exceptions import ValidationError


class GroupError(ValidationError):
    """A group action that the rules refuse; its message is shown to the person."""


class RoomError(Exception):
    """A refused room action: `code` for the client, `message` for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# Close codes a refused socket receives (4000-4999 are the application's).
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
# The room's live delivery (the channel layer, Redis) is away: the standard "try again
# later" code. The room's page reconnects, with a growing delay, and catches up by
# number once it is back; nothing saved is lost.
CLOSE_TRY_LATER = 1013
