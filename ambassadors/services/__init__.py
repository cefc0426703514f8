"""The ambassadors app's writes, one module per area, re-exported so callers import
``ambassadors.services``."""

from .activities import activity_create, activity_reminder_send, activity_reminders_send, activity_update
from .briefings import briefing_delete, briefing_publish
from .invitations import (
    InvitationUnusableError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitations_expire,
)
from .leads import *  # noqa: F403 - the leads services, named in services/leads.py __all__
from .leads import __all__ as _leads_all
from .network import target_market_add, target_market_remove
from .profiles import ambassador_profile_update, ambassador_status_change, ambassador_term_update

__all__ = [
    "InvitationUnusableError",
    "activity_create",
    "activity_reminder_send",
    "activity_reminders_send",
    "activity_update",
    "ambassador_profile_update",
    "ambassador_status_change",
    "ambassador_term_update",
    "briefing_delete",
    "briefing_publish",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "invitations_expire",
    "target_market_add",
    "target_market_remove",
]
__all__ += _leads_all
