"""Catching up after a reconnection: every event carries an ``id:`` (its school day's ``updated_at``); a stream
opened with ``Last-Event-ID`` or ``?since=`` first sends the newest state of each school day saved since then,
cut to the watcher's scope, then continues live. A page that catches up ends as a page that saw every event.

Streams talk ASGI to ``cms.asgi.application`` as in test_live.py (transactional: the application reads
committed data from its own threads). The end-state test runs with both brokers (the Redis variant is marked
``redis`` and needs ``REDIS_URL``, as in test_live_redis.py).
"""

import asyncio
import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.attendance import live
from cms.attendance.models import SchoolClass, SchoolDay
from cms.attendance.services import submit_attendance, today
from cms.org.scope import scope_of
from tests.conftest import sign_in
from tests.factories import SchoolFactory

from . import helpers
from .conftest import use_broker
from .live_client import WATCHERS, Stream, assert_scoped_deliveries, report, submit

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
QUIET_SECONDS = 0.3  # after the expected events, time enough for an unexpected one to arrive


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def any_broker(request, settings):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    yield from use_broker(settings, url)


def now_id() -> int:
    return live.event_id(timezone.now())


def start_of_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today(), dt.time.min))


def page_state(events: list[dict], day: str) -> dict:
    """What static/attendance/live.js leaves on a page of ``day`` after applying ``events`` in order: the
    numbers of the city, of each district (its rows, totals and map area) and of each school, and which
    schools it took off the not-reported list (the count follows the list)."""
    state: dict = {"reported": set()}
    for event in events:
        if event["date"] != day:
            continue
        if "city" in event:
            state["city"] = event["city"]
        if event.get("district") and event["district"]["id"] is not None:
            state[f"district:{event['district']['id']}"] = event["district"]
        if "school" in event:
            state[f"school:{event['school']['id']}"] = event["school"]
            state["reported"].add(event["school"]["id"])
    return state


async def events_after_open(watcher: Stream, count: int) -> list[dict]:
    """The ``count`` events the stream sends first, and that nothing else follows at once."""
    await watcher.wait_for(lambda _block: len(watcher.events()) >= count)
    await asyncio.sleep(QUIET_SECONDS)
    return watcher.events()


# --- ids ---------------------------------------------------------------------------------------------------


def test_event_ids_are_microseconds_since_the_epoch_and_back():
    moment = dt.datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=dt.UTC)
    assert live.event_id(moment) == 1795768215123456
    assert live.moment_of(str(live.event_id(moment))) == moment
    for malformed in ("", "abc", "-5", "12.5", "1e9", " 12", "１２３", "9" * 40, "12\nid: 13"):
        assert live.moment_of(malformed) is None, malformed


@transactional
def test_every_event_carries_the_id_of_its_school_days_save(asgi_app, live_world, cookies, local_broker):
    async def scenario():
        watcher = await Stream(asgi_app, cookies["don"]).open()
        await submit(live_world.school_a, live_world.users["school_a"], report())
        await watcher.next_event()
        await watcher.close()
        return watcher.identified_events()

    ((sent_id, event),) = async_to_sync(scenario)()
    saved = SchoolDay.objects.get(school=live_world.school_a, date=today())
    assert sent_id == str(live.event_id(saved.updated_at))
    assert "id" not in event  # the id travels as the SSE id, not in the data


def test_a_newer_event_waiting_is_not_replaced_by_an_older_one():
    """A catch-up read just before a live event arrived must not put the older state back."""

    def event(event_id, present: int) -> live.LiveEvent:
        return live.LiveEvent({"id": event_id, "date": "2026-11-27", "school": {"id": 1, "present": present}})

    async def scenario():
        subscription = live.Subscription(asyncio.get_running_loop())
        subscription.put(event(200, 20))
        subscription.put(event(100, 10))  # older: dropped
        first = [e.data["school"]["present"] for e in await subscription.take()]
        subscription.put(event(100, 10))
        subscription.put(event(300, 30))  # newer: replaces
        subscription.put(event("300; evil", 99))  # not an id: arrival order decides, as without ids
        return first, [(e.id, e.data["school"]["present"]) for e in await subscription.take()]

    first, second = asyncio.run(scenario())
    assert first == [20]
    assert second == [(None, 99)]


# --- what a stream that comes back receives -------------------------------------------------------------


