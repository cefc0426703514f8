"""Writes of the portal core. Views, serializers, commands and tasks call these, nothing else writes."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from .exceptions import CredentialAlreadyRevokedError
from .jobs import job_enqueue_owed
from .models import (
    COMPANY_NUMBER_TAKEN,
    ApiWrite,
    Feedback,
    FirmYear,
    IdempotencyKey,
    Organisation,
    PartnerCredential,
    User,
    YearlyFactsRequest,
)
from .page_cache import data_version_bump
from .permissions import (
    Actor,
    can_change_organisation,
    can_change_organisation_kind,
    can_create_organisation,
    can_report_firm_year,
    can_view_dashboard,
    organisation_change_refusal,
    organisation_create_refusal,
)
from .site_url import site_url
from .validators import company_number_normalise

logger = logging.getLogger(__name__)

ORGANISATION_FIELDS = {
    "name",
    "kind",
    "company_number",
    "website",
    "sector",
    "local_authority",
    "founded_on",
    "dissolved_on",
    "origin",
    "origin_country",
    "is_tech",
}
FIRM_YEAR_FIELDS = {f.name for f in FirmYear._meta.fields} - {
    "id",
    "organisation",
    "year",
    "recorded_by",
    "created_at",
    "updated_at",
}


def _full_clean_or_raise(organisation: Organisation) -> None:
    # Organisation.clean() already checks both of its constraints with field-keyed messages, so
    # the generic (non-field) constraint validation would only run the same queries again; a race
    # past clean() is caught as an IntegrityError by the callers.
    organisation.full_clean(validate_constraints=False)


def _record_actor(instance, actor: Actor | None) -> None:
    """Name the writer in the change history of ``instance``'s next save: the person, or for an
    API client (which carries no user) the client and its partner organisation as the reason."""
    if actor is None:
        return  # the request's user, through simple_history's middleware, or nobody (commands)
    instance._history_user = actor.history_user
    instance._change_reason = actor.history_reason


@transaction.atomic
def organisation_create(
    *,
    data: dict,
    member: User | None = None,
    recorded_by: Organisation | None = None,
    actor: Actor | None = None,
) -> Organisation:
    """Create an organisation from validated ``data``.

    Raises ValidationError (field-keyed) for an invalid or duplicate Companies House number.
    ``member`` is added to its members (a founder registering their firm). ``recorded_by`` is the
    partner organisation that maintains it; a partner client's own organisation when ``actor`` is
    one. With an ``actor``, raises PermissionDenied unless ``can_create_organisation`` allows the
    kind, and the history records the actor; without one the caller (a command, another service)
    answers for the write.
    """
    unknown = set(data) - ORGANISATION_FIELDS
    if unknown:
        raise ValueError(f"Unknown organisation fields: {sorted(unknown)}")
    if actor is not None:
        kind = data.get("kind", Organisation.Kind.FIRM)
        if not can_create_organisation(actor, kind):
            raise PermissionDenied(organisation_create_refusal(actor, kind))
        if actor.is_client:
            recorded_by = actor.partner
    organisation = Organisation(**data, recorded_by=recorded_by)
    if organisation.company_number:
        organisation.company_number = company_number_normalise(organisation.company_number)
    _full_clean_or_raise(organisation)
    _record_actor(organisation, actor)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:  # a concurrent insert of the same number
        raise ValidationError({"company_number": COMPANY_NUMBER_TAKEN}) from exc
    if member is not None:
        organisation.members.add(member)
    data_version_bump("organisations")
    return organisation


@transaction.atomic
def organisation_find_or_create(
    *,
    company_number: str,
    data: dict,
    member: User | None = None,
    actor: Actor | None = None,
) -> tuple[Organisation, bool]:
    """The organisation registered under ``company_number``, or a new one made from ``data`` (as
    ``organisation_create``, with ``member`` and ``actor``). Returns (organisation, created). An
    existing organisation is returned as it is: never changed, and ``member`` is not added to it.
    Two callers at once with the same new number get the same organisation (one creates it).
    Raises ValidationError (field-keyed) for an invalid number or data."""
    number = company_number_normalise(company_number)
    existing = Organisation.objects.filter(company_number=number).first() if number else None
    if existing is not None:
        return existing, False
    try:
        return organisation_create(data={**data, "company_number": number}, member=member, actor=actor), True
    except ValidationError:
        # Another transaction registered the number since the look-up: use its organisation.
        existing = Organisation.objects.filter(company_number=number).first() if number else None
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict, actor: Actor | None = None) -> Organisation:
    """Change the given fields of an organisation; raises ValidationError with field messages.

    With an ``actor``, raises PermissionDenied (before changing anything) unless
    ``can_change_organisation`` allows it and, when ``kind`` is given, ``can_change_organisation_kind``;
    the history records the actor.
    """
    unknown = set(data) - ORGANISATION_FIELDS
    if unknown:
        raise ValueError(f"Unknown organisation fields: {sorted(unknown)}")
    if actor is not None:
        if not can_change_organisation(actor, organisation):
            raise PermissionDenied(organisation_change_refusal(actor, organisation))
        if "kind" in data and not can_change_organisation_kind(actor, organisation, data["kind"]):
            raise PermissionDenied("Only commissioner staff change what kind of organisation a record is.")
    for field, value in data.items():
        setattr(organisation, field, value)
    if organisation.company_number:
        organisation.company_number = company_number_normalise(organisation.company_number)
    _full_clean_or_raise(organisation)
    _record_actor(organisation, actor)
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*data.keys(), "updated_at"])
    except IntegrityError as exc:  # a concurrent write of the same number
        raise ValidationError({"company_number": COMPANY_NUMBER_TAKEN}) from exc
    data_version_bump("organisations")
    return organisation


def firm_year_source(*, actor: Actor) -> str:
    """Who reported a year's facts: a partner's API client, staff, or the firm itself."""
    if actor.is_client:
        return FirmYear.Source.PARTNER
    if actor.user is not None and can_view_dashboard(actor.user):
        return FirmYear.Source.STAFF
    return FirmYear.Source.SELF_REPORTED


@transaction.atomic
def firm_year_upsert(
    *,
    organisation: Organisation,
    year: int,
    data: dict,
    recorded_by: Organisation | None = None,
    actor: Actor | None = None,
) -> tuple[FirmYear, bool]:
    """Create or replace an organisation's facts for ``year``. Idempotent: the same call twice
    leaves one row with the same values. Returns (row, created). Raises ValidationError.

    ``recorded_by`` is the partner organisation that reported them; a partner client's own when
    ``actor`` is one. With an ``actor``, raises PermissionDenied (writing nothing) unless
    ``can_report_firm_year`` allows it, the facts' ``source`` is who the actor is
    (``firm_year_source``) and the history records the actor. Without one (loaders), ``data``
    gives the source.
    """
    unknown = set(data) - FIRM_YEAR_FIELDS
    if unknown:
        raise ValueError(f"Unknown firm-year fields: {sorted(unknown)}")
    if actor is not None:
        if not can_report_firm_year(actor, organisation):
            raise PermissionDenied(organisation_change_refusal(actor, organisation))
        if actor.is_client:
            recorded_by = actor.partner
        data = {**data, "source": firm_year_source(actor=actor)}
    # Lock the organisation row so two concurrent upserts of one year serialise.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    row = FirmYear.objects.filter(organisation=organisation, year=year).first()
    created = row is None
    if created:
        row = FirmYear(organisation=organisation, year=year)
    for field in FIRM_YEAR_FIELDS - {"as_of"}:
        if field in data:
            setattr(row, field, data[field])
        elif not created:
            # A resubmission replaces the year's facts: fields it leaves out become unknown, and
            # consent is never carried over from an earlier submission.
            setattr(row, field, FirmYear._meta.get_field(field).get_default())
    row.as_of = data.get("as_of") or timezone.localdate()
    row.recorded_by = recorded_by
    row.full_clean(validate_unique=False)
    _record_actor(row, actor)
    row.save()
    data_version_bump("organisations")
    return row, created


FIRM_YEARS_BULK_LIMIT = 1000


@transaction.atomic
def firm_years_upsert_bulk(*, items: list[dict], actor: Actor) -> list[tuple[FirmYear, bool]]:
    """Create or replace up to ``FIRM_YEARS_BULK_LIMIT`` years of facts, each ``{"organisation":
    id, "year": …, **facts}``, all or nothing, each as ``firm_year_upsert`` does one for ``actor``.

    Raises ``ValidationError`` keyed ``"<index>.<field>"`` (index from 0) naming every broken rule
    of every item, and writes nothing: an organisation the actor cannot see reads as unknown, one it
    may not change says why, and two items for one organisation and year are refused.
    """
    if len(items) > FIRM_YEARS_BULK_LIMIT:
        raise ValidationError({"non_field_errors": f"Send at most {FIRM_YEARS_BULK_LIMIT} years in one request."})
    user = None if actor.is_client else actor.user
    # As the API reads: partners see the whole registry, people what they may read.
    visible = Organisation.objects.all() if actor.is_client else Organisation.objects.visible_to(user)
    organisations = visible.in_bulk({item["organisation"] for item in items})
    errors, results, seen = {}, [], {}
    for index, item in enumerate(items):
        data = {key: value for key, value in item.items() if key not in ("organisation", "year")}
        organisation, key = organisations.get(item["organisation"]), (item["organisation"], item["year"])
        if organisation is None:
            errors[f"{index}.organisation"] = "No organisation with this id."
        elif key in seen:
            errors[f"{index}.year"] = f"Item {seen[key]} already reports this organisation's {item['year']}."
        else:
            try:
                with transaction.atomic():
                    results.append(
                        firm_year_upsert(organisation=organisation, year=item["year"], data=data, actor=actor)
                    )
            except PermissionDenied as refusal:
                errors[f"{index}.organisation"] = str(refusal)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors[f"{index}.{'non_field_errors' if field == NON_FIELD_ERRORS else field}"] = messages
        seen.setdefault(key, index)
    if errors:
        raise ValidationError(errors)
    return results


@transaction.atomic
def partner_credential_create(
    *,
    organisation: Organisation,
    scopes: list[str],
    created_by: User | None,
    client_id: str = "",
    client_secret: str = "",
    is_staff_owned: bool = False,
) -> tuple[PartnerCredential, str]:
    """Issue a client-credentials application for a partner organisation; ``is_staff_owned`` marks
    a client of the Commissioner's office's own systems, which may receive confidential events.

    Returns the credential and the plain client secret, which is not stored and cannot be shown
    again. Raises ValueError for a scope the portal does not know.
    """
    known = set(settings.OAUTH2_PROVIDER["SCOPES"])
    if not scopes or set(scopes) - known:
        raise ValueError(f"Scopes must be a non-empty subset of {sorted(known)}")
    secret = client_secret or secrets.token_urlsafe(32)
    application = Application(
        name=f"{organisation.name} partner client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    if client_id:
        application.client_id = client_id
    application.save()
    credential = PartnerCredential.objects.create(
        organisation=organisation,
        application=application,
        scopes=" ".join(sorted(set(scopes))),
        created_by=created_by,
        is_staff_owned=is_staff_owned,
    )
    data_version_bump("organisations")  # the dashboard counts partner clients
    return credential, secret


@transaction.atomic
def partner_credential_revoke(*, credential: PartnerCredential) -> PartnerCredential:
    """Revoke a partner credential: its tokens stop working at once. Raises
    CredentialAlreadyRevokedError if it was revoked before."""
    credential = PartnerCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.revoked_at is not None:
        raise CredentialAlreadyRevokedError(str(credential))
    AccessToken.objects.filter(application=credential.application).delete()
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    data_version_bump("organisations")
    return credential


@transaction.atomic
def partner_credential_rotate(
    *, credential: PartnerCredential, grace: datetime.timedelta
) -> tuple[PartnerCredential, str]:
    """Give a credential a new secret and return it (plain, shown once). The replaced secret keeps
    working for ``grace`` (zero: it stops at once), so the partner can deploy the new one without
    an outage; tokens already issued keep working until they expire. A secret replaced earlier and
    still in its grace period stops at once. Raises CredentialAlreadyRevokedError for a revoked
    credential and ValueError for a negative grace."""
    if grace < datetime.timedelta(0):
        raise ValueError("The grace period cannot be negative.")
    credential = PartnerCredential.objects.select_for_update().select_related("application").get(pk=credential.pk)
    if credential.revoked_at is not None:
        raise CredentialAlreadyRevokedError(str(credential))
    now = timezone.now()
    application = credential.application
    credential.previous_secret = application.client_secret if grace else ""
    credential.previous_secret_expires_at = now + grace if grace else None
    credential.rotated_at = now
    credential.save(update_fields=["previous_secret", "previous_secret_expires_at", "rotated_at"])
    secret = secrets.token_urlsafe(32)
    application.client_secret = secret  # hashed by the application's save (hash_client_secret)
    application.save(update_fields=["client_secret"])
    return credential, secret


def api_write_record(
    *,
    credential_id: int,
    method: str,
    path: str,
    status_code: int,
    error_code: str = "",
    idempotency_key: str = "",
    replayed: bool = False,
) -> ApiWrite:
    """Record one write a partner client sent, whatever its answer. One INSERT, committed on its
    own (the write it records has already committed or rolled back)."""
    return ApiWrite.objects.create(
        credential_id=credential_id,
        method=method[:8],
        path=path[:500],
        status_code=status_code,
        error_code=error_code[:64],
        idempotency_key=idempotency_key[:255],
        replayed=replayed,
    )


def yearly_facts_request_send(*, organisation: Organisation, year: int) -> YearlyFactsRequest | None:
    """Ask an organisation's members for their facts of ``year``, once.

    Idempotent through the (organisation, year) unique constraint: a second call sends nothing and
    returns None. Returns None too when the facts are in already or nobody can be asked.
    """
    if FirmYear.objects.filter(organisation=organisation, year=year).exists():
        return None
    recipients = list(organisation.members.filter(is_active=True).values_list("email", flat=True))
    if not recipients:
        return None
    with transaction.atomic():
        request, created = YearlyFactsRequest.objects.get_or_create(organisation=organisation, year=year)
        if not created:
            return None
        send_mail(
            subject=f"Please report {organisation.name}'s figures for {year}",
            message=(
                f"The Tech Commissioner's office asks supported firms for a few yearly figures "
                f"(headcount, turnover and, with your consent, diversity).\n\n"
                f"Please sign in at {site_url()}/ and report {organisation.name}'s figures for {year}."
            ),
            from_email=None,
            recipient_list=recipients,
        )
    return request


def yearly_facts_requests_due(*, today: datetime.date | None = None) -> list[int]:
    """Ids of tech firms with members and no facts for last year and no request sent yet."""
    year = (today or timezone.localdate()).year - 1
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.FIRM, is_tech=True, members__isnull=False)
        .exclude(years__year=year)
        .exclude(facts_requests__year=year)
        .values_list("pk", flat=True)
        .distinct()
    )


# Feedback -----------------------------------------------------------------------------------

# A report still unsent this long after it was made missed its job (the broker was down, or lost
# the message); older than FEEDBACK_OWED_WITHIN it is left alone, still readable in the admin.
FEEDBACK_OWED_AFTER = datetime.timedelta(minutes=5)
FEEDBACK_OWED_WITHIN = datetime.timedelta(days=7)


@transaction.atomic
def feedback_create(*, doing: str, problem: str, email: str = "", page: str = "") -> Feedback:
    """Store a problem report and queue the email to staff (``PORTAL_CONTACT_EMAIL``) after
    commit. Raises ValidationError keyed by field when a required answer is empty or too long."""
    from .tasks import feedback_send  # tasks import this module

    feedback = Feedback(doing=doing.strip(), problem=problem.strip(), email=email.strip(), page=page[:500])
    feedback.full_clean()
    feedback.save()
    # Stored first, so a broker that is down loses no report: it is left unsent (emailed_at empty)
    # and the request still succeeds.
    job_enqueue_owed(feedback_send, feedback.pk)
    return feedback


def feedback_send(*, feedback: Feedback) -> bool:
    """Email staff one problem report, once: claimed by stamping ``emailed_at`` before sending and
    un-stamped if sending fails, so a retry sends it. Returns False when it was already sent."""
    claimed = Feedback.objects.filter(pk=feedback.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    try:
        send_mail(
            subject=f"Portal feedback: {feedback.problem[:60]}",
            message=(
                f"What they were doing:\n{feedback.doing}\n\n"
                f"What went wrong:\n{feedback.problem}\n\n"
                f"Reply to: {feedback.email or 'no address given'}\n"
                f"Page: {feedback.page or 'not known'}\n"
                f"Received: {timezone.localtime(feedback.created_at):%-d %B %Y, %H:%M}\n"
            ),
            from_email=None,
            recipient_list=[settings.PORTAL_CONTACT_EMAIL],
        )
    except Exception:
        Feedback.objects.filter(pk=feedback.pk).update(emailed_at=None)
        raise
    return True


def feedback_send_owed(*, now: datetime.datetime | None = None) -> int:
    """Email staff every problem report still unsent that was made between
    ``FEEDBACK_OWED_WITHIN`` and ``FEEDBACK_OWED_AFTER`` ago: one stored while the broker was
    down, or whose job was lost. Each is sent once (``feedback_send`` claims it), so this, a late
    job and a second sweep never send twice; one that fails is logged and left for the next
    sweep. Returns how many were sent. Idempotent."""
    now = now or timezone.now()
    owed = Feedback.objects.filter(
        emailed_at__isnull=True, created_at__range=(now - FEEDBACK_OWED_WITHIN, now - FEEDBACK_OWED_AFTER)
    ).order_by("created_at", "pk")
    sent = 0
    for feedback in owed:
        try:
            sent += feedback_send(feedback=feedback)
        except Exception:  # a mail server hiccup on one must not stop the others
            logger.exception("The owed email about feedback %s failed", feedback.pk)
    return sent


# Idempotency keys ------------------------------------------------------------------------------


def idempotency_key_claim(*, client: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Claim ``key`` for ``client``'s request: returns ``(row, True)`` when this request is the
    first (serve it, then ``idempotency_key_complete`` or ``idempotency_key_release``), or the row
    of the earlier request and False. A row past its lifetime is replaced, never replayed.

    The claim commits on its own, before the request is served, so a second request arriving at
    the same moment sees it; the unique constraint lets exactly one of them insert. The insert
    does nothing on a conflict (``ON CONFLICT DO NOTHING``), so a retry is not an error in the
    database's log.
    """
    now = timezone.now()
    oldest = now - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    with transaction.atomic():
        IdempotencyKey.objects.filter(client=client, key=key, created_at__lt=oldest).delete()
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (client, key, fingerprint, content_type, location, body, created_at) "  # noqa: S608 - our table  # nosec B608
            "VALUES (%s, %s, %s, '', '', '', %s) ON CONFLICT (client, key) DO NOTHING RETURNING id",
            [client, key, fingerprint, now],
        )
        inserted = cursor.fetchone()
    if inserted is not None:  # the row as inserted, without reading it back
        row = IdempotencyKey(pk=inserted[0], client=client, key=key, fingerprint=fingerprint, created_at=now)
        row._state.adding = False
        return row, True
    row = IdempotencyKey.objects.filter(client=client, key=key).first()
    if row is None:  # released between our insert and this read: claim it afresh
        return idempotency_key_claim(client=client, key=key, fingerprint=fingerprint)
    return row, False


def idempotency_key_complete(
    *, row: IdempotencyKey, status_code: int, body: str, content_type: str, location: str = ""
) -> None:
    """Store the answer the first request got, for every retry with the same key. One UPDATE."""
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status_code=status_code, body=body, content_type=content_type[:100], location=location[:500]
    )


def idempotency_key_release(*, row: IdempotencyKey) -> None:
    """Forget a claim whose request was refused or failed, so the client may retry with the same
    key (and a corrected request). Idempotent."""
    IdempotencyKey.objects.filter(pk=row.pk).delete()


def idempotency_keys_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys older than ``IDEMPOTENCY_KEY_HOURS``; returns how many. Idempotent."""
    oldest = (now or timezone.now()) - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    return IdempotencyKey.objects.filter(created_at__lt=oldest).delete()[0]


# Signed-in sessions ------------------------------------------------------------------------------


@transaction.atomic
def user_session_end(*, session) -> None:
    """End one of a person's signed-in sessions (allauth's ``UserSession``): its Django session is
    deleted, so its browser is signed out on its next request, and the row goes. Idempotent: a
    session already ended is left as it is. The caller reads ``session`` through the person's own
    sessions, so nobody ends another person's."""
    session.end()
