from django.core.exceptions import ValidationError


class GroupError(ValidationError):
    """A group action that the rules refuse; its message is shown to the person."""