@transactional
def test_catching_up_ends_the_page_as_a_stream_open_all_along(asgi_app, live_world, cookies, any_broker):
    """Each watcher has a stream open all along and one that leaves after the first event and comes back
    (with Last-Event-ID when it had received an event, else with the page's ``?since=``); submissions of
    schools in both districts, one school twice, happen while it is away. Both end in the same state of the
    city, district and school numbers and of the not-reported list."""
    world = live_world
    since = now_id()  # when the pages were rendered
    day = today().isoformat()

    async def scenario():
        try:
            along = {actor: await Stream(asgi_app, cookies[actor], query=f"since={since}").open() for actor in WATCHERS}
            away = {actor: await Stream(asgi_app, cookies[actor], query=f"since={since}").open() for actor in WATCHERS}
            await submit(world.school_b, world.users["school_b"], report(enrolled=30, ill=1))
            for actor in ("don", "own_ruo"):
                await along[actor].next_event()
                await away[actor].next_event()
            for watcher in away.values():
                await watcher.close()

            await submit(world.school_a, world.users["school_a"], report("1-А", enrolled=25, ill=2))
            await submit(world.school_c, world.users["school_c"], report("5-А", enrolled=26, ill=5))
            await submit(world.school_a, world.users["school_a"], report("5-А", enrolled=28, ill=4))
            await submit(world.school_b, world.users["school_b"], report(enrolled=30, ill=3))
            expected = {"don": 5, "own_ruo": 4, "school_a": 2, "other_ruo": 1, "school_c": 1}
            for actor, count in expected.items():
                await along[actor].wait_for(lambda _block, a=actor, n=count: len(along[a].events()) >= n)

            back = {}
            for actor in WATCHERS:
                back[actor] = await Stream(
                    asgi_app, cookies[actor], query=f"since={since}", last_event_id=away[actor].last_id()
                ).open()
            schools = {"don": 3, "own_ruo": 2, "school_a": 1, "other_ruo": 1, "school_c": 1}
            caught_up = {actor: await events_after_open(back[actor], schools[actor]) for actor in WATCHERS}
            for watcher in (*along.values(), *back.values()):
                await watcher.close()
            return along, away, caught_up
        finally:
            await any_broker.aclose()

    along, away, caught_up = async_to_sync(scenario)()
    assert away["don"].last_id() is not None and away["school_a"].last_id() is None  # both ways of resuming
    for actor in WATCHERS:
        schools_sent = [event["school"]["id"] for event in caught_up[actor]]
        assert len(schools_sent) == len(set(schools_sent)), f"{actor}: a school day sent twice"
        seen = away[actor].events() + caught_up[actor]
        assert page_state(seen, day) == page_state(along[actor].events(), day), actor
    # The numbers themselves: all of it, as the department's page open all along shows it.
    final = page_state(caught_up["don"], day)
    assert final["reported"] == {world.school_a.pk, world.school_b.pk, world.school_c.pk}
    assert (final["city"]["present"], final["city"]["schools_reported"]) == (23 + 24 + 27 + 21, 3)
    assert final[f"district:{world.district.pk}"]["present"] == 23 + 24 + 27
    assert set(caught_up["own_ruo"][0]) == {"date", "school", "district"}  # cut as live events are
    assert [(set(e), e["school"]["id"]) for e in caught_up["other_ruo"]] == [
        ({"date", "school", "district"}, world.school_c.pk)
    ]
    assert [(set(e), e["school"]["id"]) for e in caught_up["school_c"]] == [({"date", "school"}, world.school_c.pk)]


@transactional
def test_the_catch_up_is_cut_to_the_watchers_scope(asgi_app, live_world, cookies, local_broker):
    """The submission happens before any stream opens; each watcher's catch-up is what it would have been
    sent live (test_live.py's expectations, the same helper)."""
    since = now_id()

    async def scenario():
        await submit(live_world.school_a, live_world.users["school_a"], report(enrolled=25, ill=2))
        streams = {actor: await Stream(asgi_app, cookies[actor], query=f"since={since}").open() for actor in WATCHERS}
        for actor in ("don", "own_ruo", "school_a"):
            await streams[actor].next_event()
        await asyncio.sleep(QUIET_SECONDS)
        for watcher in streams.values():
            await watcher.close()
        return {actor: watcher.events() for actor, watcher in streams.items()}

    assert_scoped_deliveries(async_to_sync(scenario)(), live_world)


