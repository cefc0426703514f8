"""Briefings: material staff publish to ambassadors, to all of them or to those in one country or
covering one sector, with an optional file served only to the ambassadors it is addressed to."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from portal.models import User

from ..models import Briefing
from ..permissions import can_manage_ambassadors

# Documents people open in an office suite or a browser; nothing that runs.
FILE_EXTENSIONS = {".pdf", ".docx", ".pptx", ".xlsx", ".odt", ".odp", ".ods", ".txt", ".csv", ".png", ".jpg", ".jpeg"}
FILE_MAX_BYTES = 10 * 1024 * 1024


def briefing_file_errors(file: UploadedFile | None) -> list[str]:
    """What is wrong with an uploaded briefing file (nothing for no file)."""
    if not file:
        return []
    errors = []
    if PurePath(file.name).suffix.lower() not in FILE_EXTENSIONS:
        errors.append("The file must be a PDF, Word, PowerPoint, Excel, OpenDocument, text, CSV, PNG or JPEG file")
    if file.size > FILE_MAX_BYTES:
        errors.append("The file must be smaller than 10 MB")
    return errors


@transaction.atomic
def briefing_publish(
    *,
    actor: User,
    title: str,
    body: str,
    audience: str,
    audience_country: str = "",
    audience_sector: str = "",
    file: UploadedFile | None = None,
) -> Briefing:
    """Publish a briefing now. ``audience`` is all ambassadors, one country
    (``audience_country``) or one sector (``audience_sector``); the choice that does not apply is
    cleared. Ambassadors see it at once on their briefings page.

    Raises PermissionDenied unless staff; ValidationError naming every field at fault (a title and
    body, the country or sector the audience needs, a file of an allowed type under 10 MB)."""
    if not can_manage_ambassadors(actor):
        raise PermissionDenied("Only commissioner staff publish briefings.")
    errors = {}
    if not title.strip():
        errors["title"] = "Enter a title"
    if not body.strip():
        errors["body"] = "Enter the briefing's text"
    if audience not in Briefing.Audience.values:
        errors["audience"] = "Choose who the briefing is for"
    if audience == Briefing.Audience.COUNTRY and not audience_country:
        errors["audience_country"] = "Choose the country whose ambassadors the briefing is for"
    if audience == Briefing.Audience.SECTOR and not audience_sector:
        errors["audience_sector"] = "Choose the sector whose ambassadors the briefing is for"
    if file_errors := briefing_file_errors(file):
        errors["file"] = file_errors
    if errors:
        raise ValidationError(errors)
    briefing = Briefing(
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        audience_country=audience_country if audience == Briefing.Audience.COUNTRY else "",
        audience_sector=audience_sector if audience == Briefing.Audience.SECTOR else "",
        published_by=actor,
        published_at=timezone.now(),
    )
    if file:
        briefing.file.save(PurePath(file.name).name, file, save=False)
    briefing.save()
    return briefing


@transaction.atomic
def briefing_delete(*, briefing: Briefing, actor: User) -> None:
    """Withdraw a briefing and delete its file. Raises PermissionDenied unless staff."""
    if not can_manage_ambassadors(actor):
        raise PermissionDenied("Only commissioner staff withdraw briefings.")
    if briefing.file:
        name = briefing.file.name
        storage = briefing.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    briefing.delete()
