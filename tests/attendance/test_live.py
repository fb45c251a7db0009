"""Live attendance through the in-process broker: who receives which part of an event, the heartbeat,
leaving, refusals, slow clients, session end, and that publishing can never undo a submission.

The streams talk ASGI to ``cms.asgi.application`` directly (tests/attendance/live_client.py), so the
application runs as under uvicorn: its sync parts in threads of their own, hence committed data
(transactional tests).
"""

import asyncio
import logging
import socket
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.sessions.models import Session

from cms.attendance import live, stream
from cms.attendance.models import DistrictDay, SchoolDay
from cms.attendance.services import today

from .live_client import Stream, assert_scoped_deliveries, class_days, deliveries, report, submit

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@transactional
def test_each_watcher_receives_only_its_part(asgi_app, live_world, cookies, local_broker):
    received = async_to_sync(deliveries)(asgi_app, live_world, cookies)
    assert_scoped_deliveries(received, live_world)
    assert local_broker.subscriber_count == 0


@transactional
def test_stream_headers_and_heartbeat(asgi_app, cookies, local_broker, monkeypatch):
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.05)

    async def scenario():
        watcher = await Stream(asgi_app, cookies["don"]).open()
        await watcher.wait_for(lambda block: block == ": heartbeat")
        await watcher.close()
        return watcher

    watcher = async_to_sync(scenario)()
    assert watcher.status == 200
    assert watcher.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert watcher.headers["cache-control"] == "no-cache, no-store"
    assert watcher.headers["x-accel-buffering"] == "no"
    assert watcher.blocks[0] == f"retry: {stream.RETRY_MILLISECONDS}\n: connected"


@transactional
def test_a_client_that_leaves_is_unsubscribed(asgi_app, cookies, local_broker):
    async def scenario():
        streams = [await Stream(asgi_app, cookies[actor]).open() for actor in ("don", "own_ruo", "school_a")]
        counts = [local_broker.subscriber_count]
        for watcher in streams:
            await watcher.close()
            counts.append(local_broker.subscriber_count)
        return counts

    assert async_to_sync(scenario)() == [3, 2, 1, 0]


@transactional
@pytest.mark.parametrize(("actor", "status", "location"), [("site_admin", 403, None), ("anonymous", 302, "/?next=")])
def test_refused_users_are_never_subscribed(asgi_app, cookies, local_broker, actor, status, location):
    async def scenario():
        return await Stream(asgi_app, cookies.get(actor, "")).open()

    watcher = async_to_sync(scenario)()
    assert watcher.status == status
    if location:
        assert watcher.headers["location"].startswith(location)
    assert local_broker.subscriber_count == 0


@transactional
def test_a_user_still_owing_the_second_factor_is_sent_to_it(asgi_app, live_world, local_broker):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(live_world.users["don"])  # signed in, second factor not passed

    async def scenario():
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return await Stream(asgi_app, cookie).open()

    watcher = async_to_sync(scenario)()
    assert (watcher.status, watcher.headers["location"]) == (302, "/two-factor/")
    assert local_broker.subscriber_count == 0


@transactional
def test_the_stream_ends_when_its_session_ends(asgi_app, cookies, local_broker, monkeypatch):
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(stream, "SESSION_CHECK_SECONDS", 0)

    async def scenario():
        watcher = await Stream(asgi_app, cookies["don"]).open()
        await watcher.wait_for(lambda block: block == ": heartbeat")
        key = cookies["don"].split("=", 1)[1]
        await sync_to_async(Session.objects.filter(session_key=key).delete)()  # signed out elsewhere
        await asyncio.wait_for(watcher._task, 5)
        return local_broker.subscriber_count

    assert async_to_sync(scenario)() == 0


@transactional
def test_a_failing_broker_never_undoes_a_submission(live_world, settings, caplog):
    settings.LIVE_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there (the discard port)
    live.reset_broker()
    try:
        with caplog.at_level(logging.ERROR, logger="cms.attendance.live"):
            async_to_sync(submit)(live_world.school_a, live_world.users["school_a"], report(), report("5-А"))
    finally:
        async_to_sync(live.broker().aclose)()
        live.reset_broker()
    assert async_to_sync(class_days)(live_world.school_a) == 2
    assert SchoolDay.objects.get(school=live_world.school_a, date=today()).present == 46
    assert "Could not publish the attendance event" in caplog.text


def test_a_slow_client_keeps_the_latest_event_of_each_school():
    """Events wait in a subscription while its client is slow; a school's newer event replaces its older one
    (every event carries whole totals), so nothing is lost and memory stays bounded by the schools."""

    def event(school_id: int, present: int) -> live.LiveEvent:
        return live.LiveEvent({"date": "2026-11-27", "school": {"id": school_id, "present": present}})

    async def scenario():
        subscription = live.Subscription(asyncio.get_running_loop())
        for n in range(1000):
            subscription.put(event(n % 3, n))
        return len(subscription), await subscription.take()

    size, events = asyncio.run(scenario())
    assert size == 3
    assert [(e.data["school"]["id"], e.data["school"]["present"]) for e in events] == [(1, 997), (2, 998), (0, 999)]


@transactional
@pytest.mark.parametrize("schools_reported", [1, 3])
def test_publishing_reads_one_query_however_many_schools_reported(
    live_world, local_broker, django_assert_num_queries, schools_reported
):
    """The event is read with one query (the school day with its school; its district's day and the city's
    sums as subqueries: live.with_totals, shared with the catch-up), and delivered to every stream of the
    process without any; with no stream in the process, nothing is read."""
    world = live_world
    for school in (world.school_a, world.school_b, world.school_c)[:schools_reported]:
        SchoolDay.objects.create(school=school, district=school.district, date=today(), enrolled=25, present=23)
        DistrictDay.objects.get_or_create(district=school.district, date=today())
    school_day = SchoolDay.objects.get(school=world.school_a)
    with django_assert_num_queries(0):
        live.publish_school_day(school_day.pk)
    loop = asyncio.new_event_loop()
    try:
        subscription = loop.run_until_complete(local_broker.subscribe())
        with django_assert_num_queries(1):
            live.publish_school_day(school_day.pk)
        (delivered,) = loop.run_until_complete(asyncio.wait_for(subscription.take(), timeout=5))
        assert delivered.data["school"]["id"] == world.school_a.pk
        loop.run_until_complete(local_broker.unsubscribe(subscription))
        loop.run_until_complete(local_broker.aclose())
    finally:
        loop.close()


@transactional
def test_open_streams_hold_no_thread_each(asgi_app, cookies, local_broker):
    """Django keeps a request's thread until its response ends; a stream must not (cms/asgi.py)."""
    from tests.asgi_server import ThreadedUvicorn

    def open_stream(port: int) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(
            f"GET /live/attendance/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies['don']}\r\n\r\n".encode()
        )
        received = b""
        while b": connected" not in received:
            received += connection.recv(4096)
        assert received.startswith(b"HTTP/1.1 200"), received
        return connection

    with ThreadedUvicorn(asgi_app) as server:
        streams = [open_stream(server.port)]
        threads_with_one = threading.active_count()
        streams += [open_stream(server.port) for _ in range(20)]
        threads_with_many = threading.active_count()
        subscribed = local_broker.subscriber_count
        for connection in streams:
            connection.close()
    assert subscribed == 21
    assert threads_with_many - threads_with_one <= 1
