"""The other lists of the people pages keep a fixed number of queries as they grow (invitations,
briefings for staff and for an ambassador), and the admin shows every ambassadors model."""

import pytest
from django.urls import reverse

from ambassadors.models import Lead, LeadChange
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory, BriefingFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url, count_queries) -> int:
    client.get(url)
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (reverse("ambassadors:invitation-list"), lambda n: InvitationFactory.create_batch(n)),
        (
            reverse("ambassadors:briefing-manage"),
            lambda n: BriefingFactory.create_batch(n, audience="country", audience_country="JP"),
        ),
        (reverse("ambassadors:briefing-list"), lambda n: BriefingFactory.create_batch(n)),
    ],
)
def test_staff_lists_keep_their_query_count(client, staff_user, count_queries, url, make):
    client.force_login(staff_user)
    make(3)
    few = queries_for(client, url, count_queries)
    make(30)
    assert queries_for(client, url, count_queries) == few


def test_the_ambassador_home_and_briefings_keep_their_query_count(client, count_queries):
    ambassador = AmbassadorFactory(sectors=["software", "fintech"])
    client.force_login(ambassador.user)
    ActivityFactory.create_batch(2, ambassador=ambassador)
    BriefingFactory.create_batch(2)
    home = queries_for(client, reverse("ambassadors:home"), count_queries)
    briefings = queries_for(client, reverse("ambassadors:briefing-list"), count_queries)
    ActivityFactory.create_batch(20, ambassador=ambassador)
    BriefingFactory.create_batch(20, audience="sector", audience_sector="fintech")
    assert queries_for(client, reverse("ambassadors:home"), count_queries) == home
    assert queries_for(client, reverse("ambassadors:briefing-list"), count_queries) == briefings


def test_the_admin_shows_every_ambassadors_model(client, make_user):
    operator = make_user("staff")
    operator.is_superuser = operator.is_staff = True
    operator.save()
    ambassador = AmbassadorFactory()
    ActivityFactory(ambassador=ambassador)
    InvitationFactory()
    lead = Lead.objects.create(name="Osaka Pay", referred_by=ambassador)
    LeadChange.objects.create(lead=lead, to_stage="referred")
    BriefingFactory()
    client.force_login(operator)
    for model in ("ambassador", "invitation", "activity", "lead", "briefing", "targetmarket", "activityreminder"):
        assert client.get(reverse(f"admin:ambassadors_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:ambassadors_ambassador_change", args=[ambassador.pk])).status_code == 200
    assert client.get(reverse("admin:ambassadors_lead_change", args=[lead.pk])).status_code == 200  # read only
