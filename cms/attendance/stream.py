"""The server-sent-events stream of live attendance, served by the ASGI process (``/live/attendance/``).

One open connection per watching dashboard. The user and its scope are read once when the stream opens;
each event is cut down to the scope (``live.visible_part``) before it is written. A comment line every
``live.HEARTBEAT_SECONDS`` keeps proxies from closing an idle stream and lets the server notice a gone client
(the ASGI server then cancels the stream, which unsubscribes it).

A stream outlives the request that opened it, so it checks every ``SESSION_CHECK_SECONDS`` that its session
still exists (signed out, expired by the idle timeout, or deleted when the account was disabled) and ends
at the session's absolute lifetime; the browser's reconnection then meets the sign-in like any request.
"""

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse

from cms.accounts.middleware import SESSION_STARTED_KEY
from cms.accounts.roles import has_capability
from cms.org.scope import scope_of

from . import live

SESSION_CHECK_SECONDS = 60
RETRY_MILLISECONDS = 2000
HEARTBEAT = b": heartbeat\n\n"


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
    broker = live.broker()

    async def stream():
        # Subscribed when the response starts, not in the view: a response that is never sent (the client
        # left first) never runs its generator, and so could never unsubscribe.
        subscription = await broker.subscribe()
        try:
            yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n".encode()
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
