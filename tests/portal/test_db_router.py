"""Where reads go with a replica configured (portal/db_router.py): each rule, one request at a time.

The router only names a database; these tests ask it, inside the middleware, what it would pick.
tests/test_replica.py serves the portal against a real streaming replica."""

import django.core.signing
import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from oauth2_provider.models import AccessToken

from missions.models import Indicator
from portal.db_router import PIN_COOKIE, PrimaryPinMiddleware, ReplicaRouter

router = ReplicaRouter()


def serve(request, *, write: bool = False):
    """Run ``request`` through the middleware: (the response, where reads went before and after a
    write the view makes when ``write``)."""
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(Indicator)
        if write:
            assert router.db_for_write(Indicator) == "default"
        seen["after"] = router.db_for_read(Indicator)
        return HttpResponse("ok")

    response = PrimaryPinMiddleware(view)(request)
    return response, seen


def with_cookies(request, response):
    request.COOKIES.update({name: morsel.value for name, morsel in response.cookies.items()})
    return request


@pytest.fixture
def rf():
    return RequestFactory()


@pytest.fixture(autouse=True)
def _replica_answers(monkeypatch):
    """The suite has no replica; tests/test_replica.py stops a real one."""
    monkeypatch.setattr("portal.db_router._replica_usable", lambda: True)


def test_outside_a_request_jobs_and_commands_read_from_the_primary():
    assert router.db_for_read(Indicator) == "default"
    assert router.db_for_write(Indicator) == "default"
    assert router.db_for_read(Indicator) == "default"  # a write outside a request leaves no mark


def test_a_safe_request_reads_from_the_replica_and_sets_no_cookie(rf):
    response, seen = serve(rf.get("/dashboard/"))
    assert seen == {"before": "replica", "after": "replica"}
    assert PIN_COOKIE not in response.cookies
    assert router.db_for_read(Indicator) == "default"  # and after it, the primary again


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_request_that_may_write_reads_from_the_primary_and_pins_its_sender(rf, settings, method):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 7
    response, seen = serve(getattr(rf, method)("/api/v1/investments/"))
    assert seen == {"before": "default", "after": "default"}
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 7
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"

    # The sender's next reads go to the primary, anybody else's to the replica.
    assert serve(with_cookies(rf.get("/dashboard/"), response))[1]["before"] == "default"
    assert serve(rf.get("/dashboard/"))[1]["before"] == "replica"


def test_the_pin_lapses_after_its_window(rf, settings, monkeypatch):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 5
    real_time = django.core.signing.time.time
    with monkeypatch.context() as patch:
        patch.setattr(django.core.signing.time, "time", lambda: real_time() - 6)  # written 6 s ago
        response, _ = serve(rf.post("/feedback/"))
    assert serve(with_cookies(rf.get("/dashboard/"), response))[1]["before"] == "replica"


def test_a_streamed_body_reads_from_where_its_request_reads(rf):
    def chunks():
        yield router.db_for_read(Indicator)

    for request, expected in ((rf.get("/dashboard/investments/export/"), "replica"), (rf.post("/x/"), "default")):
        response = PrimaryPinMiddleware(lambda request: StreamingHttpResponse(chunks()))(request)
        assert b"".join(response.streaming_content).decode() == expected  # read after the middleware returned


def test_a_forged_pin_cookie_is_ignored(rf):
    request = rf.get("/dashboard/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert serve(request)[1]["before"] == "replica"


def test_a_safe_request_that_writes_reads_its_write_from_the_primary_and_pins_nobody(rf):
    response, seen = serve(rf.get("/dashboard/"), write=True)  # a session's last-seen time, say
    assert seen == {"before": "replica", "after": "default"}
    assert PIN_COOKIE not in response.cookies


def test_a_partner_client_is_pinned_by_its_token_without_cookies(rf):
    mine, theirs = {"HTTP_AUTHORIZATION": "Bearer mine"}, {"HTTP_AUTHORIZATION": "Bearer theirs"}
    serve(rf.post("/api/v1/observations/", **mine))
    assert serve(rf.get("/api/v1/observations/", **mine))[1]["before"] == "default"
    assert serve(rf.get("/api/v1/observations/", **theirs))[1]["before"] == "replica"


def test_with_the_cache_down_a_token_holder_reads_from_the_primary(rf, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    response, seen = serve(rf.post("/api/v1/observations/", HTTP_AUTHORIZATION="Bearer mine"))
    assert response.status_code == 200  # the write is not failed for its sticky window
    assert serve(rf.get("/api/v1/observations/", HTTP_AUTHORIZATION="Bearer mine"))[1]["before"] == "default"


def test_credentials_are_read_from_the_primary_even_in_a_replica_request(rf):
    seen = {}

    def view(request):
        seen.update({model.__name__: router.db_for_read(model) for model in (Session, AccessToken, Indicator)})
        return HttpResponse()

    PrimaryPinMiddleware(view)(rf.get("/api/v1/indicators/"))
    assert seen == {"Session": "default", "AccessToken": "default", "Indicator": "replica"}


def test_reads_inside_a_transaction_stay_on_the_primary(rf, db):
    seen = {}

    def view(request):
        with transaction.atomic():
            seen["inside"] = router.db_for_read(Indicator)
        return HttpResponse()

    PrimaryPinMiddleware(view)(rf.get("/dashboard/"))
    assert seen == {"inside": "default"}


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "missions")
    assert not router.allow_migrate("replica", "missions")
