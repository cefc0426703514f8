"""The investment register's services: every value checked at once, duplicates flagged (never
added silently nor dropped) and cleared by staff, verification taken away by a change, who may
change and delete what, and bulk writes all or nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from funding import investment_rules as rules
from funding import investment_services as services
from funding import investment_submissions as submissions
from funding.models import Investment, InvestmentInvestor
from funding.permissions import investments_writable_by
from portal.models import Organisation
from portal.page_cache import data_versions
from portal.permissions import Actor
from tests.funding.factories import InvestmentFactory, InvestorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 31)


@pytest.fixture
def staff(staff_user):
    return Actor(user=staff_user)


@pytest.fixture
def partner():
    organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Birmingham Tech (test)", is_tech=False)
    return Actor(partner=organisation, client_id="partner-client")


def deal(firm, **changes) -> dict:
    data = {
        "firm": firm,
        "kind": Investment.Kind.EQUITY,
        "stage": Investment.Stage.SEED,
        "amount_gbp": 500_000,
        "announced_on": DAY,
        "opportunity": None,
        "title": "Seed round",
        "source": "https://news.example/seed",
    }
    data.update(changes)
    return data


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_staff_record_a_deal_with_its_lead(staff, staff_user):
    firm, lead, other = OrganisationFactory(), InvestorFactory(), InvestorFactory()
    before = data_versions()["investments"]
    investment = services.investment_create(
        data=deal(firm),
        investors=[
            {"investor": lead, "is_lead": True, "country": "US"},
            {"investor": other, "is_lead": False, "country": "GB"},
        ],
        actor=staff,
    )
    assert investment.origin == Investment.Origin.STAFF and investment.created_by == staff_user
    assert investment.possible_duplicate_of is None and investment.verified_at is None
    rows = {(r.investor_id, r.is_lead, r.country.code) for r in investment.investor_rows.all()}
    assert rows == {(lead.pk, True, "US"), (other.pk, False, "GB")}
    assert Investment.objects.international().get() == investment
    assert data_versions()["investments"] > before
    assert investment.history.get().history_user == staff_user


def test_a_partner_deal_is_attributed_to_its_organisation(partner):
    investment = services.investment_create(data=deal(OrganisationFactory()), investors=[], actor=partner)
    assert investment.origin == Investment.Origin.PARTNER
    assert investment.submitted_by == partner.partner and investment.created_by is None
    assert investment.history.get().history_change_reason.startswith("API client partner-client")
    assert Investment.objects.lead_unknown().get() == investment


def test_every_problem_is_reported_at_once(staff):
    funder, firm = InvestorFactory(name="Northern Ventures"), OrganisationFactory()
    errors = errors_of(
        lambda: services.investment_create(
            data=deal(
                funder,
                kind=Investment.Kind.GRANT,
                stage=Investment.Stage.SEED,
                amount_gbp=-5,
                announced_on=timezone.localdate() + datetime.timedelta(days=1),
                source=" ",
            ),
            investors=[
                {"investor": firm, "is_lead": True, "country": "US"},
                {"investor": firm, "is_lead": True, "country": "XX"},
                {"investor": funder, "is_lead": False, "country": ""},
            ],
            actor=staff,
        )
    )
    assert errors["firm"] == ["Northern Ventures is a funder, not a firm"]
    assert errors["stage"] == ["Only equity rounds have a stage: leave it empty for a grant"]
    assert "more than £0" in errors["amount_gbp"][0]
    assert "cannot be in the future" in errors["announced_on"][0]
    assert "where the figure comes from" in errors["source"][0]
    assert "listed twice" in errors["investors.1.investor"][0]
    assert "two-letter code" in errors["investors.1.country"][0]
    assert errors["investors.2.country"] == ["Choose the country the investor is based in"]
    assert "Only one investor can be the lead" in errors["investors"][0]
    assert not Investment.objects.exists()


def test_amounts_and_dates_are_checked_against_their_unit_and_period(staff):
    firm = OrganisationFactory()
    for changes, field in [
        ({"amount_gbp": 0}, "amount_gbp"),
        ({"amount_gbp": rules.MAX_INVESTMENT_GBP + 1}, "amount_gbp"),
        ({"amount_gbp": 10.5}, "amount_gbp"),
        ({"announced_on": datetime.date(1989, 12, 31)}, "announced_on"),
        ({"kind": "gift"}, "kind"),
    ]:
        assert field in errors_of(
            lambda c=changes: services.investment_create(data=deal(firm, **c), investors=[], actor=staff)
        )
    services.investment_create(data=deal(firm, amount_gbp=None), investors=[], actor=staff)  # undisclosed
    assert Investment.objects.get().amount_gbp is None


def test_a_duplicate_is_flagged_never_dropped_and_undisclosed_matches_undisclosed(staff):
    firm = OrganisationFactory()
    first = services.investment_create(data=deal(firm), investors=[], actor=staff)
    second = services.investment_create(data=deal(firm, title="Same round, other source"), investors=[], actor=staff)
    assert second.possible_duplicate_of_id == first.pk
    # Another amount, kind or day is another deal.
    for changes in (
        {"amount_gbp": 500_001},
        {"kind": "loan", "stage": ""},
        {"announced_on": DAY - datetime.timedelta(1)},
    ):
        assert (
            services.investment_create(data=deal(firm, **changes), investors=[], actor=staff).possible_duplicate_of
            is None
        )
    hidden = services.investment_create(data=deal(firm, amount_gbp=None), investors=[], actor=staff)
    assert hidden.possible_duplicate_of is None  # undisclosed does not match £500,000
    again = services.investment_create(data=deal(firm, amount_gbp=None), investors=[], actor=staff)
    assert again.possible_duplicate_of_id == hidden.pk
    assert Investment.objects.count() == 7
    assert set(Investment.objects.flagged()) == {second, again}


def test_staff_clear_the_flag_and_it_stays_cleared_until_the_deal_changes(staff, partner):
    firm = OrganisationFactory()
    first = services.investment_create(data=deal(firm), investors=[], actor=staff)
    second = services.investment_create(data=deal(firm), investors=[], actor=staff)
    with pytest.raises(PermissionDenied):
        services.investment_duplicate_clear(investment=second, actor=partner)
    services.investment_duplicate_clear(investment=second, actor=staff)
    services.investment_duplicate_clear(investment=second, actor=staff)  # idempotent
    second.refresh_from_db()
    assert second.possible_duplicate_of is None
    services.investment_update(investment=second, data={"title": "Renamed"}, actor=staff)
    second.refresh_from_db()
    assert second.possible_duplicate_of is None  # the key did not change
    # Moving the first deal away and back works it out afresh.
    services.investment_update(investment=first, data={"amount_gbp": 1}, actor=staff)
    services.investment_update(investment=second, data={"amount_gbp": 1}, actor=staff)
    second.refresh_from_db()
    assert second.possible_duplicate_of_id == first.pk


def test_deleting_the_original_moves_the_flag_to_another_copy_or_clears_it(staff):
    firm = OrganisationFactory()
    first, second, third = (services.investment_create(data=deal(firm), investors=[], actor=staff) for _ in range(3))
    services.investment_delete(investment=first, actor=staff)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.possible_duplicate_of is None and third.possible_duplicate_of_id == second.pk
    assert first.history.filter(history_type="-").exists()  # the audit keeps the deleted deal


def test_verification_is_staff_only_idempotent_and_taken_away_by_a_change(staff, staff_user, partner):
    investment = services.investment_create(data=deal(OrganisationFactory()), investors=[], actor=partner)
    with pytest.raises(PermissionDenied):
        services.investment_verify(investment=investment, actor=partner)
    services.investment_verify(investment=investment, actor=staff)
    at = Investment.objects.get().verified_at
    services.investment_verify(investment=investment, actor=staff)
    investment.refresh_from_db()
    assert (investment.verified_at, investment.verified_by) == (at, staff_user)
    # The same values again change nothing; a new value takes the verification away.
    services.investment_update(investment=investment, data={"amount_gbp": 500_000}, actor=partner)
    assert Investment.objects.get().verified_at == at
    services.investment_update(investment=investment, data={"amount_gbp": 600_000}, actor=partner)
    assert Investment.objects.get().verified_at is None


def test_a_flagged_deal_is_not_verified_until_the_flag_is_resolved(staff):
    firm = OrganisationFactory()
    services.investment_create(data=deal(firm), investors=[], actor=staff)
    copy = services.investment_create(data=deal(firm), investors=[], actor=staff)
    with pytest.raises(ValidationError, match="may be a duplicate of investment"):
        services.investment_verify(investment=copy, actor=staff)


def test_a_partner_changes_and_deletes_only_its_own_unverified_deals(staff, partner):
    own = services.investment_create(data=deal(OrganisationFactory()), investors=[], actor=partner)
    other = InvestmentFactory()
    assert list(investments_writable_by(partner, Investment.objects.all())) == [own]
    with pytest.raises(PermissionDenied):
        services.investment_update(investment=other, data={"title": "Taken"}, actor=partner)
    with pytest.raises(PermissionDenied):
        services.investment_delete(investment=other, actor=partner)
    services.investment_verify(investment=own, actor=staff)
    own.refresh_from_db()
    with pytest.raises(PermissionDenied, match="verified"):
        services.investment_delete(investment=own, actor=partner)
    # A partner never creates investor organisations.
    with pytest.raises(PermissionDenied):
        services.investment_create(
            data=deal(OrganisationFactory()),
            investors=[{"investor": None, "name": "Brand New Capital", "is_lead": True, "country": "GB"}],
            actor=partner,
        )
    assert not Organisation.objects.filter(name="Brand New Capital").exists()


def test_staff_add_a_new_investor_organisation_with_the_deal(staff):
    investment = services.investment_create(
        data=deal(OrganisationFactory()),
        investors=[{"investor": None, "name": " Brand New Capital ", "is_lead": True, "country": "FR"}],
        actor=staff,
    )
    investor = Organisation.objects.get(name="Brand New Capital")
    assert investor.kind == Organisation.Kind.FUNDER
    assert investment.investor_rows.get().investor == investor


def test_investors_change_in_place_and_the_history_says_how(staff):
    a, b, c = InvestorFactory(name="Alpha"), InvestorFactory(name="Beta"), InvestorFactory(name="Gamma")
    investment = services.investment_create(
        data=deal(OrganisationFactory()),
        investors=[
            {"investor": a, "is_lead": True, "country": "GB"},
            {"investor": b, "is_lead": False, "country": "GB"},
        ],
        actor=staff,
    )
    kept = investment.investor_rows.get(investor=b).pk
    services.investment_update(
        investment=investment,
        data={},
        investors=[
            {"investor": b, "is_lead": True, "country": "US"},
            {"investor": c, "is_lead": False, "country": "DE"},
        ],
        actor=staff,
    )
    rows = {(r.investor.name, r.is_lead, r.country.code) for r in investment.investor_rows.all()}
    assert rows == {("Beta", True, "US"), ("Gamma", False, "DE")}
    assert investment.investor_rows.get(investor=b).pk == kept
    from funding.investment_selectors import investment_history

    texts = [text for entry in investment_history(investment) for text in entry.changes]
    assert "Investor removed: Alpha" in texts
    assert "Investor Beta: now the lead, based in United States of America" in texts
    assert "Investor added: Gamma (Germany)" in texts


def test_bulk_is_all_or_nothing_and_names_each_item_and_field(staff):
    firm, investor = OrganisationFactory(), InvestorFactory()

    def item(**changes):
        data = {
            "firm": firm.pk,
            "kind": "grant",
            "stage": "",
            "amount_gbp": 25_000,
            "announced_on": DAY,
            "source": "https://funder.example/awards",
            "investors": [{"organisation": investor.pk, "is_lead": True, "country": "GB"}],
        }
        data.update(changes)
        return data

    items = [
        item(),
        item(amount_gbp=0),
        item(firm=999_999),
        item(investors=[{"organisation": 999_998, "country": "GB"}]),
    ]
    errors = errors_of(lambda: submissions.investments_submit_bulk(items=items, actor=staff))
    assert set(errors) == {"1.amount_gbp", "2.firm", "3.investors.0.organisation"}
    assert not Investment.objects.exists() and not InvestmentInvestor.objects.exists()
    created = submissions.investments_submit_bulk(items=[item(), item(), item(amount_gbp=None)], actor=staff)
    assert [c.possible_duplicate_of_id for c in created] == [None, created[0].pk, None]
    assert InvestmentInvestor.objects.filter(is_lead=True).count() == 3
    assert all(c.history.get().history_user == staff.user for c in created)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_deal_recorded_twice_at_once_is_flagged_once(postgres, staff_user):
    from tests.conftest import run_at_once

    firm = OrganisationFactory()
    actor = Actor(user=staff_user)
    results = run_at_once(
        [lambda: services.investment_create(data=deal(firm), investors=[], actor=actor) for _ in range(2)]
    )
    assert all(isinstance(r, Investment) for r in results), results
    flags = sorted(Investment.objects.values_list("possible_duplicate_of", flat=True), key=lambda v: v or 0)
    assert flags[0] is None and flags[1] == min(r.pk for r in results)