@transactional
def test_only_school_days_saved_after_the_id_are_sent(asgi_app, live_world, cookies, local_broker, monkeypatch):
    """Without the overlap, exactly the school days saved after the id; with it (the default), also those
    saved just before, each once."""
    world = live_world

    async def scenario():
        await submit(world.school_a, world.users["school_a"], report())
        seen = await sync_school_day_id(world.school_a)
        await submit(world.school_c, world.users["school_c"], report("5-А", enrolled=26))
        await submit(world.school_c, world.users["school_c"], report("5-А", enrolled=26, ill=4))
        received = {}
        for overlap in (dt.timedelta(0), live.CATCH_UP_OVERLAP):
            monkeypatch.setattr(live, "CATCH_UP_OVERLAP", overlap)
            watcher = await Stream(asgi_app, cookies["don"], last_event_id=seen).open()
            received[overlap.total_seconds()] = await events_after_open(watcher, 1 if not overlap else 2)
            await watcher.close()
        return received

    received = async_to_sync(scenario)()
    exact, overlapping = received[0.0], received[live.CATCH_UP_OVERLAP.total_seconds()]
    assert [(e["school"]["id"], e["school"]["absent_illness"]) for e in exact] == [(world.school_c.pk, 4)]
    assert sorted(e["school"]["id"] for e in overlapping) == sorted([world.school_a.pk, world.school_c.pk])


@transactional
def test_last_event_id_wins_over_since(asgi_app, live_world, cookies, local_broker, monkeypatch):
    """EventSource reconnects to the same URL (the page's ``?since=``) with the header of the last event it
    received: the header is the newer news."""
    monkeypatch.setattr(live, "CATCH_UP_OVERLAP", dt.timedelta(0))
    world = live_world
    since = now_id()

    async def scenario():
        await submit(world.school_a, world.users["school_a"], report())
        seen = await sync_school_day_id(world.school_a)
        await submit(world.school_b, world.users["school_b"], report(enrolled=30))
        watcher = await Stream(asgi_app, cookies["don"], query=f"since={since}", last_event_id=seen).open()
        events = await events_after_open(watcher, 1)
        await watcher.close()
        return events

    assert [event["school"]["id"] for event in async_to_sync(scenario)()] == [world.school_b.pk]


@transactional
def test_a_submission_while_the_catch_up_is_read_is_not_lost(asgi_app, live_world, cookies, local_broker, monkeypatch):
    """The stream subscribes before it reads: a school day saved right after the read arrives live, and the
    older state the read found does not overwrite it."""
    world = live_world
    since = now_id()
    read = live.catch_up

    def read_then_submit(*args):
        events = read(*args)
        submit_attendance(
            school=world.school_a, date=today(), reports=[report(ill=5)], user=world.users["school_a"], source="form"
        )
        return events

    async def scenario():
        await submit(world.school_a, world.users["school_a"], report(ill=1))
        monkeypatch.setattr(live, "catch_up", read_then_submit)
        watcher = await Stream(asgi_app, cookies["don"], query=f"since={since}").open()
        events = await events_after_open(watcher, 1)
        await watcher.close()
        return events

    events = async_to_sync(scenario)()
    assert [(e["school"]["id"], e["school"]["absent_illness"]) for e in events] == [(world.school_a.pk, 5)]


@transactional
def test_a_page_of_another_day_catches_up_its_day(asgi_app, live_world, cookies, local_broker):
    world = live_world
    yesterday = today() - dt.timedelta(days=1)
    since = now_id()

    async def scenario():
        await sync_submit_on(world, yesterday)
        received = {}
        for query in (f"since={since}&date={yesterday.isoformat()}", f"since={since}"):
            watcher = await Stream(asgi_app, cookies["own_ruo"], query=query).open()
            await asyncio.sleep(QUIET_SECONDS)
            received[query] = watcher.events()
            await watcher.close()
        return list(received.values())

    of_yesterday, of_today = async_to_sync(scenario)()
    assert [(e["date"], e["school"]["id"]) for e in of_yesterday] == [(yesterday.isoformat(), world.school_a.pk)]
    assert of_today == []


