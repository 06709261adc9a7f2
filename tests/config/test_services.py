"""Redis as the queue and the cache, against a real Redis server."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.redis


def test_huey_on_redis_round_trip(redis_url):
    from huey import RedisHuey

    huey = RedisHuey(f"ossdesk-test-{uuid.uuid4().hex}", url=redis_url)

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    try:
        result = add(2, 3)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        huey.execute(task)
        assert result.get() == 5
        assert huey.pending_count() == 0
    finally:
        huey.storage.flush_all()


def test_django_cache_on_redis(redis_url):
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache(redis_url, {"KEY_PREFIX": f"ossdesk-test-{uuid.uuid4().hex}"})
    cache.set("answer", {"value": 42}, timeout=30)
    assert cache.get("answer") == {"value": 42}
    cache.delete("answer")
    assert cache.get("answer") is None


def test_settings_select_redis(redis_url, tmp_path):
    """With OSSDESK_REDIS_URL, a fresh process configures Huey and the cache on Redis."""
    import os
    import subprocess
    import sys

    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ossdesk.config.settings'; django.setup();"
        "from django.conf import settings; from huey.contrib.djhuey import HUEY;"
        "from django.core.cache import cache; cache.set('k', 'v', 30);"
        "print(type(HUEY).__name__, settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1], cache.get('k'))"
    )
    env = {**os.environ, "OSSDESK_REDIS_URL": redis_url, "OSSDESK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["RedisHuey", "RedisCache", "v"]
