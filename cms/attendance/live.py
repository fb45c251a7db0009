"""Live attendance: each saved submission becomes one event that open dashboards receive within a second.

``publish_school_day`` runs after the submission's transaction commits (in the web process). Events reach
``subscribe`` (the server-sent-events view, in the ASGI process) through a broker:

- in-process (the embedded default, one process serves pages and events): the publishing thread wakes the
  event loop once per event (``call_soon_threadsafe``), which fills every open stream's ``Subscription``;
- Redis pub/sub (``REDIS_URL`` set; several web processes and a separate ASGI process): one subscription
  per ASGI process, fanned out to that process's open connections.

An event carries the day's totals of the school, its district and the city; ``visible_part`` decides what
of it the watching user may see, and each part is serialized once per process (``LiveEvent``).

Every event has an SSE ``id:``: its school day's ``updated_at`` in microseconds (``event_id``). A stream that
reconnects with ``Last-Event-ID``, or opens with ``?since=``, is first sent ``catch_up``: the newest state of
each school day saved since then, read from the database and cut like a live event — whichever broker and
whichever process carried the events it missed.
"""

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import threading
from collections import OrderedDict

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import JSONObject
from django.db.models.lookups import IsNull

from cms.org.scope import Scope, visible

from .models import Counts, DistrictDay, SchoolDay

logger = logging.getLogger(__name__)

CHANNEL = "ecab:attendance"
# A comment line this often keeps proxies from closing an idle stream and lets the server notice a gone client.
HEARTBEAT_SECONDS = 15
# A catch-up also resends the school days saved this long before the moment asked for: a transaction that
# saved a school day before another one but committed after it (or a web process whose clock is a little
# behind) still reaches a stream that reconnects with the other one's id. Resent snapshots change nothing.
CATCH_UP_OVERLAP = dt.timedelta(seconds=10)
TOTALS = (*Counts.COUNT_FIELDS, "schools_reported")  # what an event says of its district and the city
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
EVENT_ID = re.compile(r"[0-9]{1,17}", re.ASCII)  # 17 digits: until the year 5138, never an overflow


def event_id(moment: dt.datetime) -> int:
    """The SSE ``id:`` of the event of a school day saved at ``moment`` (its ``updated_at``), in microseconds
    since the epoch: ids order the states of a school day. The id of "now" marks a moment for ``?since=``."""
    return (moment - EPOCH) // MICROSECOND


def moment_of(value: str) -> dt.datetime | None:
    """The moment an event id sent back by a client stands for; None when it is not an event id."""
    if not EVENT_ID.fullmatch(value):
        return None
    return EPOCH + int(value) * MICROSECOND


def with_totals(school_days: QuerySet, district_days: QuerySet) -> QuerySet:
    """``school_days`` with their school, their district's day and the city's sums of the same date, in one
    query (``district_days``: the rows the totals are read from, the watcher's scope or all of them)."""
    same_date = district_days.filter(date=OuterRef("date")).order_by()
    own_district = same_date.filter(
        Q(district_id=OuterRef("district_id")) | Q(IsNull(OuterRef("district_id"), True), district__isnull=True)
    )
    city = same_date.values("date").annotate(sums=JSONObject(**{name: Sum(name) for name in TOTALS}))
    return school_days.select_related("school").annotate(
        district_totals=Subquery(own_district.values(totals=JSONObject(**{name: name for name in TOTALS}))[:1]),
        city_totals=Subquery(city.values("sums")),
    )


def event_of(school_day: SchoolDay) -> dict:
    """The event of a school day read by ``with_totals``: its id, and the day's totals of the school, its
    district and the city."""
    school = school_day.school
    district = school_day.district_totals
    city = school_day.city_totals or {}
    return {
        "id": event_id(school_day.updated_at),
        "date": school_day.date.isoformat(),
        "school": {
            "id": school.pk,
            "name": school.short_name or school.name,
            "district_id": school_day.district_id,
            "classes_reported": school_day.classes_reported,
            **{name: getattr(school_day, name) for name in Counts.COUNT_FIELDS},
        },
        "district": {"id": school_day.district_id, "schools_reported": 0, **(district or {})},
        "city": {name: city.get(name) or 0 for name in TOTALS},
    }


def catch_up(scope: Scope, since: dt.datetime, date: dt.date) -> list[dict]:
    """The events of the school days of ``date`` in ``scope`` saved after ``since`` (less
    ``CATCH_UP_OVERLAP``), oldest first: one query, at most one row per school of the scope.

    Events are snapshots, so the newest state of each school day is all a stream that missed some needs; its
    district's and the city's totals are read now, as fresh as those of the last event it missed."""
    school_days = visible(scope, SchoolDay).filter(date=date, updated_at__gt=since - CATCH_UP_OVERLAP)
    return [event_of(day) for day in with_totals(school_days.order_by("updated_at", "pk"), visible(scope, DistrictDay))]


