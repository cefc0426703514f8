"""Webhooks against a real receiver started by the test: signed deliveries, retries with no
duplicate, pausing a failing subscription, who receives what, and staff sending again."""

import datetime
import hashlib
import hmac
import json
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from missions import services as missions_services
from missions.models import RefreshRun
from portal import webhooks
from portal.models import Organisation, WebhookDelivery, WebhookSubscription
from tests.missions.factories import WMCA, IndicatorFactory, geography
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/webhook-subscriptions/"
DELIVERIES = "/api/v1/webhook-deliveries/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers ``status``."""

    def __init__(self, port: int):
        self.port, self.requests, self.status = port, [], 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = Receiver(free_port())
    yield started
    started.stop()


@pytest.fixture
def partner():
    return OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Hooked Partner")


@pytest.fixture
def indicator(partner):
    geography(WMCA)
    return IndicatorFactory(code="M2-97", owner=partner, unit="%", frequency="annual", name="Hooked")


def report(indicator, partner, value="55.0"):
    return missions_services.observation_submit(
        indicator=indicator,
        geography=geography(WMCA),
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        value=Decimal(str(value)),
        organisation=partner,
    )


def subscribe(as_partner, partner, url, events=("observation.published",)):
    client, _ = as_partner("read", "webhooks", organisation=partner)
    response = client.post(SUBSCRIPTIONS, {"url": url, "events": list(events)}, format="json")
    assert response.status_code == 201, response.content
    return client, response.json()


def signature_valid(secret: str, headers: dict, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in headers["Portal-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_subscriber_gets_a_signed_delivery_of_a_published_value(
    as_partner, partner, indicator, receiver, django_capture_on_commit_callbacks
):
    _, subscription = subscribe(as_partner, partner, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        report(indicator, partner)

    [(headers, body)] = receiver.requests
    assert signature_valid(subscription["secret"], headers, body)
    assert not signature_valid("another secret", headers, body)
    payload = json.loads(body)
    assert headers["Portal-Event"] == payload["event"] == "observation.published"
    assert headers["Portal-Delivery"] == payload["id"]
    assert payload["data"]["indicator"] == "M2-97"
    assert payload["data"]["value"] == "55.0000" or float(payload["data"]["value"]) == 55.0
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_delivery_to_a_receiver_that_is_down_is_retried_and_arrives_once(as_partner, partner, indicator):
    port = free_port()
    subscribe(as_partner, partner, f"http://127.0.0.1:{port}/hooks")
    report(indicator, partner)  # recorded; its first send fails: nothing listens yet
    delivery = WebhookDelivery.objects.get()

    assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()
    assert "Could not reach" in delivery.last_error
    # Not due yet: the sweep leaves it.
    assert webhooks.webhook_deliveries_due() == []

    receiver = Receiver(port)
    try:
        later = delivery.next_attempt_at + datetime.timedelta(seconds=1)
        assert webhooks.webhook_deliveries_due(now=later) == [delivery.pk]
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=later) == "delivered"
        # Sent once: a second attempt, or the sweep running again, sends nothing.
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=later) == "skipped"
        assert webhooks.webhook_deliveries_due(now=later) == []
        assert len(receiver.requests) == 1
        assert receiver.requests[0][0]["Portal-Delivery"] == str(delivery.delivery_id)
    finally:
        receiver.stop()


