"""Webhooks: partners subscribe to events and the portal POSTs each event to their address.

Every delivery is a JSON body ``{"id", "event", "created", "data"}`` with the headers
``Portal-Event``, ``Portal-Delivery`` (the id: a receiver drops a repeat) and ``Portal-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed with the subscription's secret>``.
An event is recorded as one delivery per subscription in the transaction that caused it, then sent
after commit; a delivery that fails is tried again with backoff (``WEBHOOK_RETRY_SECONDS``,
doubling, at most an hour apart) by the ``portal.webhook_deliveries_send_due`` job until it
succeeds or has been tried ``WEBHOOK_MAX_ATTEMPTS`` times. A subscription whose deliveries fail
for good ``WEBHOOK_PAUSE_AFTER_FAILURES`` times in a row is paused with the reason.

The services here are the only writers of subscriptions and deliveries.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .jobs import job_enqueue_owed
from .models import (
    STAFF_OWNED_WEBHOOK_EVENTS,
    WEBHOOK_EVENTS,
    PartnerCredential,
    WebhookDelivery,
    WebhookSubscription,
)

SIGNATURE_HEADER = "Portal-Signature"
MAX_SUBSCRIPTIONS_PER_CLIENT = 20


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Portal-Signature`` header of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def _subscription_errors(credential: PartnerCredential, url: str | None, events: list[str] | None) -> dict:
    errors = {}
    if events is not None:
        unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
        confidential = sorted(set(events) & STAFF_OWNED_WEBHOOK_EVENTS)
        if not events:
            errors["events"] = "Choose at least one event."
        elif unknown:
            errors["events"] = f"Unknown events: {', '.join(unknown)}. Known: {', '.join(sorted(WEBHOOK_EVENTS))}."
        elif confidential and not credential.is_staff_owned:
            errors["events"] = (
                f"Only clients run by the Commissioner's office may subscribe to {', '.join(confidential)}."
            )
    if url is not None and urlsplit(url).scheme != "https" and not settings.WEBHOOK_ALLOW_HTTP:
        errors["url"] = "Give an https:// address: events are sent encrypted only."
    return errors


@transaction.atomic
def webhook_subscription_create(*, credential: PartnerCredential, url: str, events: list[str]) -> WebhookSubscription:
    """Subscribe a partner client's ``url`` to ``events``; returns the subscription with its new
    signing secret (shown to the partner once). Raises ValidationError by field."""
    errors = _subscription_errors(credential, url, events)
    if WebhookSubscription.objects.filter(credential=credential).count() >= MAX_SUBSCRIPTIONS_PER_CLIENT:
        errors["non_field_errors"] = f"A client has at most {MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions."
    if errors:
        raise ValidationError(errors)
    subscription = WebhookSubscription(
        credential=credential, url=url, events=" ".join(sorted(set(events))), secret=secrets.token_hex(32)
    )
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, url: str | None = None, events: list[str] | None = None
) -> WebhookSubscription:
    """Change a subscription's address or events. Any change resumes a paused subscription (the
    partner has fixed its receiver), with its failure count reset. Raises ValidationError."""
    errors = _subscription_errors(subscription.credential, url, events)
    if errors:
        raise ValidationError(errors)
    if url is not None:
        subscription.url = url
    if events is not None:
        subscription.events = " ".join(sorted(set(events)))
    subscription.is_active, subscription.paused_reason, subscription.consecutive_failures = True, "", 0
    subscription.full_clean()
    subscription.save()
    return subscription


def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Remove a subscription and its deliveries. Idempotent."""
    WebhookSubscription.objects.filter(pk=subscription.pk).delete()


def webhook_event_emit(*, event: str, data: dict, organisation_ids: set[int] | None = None) -> int:
    """Record ``event`` for every active subscription to it of an active partner client (only the
    clients of ``organisation_ids`` when given: for events about data not everyone may read), in
    the caller's transaction, and send each after commit. Returns how many deliveries. ``data``
    must be JSON."""
    return webhook_events_emit(event=event, data_list=[data], organisation_ids=organisation_ids)


