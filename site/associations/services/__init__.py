"""Writes about associations: registration, staff decisions, the team.

Every function checks its own rules (who may act, which state allows it), so a
view, the CMS admin or another app cannot skip one. Emails go out after the
database commit.
"""

from .details import (
    association_details_change_accept,
    association_details_change_reject,
    association_details_update,
)
from .registration import (
    INVITATION_VALIDITY,
    AssociationNotActive,
    InvitationError,
    association_decision_allowed,
    association_document_add,
    association_identifiers_clean,
    association_register,
    association_reject,
    association_require_active,
    association_suspend,
    association_verify,
)
from .team import (
    association_leave,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_get,
    invitation_revoke,
    invitation_token_hash,
    invitations_revoke_sent_by,
    membership_change_role,
    membership_remove,
)

__all__ = [
    "INVITATION_VALIDITY",
    "AssociationNotActive",
    "InvitationError",
    "association_decision_allowed",
    "association_details_change_accept",
    "association_details_change_reject",
    "association_details_update",
    "association_document_add",
    "association_identifiers_clean",
    "association_leave",
    "association_register",
    "association_reject",
    "association_require_active",
    "association_suspend",
    "association_verify",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_get",
    "invitation_revoke",
    "invitation_token_hash",
    "invitations_revoke_sent_by",
    "membership_change_role",
    "membership_remove",
]
