"""Permission rules of the funding app. Plain functions of an ``Actor`` (``portal.permissions``) or a
user; views, DRF classes and services adapt them.

Who publishes opportunities: commissioner staff, for any funder; and a partner's API client with
the ``opportunities:write`` scope, only for opportunities whose funder is the partner's own
organisation (its credential's). A partner never changes another funder's opportunity: to it, such
an opportunity does not exist for writing (404), as ``opportunities_writable_by`` scopes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.permissions import Actor
from portal.roles import Role, is_staff, user_has_role

if TYPE_CHECKING:
    from .models import Alert, Opportunity


def _as_actor(who) -> Actor:
    return who if isinstance(who, Actor) else Actor(user=who)


def can_manage_opportunities(user) -> bool:
    """Staff reach the pages that add, change and withdraw opportunities."""
    return is_staff(user)


def can_publish_opportunity(who, funder) -> bool:
    """Staff publish for any funder; a partner client only for its own organisation. No query."""
    actor = _as_actor(who)
    if actor.is_client:
        return actor.partner is not None and funder is not None and funder.pk == actor.partner.pk
    return actor.is_staff


def can_change_opportunity(who, opportunity: Opportunity) -> bool:
    """Staff change any opportunity; a partner client only those its organisation funds. No query."""
    actor = _as_actor(who)
    if actor.is_client:
        return actor.partner is not None and opportunity.funder_id == actor.partner.pk
    return actor.is_staff


def opportunity_publish_refusal(who, funder) -> str:
    """Why ``who`` may not publish an opportunity of ``funder``, in a sentence to show."""
    actor = _as_actor(who)
    if actor.is_client:
        if actor.partner is None:
            return "This API client's credential is no longer active."
        return (
            f"Partners publish opportunities of their own organisation only; the funder must be "
            f"{actor.partner.name} (id {actor.partner.pk})."
        )
    return "Only commissioner staff publish funding opportunities."


def opportunities_writable_by(actor: Actor, queryset):
    """``queryset`` narrowed to the opportunities ``actor`` may change, so any other is a 404."""
    if actor.is_client:
        return queryset.filter(funder_id=actor.partner.pk) if actor.partner is not None else queryset.none()
    return queryset if actor.is_staff else queryset.none()


# Matching and alerts --------------------------------------------------------------------------


def can_see_funding_matches(user) -> bool:
    """Founders see the open opportunities that fit the firms they are members of. No query beyond
    the user's roles, which are cached for the request."""
    return bool(user.is_authenticated and user_has_role(user, Role.FOUNDER))


def can_save_alerts(user) -> bool:
    """Anyone signed in saves, changes and deletes their own funding alerts. No query."""
    return bool(user.is_authenticated and user.is_active)


def can_change_alert(user, alert: Alert) -> bool:
    """Only the person whose alert it is changes or deletes it; staff too see only their own, since
    alerts are personal. No query."""
    return bool(can_save_alerts(user) and alert.user_id == user.pk)


# The programme budget -----------------------------------------------------------------------


def can_manage_budget(user) -> bool:
    """Staff see the budget's plan against spend, record and change spend and change the plan. The
    budget is the programme's, not one person's: every member of staff changes every entry. No query."""
    return is_staff(user)


# The investment register ----------------------------------------------------------------------
# Who records deals: commissioner staff (pages, imports, API) and partners' API clients with the
# ``investments:write`` scope, whose deals are attributed to their organisation. A partner
# changes and deletes only the deals its organisation submitted (any other is a 404 for writing,
# as ``investments_writable_by`` scopes it), and deletes one only until staff verify it. Only
# staff verify deals and clear a possible-duplicate flag.


def can_manage_investments(user) -> bool:
    """Staff reach the register's pages: the list, each deal, the form, imports and duplicates."""
    return is_staff(user)


def can_record_investment(who) -> bool:
    """Staff, and a partner client with an active credential (the scope is checked by the API).
    No query."""
    actor = _as_actor(who)
    if actor.is_client:
        return actor.partner is not None
    return actor.is_staff


def can_change_investment(who, investment) -> bool:
    """Staff change any deal; a partner client only those its organisation submitted. No query."""
    actor = _as_actor(who)
    if actor.is_client:
        return actor.partner is not None and investment.submitted_by_id == actor.partner.pk
    return actor.is_staff


def can_delete_investment(who, investment) -> bool:
    """Staff delete any deal; a partner client its own organisation's until staff verify it."""
    actor = _as_actor(who)
    if actor.is_client:
        return can_change_investment(actor, investment) and investment.verified_at is None
    return actor.is_staff


def can_verify_investment(who) -> bool:
    """Only staff verify a deal, or clear its possible-duplicate flag."""
    return _as_actor(who).is_staff


def investment_delete_refusal(who, investment) -> str:
    """Why ``who`` may not delete ``investment``, in a sentence to show."""
    actor = _as_actor(who)
    if actor.is_client and can_change_investment(actor, investment):
        return "Commissioner staff have verified this investment: ask the Tech Commissioner's office to remove it."
    return "Only commissioner staff, and the partner that submitted it, delete an investment."


def investments_writable_by(actor: Actor, queryset):
    """``queryset`` narrowed to the deals ``actor`` may change, so any other is a 404."""
    if actor.is_client:
        return queryset.filter(submitted_by_id=actor.partner.pk) if actor.partner is not None else queryset.none()
    return queryset if actor.is_staff else queryset.none()
