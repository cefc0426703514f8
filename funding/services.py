"""Writes of the funding app. The staff pages, the API and the demo loader call these; nothing else
writes opportunities.

Every write checks the values at once (amount range, dates, web address, firm age and headcount
ranges, the funder's kind) and raises one field-keyed ValidationError naming every problem; writes
the search vector in the same transaction as the text (PostgreSQL); and bumps the ``funding`` data
key as its last statement, so cached catalogue pages and API lists never show the old row.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector
from portal.page_cache import data_version_bump
from portal.permissions import Actor
from portal.validators import validate_web_address
from portal.webhooks import webhook_event_emit

from .models import FUNDER_KINDS, Opportunity, OpportunityArea, OpportunitySector, OpportunityStage, Stage
from .permissions import can_change_opportunity, can_publish_opportunity, opportunity_publish_refusal

OPPORTUNITY_FIELDS = {
    "title",
    "kind",
    "summary",
    "amount_min_gbp",
    "amount_max_gbp",
    "opens_on",
    "closes_on",
    "rolling",
    "eligibility",
    "firm_age_min_years",
    "firm_age_max_years",
    "headcount_min",
    "headcount_max",
    "link",
}
# The structured rules held in rows: data key -> (row model, its field, the values allowed).
RULE_FIELDS = {
    "sectors": (OpportunitySector, "sector", Sector.values),
    "boroughs": (OpportunityArea, "local_authority", [v for v in LocalAuthority.values if v != "outside"]),
    "stages": (OpportunityStage, "stage", Stage.values),
}
EARLIEST_DATE, LATEST_DATE = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)
MAX_AMOUNT_GBP = 10**12  # a trillion pounds: anything larger is a typing slip


def opportunity_search_vectors_update(queryset) -> None:
    """Write the stored search vector of every opportunity in ``queryset`` from its title (weight
    A), summary (B) and eligibility (C), in one statement. PostgreSQL only; elsewhere the catalogue
    searches the text itself, so this does nothing."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    queryset.update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("eligibility", weight="C", config="english")
    )


def opportunity_value_errors(opportunity: Opportunity) -> dict[str, list[str]]:
    """The rules between fields that a form or serializer cannot see alone, each on its field."""
    o = opportunity
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, label in (("amount_min_gbp", "smallest"), ("amount_max_gbp", "largest")):
        value = getattr(o, field)
        if value is not None and value < 0:
            add(field, f"The {label} amount cannot be negative")
        elif value is not None and value > MAX_AMOUNT_GBP:
            add(field, f"The {label} amount must be at most £{MAX_AMOUNT_GBP:,}")
    if (
        o.amount_min_gbp is not None
        and o.amount_max_gbp is not None
        and o.amount_min_gbp >= 0
        and o.amount_max_gbp < o.amount_min_gbp
    ):
        add("amount_max_gbp", f"The largest amount must be at least the smallest, £{o.amount_min_gbp:,}")
    for field, label in (("opens_on", "opening date"), ("closes_on", "closing date")):
        value = getattr(o, field)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            add(field, f"The {label} must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}")
    if o.rolling and o.closes_on is not None:
        add("closes_on", "Leave the closing date empty for a rolling opportunity, or say it is not rolling")
    if not o.rolling and o.closes_on is None:
        add("closes_on", "Enter the closing date, or say the opportunity is rolling")
    if o.opens_on and o.closes_on and o.closes_on < o.opens_on and "closes_on" not in errors:
        add("closes_on", "The closing date must be the same as or after the opening date")
    for low, high, noun in (
        ("firm_age_min_years", "firm_age_max_years", "firm age"),
        ("headcount_min", "headcount_max", "headcount"),
    ):
        a, b = getattr(o, low), getattr(o, high)
        if a is not None and b is not None and b < a:
            add(high, f"The largest {noun} must be at least the smallest, {a}")
    if o.funder_id is not None and o.funder.kind not in FUNDER_KINDS:
        add("funder", "The funder must be a funder, partner or public body of the organisation registry")
    return errors


