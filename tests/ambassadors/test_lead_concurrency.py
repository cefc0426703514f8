"""Two staff moving the same lead at once, on PostgreSQL with real threads: each thread has its
own connection and transaction, so the row lock and the version check are what decide."""

from decimal import Decimal

import pytest

from ambassadors.exceptions import LeadChangedError
from ambassadors.models import Lead, LeadChange
from ambassadors.services import leads as services
from tests.conftest import run_at_once

from .lead_factories import LeadFactory, staff_member

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
S = Lead.Stage


@TRANSACTIONAL
def test_two_staff_moving_the_same_lead_at_once_make_one_change_and_one_clear_refusal(postgres, mailoutbox):
    lead = LeadFactory(qualified=True)
    first, second = staff_member(), staff_member()
    read_version = lead.version  # both opened the lead's page at this version

    results = run_at_once(
        [
            lambda: services.lead_move(
                lead=lead,
                actor=first,
                to=S.ACTIVE,
                version=read_version,
                data={"owner": first, "expected_jobs": 40, "expected_capital": Decimal("1000000")},
            ),
            lambda: services.lead_move(
                lead=lead,
                actor=second,
                to=S.LOST,
                version=read_version,
                data={"lost_reason": "Chose Manchester", "competing_location": "Manchester"},
            ),
        ]
    )

    moved = [r for r in results if isinstance(r, Lead)]
    refused = [r for r in results if isinstance(r, LeadChangedError)]
    assert len(moved) == 1 and len(refused) == 1, results
    assert "changed by someone else since you opened it, so nothing was saved" in refused[0].message
    lead.refresh_from_db()
    assert lead.stage == moved[0].stage and lead.version == read_version + 1
    change = LeadChange.objects.get(lead=lead)
    assert change.to_stage == lead.stage
    assert change.changed_by in (first, second)
    # The loser's answers were not half-applied.
    if lead.stage == S.ACTIVE:
        assert (lead.lost_reason, lead.competing_location) == ("", "")
    else:
        assert (lead.owner_id, lead.expected_jobs) == (None, None)
    # The referring ambassador is told about the one move that happened.
    assert len(mailoutbox) == 1


@TRANSACTIONAL
def test_a_change_made_from_an_old_read_after_another_is_refused(postgres):
    lead = LeadFactory(active=True)
    staff = staff_member()
    services.lead_update(lead=lead, actor=staff, version=1, data={"expected_jobs": 60})

    with pytest.raises(LeadChangedError):
        services.lead_update(lead=lead, actor=staff, version=1, data={"expected_jobs": 80})
    lead.refresh_from_db()
    assert (lead.expected_jobs, lead.version, lead.changes.count()) == (60, 2, 1)
