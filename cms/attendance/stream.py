"""The server-sent-events stream of live attendance, served by the ASGI process (``/live/attendance/``).

One open connection per watching dashboard. The user and its scope are read once when the stream opens;
each event is cut down to the scope (``live.visible_part``) before it is written. A comment line every
``live.HEARTBEAT_SECONDS`` keeps proxies from closing an idle stream and lets the server notice a gone client
(the ASGI server then cancels the stream, which unsubscribes it).

A stream outlives the request that opened it, so it checks every ``SESSION_CHECK_SECONDS`` that its session
still exists (signed out, expired by the idle timeout, or deleted when the account was disabled) and ends
at the session's absolute lifetime; the browser's reconnection then meets the sign-in like any request.

Catching up: every event carries an ``id:`` (``live.event_id``). A stream opened with a ``Last-Event-ID``
header (the browser's EventSource sends it when it reconnects) or, failing that, ``?since=<id>`` (the id of
"now" when the page was rendered, so a submission between the render and the stream is not missed) first
sends the newest state of each school day of ``?date=`` (default today) saved after that moment
(``live.catch_up``), then continues live. It subscribes before reading, so nothing falls in between (what
arrives twice is the same snapshot). A moment before the start of today, or anything that is not an id or
a date, is answered with one ``event: reload``: the page was rendered on another day or the request is not
one of ours, and a fresh page is cheaper and surer than a catch-up of unbounded age.
"""

import datetime as dt
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone

from cms.accounts.middleware import SESSION_STARTED_KEY
from cms.accounts.roles import has_capability
from cms.org.scope import Scope, scope_of

from . import live
from .services import today

logger = logging.getLogger(__name__)

SESSION_CHECK_SECONDS = 60
RETRY_MILLISECONDS = 2000
CONNECTED = f"retry: {RETRY_MILLISECONDS}\n: connected\n\n".encode()
HEARTBEAT = b": heartbeat\n\n"
RELOAD = "reload"


def resume_point(request) -> tuple[dt.datetime, dt.date] | str | None:
    """Where the stream resumes: (moment, date) to catch up from, ``RELOAD``, or None (live only)."""
    since = request.headers.get("Last-Event-ID") or request.GET.get("since")
    if not since:
        return None
    moment = live.moment_of(since)
    try:
        date = dt.date.fromisoformat(request.GET["date"]) if request.GET.get("date") else today()
    except ValueError:
        return RELOAD
    start_of_today = timezone.make_aware(dt.datetime.combine(today(), dt.time.min))
    if moment is None or moment < start_of_today:
        return RELOAD
    return moment, date


def reload_block() -> bytes:
    """Tells the page to load itself again; its id is now, for a page that will not (live.js reloads once)."""
    return f"id: {live.event_id(timezone.now())}\nevent: reload\ndata: {{}}\n\n".encode()


async def catch_up(subscription: live.Subscription, scope: Scope, since: dt.datetime, date: dt.date) -> None:
    """Put the events the stream missed into its subscription, where a newer live event of a school day
    already waiting is kept; if the database fails, the stream goes on live only."""
    try:
        events = await sync_to_async(live.catch_up)(scope, since, date)
    except Exception:
        logger.exception("Could not read the attendance catch-up")
        return
    for event in events:
        subscription.put(live.LiveEvent(event))


def _scope_if_allowed(user):
    if not has_capability(user, "attendance"):
        raise PermissionDenied
    return scope_of(user)


class SessionWatch:
    """Whether the session that opened the stream still signs in its user."""

    def __init__(self, request, user):
        self.session_key = request.session.session_key
        self.user_pk = str(user.pk)
        self.store_class = type(request.session)
        started = request.session.get(SESSION_STARTED_KEY) or time.time()
        self.ends_at = started + settings.SESSION_ABSOLUTE_LIFETIME
        self.next_check = time.monotonic() + SESSION_CHECK_SECONDS

    async def still_valid(self) -> bool:
        if time.time() >= self.ends_at:
            return False
        if time.monotonic() < self.next_check:
            return True
        self.next_check = time.monotonic() + SESSION_CHECK_SECONDS
        data = await self.store_class(self.session_key).aload()
        return data.get(SESSION_KEY) == self.user_pk


async def attendance_events(request):
    user = await request.auser()
    scope = await sync_to_async(_scope_if_allowed)(user)
    watch = SessionWatch(request, user)
    resume = resume_point(request)
    broker = live.broker()

    async def stream():
        # Subscribed when the response starts, not in the view: a response that is never sent (the client
        # left first) never runs its generator, and so could never unsubscribe.
        subscription = await broker.subscribe()
        try:
            yield CONNECTED
            if resume == RELOAD:
                yield reload_block()
            elif resume is not None:
                await catch_up(subscription, scope, *resume)
            while await watch.still_valid():
                events = await subscription.take()
                blocks = [block for event in events if (block := event.encoded_for(scope)) is not None]
                if blocks:
                    yield b"".join(blocks)
                elif not events:  # the heartbeat
                    yield HEARTBEAT
        finally:
            await broker.unsubscribe(subscription)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