def _check(opportunity: Opportunity, rules: dict[str, list[str]]) -> None:
    """Raise one ValidationError with every problem of ``opportunity`` and its ``rules``."""
    errors: dict[str, list[str]] = {}
    try:
        # The constraints are checked by _value_errors with messages on the fields they concern.
        opportunity.full_clean(exclude=["link"], validate_constraints=False)
    except ValidationError as error:
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
    if opportunity.link:
        try:
            validate_web_address(opportunity.link)
        except ValidationError as error:
            errors.setdefault("link", []).extend(error.messages)
    for field, messages in opportunity_value_errors(opportunity).items():
        if field not in errors:
            errors[field] = messages
    for key, values in rules.items():
        allowed = RULE_FIELDS[key][2]
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            errors.setdefault(key, []).append(f"Choose from the list; not {', '.join(unknown)}")
    if errors:
        raise ValidationError(errors)


def _split(data: dict) -> tuple[dict, dict[str, list[str]]]:
    unknown = set(data) - OPPORTUNITY_FIELDS - set(RULE_FIELDS) - {"funder"}
    if unknown:
        raise ValueError(f"Unknown opportunity fields: {sorted(unknown)}")
    fields = {k: v for k, v in data.items() if k in OPPORTUNITY_FIELDS or k == "funder"}
    rules = {k: list(dict.fromkeys(v or [])) for k, v in data.items() if k in RULE_FIELDS}
    return fields, rules


def _rules_replace(opportunity: Opportunity, rules: dict[str, list[str]]) -> None:
    for key, values in rules.items():
        model, field, _allowed = RULE_FIELDS[key]
        model.objects.filter(opportunity=opportunity).delete()
        model.objects.bulk_create(model(opportunity=opportunity, **{field: value}) for value in values)


def _opportunity_event(opportunity: Opportunity, event: str) -> None:
    """Tell the partners subscribed to ``event`` (in the caller's transaction, so a rolled-back
    write tells nobody). The body names the opportunity; partners read the rest from the API."""
    webhook_event_emit(
        event=event,
        data={
            "id": opportunity.pk,
            "title": opportunity.title,
            "kind": opportunity.kind,
            "funder": opportunity.funder_id,
            "opens_on": opportunity.opens_on.isoformat() if opportunity.opens_on else None,
            "closes_on": opportunity.closes_on.isoformat() if opportunity.closes_on else None,
            "rolling": opportunity.rolling,
            "withdrawn": opportunity.withdrawn_at is not None,
        },
    )


def _record_actor(opportunity: Opportunity, actor: Actor) -> None:
    """Name the writer in the change history: the person, or the API client and its partner."""
    opportunity._history_user = actor.history_user
    opportunity._change_reason = actor.history_reason


