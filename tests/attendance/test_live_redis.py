"""Live attendance through Redis pub/sub (several web processes and a separate ASGI process), against a real
redis-server: ``REDIS_URL=redis://127.0.0.1:PORT/0 python -m pytest -m redis tests/attendance``.

Run by .ci/run with a private redis-server; the default run deselects the marker. Without a reachable
``REDIS_URL`` these tests fail: a green run must mean the Redis path was exercised.
"""

import asyncio
import json

import pytest
import redis
from asgiref.sync import async_to_sync

from cms.attendance import live

from .live_client import Stream, assert_scoped_deliveries, deliveries, submit

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def subscribers_on_redis(url: str) -> int:
    return dict(redis.Redis.from_url(url).pubsub_numsub(live.CHANNEL))[live.CHANNEL.encode()]


async def until(condition, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_each_watcher_receives_only_its_part_through_redis(asgi_app, live_world, cookies, redis_broker, redis_url):
    assert isinstance(redis_broker, live.RedisBroker)  # it publishes to Redis only; nothing is delivered locally

    async def scenario():
        try:
            return await deliveries(asgi_app, live_world, cookies)
        finally:
            await redis_broker.aclose()

    assert_scoped_deliveries(async_to_sync(scenario)(), live_world)
    assert redis_broker.subscriber_count == 0


def test_one_redis_subscription_serves_all_streams_of_a_process(asgi_app, cookies, redis_broker, redis_url):
    async def scenario():
        streams = [await Stream(asgi_app, cookies[actor]).open() for actor in ("don", "own_ruo", "school_a")]
        on_redis = subscribers_on_redis(redis_url)
        for watcher in streams:
            await watcher.close()
        await redis_broker.aclose()
        return on_redis

    assert async_to_sync(scenario)() == 1
    assert subscribers_on_redis(redis_url) == 0


def test_the_listener_reconnects_when_redis_drops_it(asgi_app, live_world, cookies, redis_broker, redis_url):
    async def scenario():
        watcher = await Stream(asgi_app, cookies["don"]).open()
        killed = redis.Redis.from_url(redis_url).client_kill_filter(_type="pubsub")
        await until(lambda: subscribers_on_redis(redis_url) == 1)  # subscribed again
        await submit(live_world.school_a, live_world.users["school_a"])
        event = await watcher.next_event()
        await watcher.close()
        await redis_broker.aclose()
        return killed, event

    killed, event = async_to_sync(scenario)()
    assert killed == 1
    assert event["school"]["id"] == live_world.school_a.pk


def test_events_from_another_process_reach_the_streams_and_malformed_ones_are_ignored(
    asgi_app, live_world, cookies, redis_broker, redis_url
):
    """A web process (gunicorn) publishes on the channel; here, a plain Redis client stands in for it."""
    event = {
        "date": "2026-11-27",
        "school": {"id": live_world.school_c.pk, "district_id": live_world.other_district.pk, "present": 20},
        "district": {"id": live_world.other_district.pk, "present": 20},
        "city": {"present": 20},
    }

    async def scenario():
        don = await Stream(asgi_app, cookies["don"]).open()
        other_ruo = await Stream(asgi_app, cookies["other_ruo"]).open()
        own_ruo = await Stream(asgi_app, cookies["own_ruo"]).open()
        publisher = redis.Redis.from_url(redis_url)
        publisher.publish(live.CHANNEL, b"not json")
        publisher.publish(live.CHANNEL, json.dumps(event))
        received = (await don.next_event(), await other_ruo.next_event())
        for watcher in (don, other_ruo, own_ruo):
            await watcher.close()
        await redis_broker.aclose()
        return received, own_ruo.events()

    (to_don, to_other_ruo), to_own_ruo = async_to_sync(scenario)()
    assert to_don == event
    assert to_other_ruo == {key: event[key] for key in ("date", "school", "district")}
    assert to_own_ruo == []
