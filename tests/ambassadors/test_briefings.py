"""Briefings: staff publish (every error at once, 400) to all ambassadors, one country or one
sector, with an optional file; an ambassador reads only those addressed to them, and the file is
served only to those who may read the briefing."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambassadors import services
from ambassadors.models import Briefing
from portal.roles import Role
from tests.ambassadors.factories import AmbassadorFactory, BriefingFactory

pytestmark = pytest.mark.django_db

MANAGE = reverse("ambassadors:briefing-manage")
LIST = reverse("ambassadors:briefing-list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def pdf(name: str = "pitch.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * size, content_type="application/pdf")


def detail(briefing) -> str:
    return reverse("ambassadors:briefing-detail", args=[briefing.pk])


def file_url(briefing) -> str:
    return reverse("ambassadors:briefing-file", args=[briefing.pk])


@pytest.fixture
def briefings():
    """One to everyone, one to ambassadors in Japan, one to those covering fintech."""
    return {
        "all": BriefingFactory(title="For everyone"),
        "japan": BriefingFactory(title="For Japan", audience="country", audience_country="JP"),
        "fintech": BriefingFactory(title="For fintech", audience="sector", audience_sector="fintech"),
    }


def test_an_ambassador_reads_only_the_briefings_addressed_to_them(client, briefings):
    indian_software = AmbassadorFactory(country="IN", sectors=["software"])
    client.force_login(indian_software.user)
    page = text(client.get(LIST))
    assert "For everyone" in page and "For Japan" not in page and "For fintech" not in page
    assert client.get(detail(briefings["all"])).status_code == 200
    assert client.get(detail(briefings["japan"])).status_code == 404
    assert client.get(detail(briefings["fintech"])).status_code == 404

    japanese_fintech = AmbassadorFactory(country="JP", sectors=["fintech"])
    client.force_login(japanese_fintech.user)
    page = text(client.get(LIST))
    assert all(title in page for title in ("For everyone", "For Japan", "For fintech"))


def test_staff_publish_with_a_file_and_only_addressees_download_it(client, staff_user, media):
    client.force_login(staff_user)
    response = client.post(
        MANAGE,
        {
            "title": "Tokyo roadshow",
            "body": "Key messages.",
            "audience": "country",
            "audience_country": "JP",
            "file": pdf(),
        },
    )
    assert response.status_code == 302 and response.url == MANAGE
    briefing = Briefing.objects.get()
    assert briefing.file.name.endswith(".pdf")
    assert "Published “Tokyo roadshow”" in text(client.get(MANAGE))
    assert client.get(file_url(briefing)).status_code == 200  # staff read every briefing

    client.force_login(AmbassadorFactory(country="JP").user)
    response = client.get(file_url(briefing))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(AmbassadorFactory(country="FR").user)
    assert client.get(file_url(briefing)).status_code == 404
    client.logout()
    response = client.get(file_url(briefing))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_publish_form_reports_every_error_at_once(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        MANAGE,
        {"title": "", "body": "", "audience": "sector", "audience_sector": "", "file": pdf("run.exe")},
    )
    assert response.status_code == 400
    page = text(response)
    for message in (
        "Enter a title",
        "Enter the briefing's text",
        "Choose the sector whose ambassadors the briefing is for",
        "The file must be a PDF",
    ):
        assert message in page, message
    assert not Briefing.objects.exists()


def test_the_service_refuses_a_country_briefing_without_a_country_and_non_staff(staff_user):
    with pytest.raises(ValidationError) as error:
        services.briefing_publish(actor=staff_user, title="T", body="B", audience="country")
    assert set(error.value.message_dict) == {"audience_country"}
    ambassador = AmbassadorFactory()
    with pytest.raises(PermissionDenied):
        services.briefing_publish(actor=ambassador.user, title="T", body="B", audience="all")


def test_a_large_file_is_refused(staff_user):
    from ambassadors.services import briefings

    big = pdf(size=briefings.FILE_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as error:
        services.briefing_publish(actor=staff_user, title="T", body="B", audience="all", file=big)
    assert "smaller than 10 MB" in error.value.message_dict["file"][0]


def test_staff_withdraw_a_briefing_and_its_file(client, staff_user, media, django_capture_on_commit_callbacks):
    briefing = services.briefing_publish(actor=staff_user, title="T", body="B", audience="all", file=pdf())
    path = media / briefing.file.name
    assert path.exists()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ambassadors:briefing-delete", args=[briefing.pk]))
    assert response.status_code == 302
    assert not Briefing.objects.exists() and not path.exists()


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER, Role.AMBASSADOR])
def test_other_roles_cannot_publish(client, make_user, role):
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(MANAGE).status_code == 403
    assert client.post(MANAGE, {"title": "T", "body": "B", "audience": "all"}).status_code == 403
    assert not Briefing.objects.exists()


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER])
def test_people_who_are_not_ambassadors_read_no_briefing(client, make_user, briefings, role):
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(briefings["all"])).status_code == 403


def test_a_retired_ambassador_reads_no_briefing(client, briefings):
    client.force_login(AmbassadorFactory(retired=True).user)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(briefings["all"])).status_code == 403
