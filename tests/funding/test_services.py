"""The funding services and models: value checks, database constraints, the data key bumped by
every write (and by nothing else), withdrawal, the SQLite search and the demo data."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from funding import demo, querysets, services
from funding.models import Opportunity
from portal.page_cache import data_versions
from portal.permissions import Actor
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def data(**changes) -> dict:
    values = {
        "title": "Grant",
        "kind": "grant",
        "summary": "Summary.",
        "eligibility": "Anyone.",
        "closes_on": datetime.date(2030, 1, 31),
        "link": "https://funder.example/",
    }
    values.update(changes)
    return values


@pytest.fixture
def staff(staff_user):
    return Actor(user=staff_user)


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"amount_min_gbp": -5}, "funding_opportunity_amounts_not_negative"),
        ({"amount_min_gbp": 10, "amount_max_gbp": 5}, "funding_opportunity_amount_min_le_max"),
        ({"opens_on": datetime.date(2030, 2, 1)}, "funding_opportunity_closes_after_opens"),
        ({"rolling": True}, "funding_opportunity_closing_date_or_rolling"),
        ({"closes_on": None}, "funding_opportunity_closing_date_or_rolling"),
        ({"firm_age_min_years": 9, "firm_age_max_years": 2}, "funding_opportunity_firm_age_min_le_max"),
        ({"headcount_min": 9, "headcount_max": 2}, "funding_opportunity_headcount_min_le_max"),
    ],
)
def test_the_database_refuses_what_the_services_refuse(changes, constraint):
    funder = FunderFactory()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Opportunity.objects.create(funder=funder, **data(**changes))


def test_create_bumps_the_funding_key_and_writes_the_search_vector(staff, postgres):
    before = data_versions()["funding"]
    opportunity = services.opportunity_create(data=data(funder=FunderFactory(), title="Lidar grant"), actor=staff)
    assert data_versions()["funding"] == before + 1
    assert list(Opportunity.objects.search("lidar")) == [opportunity]


def test_a_refused_write_bumps_nothing_and_writes_nothing(staff):
    before = data_versions()["funding"]
    with pytest.raises(ValidationError) as error:
        services.opportunity_create(
            data=data(funder=FunderFactory(), amount_min_gbp=10, amount_max_gbp=5, link="javascript:alert(1)"),
            actor=staff,
        )
    assert set(error.value.message_dict) == {"amount_max_gbp", "link"}
    assert data_versions()["funding"] == before
    assert not Opportunity.objects.exists()


def test_unknown_rule_values_are_refused(staff):
    with pytest.raises(ValidationError) as error:
        services.opportunity_create(data=data(funder=FunderFactory(), boroughs=["outside"]), actor=staff)
    assert "boroughs" in error.value.message_dict


def test_a_partner_publishes_only_for_its_own_organisation():
    partner = FunderFactory()
    actor = Actor(partner=partner, client_id="funder-client")
    opportunity = services.opportunity_create(data=data(), actor=actor)
    assert opportunity.funder == partner
    with pytest.raises(PermissionDenied):
        services.opportunity_create(data=data(funder=FunderFactory()), actor=actor)
    with pytest.raises(PermissionDenied):
        services.opportunity_update(opportunity=OpportunityFactory(), data={"title": "x"}, actor=actor)
    with pytest.raises(PermissionDenied):
        services.opportunity_create(data=data(), actor=Actor(partner=None, client_id="revoked"))


def test_people_who_are_not_staff_publish_nothing(founder_user):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(data=data(funder=FunderFactory()), actor=Actor(user=founder_user))


def test_withdraw_is_idempotent_and_bumps_once(staff):
    opportunity = OpportunityFactory()
    before = data_versions()["funding"]
    services.opportunity_withdraw(opportunity=opportunity, actor=staff)
    first = Opportunity.objects.get(pk=opportunity.pk).withdrawn_at
    services.opportunity_withdraw(opportunity=opportunity, actor=staff)
    assert Opportunity.objects.get(pk=opportunity.pk).withdrawn_at == first
    assert data_versions()["funding"] == before + 1
    assert not Opportunity.objects.published().filter(pk=opportunity.pk).exists()


def test_statuses_are_exclusive_and_cover_every_day():
    today = datetime.date(2027, 6, 15)
    OpportunityFactory(opens_on=datetime.date(2027, 6, 1), closes_on=datetime.date(2027, 6, 29))
    conditions = querysets.status_conditions(today)
    for offset in range(-40, 40):
        day = today + datetime.timedelta(days=offset)
        matches = [
            name for name, q in querysets.status_conditions(day).items() if Opportunity.objects.filter(q).exists()
        ]
        assert len(matches) == 1, (day, matches)
    assert Opportunity.objects.filter(conditions["closing_soon"]).exists()  # 14 days before its last day


class FakeSQLite:
    vendor = "sqlite"


def test_search_on_sqlite_finds_every_word_as_text_ranked_by_field(monkeypatch):
    OpportunityFactory(title="Robot arm grant", summary="For makers.", eligibility="Any firm.")
    OpportunityFactory(title="Makers' loan", summary="Robot cells.", eligibility="Any firm.")
    OpportunityFactory(title="Arts prize", summary="For painters.", eligibility="Robot-free studios.")
    OpportunityFactory(title="Games prize", summary="For studios.", eligibility="Any studio.")
    monkeypatch.setattr(querysets, "connection", FakeSQLite())
    found = Opportunity.objects.search("ROBOT").order_by("-rank", "title")
    assert [o.title for o in found] == ["Robot arm grant", "Makers' loan", "Arts prize"]
    assert {o.title for o in Opportunity.objects.search("robot makers")} == {"Robot arm grant", "Makers' loan"}


def test_demo_data_has_every_kind_in_every_status_and_is_idempotent():
    counts = demo.seed(today=datetime.date(2027, 3, 1))
    # The other parts of the funding demo (investments…) add counts of their own.
    assert {k: counts[k] for k in ("opportunities", "new_opportunities", "funders")} == {
        "opportunities": 60,
        "new_opportunities": 60,
        "funders": 15,
    }
    pairs = Counter((o.kind, o.status) for o in Opportunity.objects.with_status(datetime.date(2027, 3, 1)))
    assert set(pairs) == {(k, s) for k in Opportunity.Kind.values for s in Opportunity.Status.values}
    assert Opportunity.objects.values("funder").distinct().count() == 15
    assert all("Synthetic demo opportunity" in o.summary for o in Opportunity.objects.all())
    assert demo.seed(today=datetime.date(2027, 3, 1))["new_opportunities"] == 0
    assert Opportunity.objects.count() == 60
