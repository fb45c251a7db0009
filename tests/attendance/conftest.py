import datetime as dt
import os

import pytest
import redis
from asgiref.sync import async_to_sync
from django.utils import timezone

from cms.attendance import live
from cms.attendance.services import ClassReport
from tests.conftest import World, build_world

from .live_client import WATCHERS, session_cookie


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


def report(name: str, enrolled: int, present: int, ill: int = 0, valid: int = 0, unexcused: int = 0, **extra):
    return ClassReport(
        class_name=name,
        enrolled=enrolled,
        present=present,
        absent_illness=ill,
        absent_valid=valid,
        absent_unexcused=unexcused,
        **extra,
    )


@pytest.fixture
def live_world(transactional_db) -> World:
    """The tests' world, committed: the ASGI application reads it from its own threads and connections.
    The tables are flushed afterwards (``serialized_rollback`` restores what the migrations created)."""
    return build_world()


@pytest.fixture
def cookies(live_world) -> dict[str, str]:
    return {actor: session_cookie(live_world.users[actor]) for actor in (*WATCHERS, "site_admin")}


@pytest.fixture
def asgi_app(monkeypatch):
    """The ASGI application, with no persistent connections as in its process (``cms.asgi``): the requests'
    threads close theirs when they end, so none outlives the test."""
    from django.db import connections

    from cms.asgi import application

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    return application


def use_broker(settings, redis_url: str):
    """Switch the live broker (in-process without a URL, Redis with one) for a test, and close it after."""
    settings.LIVE_REDIS_URL = redis_url
    live.reset_broker()
    broker = live.broker()
    yield broker
    async_to_sync(broker.aclose)()
    live.reset_broker()


@pytest.fixture
def local_broker(settings):
    yield from use_broker(settings, "")


@pytest.fixture(scope="module")
def redis_url() -> str:
    """REDIS_URL, reachable (tests marked ``redis`` fail without it: a green run must mean Redis was used)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: the Redis suite needs a real redis-server (.ci/run starts one)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {url} is not reachable: {error}")
    return url


@pytest.fixture
def redis_broker(settings, redis_url):
    yield from use_broker(settings, redis_url)
