from .models import User


def user_profile_update(*, user: User, display_name: str) -> User:
    """Change what other members see of a user."""
    user.display_name = display_name.strip()
    user.full_clean(validate_unique=False)
    user.save(update_fields=["display_name"])
    return user
