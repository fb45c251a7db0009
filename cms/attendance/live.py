"""Live attendance: each saved submission becomes one event that open dashboards receive within a second.

``publish_school_day`` runs after the submission's transaction commits (in the web process). Events reach
``subscribe`` (the server-sent-events view, in the ASGI process) through a broker:

- in-process (the embedded default, one process serves pages and events): subscribers' queues are filled
  from the publishing thread with ``call_soon_threadsafe``;
- Redis pub/sub (``REDIS_URL`` set; several web processes and a separate ASGI process): one subscription
  per ASGI process, fanned out to that process's open connections.

An event carries the day's totals of the school, its district and the city; ``for_scope`` cuts it down to
what the watching user may see before it is sent.
"""

import asyncio
import json
import logging
import threading

from django.conf import settings
from django.db.models import Sum

from cms.org.scope import Scope

from .models import Counts, DistrictDay, SchoolDay

logger = logging.getLogger(__name__)

CHANNEL = "ecab:attendance"


def totals(obj) -> dict:
    return {name: getattr(obj, name) for name in Counts.COUNT_FIELDS}


def event_for(school_day: SchoolDay) -> dict:
    school = school_day.school
    district = DistrictDay.objects.filter(district_id=school_day.district_id, date=school_day.date).first()
    city = DistrictDay.objects.filter(date=school_day.date).aggregate(
        **{name: Sum(name) for name in (*Counts.COUNT_FIELDS, "schools_reported")}
    )
    return {
        "date": school_day.date.isoformat(),
        "school": {
            "id": school.pk,
            "name": school.short_name or school.name,
            "district_id": school_day.district_id,
            "classes_reported": school_day.classes_reported,
            **totals(school_day),
        },
        "district": {
            "id": school_day.district_id,
            "schools_reported": district.schools_reported if district else 0,
            **(totals(district) if district else {}),
        },
        "city": {name: value or 0 for name, value in city.items()},
    }


def for_scope(event: dict, scope: Scope) -> dict | None:
    """The part of ``event`` the scope may see; None when it sees nothing of it."""
    if scope.is_city:
        return event
    if scope.is_district and event["school"]["district_id"] == scope.district_id:
        return {"date": event["date"], "school": event["school"], "district": event["district"]}
    if scope.is_school and event["school"]["id"] == scope.school_id:
        return {"date": event["date"], "school": event["school"]}
    return None


class LocalBroker:
    """Fan-out to the subscribers of this process."""

    def __init__(self):
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()
        self._lock = threading.Lock()

    def publish(self, event: dict) -> None:
        self.deliver(event)

    def deliver(self, event: dict) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the loop has closed; its subscriber is gone
                self.remove(loop, queue)

    def add(self) -> asyncio.Queue:
        queue = asyncio.Queue(maxsize=1000)
        with self._lock:
            self._subscribers.add((asyncio.get_running_loop(), queue))
        return queue

    def remove(self, loop, queue) -> None:
        with self._lock:
            self._subscribers.discard((loop, queue))

    async def subscribe(self) -> asyncio.Queue:
        return self.add()

    async def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.remove(asyncio.get_running_loop(), queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def wants_events(self) -> bool:
        """Whether a published event can reach anyone: in-process, only this process's subscribers."""
        return bool(self._subscribers)


class RedisBroker(LocalBroker):
    """Publishes to a Redis channel; one listener task per ASGI process delivers to its local subscribers."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self._client = None
        self._listener: asyncio.Task | None = None

    @property
    def wants_events(self) -> bool:
        return True  # subscribers are in other processes

    def publish(self, event: dict) -> None:
        import redis

        if self._client is None:
            self._client = redis.Redis.from_url(self.url)
        self._client.publish(CHANNEL, json.dumps(event))

    async def subscribe(self) -> asyncio.Queue:
        if self._listener is None or self._listener.done():
            ready = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(ready))
            await ready.wait()
        return self.add()

    async def _listen(self, ready: asyncio.Event) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(CHANNEL)
            ready.set()
            async for message in pubsub.listen():
                try:
                    self.deliver(json.loads(message["data"]))
                except (ValueError, TypeError):
                    logger.warning("Ignored a malformed attendance event")
        finally:
            ready.set()
            await pubsub.aclose()
            await client.aclose()


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
    """Send the event of a saved school day; a failure to publish never undoes the submission. Nothing is
    read when no one can receive it (the in-process broker of a web worker without subscribers)."""
    if not broker().wants_events:
        return
    try:
        school_day = SchoolDay.objects.select_related("school").get(pk=school_day_id)
        broker().publish(event_for(school_day))
    except Exception:
        logger.exception("Could not publish the attendance event of school day %s", school_day_id)
