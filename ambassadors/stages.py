"""The lead pipeline's rules: one ``StageRule`` per stage, saying which fields a lead in that
stage must have, where it may move next and what each missing field's message is.

    referred → qualified → active → verify win → landed
    lost from any open stage; staff reopen a landed or lost lead to active, with a reason

A stage's required fields include those of the stages before it (an active lead is still
qualified). ``ambassadors.services.leads`` applies these rules in every write, so the pages and
the API refuse the same things with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Lead

S = Lead.Stage

# The message a missing field gets, whichever stage asks for it.
MISSING = {
    "name": "Enter the company's name",
    "sector": "Choose the company's sector",
    "origin_country": "Choose the country the company comes from",
    "kind": "Choose the type of investment",
    "owner": "Choose the member of staff who owns the lead",
    "expected_jobs": "Enter the number of jobs expected",
    "expected_capital": "Enter the capital expected, in pounds",
    "new_jobs": "Enter the number of new jobs",
    "safeguarded_jobs": "Enter the number of safeguarded jobs",
    "capital_invested": "Enter the capital invested, in pounds",
    "landed_on": "Enter the date the investment landed",
    "company_number": "Enter the firm's Companies House number, to link it in the organisation registry",
    "lost_reason": "Enter why the lead was lost",
    "competing_location": "Enter where the company went instead, or 'Nowhere' if it did not invest",
}

QUALIFIED_FIELDS = ("sector", "origin_country", "kind")
ACTIVE_FIELDS = ("owner", "expected_jobs", "expected_capital")
OUTCOME_FIELDS = ("new_jobs", "safeguarded_jobs", "capital_invested", "landed_on")


@dataclass(frozen=True)
class StageRule:
    """One stage: the fields a lead in it must have (``required``) and the stages it may move to
    (``moves``). ``staff_moves`` are moves that need a reason (reopening)."""

    stage: str
    required: tuple[str, ...]
    moves: tuple[str, ...]
    reason_required_for: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return S(self.stage).label

    def missing(self, lead: Lead) -> dict[str, str]:
        """Field -> message for every required field ``lead`` leaves empty, in the order asked."""
        return {field: MISSING[field] for field in self.required if _empty(getattr(lead, _attr(field)))}


def _attr(field: str) -> str:
    return "owner_id" if field == "owner" else field


def _empty(value) -> bool:
    return value is None or value == ""


RULES: dict[str, StageRule] = {
    S.REFERRED: StageRule(S.REFERRED, ("name",), (S.QUALIFIED, S.LOST)),
    S.QUALIFIED: StageRule(S.QUALIFIED, ("name", *QUALIFIED_FIELDS), (S.ACTIVE, S.LOST)),
    S.ACTIVE: StageRule(S.ACTIVE, ("name", *QUALIFIED_FIELDS, *ACTIVE_FIELDS), (S.VERIFY_WIN, S.LOST)),
    S.VERIFY_WIN: StageRule(
        S.VERIFY_WIN, ("name", *QUALIFIED_FIELDS, *ACTIVE_FIELDS, *OUTCOME_FIELDS), (S.LANDED, S.LOST)
    ),
    S.LANDED: StageRule(
        S.LANDED,
        ("name", *QUALIFIED_FIELDS, *ACTIVE_FIELDS, *OUTCOME_FIELDS, "company_number"),
        (S.ACTIVE,),
        reason_required_for=(S.ACTIVE,),
    ),
    S.LOST: StageRule(
        S.LOST, ("name", "lost_reason", "competing_location"), (S.ACTIVE,), reason_required_for=(S.ACTIVE,)
    ),
}

OPEN_STAGES = (S.REFERRED, S.QUALIFIED, S.ACTIVE, S.VERIFY_WIN)
# The fields each stage's move form asks for (those it requires beyond the name).
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    stage: tuple(field for field in rule.required if field != "name") for stage, rule in RULES.items()
}


def rule_for(stage: str) -> StageRule:
    return RULES[stage]


def allowed_moves(lead: Lead) -> tuple[str, ...]:
    """The stages ``lead`` may move to from where it is now, in pipeline order."""
    return RULES[lead.stage].moves


def move_refusal(lead: Lead, to: str) -> str | None:
    """Why ``lead`` cannot move to ``to`` now, in a sentence to show; None when it can."""
    if to not in S.values:
        return f"Choose a stage from the list; '{to}' is not a stage."
    if to == lead.stage:
        return None
    if to in RULES[lead.stage].moves:
        return None
    here, there = S(lead.stage).label.lower(), S(to).label.lower()
    if lead.stage in (S.LANDED, S.LOST):
        return f"This lead is {here}; staff reopen it to active, with a reason, before it can move to {there}."
    following = " or ".join(S(stage).label.lower() for stage in RULES[lead.stage].moves)
    return f"A {here} lead moves to {following} next; it cannot go to {there} without the stages between."


def needs_reason(lead: Lead, to: str) -> bool:
    """Reopening a landed or lost lead needs a reason."""
    return to in RULES[lead.stage].reason_required_for