@transaction.atomic
def opportunity_create(*, data: dict, actor: Actor, funder: Organisation | None = None) -> Opportunity:
    """Publish an opportunity from ``data`` (the model's fields, ``funder``, and the rule lists
    ``sectors``, ``boroughs`` and ``stages``). A partner client's opportunity is its own
    organisation's whatever ``funder`` says it is, and asking for another funder is refused.

    Raises PermissionDenied unless ``can_publish_opportunity`` allows the funder; ValidationError
    (field-keyed, every problem at once) for bad values. Not idempotent: each call adds one.
    """
    fields, rules = _split(data)
    funder = fields.pop("funder", funder)
    if actor.is_client and funder is None:
        funder = actor.partner
    if funder is not None and not can_publish_opportunity(actor, funder):
        raise PermissionDenied(opportunity_publish_refusal(actor, funder))
    if funder is None and not actor.is_staff:
        raise PermissionDenied(opportunity_publish_refusal(actor, funder))
    opportunity = Opportunity(**fields, funder=funder)
    opportunity.created_by = actor.history_user
    _check(opportunity, rules)
    _record_actor(opportunity, actor)
    opportunity.save()
    _rules_replace(opportunity, rules)
    opportunity_search_vectors_update(Opportunity.objects.filter(pk=opportunity.pk))
    _opportunity_event(opportunity, "opportunity.created")
    data_version_bump("funding")
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, data: dict, actor: Actor) -> Opportunity:
    """Change the given fields and rule lists (a list given replaces that rule's rows; one left out
    stays). Raises PermissionDenied (before changing anything) unless ``can_change_opportunity``
    allows it and, when ``funder`` changes, ``can_publish_opportunity`` allows the new funder;
    ValidationError (field-keyed, every problem at once) for bad values. Idempotent."""
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied("You may change only the opportunities of your own organisation.")
    fields, rules = _split(data)
    funder = fields.get("funder")
    if funder is not None and funder.pk != opportunity.funder_id and not can_publish_opportunity(actor, funder):
        raise PermissionDenied(opportunity_publish_refusal(actor, funder))
    # Lock the row, so two writers do not interleave their rule rows.
    opportunity = Opportunity.objects.select_for_update().select_related("funder").get(pk=opportunity.pk)
    for field, value in fields.items():
        setattr(opportunity, field, value)
    _check(opportunity, rules)
    _record_actor(opportunity, actor)
    opportunity.save(update_fields=[*fields, "updated_at"])
    _rules_replace(opportunity, rules)
    if {"title", "summary", "eligibility"} & set(fields):
        opportunity_search_vectors_update(Opportunity.objects.filter(pk=opportunity.pk))
    if opportunity.withdrawn_at is None:  # a withdrawn one is off the catalogue: nobody follows it
        _opportunity_event(opportunity, "opportunity.changed")
    data_version_bump("funding")
    return opportunity


@transaction.atomic
def opportunity_withdraw(*, opportunity: Opportunity, actor: Actor) -> Opportunity:
    """Take an opportunity off the public catalogue and API (it stays for staff and for the
    records that name it). Raises PermissionDenied unless ``can_change_opportunity`` allows it.
    Idempotent: withdrawing a withdrawn one changes nothing and bumps nothing."""
    if not can_change_opportunity(actor, opportunity):
        raise PermissionDenied("You may withdraw only the opportunities of your own organisation.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.withdrawn_at is not None:
        return opportunity
    opportunity.withdrawn_at = timezone.now()
    _record_actor(opportunity, actor)
    opportunity.save(update_fields=["withdrawn_at", "updated_at"])
    _opportunity_event(opportunity, "opportunity.changed")
    data_version_bump("funding")
    return opportunity


def rule_values(opportunity: Opportunity) -> dict[str, list[str]]:
    """The rule lists of a stored opportunity, in the shape the services take (for forms)."""
    return {
        "sectors": [r.sector for r in opportunity.sector_rules.all()],
        "boroughs": [r.local_authority for r in opportunity.area_rules.all()],
        "stages": [r.stage for r in opportunity.stage_rules.all()],
    }


@transaction.atomic
def opportunities_bulk_create(opportunities: Iterable[Opportunity], rules: dict[int, dict[str, list[str]]]) -> int:
    """Insert many opportunities at once (the demo data, benchmarks), with their rule rows keyed by
    the opportunity's position in ``opportunities``, write their search vectors and bump the data
    key once. The caller answers for the values (they skip ``_check``). Returns how many."""
    created = Opportunity.objects.bulk_create(list(opportunities))
    for key, (model, field, _allowed) in RULE_FIELDS.items():
        model.objects.bulk_create(
            model(opportunity=opportunity, **{field: value})
            for index, opportunity in enumerate(created)
            for value in rules.get(index, {}).get(key, [])
        )
    opportunity_search_vectors_update(Opportunity.objects.filter(pk__in=[o.pk for o in created]))
    data_version_bump("funding")
    return len(created)
