"""A person downloads what the portal holds about them: every registered section, their own rows
only, never a secret, in a fixed number of queries."""

import datetime
import json

import pytest
from django.urls import reverse

from ambassadors.models import Ambassador
from portal.models import Feedback
from portal.personal_data import (
    EXPORT_FORMAT,
    PERSONAL_DATA_SECTIONS,
    PersonalDataSection,
    personal_data_export,
    personal_data_register,
    personal_data_sections,
)
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory
from tests.ambassadors.lead_factories import LeadFactory
from tests.browser.conftest import PASSWORD
from tests.portal.factories import OrganisationFactory
from tests.workspaces.factories import ApplicationFactory, offered_application

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:account-data")
DOWNLOAD = reverse("portal:account-data-download")


def download(client, user, *, through_sign_in: bool = False) -> dict:
    if through_sign_in:  # the sign-in page records the session
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    else:
        client.force_login(user)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tech-commissioner-portal-your-data-')
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def test_every_app_with_personal_data_registers_a_section():
    assert [section.key for section in personal_data_sections()][:4] == [
        "account",
        "organisations",
        "sessions",
        "feedback",
    ]
    assert {"ambassador", "workspace_applications"} <= set(PERSONAL_DATA_SECTIONS)
    for section in personal_data_sections():
        assert section.title and section.description.endswith(".")


def test_a_registered_section_is_in_the_download(founder_user):
    section = PersonalDataSection(
        key="funding_alerts", title="Your funding alerts", description="Alerts.", export=lambda *, user: [user.pk]
    )
    personal_data_register(section)
    try:
        assert personal_data_export(user=founder_user)["funding_alerts"] == [founder_user.pk]
    finally:
        del PERSONAL_DATA_SECTIONS["funding_alerts"]


def test_a_founder_downloads_their_account_firms_applications_and_feedback(client, founder_user, staff_user):
    firm = OrganisationFactory(name="Clinic Scheduling Ltd", members=[founder_user])
    OrganisationFactory(name="Not Theirs Ltd")
    draft = ApplicationFactory(applicant=founder_user, firm_name="Clinic Scheduling Ltd", pitch="Our pitch.")
    offered = offered_application(staff=staff_user, applicant=founder_user, diversity_consent=True, founders_women=1)
    ApplicationFactory(firm_name="Someone Else Ltd")  # another founder's
    Feedback.objects.create(doing="Applying", problem="The page froze", email=founder_user.email.upper())
    Feedback.objects.create(doing="Reading", problem="Someone else's report", email="other@example.org")

    data = download(client, founder_user, through_sign_in=True)

    assert data["format"] == EXPORT_FORMAT
    assert data["account"]["email"] == founder_user.email
    assert data["account"]["full_name"] == founder_user.full_name
    assert data["account"]["roles"] == ["founder"]
    assert data["account"]["email_addresses"] == [{"email": founder_user.email, "verified": True, "primary": True}]
    assert data["account"]["two_factor_authentication"] == []
    assert [o["name"] for o in data["organisations"]] == [firm.name]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["ip_address"] == "127.0.0.1"
    assert [f["what_went_wrong"] for f in data["feedback"]] == ["The page froze"]
    assert data["ambassador"] is None

    applications = {a["reference"]: a for a in data["workspace_applications"]}
    assert set(applications) == {draft.reference, offered.reference}
    mine = applications[draft.reference]
    assert mine["status"] == "Draft"
    assert mine["answers"]["Your pitch"]["Pitch"] == "Our pitch."
    assert mine["status_history"] == []  # the factory makes no change rows
    held = applications[offered.reference]
    assert held["offer"]["desks"] == 1 and held["tenancy"] is None
    assert held["answers"]["Diversity monitoring"]["Founders who are women"] == "1"
    assert [change["to"] for change in held["status_history"]] == ["Offered"]
    assert "Someone Else Ltd" not in json.dumps(data)


def test_an_ambassador_downloads_their_profile_activities_and_leads(client):
    ambassador = AmbassadorFactory(full_name="Ama Ambassador", bio="I connect firms.")
    ActivityFactory(ambassador=ambassador, notes="Met three investors")
    LeadFactory(referred_by=ambassador, name="Referred Firm Inc")
    LeadFactory(name="Another's Lead Inc")

    data = download(client, ambassador.user)

    profile = data["ambassador"]
    assert (profile["full_name"], profile["bio"], profile["country"]) == ("Ama Ambassador", "I connect firms.", "India")
    assert [a["notes"] for a in profile["activities"]] == ["Met three investors"]
    assert [lead["company"] for lead in profile["leads_referred"]] == ["Referred Firm Inc"]
    assert data["account"]["roles"] == ["ambassador"]
    # Two-factor authentication: what and when, never the secret or the recovery codes.
    assert [a["type"] for a in data["account"]["two_factor_authentication"]] == ["Authenticator app", "Recovery codes"]
    text = json.dumps(data)
    assert "JBSWY3DPEHPK3PXP" not in text and "Another's Lead" not in text and "password" not in text


def test_the_download_runs_the_same_queries_for_many_rows(client, founder_user, count_queries):
    client.force_login(founder_user)
    ApplicationFactory(applicant=founder_user)
    OrganisationFactory(members=[founder_user])
    client.get(DOWNLOAD)
    with count_queries() as few:
        assert client.get(DOWNLOAD).status_code == 200
    ApplicationFactory.create_batch(15, applicant=founder_user)
    OrganisationFactory.create_batch(5, members=[founder_user])
    for n in range(5):
        Feedback.objects.create(doing="x", problem=f"problem {n}", email=founder_user.email)
    with count_queries() as many:
        response = client.get(DOWNLOAD)
    assert len(json.loads(response.content)["workspace_applications"]) == 16
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]


def test_an_ambassadors_download_runs_the_same_queries_for_many_rows(client, count_queries):
    ambassador = AmbassadorFactory()
    client.force_login(ambassador.user)
    ActivityFactory(ambassador=ambassador)
    client.get(DOWNLOAD)
    with count_queries() as few:
        client.get(DOWNLOAD)
    ActivityFactory.create_batch(10, ambassador=ambassador)
    LeadFactory.create_batch(10, referred_by=ambassador)
    with count_queries() as many:
        client.get(DOWNLOAD)
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]


def test_the_page_says_what_the_file_holds(client, founder_user):
    client.force_login(founder_user)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    for section in personal_data_sections():
        assert section.title in page
    assert DOWNLOAD in page and reverse("portal:account-delete") in page and "None" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, DOWNLOAD):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_dates_are_written_as_iso_dates(client):
    ambassador = AmbassadorFactory(term_starts_on=datetime.date(2026, 1, 1))
    data = download(client, ambassador.user)
    assert data["ambassador"]["term_starts_on"] == "2026-01-01"
    assert Ambassador.objects.count() == 1


def test_the_privacy_notice_says_what_is_kept_and_how_to_download_or_delete_it(client):
    page = client.get(reverse("portal:privacy")).content.decode()
    assert "How long we keep it" in page and "24 months after the decision" in page
    for url in (reverse("usersessions_list"), PAGE, reverse("portal:account-delete")):
        assert f'href="{url}"' in page
    assert "at least 10 people" in page