def test_a_subscription_that_keeps_failing_is_paused_with_the_reason_and_resumed_by_a_change(
    as_partner, partner, indicator, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.status = 500
    client, subscription = subscribe(as_partner, partner, receiver.url)
    for value in range(5):
        report(indicator, partner, value=float(value))
        delivery = WebhookDelivery.objects.order_by("-pk").first()
        assert webhooks.webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"

    shown = client.get(f"{SUBSCRIPTIONS}{subscription['id']}/").json()
    assert shown["is_active"] is False
    assert "5 deliveries in a row failed" in shown["paused_reason"] and "500" in shown["paused_reason"]
    report(indicator, partner, value=9.0)
    assert WebhookDelivery.objects.count() == 5  # a paused subscription gets nothing new

    resumed = client.patch(f"{SUBSCRIPTIONS}{subscription['id']}/", {"url": receiver.url}, format="json").json()
    assert (resumed["is_active"], resumed["paused_reason"], resumed["consecutive_failures"]) == (True, "", 0)


def test_a_value_of_an_indicator_that_is_not_public_goes_only_to_its_owner(as_partner, partner, receiver):
    geography(WMCA)
    hidden = IndicatorFactory(code="M2-98", owner=partner, unit="%", frequency="annual", is_public=False)
    other = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Other Partner")
    subscribe(as_partner, partner, receiver.url)
    subscribe(as_partner, other, receiver.url)

    report(hidden, partner)

    assert list(WebhookDelivery.objects.values_list("subscription__credential__organisation", flat=True)) == [
        partner.pk
    ]


def test_a_finished_refresh_is_an_event(as_partner, partner, receiver):
    subscribe(as_partner, partner, receiver.url, events=["kpi_refresh.finished"])
    run = missions_services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["run"] == run.pk and delivery.payload["status"] == run.status


def test_an_address_on_the_portals_own_network_is_never_called(as_partner, partner, indicator, receiver, settings):
    subscribe(as_partner, partner, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    report(indicator, partner)
    delivery = WebhookDelivery.objects.get()

    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert "not a public internet address" in delivery.last_error
    assert receiver.requests == []


def test_subscriptions_need_https_the_scope_and_known_events(as_partner, partner, settings, as_user, staff_user):
    settings.WEBHOOK_ALLOW_HTTP = False
    client, _ = as_partner("read", "webhooks", organisation=partner)
    plain = client.post(
        SUBSCRIPTIONS, {"url": "http://hooks.example/", "events": ["kpi_refresh.finished"]}, format="json"
    )
    assert plain.status_code == 400 and plain.json()["errors"][0]["attr"] == "url"
    unknown = client.post(SUBSCRIPTIONS, {"url": "https://hooks.example/", "events": ["lunch.ready"]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["attr"].startswith("events")

    reader, _ = as_partner("read", organisation=partner)
    body = {"url": "https://hooks.example/", "events": ["kpi_refresh.finished"]}
    assert reader.post(SUBSCRIPTIONS, body, format="json").status_code == 403
    reader.credentials()
    assert as_user(staff_user).get(SUBSCRIPTIONS).status_code == 403
    assert not WebhookSubscription.objects.exists()


def test_another_clients_subscriptions_and_deliveries_are_404(as_partner, partner, indicator, receiver, partner_token):
    client, subscription = subscribe(as_partner, partner, receiver.url)
    report(indicator, partner)
    delivery = WebhookDelivery.objects.get()
    other_token, _ = partner_token("read", "webhooks")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")

    assert client.get(f"{SUBSCRIPTIONS}{subscription['id']}/").status_code == 404
    assert client.delete(f"{SUBSCRIPTIONS}{subscription['id']}/").status_code == 404
    assert client.get(f"{DELIVERIES}{delivery.pk}/").status_code == 404
    assert client.get(DELIVERIES).json()["count"] == 0
    assert WebhookSubscription.objects.count() == 1


def test_staff_send_a_delivery_again_from_the_credentials_page(
    client, staff_user, as_partner, partner, indicator, receiver, django_capture_on_commit_callbacks
):
    subscribe(as_partner, partner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        report(indicator, partner)
    delivery = WebhookDelivery.objects.get()
    credential = delivery.subscription.credential
    client.force_login(staff_user)
    page = client.get(f"/dashboard/api-credentials/{credential.pk}/").content.decode()
    assert "Latest webhook deliveries" in page and receiver.url in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/api-credentials/{credential.pk}/deliveries/{delivery.pk}/resend/")

    assert response.status_code == 303
    assert len(receiver.requests) == 2
    ids = [headers["Portal-Delivery"] for headers, _ in receiver.requests]
    assert ids[0] != ids[1]
    assert (
        client.post(f"/dashboard/api-credentials/{credential.pk + 1}/deliveries/{delivery.pk}/resend/").status_code
        == 404
    )


def test_published_changed_and_withdrawn_opportunities_are_events(as_partner, partner, receiver, staff_user):
    from funding import services as funding_services
    from portal.permissions import Actor
    from tests.funding.factories import FunderFactory

    subscribe(as_partner, partner, receiver.url, events=["opportunity.created", "opportunity.changed"])
    actor = Actor(user=staff_user)
    data = {
        "title": "Net Zero Tech Grant",
        "kind": "grant",
        "summary": "Grants for firms cutting emissions.",
        "eligibility": "West Midlands firms.",
        "closes_on": timezone.localdate() + datetime.timedelta(days=40),
        "link": "https://funder.example/net-zero",
    }
    opportunity = funding_services.opportunity_create(data=data, actor=actor, funder=FunderFactory())
    funding_services.opportunity_update(opportunity=opportunity, data={"title": "Net Zero Tech Grant 2"}, actor=actor)
    funding_services.opportunity_withdraw(opportunity=opportunity, actor=actor)

    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload"))
    assert [(event, payload["title"], payload["withdrawn"]) for event, payload in events] == [
        ("opportunity.created", "Net Zero Tech Grant", False),
        ("opportunity.changed", "Net Zero Tech Grant 2", False),
        ("opportunity.changed", "Net Zero Tech Grant 2", True),
    ]
    assert events[0][1]["id"] == opportunity.pk


def test_a_landed_lead_goes_only_to_clients_run_by_the_office(as_partner, partner, receiver, settings):
    from ambassadors.models import Lead
    from ambassadors.services import leads as lead_services
    from portal.models import PartnerCredential
    from tests.ambassadors.lead_factories import LeadFactory, staff_member

    settings.WEBHOOK_ALLOW_HTTP = True
    client, _ = as_partner("read", "webhooks", organisation=partner)
    refused = client.post(SUBSCRIPTIONS, {"url": receiver.url, "events": ["lead.landed"]}, format="json")
    assert refused.status_code == 400
    assert "Commissioner's office" in refused.json()["errors"][0]["detail"]

    office = OrganisationFactory(kind=Organisation.Kind.PUBLIC_BODY, name="Commissioner's office")
    client, _ = as_partner("read", "webhooks", organisation=office)
    PartnerCredential.objects.filter(organisation=office).update(is_staff_owned=True)
    subscribed = client.post(SUBSCRIPTIONS, {"url": receiver.url, "events": ["lead.landed"]}, format="json")
    assert subscribed.status_code == 201, subscribed.content
    # A client that changed hands after subscribing gets nothing.
    sold = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Former office supplier")
    client, _ = as_partner("read", "webhooks", organisation=sold)
    PartnerCredential.objects.filter(organisation=sold).update(is_staff_owned=True)
    assert (
        client.post(SUBSCRIPTIONS, {"url": receiver.url, "events": ["lead.landed"]}, format="json").status_code == 201
    )
    PartnerCredential.objects.filter(organisation=sold).update(is_staff_owned=False)

    lead = LeadFactory(verify_win=True)
    lead_services.lead_move(
        lead=lead, actor=staff_member(), to=Lead.Stage.LANDED, version=lead.version, data={"company_number": "12345678"}
    )

    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription.credential.organisation == office
    lead.refresh_from_db()
    assert delivery.payload["id"] == lead.pk and delivery.payload["firm"] == lead.organisation_id
