"""Activities: an active ambassador logs and changes their own (the organisation from the
registry, the lead from their own leads only), every error at once (400); another ambassador's
activity is a 404; refused roles get 403."""

import datetime
import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors import services
from ambassadors.models import Activity, Lead
from portal.roles import Role
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("ambassadors:activity-list")
CREATE = reverse("ambassadors:activity-create")


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def update_url(activity) -> str:
    return reverse("ambassadors:activity-update", args=[activity.pk])


def lead_of(ambassador, name="Sakura Robotics") -> Lead:
    return Lead.objects.create(name=name, referred_by=ambassador)


def form_data(day: datetime.date, **extra) -> dict:
    return {
        "kind": "introduction",
        "occurred_on_day": str(day.day),
        "occurred_on_month": str(day.month),
        "occurred_on_year": str(day.year),
        "place": "Osaka",
        "reach": "0",
        "notes": "Introduced a robotics firm to the growth hub.",
        **extra,
    }


@pytest.fixture
def ambassador():
    return AmbassadorFactory()


# Services ------------------------------------------------------------------------------------


def test_an_activity_is_logged_with_its_organisation_and_own_lead(ambassador):
    organisation = OrganisationFactory()
    lead = lead_of(ambassador)
    activity = services.activity_create(
        ambassador=ambassador,
        actor=ambassador.user,
        data={
            "kind": "event",
            "occurred_on": timezone.localdate(),
            "reach": 0,
            "organisation": organisation,
            "lead": lead,
        },
    )
    assert (activity.reach, activity.organisation, activity.lead, activity.place) == (0, organisation, lead, "")


def test_the_service_refuses_a_future_date_a_bad_kind_and_another_ambassadors_lead(ambassador):
    other_lead = lead_of(AmbassadorFactory())
    with pytest.raises(ValidationError) as error:
        services.activity_create(
            ambassador=ambassador,
            actor=ambassador.user,
            data={
                "kind": "party",
                "occurred_on": timezone.localdate() + datetime.timedelta(days=1),
                "lead": other_lead,
            },
        )
    assert set(error.value.message_dict) == {"kind", "occurred_on", "lead"}
    assert not Activity.objects.exists()


def test_only_the_active_ambassador_logs_their_own(ambassador, staff_user):
    data = {"kind": "event", "occurred_on": timezone.localdate()}
    for actor in (staff_user, AmbassadorFactory().user):
        with pytest.raises(PermissionDenied):
            services.activity_create(ambassador=ambassador, actor=actor, data=data)
    paused = AmbassadorFactory(paused=True)
    with pytest.raises(PermissionDenied):
        services.activity_create(ambassador=paused, actor=paused.user, data=data)


# Pages ---------------------------------------------------------------------------------------


def test_log_an_activity_through_the_form(client, ambassador):
    organisation = OrganisationFactory(company_number="01234567")
    lead = lead_of(ambassador)
    client.force_login(ambassador.user)
    page = client.get(CREATE)
    assert page.status_code == 200 and "Sakura Robotics" in text(page)
    day = timezone.localdate() - datetime.timedelta(days=3)
    response = client.post(CREATE, form_data(day, organisation="0123 4567", lead=str(lead.pk)))
    assert response.status_code == 302 and response.url == LIST
    activity = Activity.objects.get()
    assert (activity.occurred_on, activity.organisation, activity.lead, activity.reach) == (day, organisation, lead, 0)
    listing = text(client.get(LIST))
    assert "Logged your introduction activity" in listing and "Osaka" in listing


def test_the_form_reports_every_error_at_once(client, ambassador):
    other_lead = lead_of(AmbassadorFactory(), name="Not Yours Ltd")
    client.force_login(ambassador.user)
    assert "Not Yours Ltd" not in text(client.get(CREATE))
    future = timezone.localdate() + datetime.timedelta(days=2)
    response = client.post(
        CREATE,
        form_data(future, kind="", reach="-4", organisation="No Such Firm", lead=str(other_lead.pk)),
    )
    assert response.status_code == 400
    page = text(response)
    for message in (
        "Choose what kind of activity it was",
        "Reach must be 0 or more",
        "No organisation in the registry has the name or Companies House number “No Such Firm”",
        "Choose one of the leads you referred",
    ):
        assert message in page, message
    response = client.post(CREATE, form_data(future))
    assert response.status_code == 400
    assert "The date of the activity must be today or in the past" in text(response)
    assert not Activity.objects.exists()


def test_a_date_typed_wrong_is_a_field_error(client, ambassador):
    client.force_login(ambassador.user)
    response = client.post(CREATE, {**form_data(timezone.localdate()), "occurred_on_month": "13"})
    assert response.status_code == 400
    assert "The date of the activity must be a real date" in text(response)


def test_an_ambassador_changes_their_own_activity(client, ambassador):
    activity = ActivityFactory(ambassador=ambassador)
    client.force_login(ambassador.user)
    assert client.get(update_url(activity)).status_code == 200
    response = client.post(update_url(activity), form_data(activity.occurred_on, kind="media", place=""))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.kind, activity.place) == ("media", "")


def test_another_ambassadors_activity_is_a_404(client, ambassador):
    theirs = ActivityFactory()
    client.force_login(ambassador.user)
    assert client.get(update_url(theirs)).status_code == 404
    assert client.post(update_url(theirs), form_data(timezone.localdate())).status_code == 404
    assert theirs.ambassador.full_name not in text(client.get(LIST))


@pytest.mark.parametrize("role", [Role.STAFF, Role.FOUNDER, Role.REVIEWER])
def test_other_roles_are_refused(client, make_user, role):
    activity = ActivityFactory()
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.get(update_url(activity)).status_code == 403


def test_a_paused_ambassador_reads_their_activities_but_logs_nothing(client):
    paused = AmbassadorFactory(paused=True)
    ActivityFactory(ambassador=paused, place="Kyoto")
    client.force_login(paused.user)
    response = client.get(LIST)
    assert response.status_code == 200 and "Kyoto" in text(response) and "Log an activity" not in text(response)
    assert client.get(CREATE).status_code == 403


def test_the_activity_list_keeps_its_query_count(client, ambassador, count_queries):
    client.force_login(ambassador.user)
    ActivityFactory.create_batch(3, ambassador=ambassador, lead=lead_of(ambassador), organisation=OrganisationFactory())
    client.get(LIST)
    with count_queries() as few:
        client.get(LIST)
    ActivityFactory.create_batch(
        40, ambassador=ambassador, lead=lead_of(ambassador, "B"), organisation=OrganisationFactory()
    )
    with count_queries() as many:
        client.get(LIST)
    assert many.count == few.count


def test_a_missing_date_says_so_plainly(client, ambassador):
    client.force_login(ambassador.user)
    data = {**form_data(timezone.localdate()), "occurred_on_day": "", "occurred_on_month": "", "occurred_on_year": ""}
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert "Enter the date of the activity" in text(response) and "the the" not in text(response)