PARTS = {
    "city": ("date", "school", "district", "city"),
    "district": ("date", "school", "district"),
    "school": ("date", "school"),
}


def visible_part(event: dict, scope: Scope) -> str | None:
    """Which part of ``event`` the scope may see (a key of PARTS); None when it sees nothing of it."""
    if scope.is_city:
        return "city"
    if scope.is_district and event["school"]["district_id"] == scope.district_id:
        return "district"
    if scope.is_school and event["school"]["id"] == scope.school_id:
        return "school"
    return None


def well_formed(event) -> bool:
    """Whether an event from outside the process (Redis) has what ``visible_part`` reads."""
    try:
        return isinstance(event["date"], str) and {"id", "district_id"} <= event["school"].keys()
    except (KeyError, TypeError, AttributeError):
        return False


class LiveEvent:
    """One event as the streams of a process share it: each part is serialized once, for all streams that
    see that part (every DON dashboard sends the same bytes)."""

    __slots__ = ("_encoded", "_head", "data", "id")

    def __init__(self, data: dict):
        self.data = data
        self._encoded: dict[str, bytes] = {}
        # From Redis anything may come: only a whole number is an id (a newline would start another field).
        event_id = data.get("id")
        self.id = event_id if type(event_id) is int and event_id >= 0 else None
        self._head = "event: attendance\n" if self.id is None else f"id: {self.id}\nevent: attendance\n"

    @property
    def key(self) -> tuple:
        return self.data["date"], self.data["school"]["id"]

    def is_older_than(self, other: "LiveEvent") -> bool:
        """Whether this is an earlier state of the school day than ``other`` (as far as their ids tell)."""
        return self.id is not None and other.id is not None and self.id < other.id

    def encoded_for(self, scope: Scope) -> bytes | None:
        """The server-sent-event block of the part ``scope`` sees; None when it sees nothing."""
        part = visible_part(self.data, scope)
        if part is None:
            return None
        if part not in self._encoded:
            visible = {key: self.data[key] for key in PARTS[part] if key in self.data}
            self._encoded[part] = f"{self._head}data: {json.dumps(visible, ensure_ascii=False)}\n\n".encode()
        return self._encoded[part]


class Subscription:
    """The mailbox of one open stream: the latest event of each school and day, oldest first.

    An event carries whole totals (the school's, its district's, the city's), so a newer event of a school
    replaces an older one still waiting: a slow client never holds more than one event per school and day,
    and what it finally shows is the same as a fast client's. "Newer" is by id where both have one (a
    catch-up read before a live event arrived must not replace it), else by arrival. Filled and read in its
    event loop only.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self._events: OrderedDict[tuple, LiveEvent] = OrderedDict()
        self._beat = False
        self._waiting = asyncio.Event()

    def put(self, event: LiveEvent) -> None:
        waiting = self._events.get(event.key)
        if waiting is not None and event.is_older_than(waiting):
            return
        self._events.pop(event.key, None)
        self._events[event.key] = event
        self._waiting.set()

    def beat(self) -> None:
        """The heartbeat is due: ``take`` returns, with an empty list if no event is waiting."""
        self._beat = True
        self._waiting.set()

    async def take(self) -> list[LiveEvent]:
        """All events waiting, oldest first, once there is one or the heartbeat is due (then maybe none):
        a stream that fell behind catches up in one write."""
        while not self._events and not self._beat:
            self._waiting.clear()
            await self._waiting.wait()
        events = list(self._events.values())
        self._events.clear()
        self._beat = False
        return events

    def __len__(self) -> int:
        return len(self._events)


class LocalBroker:
    """Fan-out to the subscriptions of this process (any thread may publish; each loop is woken once).

    One heartbeat task per event loop wakes all its subscriptions every ``HEARTBEAT_SECONDS`` (one timer
    for thousands of streams instead of a timeout per stream and event).
    """

    def __init__(self):
        self._subscriptions: dict[asyncio.AbstractEventLoop, set[Subscription]] = {}
        self._heartbeats: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._lock = threading.Lock()

    def publish(self, event: dict) -> None:
        self.deliver(event)

    def deliver(self, event: dict) -> None:
        with self._lock:
            loops = list(self._subscriptions)
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._deliver_in_loop, loop, event)
            except RuntimeError:  # the loop has closed; its subscriptions are gone
                with self._lock:
                    self._subscriptions.pop(loop, None)

    def _deliver_in_loop(self, loop: asyncio.AbstractEventLoop, event: dict) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions.get(loop, ()))
        shared = LiveEvent(event)
        for subscription in subscriptions:
            subscription.put(shared)

    async def subscribe(self) -> Subscription:
        return self._add()

    def _add(self) -> Subscription:
        loop = asyncio.get_running_loop()
        subscription = Subscription(loop)
        with self._lock:
            self._subscriptions.setdefault(loop, set()).add(subscription)
        heartbeat = self._heartbeats.get(loop)
        if heartbeat is None or heartbeat.done():
            self._heartbeats[loop] = loop.create_task(self._beat(loop), name="attendance-heartbeat")
        return subscription

    async def _beat(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with self._lock:
                subscriptions = list(self._subscriptions.get(loop, ()))
            if not subscriptions:
                self._heartbeats.pop(loop, None)
                return
            for subscription in subscriptions:
                subscription.beat()

    async def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscriptions = self._subscriptions.get(subscription.loop)
            if subscriptions is not None:
                subscriptions.discard(subscription)
                if not subscriptions:
                    del self._subscriptions[subscription.loop]

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscriptions.values())

    async def aclose(self) -> None:
        """Stop background work (heartbeats, the Redis listener); subscriptions are left to their streams."""
        loop = asyncio.get_running_loop()
        for task in [task for task in self._heartbeats.values() if task.get_loop() is loop]:
            task.cancel()
        self._heartbeats = {key: task for key, task in self._heartbeats.items() if key is not loop}

    @property
    def wants_events(self) -> bool:
        """Whether a published event can reach anyone: in-process, only this process's subscribers."""
        with self._lock:
            return any(self._subscriptions.values())


