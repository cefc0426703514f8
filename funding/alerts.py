"""Writes of funding alerts: a person saves, changes and deletes their alert criteria, and turns
every alert off from the unsubscribe link of a digest (a signed token: no sign-in needed).

The pages call these only. Each write checks every value at once and raises one field-keyed
ValidationError (messages that concern no single field are under ``__all__``): kinds and sector
from their lists, at most 200 characters of words, the same criteria saved once per person (a
unique constraint backs the check) and at most ``MAX_ALERTS_PER_USER`` alerts per person. Alerts
show on no cached page, so no data version is bumped.
"""

from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from portal.models import Sector, User

from .models import MAX_ALERTS_PER_USER, Alert, Opportunity
from .permissions import can_change_alert, can_save_alerts

ALERT_FIELDS = ("kinds", "sector", "words", "is_active")
WORDS_MAX_LENGTH = 200
DUPLICATE_MESSAGE = "You already have an alert with these choices: change or delete that one instead"
UNSUBSCRIBE_SALT = "funding.alerts.unsubscribe"


def alert_data_normalise(data: dict) -> dict:
    """``data`` in the shape an alert stores: kinds unique and sorted, words with single spaces,
    ``is_active`` a boolean. Raises ValueError for a field an alert does not have."""
    unknown = set(data) - set(ALERT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown alert fields: {sorted(unknown)}")
    return {
        "kinds": sorted(set(data.get("kinds") or [])),
        "sector": data.get("sector") or "",
        "words": " ".join(str(data.get("words") or "").split()),
        "is_active": bool(data.get("is_active", True)),
    }


def alert_value_errors(*, user: User, data: dict, alert: Alert | None = None) -> dict[str, list[str]]:
    """Every problem with saving normalised ``data`` as ``user``'s alert (a new one, or ``alert``),
    each on its field; the duplicate and the limit under ``__all__``. Up to two queries."""
    errors: dict[str, list[str]] = {}
    if set(data["kinds"]) - set(Opportunity.Kind.values):
        errors["kinds"] = ["Choose kinds of funding from the list"]
    if data["sector"] and data["sector"] not in Sector.values:
        errors["sector"] = ["Choose a sector from the list"]
    if len(data["words"]) > WORDS_MAX_LENGTH:
        errors["words"] = [f"Enter at most {WORDS_MAX_LENGTH} characters of words to look for"]
    theirs = Alert.objects.filter(user=user)
    if alert is None and theirs.count() >= MAX_ALERTS_PER_USER:
        errors[NON_FIELD_ERRORS] = [
            f"You have {MAX_ALERTS_PER_USER} alerts, the most one person keeps: delete one before adding another"
        ]
    elif not errors:
        same = theirs.filter(kinds=data["kinds"], sector=data["sector"], words=data["words"])
        if alert is not None:
            same = same.exclude(pk=alert.pk)
        if same.exists():
            errors[NON_FIELD_ERRORS] = [DUPLICATE_MESSAGE]
    return errors


def _save(alert: Alert, *, user: User, data: dict, update_fields: list[str] | None = None) -> Alert:
    errors = alert_value_errors(user=user, data=data, alert=alert if alert.pk else None)
    if errors:
        raise ValidationError(errors)
    for name, value in data.items():
        setattr(alert, name, value)
    try:
        with transaction.atomic():  # a savepoint: the person's row lock stays held
            alert.save(update_fields=update_fields)
    except IntegrityError as error:  # the same criteria saved meanwhile, in another tab
        raise ValidationError({NON_FIELD_ERRORS: [DUPLICATE_MESSAGE]}) from error
    return alert


def _lock_person(user: User) -> None:
    """Take the person's row lock, so two saves of theirs at once check the limit in turn."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


@transaction.atomic
def alert_create(*, user: User, data: dict) -> Alert:
    """Save a new alert of ``user`` from ``data`` (``kinds``, ``sector``, ``words``,
    ``is_active``, each optional). Raises PermissionDenied unless ``can_save_alerts``;
    ValidationError (field-keyed, every problem at once) for bad values, the same criteria saved
    already, or more than ``MAX_ALERTS_PER_USER`` alerts. Not idempotent: the second of two equal
    calls is refused as a duplicate."""
    if not can_save_alerts(user):
        raise PermissionDenied("Sign in to save funding alerts.")
    _lock_person(user)
    return _save(Alert(user=user), user=user, data=alert_data_normalise(data))


@transaction.atomic
def alert_update(*, alert: Alert, user: User, data: dict) -> Alert:
    """Change ``alert`` to ``data`` (fields left out keep their value). Raises PermissionDenied
    unless ``can_change_alert``; ValidationError as ``alert_create``. Idempotent."""
    if not can_change_alert(user, alert):
        raise PermissionDenied("You may change only your own alerts.")
    _lock_person(user)
    alert = Alert.objects.get(pk=alert.pk)
    current = {name: getattr(alert, name) for name in ALERT_FIELDS}
    data = alert_data_normalise({**current, **data})
    return _save(alert, user=user, data=data, update_fields=[*ALERT_FIELDS, "updated_at"])


@transaction.atomic
def alert_delete(*, alert: Alert, user: User) -> None:
    """Delete ``alert``. Raises PermissionDenied unless ``can_change_alert``. Idempotent: deleting
    one already gone changes nothing."""
    if not can_change_alert(user, alert):
        raise PermissionDenied("You may delete only your own alerts.")
    Alert.objects.filter(pk=alert.pk).delete()


@transaction.atomic
def alerts_unsubscribe(*, user: User) -> int:
    """Turn off every alert of ``user``, so no more digests are sent to them (the alerts are kept,
    for them to turn back on). Returns how many were on. Idempotent."""
    return Alert.objects.filter(user=user, is_active=True).update(is_active=False)


def alert_unsubscribe_token(*, user: User) -> str:
    """The signed token of ``user``'s unsubscribe link: it names the person and cannot be made
    without the portal's secret key. It does not expire, as a link in an old email must work."""
    return signing.dumps({"user": user.pk}, salt=UNSUBSCRIBE_SALT)


def alert_unsubscribe_user(*, token: str) -> User | None:
    """The person an unsubscribe token names, or None when it was altered, is not one, or names
    nobody any more. One query for a good token, none for a bad one."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()
