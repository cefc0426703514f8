"""Oversize uploads are refused on the form, with the field's error, and never stored whole.

Every form that takes a file (a briefing's file, 10 MB; an investment import's CSV, 2 MB; a
briefing's file in the admin) refuses a file above its limit with a 400 and the form's own error,
whether the file is just over the limit or several times over ``UPLOAD_MAX_BYTES``; past that,
the upload handler keeps no more of it (portal/uploads.py).
"""

import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambassadors.models import Briefing
from ambassadors.services.briefings import FILE_MAX_BYTES
from funding.investment_imports import IMPORT_MAX_BYTES
from funding.models import InvestmentImport
from portal.roles import Role
from portal.uploads import OversizeUpload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def errors(response) -> list[str]:
    """The error summary's messages."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.S)
    assert summary, response.content.decode()[:2000]
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", summary[1], re.S)
    ]


def test_every_form_limit_is_within_what_the_upload_handler_keeps():
    # A file the handler stopped keeping must be over every form's limit, or a form could accept
    # the empty stand-in.
    assert FILE_MAX_BYTES <= settings.UPLOAD_MAX_BYTES
    assert IMPORT_MAX_BYTES <= settings.UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_HANDLERS[0] == "portal.uploads.UploadLimitHandler"


def _publish(client, body: bytes):
    """Post the briefing form with ``body`` as its file."""
    return client.post(
        reverse("ambassadors:briefing-manage"),
        {"title": "Pitch", "body": "Key messages", "audience": "all", "file": SimpleUploadedFile("pitch.pdf", body)},
    )


@pytest.mark.parametrize("size", [FILE_MAX_BYTES + 1, 3 * settings.UPLOAD_MAX_BYTES], ids=["just-over", "far-over"])
def test_a_briefing_file_over_10_mb_is_refused_on_the_form(client, staff_user, media, size):
    client.force_login(staff_user)
    body = b"%PDF-1.4 " + b"x" * (size - 9)
    response = _publish(client, body)
    assert response.status_code == 400
    assert errors(response) == ["The file must be smaller than 10 MB"]
    assert 'value="Pitch"' in response.content.decode()  # the rest of the form is kept
    assert not Briefing.objects.exists()
    assert not media.exists() or not any(media.rglob("*"))
    stored = response.wsgi_request.FILES["file"]
    assert stored.size == size
    # Past UPLOAD_MAX_BYTES nothing of the file was kept: the form saw an empty stand-in.
    assert isinstance(stored, OversizeUpload) == (size > settings.UPLOAD_MAX_BYTES)


def test_a_briefing_file_within_the_limit_is_published(client, staff_user, media):
    client.force_login(staff_user)
    body = b"%PDF-1.4 " + b"x" * (FILE_MAX_BYTES - 100)
    response = _publish(client, body)
    assert response.status_code == 302
    assert Briefing.objects.get().file.size == len(body)


@pytest.mark.parametrize("size", [IMPORT_MAX_BYTES + 1, 2 * settings.UPLOAD_MAX_BYTES], ids=["just-over", "far-over"])
def test_an_investment_import_over_2_mb_is_refused_on_the_form(client, staff_user, size):
    client.force_login(staff_user)
    row = b"x" * 99 + b"\n"
    body = row * (size // len(row)) + b"x" * (size % len(row))
    response = client.post(
        reverse("funding:investment-import"), {"file": SimpleUploadedFile("deals.csv", body, "text/csv")}
    )
    assert response.status_code == 400
    assert errors(response) == ["The file must be at most 2 MB: split it in two"]
    assert not InvestmentImport.objects.exists()


def test_the_admin_holds_a_briefing_file_to_the_pages_rules(client, make_user, media):
    operator = make_user(Role.STAFF)
    operator.is_superuser = operator.is_staff = True
    operator.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(operator)
    form = {"title": "Pitch", "body": "Key messages", "audience": "all", "published_at_0": "2026-12-01"}
    form |= {"published_at_1": "10:00:00", "published_by": operator.pk}
    for upload, message in [
        (SimpleUploadedFile("run-me.exe", b"MZ" * 10), "The file must be a PDF"),
        (SimpleUploadedFile("pitch.pdf", b"x" * (FILE_MAX_BYTES + 1)), "The file must be smaller than 10 MB"),
    ]:
        response = client.post(reverse("admin:ambassadors_briefing_add"), {**form, "file": upload})
        assert response.status_code == 200  # the admin sends its form back with the errors
        assert message in html.unescape(response.content.decode())
    assert not Briefing.objects.exists()
    response = client.post(
        reverse("admin:ambassadors_briefing_add"), {**form, "file": SimpleUploadedFile("pitch.pdf", b"%PDF-1.4 x")}
    )
    assert response.status_code == 302
    assert Briefing.objects.get().file.name.endswith(".pdf")