class RedisBroker(LocalBroker):
    """Publishes to a Redis channel; one listener task per ASGI process delivers to its local subscriptions.

    The listener reconnects (with a growing pause, at most ``RECONNECT_MAX_SECONDS``) when Redis goes away;
    events published meanwhile are lost, the open streams stay open. Publishing gives up after
    ``TIMEOUT_SECONDS`` so an unreachable Redis cannot hold a submission's response.
    """

    TIMEOUT_SECONDS = 2
    RECONNECT_MIN_SECONDS = 0.2
    RECONNECT_MAX_SECONDS = 5

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self._client = None
        self._client_lock = threading.Lock()
        self._listener: asyncio.Task | None = None
        self._connected: asyncio.Event | None = None

    @property
    def wants_events(self) -> bool:
        return True  # subscribers are in other processes

    def publish(self, event: dict) -> None:
        import redis

        with self._client_lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=self.TIMEOUT_SECONDS, socket_timeout=self.TIMEOUT_SECONDS
                )
        self._client.publish(CHANNEL, json.dumps(event))

    async def subscribe(self) -> Subscription:
        loop = asyncio.get_running_loop()
        if self._listener is None or self._listener.done() or self._listener.get_loop() is not loop:
            self._connected = asyncio.Event()
            self._listener = loop.create_task(self._listen(self._connected), name="attendance-redis-listener")
        try:
            await asyncio.wait_for(self._connected.wait(), self.TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("Redis is not reachable yet; the attendance stream opens and waits for it")
        return self._add()

    @property
    def connected(self) -> bool:
        return self._connected is not None and self._connected.is_set()

    async def _listen(self, connected: asyncio.Event) -> None:
        import redis.asyncio as aioredis

        pause = self.RECONNECT_MIN_SECONDS
        while True:
            client = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=self.TIMEOUT_SECONDS, socket_keepalive=True
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                connected.set()
                pause = self.RECONNECT_MIN_SECONDS
                async for message in pubsub.listen():
                    self._deliver_message(message)
            except Exception:
                logger.warning("Lost the attendance channel on Redis; reconnecting", exc_info=True)
            finally:
                connected.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.RECONNECT_MAX_SECONDS)

    def _deliver_message(self, message: dict) -> None:
        try:
            event = json.loads(message["data"])
        except (ValueError, TypeError, KeyError):
            logger.warning("Ignored a malformed attendance event")
            return
        if well_formed(event):
            self._deliver_in_loop(asyncio.get_running_loop(), event)
        else:
            logger.warning("Ignored an attendance event without a date and school")

    async def aclose(self) -> None:
        await super().aclose()
        listener, self._listener = self._listener, None
        # A listener of another (closed) loop was cancelled with it.
        if listener is not None and not listener.done() and listener.get_loop() is asyncio.get_running_loop():
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


_broker: LocalBroker | None = None


def broker() -> LocalBroker:
    global _broker
    if _broker is None:
        url = getattr(settings, "LIVE_REDIS_URL", "")
        _broker = RedisBroker(url) if url else LocalBroker()
    return _broker


def reset_broker() -> None:
    """Forget the broker (tests switch between the in-process and the Redis one)."""
    global _broker
    _broker = None


def publish_school_day(school_day_id: int) -> None:
    """Send the event of a saved school day (one query); a failure to publish never undoes the submission.
    Nothing is read when no one can receive it (the in-process broker of a web worker without subscribers)."""
    if not broker().wants_events:
        return
    try:
        school_days = with_totals(SchoolDay.objects.filter(pk=school_day_id), DistrictDay.objects.all())
        for school_day in school_days:
            broker().publish(event_of(school_day))
    except Exception:
        logger.exception("Could not publish the attendance event of school day %s", school_day_id)
