"""The broker probe the pages reuse: at most one live probe per 30 seconds per process, a fresh one
when the broker URL changes; /healthz always probes live (tests/portal/test_views.py)."""

import pytest

from portal import health


@pytest.fixture
def probes(monkeypatch):
    """The live probe replaced by a recorder; its answer is ``probes.answer``."""

    class Probes(list):
        answer = True

    recorded = Probes()
    monkeypatch.setattr(health, "broker_ok", lambda: recorded.append(1) or recorded.answer)
    health.broker_probe_forget()
    yield recorded
    health.broker_probe_forget()


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves: ``clock.now``."""

    class Clock:
        now = 1000.0

    monkeypatch.setattr(health, "monotonic", lambda: Clock.now)
    return Clock


def test_the_cached_probe_reuses_one_answer_for_30_seconds(probes, clock):
    assert health.broker_ok_cached() is True
    probes.answer = False
    clock.now += health.BROKER_PROBE_MAX_AGE - 0.1
    assert health.broker_ok_cached() is True  # still the remembered answer
    assert len(probes) == 1
    clock.now += 0.1
    assert health.broker_ok_cached() is False  # expired: probed again
    assert len(probes) == 2


def test_a_changed_broker_url_probes_afresh(probes, clock, settings):
    health.broker_ok_cached()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    health.broker_ok_cached()
    assert len(probes) == 2


def test_forgetting_the_probe_probes_again(probes, clock):
    health.broker_ok_cached()
    health.broker_probe_forget()
    health.broker_ok_cached()
    assert len(probes) == 2
