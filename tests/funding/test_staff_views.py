"""The staff pages that publish, change and withdraw opportunities: refused to other roles, every
error at once with a 400, post/redirect/get."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.models import Opportunity
from portal.selectors import organisation_reference
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

MANAGE = reverse("funding:opportunity-manage")
CREATE = reverse("funding:opportunity-create")


def form_data(funder, **changes) -> dict:
    closes = timezone.localdate() + datetime.timedelta(days=40)
    data = {
        "funder": organisation_reference(funder),
        "title": "Makers' grant",
        "kind": "grant",
        "summary": "Grants for makers.",
        "amount_min_gbp": "1000",
        "amount_max_gbp": "20000",
        "opens_on_day": "",
        "opens_on_month": "",
        "opens_on_year": "",
        "closes_on_day": str(closes.day),
        "closes_on_month": str(closes.month),
        "closes_on_year": str(closes.year),
        "eligibility": "Makers in the region.",
        "sectors": ["manufacturing", "cleantech"],
        "boroughs": ["wolverhampton"],
        "stages": [],
        "firm_age_min_years": "",
        "firm_age_max_years": "",
        "headcount_min": "",
        "headcount_max": "50",
        "link": "funder.example/makers",
    }
    data.update(changes)
    return data


def urls(opportunity: Opportunity) -> list[str]:
    return [
        MANAGE,
        CREATE,
        reverse("funding:opportunity-update", args=[opportunity.pk]),
        reverse("funding:opportunity-withdraw", args=[opportunity.pk]),
        reverse("funding:opportunity-suggest-funders") + "?q=Funder",
    ]


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_staff_pages_are_refused_to_other_roles(client, request, role):
    opportunity = OpportunityFactory()
    client.force_login(request.getfixturevalue(role))
    for url in urls(opportunity):
        assert client.get(url).status_code == 403, url
        assert client.post(url, form_data(opportunity.funder)).status_code == 403, url
    opportunity.refresh_from_db()
    assert opportunity.withdrawn_at is None
    assert Opportunity.objects.count() == 1


def test_staff_pages_send_the_signed_out_to_sign_in(client):
    opportunity = OpportunityFactory()
    for url in urls(opportunity):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_staff_publish_an_opportunity_then_see_it_listed(client, staff_user):
    funder = FunderFactory(name="Black Country Makers Trust")
    client.force_login(staff_user)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, form_data(funder))
    assert response.status_code == 302 and response["Location"] == MANAGE
    opportunity = Opportunity.objects.get()
    assert opportunity.link == "https://funder.example/makers"
    assert opportunity.created_by == staff_user
    assert sorted(r.sector for r in opportunity.sector_rules.all()) == ["cleantech", "manufacturing"]
    page = client.get(MANAGE).content.decode()
    assert "Published Makers&#x27; grant." in page and "Black Country Makers Trust" in page
    assert "Makers&#x27; grant" in client.get("/funding/").content.decode()


def test_the_form_reports_every_error_at_once_with_a_400(client, staff_user):
    funder = FunderFactory()
    client.force_login(staff_user)
    response = client.post(
        CREATE,
        form_data(
            funder,
            title="",
            amount_min_gbp="30000",
            amount_max_gbp="100",
            opens_on_day="31",
            opens_on_month="2",
            opens_on_year="2027",
            closes_on_day="",
            closes_on_month="",
            closes_on_year="",
            headcount_min="60",
            link='https://x.example/"<b>',
            sectors=["atlantis"],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for message in [
        "Enter the title",
        "The largest amount must be at least the smallest, £30,000",
        "Opening date must be a real date",
        "Enter the closing date, or say the opportunity is rolling",
        "The largest headcount must be at least the smallest, 60",
        "Enter a web address like",
        "Choose sectors from the list",
    ]:
        assert message in summary, message
    assert not Opportunity.objects.exists()


def test_rolling_with_a_closing_date_is_refused_on_the_closing_date(client, staff_user):
    client.force_login(staff_user)
    response = client.post(CREATE, form_data(FunderFactory(), rolling="on"))
    assert response.status_code == 400
    assert "Leave the closing date empty for a rolling opportunity" in response.content.decode()


def test_staff_change_an_opportunity(client, staff_user):
    opportunity = OpportunityFactory(title="Before", sectors=["fintech"])
    client.force_login(staff_user)
    page = client.get(reverse("funding:opportunity-update", args=[opportunity.pk])).content.decode()
    assert 'value="Before"' in page and 'value="fintech" checked' in page
    assert f'name="funder" type="text" value="{opportunity.funder.name}"' in page  # no number: its name
    response = client.post(
        reverse("funding:opportunity-update", args=[opportunity.pk]),
        form_data(
            opportunity.funder,
            title="After",
            sectors=[],
            rolling="on",
            closes_on_day="",
            closes_on_month="",
            closes_on_year="",
        ),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.rolling, opportunity.closes_on) == ("After", True, None)
    assert not opportunity.sector_rules.exists()


def test_staff_withdraw_after_confirming(client, staff_user):
    opportunity = OpportunityFactory(title="To go")
    url = reverse("funding:opportunity-withdraw", args=[opportunity.pk])
    client.force_login(staff_user)
    assert "Withdraw To go?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.withdrawn_at is not None
    assert client.get(url).status_code == 404  # nothing left to confirm
    client.logout()
    assert client.get(opportunity.get_absolute_url()).status_code == 404


def test_unknown_opportunity_is_404_on_staff_pages(client, staff_user):
    client.force_login(staff_user)
    for name in ("funding:opportunity-update", "funding:opportunity-withdraw"):
        assert client.get(reverse(name, args=[987654])).status_code == 404


def test_staff_list_query_count_does_not_grow(client, staff_user, count_queries):
    client.force_login(staff_user)
    OpportunityFactory.create_batch(2, sectors=["fintech"])
    client.get(MANAGE)
    with count_queries() as few:
        client.get(MANAGE)
    OpportunityFactory.create_batch(30, boroughs=["dudley"])
    with count_queries() as many:
        client.get(MANAGE)
    assert many.count == few.count
