"""The page cache's store: this process's memory in front of the real Redis, and what happens when
Redis is gone."""

import time
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.urls import reverse

from portal import page_cache
from portal.cache_backends import LayeredCache, key_as_is
from tests.missions.factories import IndicatorFactory

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


def layered(url: str) -> LayeredCache:
    return LayeredCache(url, {"OPTIONS": {"MAX_ENTRIES": 100}})


def test_a_fragment_one_process_stored_is_read_by_another(redis_url):
    key = f"test-{uuid.uuid4()}"
    cache = layered(redis_url)
    assert cache.get(key) is None
    cache.set(key, "<p>built once</p>", 60)
    cache.clear()  # this process's memory only: as a process that never built the fragment
    redis = RedisCache(redis_url, {"KEY_FUNCTION": key_as_is})  # the key exactly as stored
    assert redis.get(cache.make_key(key)) == "<p>built once</p>"
    assert cache.get(key) == "<p>built once</p>"  # read from Redis and kept in memory
    redis.delete(cache.make_key(key))
    assert cache.get(key) == "<p>built once</p>"  # memory answers without asking Redis


def test_without_redis_the_cache_works_from_memory_and_fast():
    cache = layered(CLOSED_PORT_URL)
    started = time.monotonic()
    assert cache.get("missing", "default") == "default"
    cache.set("fragment", "<p>kept</p>", 60)
    assert cache.get("fragment") == "<p>kept</p>"
    assert time.monotonic() - started < 2


@pytest.fixture
def pages_on(settings):
    """pages_on(url): serve the page cache from a LayeredCache on ``url`` for this test."""

    def use(url: str):
        settings.CACHES = {
            **settings.CACHES,
            page_cache.CACHE_ALIAS: {"BACKEND": "portal.cache_backends.LayeredCache", "LOCATION": url},
        }
        caches[page_cache.CACHE_ALIAS].clear()

    yield use
    caches[page_cache.CACHE_ALIAS].clear()


@pytest.mark.django_db
def test_pages_are_cached_on_redis_and_change_after_a_write(client, redis_url, pages_on, count_queries):
    pages_on(redis_url)
    indicator = IndicatorFactory(name="Households with full-fibre broadband")
    page = reverse("missions:mission-detail", args=[indicator.mission.slug])
    assert "Households with full-fibre broadband" in client.get(page).content.decode()
    with count_queries() as cached:
        assert client.get(page).status_code == 200
    assert cached.count == 1  # the versions: no mission or indicator is read

    indicator.name = "Premises with full-fibre broadband"
    indicator.save()
    page_cache.data_version_bump("missions")
    assert "Premises with full-fibre broadband" in client.get(page).content.decode()


@pytest.mark.django_db
def test_pages_keep_working_when_redis_is_down(client, pages_on):
    pages_on(CLOSED_PORT_URL)
    indicator = IndicatorFactory(name="Digital skills courses completed")
    page = reverse("missions:mission-detail", args=[indicator.mission.slug])
    started = time.monotonic()
    for _ in range(3):
        response = client.get(page)
        assert response.status_code == 200
        assert "Digital skills courses completed" in response.content.decode()
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_clear_page_cache_retires_every_cached_page(client):
    indicator = IndicatorFactory(name="Open datasets published")
    page = reverse("missions:mission-detail", args=[indicator.mission.slug])
    client.get(page)
    Indicator = type(indicator)
    Indicator.objects.filter(pk=indicator.pk).update(name="Open datasets released")  # a write past the services
    assert "Open datasets published" in client.get(page).content.decode()  # still the cached page
    before = page_cache.data_versions()
    call_command("clear_page_cache")
    after = page_cache.data_versions()
    assert all(after[key] != before[key] for key in page_cache.DATA_KEYS)
    assert "Open datasets released" in client.get(page).content.decode()