@transactional
def test_old_or_malformed_resume_points_get_one_reload_and_the_stream_goes_on(
    asgi_app, live_world, cookies, local_broker
):
    yesterday_id = str(live.event_id(start_of_today() - dt.timedelta(seconds=1)))
    future_id = str(live.event_id(timezone.now() + dt.timedelta(days=1)))
    reload_for = [
        {"last_event_id": "abc"},
        {"last_event_id": "-5"},
        {"last_event_id": "12.5"},
        {"last_event_id": "9" * 40},
        {"last_event_id": "１２３"},
        {"last_event_id": yesterday_id},  # rendered on another day
        {"query": "since=garbage"},
        {"query": f"since={now_id()}&date=2026-02-30"},
        {"query": f"since={now_id()}&date=yesterday"},
        {"last_event_id": "abc", "query": f"since={now_id()}"},  # the header is what is read
    ]
    catch_up_for = [
        {},
        {"last_event_id": ""},
        {"last_event_id": future_id},
        {"query": f"since={now_id()}&date={today().isoformat()}"},
    ]

    async def scenario():
        outcomes = []
        for resume in (*reload_for, *catch_up_for):
            watcher = await Stream(asgi_app, cookies["don"], **resume).open()
            await asyncio.sleep(0.05)
            outcomes.append((watcher.status, watcher.identified_events("reload"), watcher.events()))
            await watcher.close()
        watcher = await Stream(asgi_app, cookies["don"], last_event_id="abc").open()
        await submit(live_world.school_a, live_world.users["school_a"], report())
        live_event = await watcher.next_event()
        await watcher.close()
        return outcomes, live_event

    before = now_id()
    outcomes, live_event = async_to_sync(scenario)()
    for resume, (status, reloads, events) in zip(reload_for, outcomes, strict=False):
        assert status == 200, resume
        ((reload_id, data),) = reloads
        assert data == {} and before <= int(reload_id) <= now_id(), resume
        assert events == [], resume
    for resume, (status, reloads, events) in zip(catch_up_for, outcomes[len(reload_for) :], strict=True):
        assert (status, reloads, events) == (200, [], []), resume
    assert live_event["school"]["id"] == live_world.school_a.pk


# --- the catch-up read ------------------------------------------------------------------------------------


@transactional
def test_the_catch_up_is_one_query_however_many_school_days(live_world, django_assert_num_queries):
    world = live_world
    since = start_of_today()
    helpers.submit(world, "school_a", world.school_a, [helpers.report("1-А", 25, ill=2)])
    helpers.submit(world, "school_c", world.school_c, [helpers.report("5-А", 26, ill=1)])
    counts = {}
    for added in (0, 27):
        for index in range(added):
            school = SchoolFactory(district=world.district)
            SchoolClass.objects.create(school=school, name="1-А", grade=1, enrolled=20)
            helpers.submit(world, "school_a", school, [helpers.report("1-А", 20, ill=index % 5)])
        for actor in ("don", "own_ruo", "school_a"):
            scope = scope_of(world.users[actor])
            with django_assert_num_queries(1):
                counts[actor, added] = len(live.catch_up(scope, since, today()))
    assert counts == {
        ("don", 0): 2,
        ("own_ruo", 0): 1,
        ("school_a", 0): 1,
        ("don", 27): 29,
        ("own_ruo", 27): 28,
        ("school_a", 27): 1,
    }


@transactional
def test_catch_up_events_are_the_events_published_live(live_world, monkeypatch):
    """The same school days give the same events, whether published after a submission or read by a
    catch-up (a school the department manages directly, with no district, included)."""
    world = live_world
    direct = SchoolFactory(district=None)
    SchoolClass.objects.create(school=direct, name="1-А", grade=1, enrolled=20)
    helpers.submit(world, "school_a", world.school_a, [helpers.report("1-А", 25, ill=2)])
    helpers.submit(world, "school_c", world.school_c, [helpers.report("5-А", 26, ill=1)])
    helpers.submit(world, "school_a", direct, [helpers.report("1-А", 20, valid=3)])

    class Recorder(live.LocalBroker):
        wants_events = True

        def __init__(self):
            super().__init__()
            self.published = []

        def publish(self, event):
            self.published.append(event)

    recorder = Recorder()
    monkeypatch.setattr(live, "_broker", recorder)
    for school_day in SchoolDay.objects.order_by("updated_at", "pk"):
        live.publish_school_day(school_day.pk)
    caught_up = live.catch_up(scope_of(world.users["don"]), start_of_today(), today())
    assert caught_up == recorder.published
    assert [event["district"]["id"] for event in caught_up] == [world.district.pk, world.other_district.pk, None]
    assert caught_up[-1]["district"]["absent_valid"] == 3
    assert caught_up[-1]["city"]["schools_reported"] == 3


@transactional
def test_the_dashboard_renders_the_moment_to_catch_up_from(live_world):
    before = now_id()
    html = sign_in(Client(), live_world.users["don"]).get(reverse("attendance:home")).content.decode()
    (since,) = re.findall(r'<script [^>]*data-live-since="(\d+)"', html)
    assert before <= int(since) <= now_id()


# --- helpers ----------------------------------------------------------------------------------------------


async def sync_school_day_id(school) -> str:
    """The id of the event of the school's day as saved now (what a stream that saw it would send back)."""
    school_day = await sync_to_async(SchoolDay.objects.get)(school=school, date=today())
    return str(live.event_id(school_day.updated_at))


async def sync_submit_on(world, date: dt.date) -> None:
    await sync_to_async(helpers.submit)(world, "school_a", world.school_a, [helpers.report("1-А", 25, ill=1)], date)
