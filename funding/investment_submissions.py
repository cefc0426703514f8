"""Writes of deals sent with ids rather than instances: the API's create, change and bulk create.
Each finds the firm, the investors and the opportunity by id (in bulk: a fixed number of queries
whatever the number of deals), reports an unknown id on its field, and hands the deal to the
register's services (``funding.investment_services``), whose rules and flags apply unchanged.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.models import Organisation
from portal.page_cache import data_version_bump
from portal.permissions import Actor

from .investment_rules import INVESTMENT_FIELDS, investment_value_errors
from .investment_services import (
    INVESTMENTS_BULK_LIMIT,
    RECORD_REFUSAL,
    investment_create,
    investment_update,
    investments_insert,
    investor_entries,
)
from .models import Investment, Opportunity
from .permissions import can_record_investment

UNKNOWN_ORGANISATION = "No organisation with this id."
UNKNOWN_OPPORTUNITY = "No funding opportunity with this id."


class _References:
    """The organisations and opportunities a batch of items names, read at once."""

    def __init__(self, items: list[dict]):
        organisation_ids = {item["firm"] for item in items if item.get("firm")} | {
            entry["organisation"] for item in items for entry in item.get("investors") or []
        }
        self.organisations = Organisation.objects.in_bulk(organisation_ids)
        self.opportunities = Opportunity.objects.in_bulk(
            {item["opportunity"] for item in items if item.get("opportunity")}
        )

    def resolve(self, item: dict) -> tuple[dict, list[dict] | None, dict[str, list[str]]]:
        """The item's fields with instances for ids, its investors (None when it names none: a
        change that keeps them), and the ids that name nothing, by field."""
        errors: dict[str, list[str]] = {}
        values = {name: item[name] for name in INVESTMENT_FIELDS if name in item}
        if "firm" in item:
            values["firm"] = self.organisations.get(item["firm"])
            if values["firm"] is None:
                errors["firm"] = [UNKNOWN_ORGANISATION]
        if item.get("opportunity"):
            values["opportunity"] = self.opportunities.get(item["opportunity"])
            if values["opportunity"] is None:
                errors["opportunity"] = [UNKNOWN_OPPORTUNITY]
        investors = None
        if "investors" in item:
            investors = []
            for n, entry in enumerate(item["investors"] or []):
                organisation = self.organisations.get(entry["organisation"])
                if organisation is None:
                    errors[f"investors.{n}.organisation"] = [UNKNOWN_ORGANISATION]
                investors.append(
                    {
                        "investor": organisation,
                        "name": "",
                        "is_lead": entry.get("is_lead", False),
                        "country": entry["country"],
                    }
                )
        return values, investors, errors


def _api_errors(errors: dict[str, list[str]], value_errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The value rules' errors beside the unknown ids, named as the API names its fields (an
    investor's ``organisation``), leaving out what an unknown id already explains."""
    merged = dict(errors)
    for key, messages in value_errors.items():
        key = key.replace(".investor", ".organisation")
        if key not in merged:
            merged[key] = messages
    return merged


def _complete(values: dict) -> dict:
    return {name: values.get(name, "" if name in ("stage", "title") else None) for name in INVESTMENT_FIELDS}


@transaction.atomic
def investment_submit(*, item: dict, actor: Actor) -> Investment:
    """Record one deal sent by id (``firm``, ``opportunity``, ``investors`` of ``{"organisation":
    id, "is_lead", "country"}``) as ``investment_create`` does. Raises ValidationError naming every
    problem by field (an unknown id as ``firm``, ``investors.0.organisation``…); PermissionDenied
    as ``investment_create``. Not idempotent (the API's Idempotency-Key makes a retry safe)."""
    if not can_record_investment(actor):
        raise PermissionDenied(RECORD_REFUSAL)
    values, investors, errors = _References([item]).resolve(item)
    values, investors = _complete(values), investors or []
    errors = _api_errors(errors, investment_value_errors(values=values, investors=investors))
    if errors:
        raise ValidationError(errors)
    return investment_create(data=values, investors=investors, actor=actor)


@transaction.atomic
def investment_revise(*, investment: Investment, item: dict, actor: Actor) -> Investment:
    """Change a deal with what the item sends by id, as ``investment_update`` does: fields left
    out stay; ``investors`` given replaces them. Raises ValidationError by field for unknown ids
    and broken rules; PermissionDenied as ``investment_update``. Idempotent."""
    values, investors, errors = _References([item]).resolve(item)
    if errors:
        current = {name: getattr(investment, name) for name in INVESTMENT_FIELDS}
        all_values = {**current, **{k: v for k, v in values.items() if v is not None or k not in errors}}
        wanted = investors if investors is not None else investor_entries(investment)
        raise ValidationError(_api_errors(errors, investment_value_errors(values=all_values, investors=wanted)))
    try:
        return investment_update(investment=investment, data=values, investors=investors, actor=actor)
    except ValidationError as error:
        raise ValidationError(_api_errors({}, error.message_dict)) from error


@transaction.atomic
def investments_submit_bulk(
    *, items: list[dict | None], actor: Actor, shape_errors: dict[str, list[str]] | None = None
) -> list[Investment]:
    """Record up to ``INVESTMENTS_BULK_LIMIT`` deals at once, all or nothing, each as
    ``investment_submit`` records one for ``actor``. An item that is None failed the caller's
    shape check: its ``shape_errors`` (keyed as below) are reported with every other item's
    problems, so one answer names them all.

    Raises ValidationError keyed ``"<index>.<field>"`` (index from 0; an investor's as
    ``"<index>.investors.<n>.organisation"``) naming every broken rule of every item, and writes
    nothing; PermissionDenied as ``investment_create``. Deals like stored ones, or like earlier
    items, are saved flagged. Not idempotent, as ``investment_submit``."""
    if not can_record_investment(actor):
        raise PermissionDenied(RECORD_REFUSAL)
    if len(items) > INVESTMENTS_BULK_LIMIT:
        raise ValidationError({"non_field_errors": f"Send at most {INVESTMENTS_BULK_LIMIT:,} investments at once."})
    references = _References([item for item in items if item is not None])
    errors: dict[str, list[str]] = dict(shape_errors or {})
    prepared = []
    for index, item in enumerate(items):
        if item is None:
            continue
        values, investors, item_errors = references.resolve(item)
        values, investors = _complete(values), investors or []
        item_errors = _api_errors(item_errors, investment_value_errors(values=values, investors=investors))
        errors.update({f"{index}.{key}": messages for key, messages in item_errors.items()})
        if not item_errors:
            investment = Investment(**values)
            if actor.is_client:
                investment.origin, investment.submitted_by = Investment.Origin.PARTNER, actor.partner
            else:
                investment.origin, investment.created_by = Investment.Origin.STAFF, actor.history_user
            prepared.append((investment, investors))
    if errors:
        raise ValidationError(errors)
    created = investments_insert(prepared, history_user=actor.history_user, history_reason=actor.history_reason)
    data_version_bump("investments")
    return created
