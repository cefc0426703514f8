"""The pipeline's rules: which moves are allowed, what each stage requires, and the words used."""

import pytest

from ambassadors import stages
from ambassadors.models import Lead

S = Lead.Stage


@pytest.mark.parametrize(
    ("frm", "allowed"),
    [
        (S.REFERRED, {S.QUALIFIED, S.LOST}),
        (S.QUALIFIED, {S.ACTIVE, S.LOST}),
        (S.ACTIVE, {S.VERIFY_WIN, S.LOST}),
        (S.VERIFY_WIN, {S.LANDED, S.LOST}),
        (S.LANDED, {S.ACTIVE}),
        (S.LOST, {S.ACTIVE}),
    ],
)
def test_each_stage_moves_only_to_the_next_or_lost_and_closed_ones_reopen_to_active(frm, allowed):
    lead = Lead(stage=frm)
    assert set(stages.allowed_moves(lead)) == allowed
    for to in set(S.values) - allowed - {frm}:
        assert stages.move_refusal(lead, to), (frm, to)


def test_a_skipped_stage_says_which_stage_comes_next():
    message = stages.move_refusal(Lead(stage=S.REFERRED), S.ACTIVE)
    assert (
        message == "A referred lead moves to qualified or lost next; it cannot go to active without the stages between."
    )


def test_a_closed_lead_is_reopened_before_it_moves_on():
    message = stages.move_refusal(Lead(stage=S.LOST), S.LANDED)
    assert "reopen it to active, with a reason" in message
    assert stages.needs_reason(Lead(stage=S.LANDED), S.ACTIVE)
    assert not stages.needs_reason(Lead(stage=S.QUALIFIED), S.ACTIVE)


def test_each_stage_requires_the_fields_of_the_stages_before_it():
    assert stages.STAGE_FIELDS[S.QUALIFIED] == ("sector", "origin_country", "kind")
    assert set(stages.STAGE_FIELDS[S.QUALIFIED]) < set(stages.STAGE_FIELDS[S.ACTIVE])
    assert set(stages.STAGE_FIELDS[S.ACTIVE]) < set(stages.STAGE_FIELDS[S.VERIFY_WIN])
    assert set(stages.STAGE_FIELDS[S.VERIFY_WIN]) < set(stages.STAGE_FIELDS[S.LANDED])
    assert "company_number" in stages.STAGE_FIELDS[S.LANDED]
    assert stages.STAGE_FIELDS[S.LOST] == ("lost_reason", "competing_location")


def test_missing_fields_are_named_in_the_order_asked():
    lead = Lead(name="Acme", stage=S.REFERRED, sector="software")
    assert list(stages.rule_for(S.ACTIVE).missing(lead)) == [
        "origin_country",
        "kind",
        "owner",
        "expected_jobs",
        "expected_capital",
    ]
