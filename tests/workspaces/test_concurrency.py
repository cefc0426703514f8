"""Desks under concurrency, on PostgreSQL with real threads: every thread has its own connection
and transaction, so the row locks and the conditional update are what keep the counts true."""

import datetime

import pytest
from django.utils import timezone

from portal.roles import Role
from tests.conftest import run_at_once
from tests.portal.factories import UserFactory
from workspaces import services
from workspaces.exceptions import CapacityExceededError, TransitionNotAllowedError
from workspaces.models import Application, DeskPool, StatusChange

from .factories import ApplicationFactory, WorkspaceFactory, offered_application

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
S = Application.Status


@TRANSACTIONAL
def test_fifty_offers_for_the_last_desk_give_exactly_one(postgres):
    workspace = WorkspaceFactory(pools={"fixed_desk": 3})
    for _ in range(2):
        offered_application(staff=UserFactory(roles=[Role.STAFF]), workspace=workspace)
    applications = ApplicationFactory.create_batch(50, in_review=True, workspaces=[workspace])
    staff = UserFactory.create_batch(5, roles=[Role.STAFF])
    pool = DeskPool.objects.get(workspace=workspace)
    assert pool.available == 1

    results = run_at_once(
        [
            (lambda a=a, i=i: services.application_offer(application=a, actor=staff[i % 5], pool=pool))
            for i, a in enumerate(applications)
        ]
    )

    offers = [r for r in results if isinstance(r, Application)]
    refusals = [r for r in results if isinstance(r, CapacityExceededError)]
    assert len(offers) == 1 and len(refusals) == 49, results
    assert all("0 fixed desks free, so 1 cannot be offered. Nothing was changed." in r.message for r in refusals)
    pool.refresh_from_db()
    assert (pool.capacity, pool.allocated) == (3, 3)
    assert Application.objects.filter(pk__in=[a.pk for a in applications], status=S.OFFERED).count() == 1
    assert Application.objects.filter(pk__in=[a.pk for a in applications], status=S.IN_REVIEW).count() == 49
    assert StatusChange.objects.filter(to_status=S.OFFERED, application__in=applications).count() == 1


@TRANSACTIONAL
def test_two_staff_offering_the_same_application_at_once_hold_one_desk(postgres):
    workspace = WorkspaceFactory(pools={"fixed_desk": 5})
    application = ApplicationFactory(in_review=True, workspaces=[workspace])
    pool = DeskPool.objects.get(workspace=workspace)
    first, second = UserFactory.create_batch(2, roles=[Role.STAFF])

    results = run_at_once(
        [lambda u=u: services.application_offer(application=application, actor=u, pool=pool) for u in (first, second)]
    )

    assert sorted(type(r).__name__ for r in results) == ["Application", "TransitionNotAllowedError"]
    refusal = next(r for r in results if isinstance(r, TransitionNotAllowedError))
    assert "is offered, so it cannot be moved to offered" in refusal.message
    pool.refresh_from_db()
    assert pool.allocated == 1


@TRANSACTIONAL
def test_expiry_run_twice_at_once_offers_the_next_waiting_firm_once(postgres, mailoutbox):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    staff = UserFactory(roles=[Role.STAFF])
    lapsed = offered_application(staff=staff, workspace=workspace)
    waiting = [ApplicationFactory(in_review=True, workspaces=[workspace]) for _ in range(3)]
    for application in waiting:
        services.application_waitlist(application=application, actor=staff)
    Application.objects.filter(pk=lapsed.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(hours=1))

    results = run_at_once([services.offers_expire, services.offers_expire])

    assert sorted(results) == [0, 1]
    assert Application.objects.get(pk=lapsed.pk).status == S.EXPIRED
    statuses = [Application.objects.get(pk=a.pk).status for a in waiting]
    assert statuses == [S.OFFERED, S.WAITLISTED, S.WAITLISTED]
    assert DeskPool.objects.get(workspace=workspace).allocated == 1
    assert StatusChange.objects.filter(to_status=S.EXPIRED).count() == 1
    assert StatusChange.objects.filter(to_status=S.OFFERED, application=waiting[0]).count() == 1