def webhook_events_emit(*, event: str, data_list: list[dict], organisation_ids: set[int] | None = None) -> int:
    """``webhook_event_emit`` for many events of one kind and audience at once (a bulk write): one
    query for the subscriptions and one insert, whatever the number."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    subscriptions = WebhookSubscription.objects.filter(
        is_active=True, credential__revoked_at__isnull=True, events__contains=event
    )
    if organisation_ids is not None:
        subscriptions = subscriptions.filter(credential__organisation_id__in=organisation_ids)
    if event in STAFF_OWNED_WEBHOOK_EVENTS:  # whatever was subscribed before a client changed hands
        subscriptions = subscriptions.filter(credential__is_staff_owned=True)
    subscriptions = [subscription for subscription in subscriptions if event in subscription.event_list]
    if not subscriptions:
        return 0
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription=subscription, delivery_id=uuid.uuid4(), event=event, payload=data)
        for data in data_list
        for subscription in subscriptions
    )
    from .tasks import webhook_deliver

    for delivery in deliveries:
        job_enqueue_owed(webhook_deliver, delivery.pk)
    return len(deliveries)


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send an event again (staff): a new delivery of the same event and data to the same
    subscription, with a new id, sent after commit."""
    from .tasks import webhook_deliver

    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            subscription=delivery.subscription, delivery_id=uuid.uuid4(), event=delivery.event, payload=delivery.payload
        )
        job_enqueue_owed(webhook_deliver, copy.pk)
    return copy


def webhook_deliveries_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Ids of the pending deliveries whose next attempt is due."""
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now()
        ).values_list("pk", flat=True)[:1000]
    )


def _address_allowed(url: str) -> bool:
    """Whether ``url``'s host is a public address (or private addresses are allowed here): a
    partner's address must not reach the portal's own network."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return True
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(address).is_global for address in addresses)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not an address to follow: following it could lead the
    portal to an address it would have refused."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(
        {
            "id": str(delivery.delivery_id),
            "event": delivery.event,
            "created": delivery.created_at.isoformat(),
            "data": delivery.payload,
        }
    ).encode()
    subscription = delivery.subscription
    if not _address_allowed(subscription.url):
        return None, "The address is not a public internet address."
    # The address passed validate_web_address (http or https only) when it was stored.
    request = urllib.request.Request(  # noqa: S310
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "TechCommissionerPortal-Webhooks/1",
            "Portal-Event": delivery.event,
            "Portal-Delivery": str(delivery.delivery_id),
            SIGNATURE_HEADER: webhook_signature(subscription.secret, int(time.time()), body),
        },
    )
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"The receiver answered {error.code}."
    except (urllib.error.URLError, OSError) as error:
        return None, f"Could not reach the receiver: {getattr(error, 'reason', error)}"[:300]


def webhook_delivery_attempt(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Try to send one pending, due delivery; returns ``"delivered"``, ``"retry"``, ``"failed"``
    or ``"skipped"`` (not pending, not due, gone, or being sent by another worker).

    The delivery's row stays locked while it is sent, so two workers never send it twice; a
    delivery marked delivered is never sent again. Idempotent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return "skipped"
        subscription = delivery.subscription
        if subscription.is_active:
            status_code, error = _send(delivery)
        else:
            status_code, error = None, f"The subscription is paused: {subscription.paused_reason}"
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at, outcome = (
                WebhookDelivery.Status.DELIVERED,
                timezone.now(),
                "delivered",
            )
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not subscription.is_active:
            delivery.status, outcome = WebhookDelivery.Status.FAILED, "failed"
            _subscription_failed(subscription, error)
        else:
            wait = min(settings.WEBHOOK_RETRY_SECONDS * 2 ** (delivery.attempts - 1), 3600)
            delivery.next_attempt_at, outcome = now + datetime.timedelta(seconds=wait), "retry"
        delivery.save(
            update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at", "next_attempt_at"]
        )
    return outcome


def _subscription_failed(subscription: WebhookSubscription, error: str) -> None:
    if not subscription.is_active:
        return
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if subscription.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES:
        subscription.is_active = False
        subscription.paused_reason = (
            f"Paused after {subscription.consecutive_failures} deliveries in a row failed; the last: {error}"
        )[:300]
        fields += ["is_active", "paused_reason"]
    subscription.save(update_fields=fields)
