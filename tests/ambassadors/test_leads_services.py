"""The leads services: referring, recording, changing and moving leads through the stages, with
every refusal field by field, the history, landing in the registry and the ambassador's email."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ambassadors.exceptions import LeadChangedError, StageNotAllowedError
from ambassadors.models import Lead, LeadChange
from ambassadors.services import leads as services
from portal.models import DataVersion, Organisation
from tests.portal.factories import OrganisationFactory, UserFactory

from .lead_factories import LeadAmbassadorFactory, LeadFactory, staff_member

pytestmark = pytest.mark.django_db
S = Lead.Stage

ACTIVE_DATA = {"expected_jobs": 40, "expected_capital": Decimal("2500000")}
OUTCOME = {
    "new_jobs": 30,
    "safeguarded_jobs": 4,
    "capital_invested": Decimal("1500000.50"),
    "landed_on": datetime.date(2026, 5, 1),
}


@pytest.fixture
def staff():
    return staff_member()


def move(lead, staff, to, **data):
    reason = data.pop("reason", "")
    lead.refresh_from_db()
    return services.lead_move(lead=lead, actor=staff, to=to, version=lead.version, data=data, reason=reason)


def test_an_active_ambassador_refers_a_lead_credited_to_them():
    ambassador = LeadAmbassadorFactory()
    before = DataVersion.objects.filter(key="ambassadors").values_list("version", flat=True).first() or 0

    lead = services.lead_refer(
        actor=ambassador.user,
        data={"name": "  Bharat Robotics Pvt Ltd ", "summary": "A UK office", "origin_country": "IN", "sector": ""},
    )

    assert (lead.name, lead.stage, lead.referred_by, lead.created_by) == (
        "Bharat Robotics Pvt Ltd",
        S.REFERRED,
        ambassador,
        ambassador.user,
    )
    change = lead.changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", S.REFERRED, ambassador.user)
    assert change.fields["name"] == ["", "Bharat Robotics Pvt Ltd"]
    assert change.fields["origin_country"] == ["", "India"]
    assert DataVersion.objects.get(key="ambassadors").version == before + 1


@pytest.mark.parametrize("trait", ["paused", "retired"])
def test_only_an_active_ambassador_refers(trait):
    ambassador = LeadAmbassadorFactory(**{trait: True})
    with pytest.raises(PermissionDenied):
        services.lead_refer(actor=ambassador.user, data={"name": "Acme"})
    with pytest.raises(PermissionDenied):
        services.lead_refer(actor=UserFactory(), data={"name": "Acme"})
    assert not Lead.objects.exists()


def test_a_referral_reports_every_wrong_field_at_once():
    ambassador = LeadAmbassadorFactory()
    with pytest.raises(ValidationError) as caught:
        services.lead_refer(
            actor=ambassador.user,
            data={"name": " ", "company_number": "12-AB", "origin_country": "XX", "sector": "space", "kind": "loan"},
        )
    assert caught.value.message_dict == {
        "name": ["Enter the company's name"],
        "company_number": ["Enter a Companies House number of 8 characters, like 01234567 or SC123456."],
        "origin_country": ["Choose the country the company comes from from the list"],
        "sector": ["Choose the company's sector from the list"],
        "kind": ["Choose the type of investment from the list"],
    }
    assert not Lead.objects.exists()


def test_staff_record_a_lead_and_others_cannot(staff):
    ambassador = LeadAmbassadorFactory()
    lead = services.lead_create(actor=staff, data={"name": "Acme Inc", "referred_by": ambassador})
    assert lead.referred_by == ambassador and lead.stage == S.REFERRED
    with pytest.raises(PermissionDenied):
        services.lead_create(actor=ambassador.user, data={"name": "Acme"})


def test_a_lead_goes_through_every_stage_to_landed_with_its_history(staff, django_capture_on_commit_callbacks):
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        move(lead, staff, S.QUALIFIED, sector="fintech", origin_country="US", kind=Lead.Kind.FDI)
        move(lead, staff, S.ACTIVE, owner=staff, **ACTIVE_DATA)
        move(lead, staff, S.VERIFY_WIN, **OUTCOME)
        move(lead, staff, S.LANDED, company_number="sc123456")

    lead.refresh_from_db()
    assert lead.stage == S.LANDED and lead.version == 5
    firm = lead.organisation
    assert (firm.company_number, firm.name, firm.origin, firm.origin_country, firm.sector) == (
        "SC123456",
        lead.name,
        Organisation.Origin.RELOCATED_ABROAD,
        "US",
        "fintech",
    )
    history = list(lead.changes.values_list("from_stage", "to_stage", "changed_by"))
    assert history == [
        (S.REFERRED.value, S.QUALIFIED.value, staff.pk),
        (S.QUALIFIED.value, S.ACTIVE.value, staff.pk),
        (S.ACTIVE.value, S.VERIFY_WIN.value, staff.pk),
        (S.VERIFY_WIN.value, S.LANDED.value, staff.pk),
    ]
    landed = lead.changes.last()
    assert landed.fields["organisation"] == ["", lead.name]
    assert landed.fields["company_number"] == ["", "SC123456"]
    assert all(change.changed_at for change in lead.changes.all())
    # The referring ambassador was told at every move, once each.
    assert [m.to for m in mail.outbox] == [[lead.referred_by.user.email]] * 4
    assert "has landed in the West Midlands" in mail.outbox[-1].subject
    assert "30 new jobs, 4 safeguarded jobs and £1,500,000.50" in mail.outbox[-1].body
    assert f"/ambassadors/leads/{lead.pk}/" in mail.outbox[-1].body
    assert not LeadChange.objects.filter(lead=lead, notified_at__isnull=True).exists()


def test_landing_links_a_firm_already_in_the_registry_without_changing_it(staff):
    firm = OrganisationFactory(company_number="01234567", name="Existing Ltd", sector="software")
    lead = LeadFactory(verify_win=True)
    move(lead, staff, S.LANDED, company_number="1234567")
    lead.refresh_from_db()
    assert lead.organisation == firm
    firm.refresh_from_db()
    assert (firm.name, firm.origin) == ("Existing Ltd", Organisation.Origin.HOME_GROWN)
    assert Organisation.objects.filter(company_number="01234567").count() == 1


def test_a_move_without_the_stage_fields_is_refused_field_by_field(staff):
    lead = LeadFactory(qualified=True)
    with pytest.raises(ValidationError) as caught:
        move(lead, staff, S.ACTIVE, expected_jobs=-3, expected_capital=Decimal("10.005"))
    assert caught.value.message_dict == {
        "owner": ["Choose the member of staff who owns the lead"],
        "expected_jobs": ["The number of jobs expected cannot be negative: enter 0 or more"],
        "expected_capital": ["Enter the capital expected in pounds and pence, with at most 2 decimal places"],
    }
    lead.refresh_from_db()
    assert (lead.stage, lead.version, lead.changes.count()) == (S.QUALIFIED, 1, 0)


def test_landing_asks_for_every_outcome_and_a_real_date(staff):
    lead = LeadFactory(active=True)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(StageNotAllowedError):
        move(lead, staff, S.LANDED)
    with pytest.raises(ValidationError) as caught:
        move(lead, staff, S.VERIFY_WIN, new_jobs=1.5, capital_invested=Decimal("-1"), landed_on=tomorrow)
    assert caught.value.message_dict == {
        "safeguarded_jobs": ["Enter the number of safeguarded jobs"],
        "new_jobs": ["Enter the number of new jobs as a whole number, like 25"],
        "capital_invested": ["The capital invested cannot be negative: enter 0 or more"],
        "landed_on": ["The date the investment landed must be today or in the past"],
    }


def test_a_skipped_stage_is_refused_on_the_stage_field(staff):
    lead = LeadFactory()
    with pytest.raises(StageNotAllowedError) as caught:
        move(lead, staff, S.ACTIVE, sector="software", origin_country="IN", kind="fdi", owner=staff, **ACTIVE_DATA)
    assert caught.value.message_dict == {
        "stage": ["A referred lead moves to qualified or lost next; it cannot go to active without the stages between."]
    }
    lead.refresh_from_db()
    assert lead.stage == S.REFERRED and not lead.changes.exists()


def test_lost_from_an_open_stage_needs_its_reason_and_where_it_went(staff):
    lead = LeadFactory(qualified=True)
    with pytest.raises(ValidationError) as caught:
        move(lead, staff, S.LOST)
    assert set(caught.value.message_dict) == {"lost_reason", "competing_location"}
    move(lead, staff, S.LOST, lost_reason="Went with a bigger grant", competing_location="Dublin")
    lead.refresh_from_db()
    assert lead.stage == S.LOST


def test_staff_reopen_a_landed_lead_to_active_with_a_reason(staff):
    lead = LeadFactory(landed=True)
    with pytest.raises(ValidationError) as caught:
        move(lead, staff, S.ACTIVE)
    assert caught.value.message_dict == {"reason": ["Enter why the landed lead is reopened"]}
    move(lead, staff, S.ACTIVE, reason="The office opening was postponed")
    change = lead.changes.get()
    assert (change.from_stage, change.to_stage, change.reason) == (
        S.LANDED,
        S.ACTIVE,
        "The office opening was postponed",
    )


def test_an_out_of_date_version_is_refused_and_nothing_changes(staff):
    lead = LeadFactory(qualified=True)
    with pytest.raises(LeadChangedError) as caught:
        services.lead_move(lead=lead, actor=staff, to=S.LOST, version=lead.version - 1 + 5, data={})
    assert "changed by someone else" in caught.value.message
    with pytest.raises(LeadChangedError):
        services.lead_update(lead=lead, actor=staff, version=7, data={"summary": "x"})


def test_an_update_records_the_fields_that_changed_and_keeps_the_stage_rules(staff):
    lead = LeadFactory(active=True)
    services.lead_update(lead=lead, actor=staff, version=1, data={"expected_jobs": 55, "summary": lead.summary})
    change = lead.changes.get()
    assert change.fields == {"expected_jobs": ["40", "55"]}
    assert (change.from_stage, change.to_stage) == (S.ACTIVE, S.ACTIVE)
    with pytest.raises(ValidationError) as caught:
        services.lead_update(lead=lead, actor=staff, version=2, data={"expected_jobs": None})
    assert caught.value.message_dict == {"expected_jobs": ["Enter the number of jobs expected"]}
    # Nothing changed, nothing recorded.
    services.lead_update(lead=lead, actor=staff, version=2, data={"expected_jobs": 55})
    assert lead.changes.count() == 1


def test_an_ambassador_cannot_move_or_change_a_lead():
    lead = LeadFactory()
    with pytest.raises(PermissionDenied):
        services.lead_move(lead=lead, actor=lead.referred_by.user, to=S.QUALIFIED, version=1)
    with pytest.raises(PermissionDenied):
        services.lead_update(lead=lead, actor=lead.referred_by.user, version=1, data={"name": "x"})


def test_the_owner_must_be_staff(staff):
    lead = LeadFactory(qualified=True)
    with pytest.raises(ValidationError) as caught:
        move(lead, staff, S.ACTIVE, owner=UserFactory(), **ACTIVE_DATA)
    assert caught.value.message_dict == {"owner": ["Choose a member of commissioner staff to own the lead"]}


def test_an_owed_email_is_sent_once_by_the_sweep(staff):
    lead = LeadFactory()
    move(lead, staff, S.QUALIFIED, sector="software", origin_country="IN", kind="fdi")  # no commit: job never ran
    change = lead.changes.get()
    LeadChange.objects.filter(pk=change.pk).update(changed_at=timezone.now() - datetime.timedelta(minutes=6))
    assert mail.outbox == []

    assert services.lead_notifications_send_owed() == 1
    assert services.lead_notifications_send_owed() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == f"Your lead {lead.name} has been qualified"


def test_a_lead_without_an_ambassador_account_owes_no_email(staff):
    lead = services.lead_create(actor=staff, data={"name": "Walk-in Ltd"})
    move(lead, staff, S.QUALIFIED, sector="software", origin_country="IN", kind="fdi")
    LeadChange.objects.update(changed_at=timezone.now() - datetime.timedelta(minutes=6))
    assert services.lead_notifications_send_owed() == 0
