"""The server-sent-events stream of live attendance, served by the ASGI process (``/live/attendance/``).

One open connection per watching dashboard. The user and its scope are read once when the stream opens;
each event is cut down to the scope (``live.for_scope``) before it is written. A comment line every
``HEARTBEAT_SECONDS`` keeps proxies from closing an idle stream and notices a gone client.
"""

import asyncio
import json

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse

from cms.accounts.roles import has_capability
from cms.org.scope import scope_of

from . import live

HEARTBEAT_SECONDS = 15
RETRY_MILLISECONDS = 2000


def _scope_if_allowed(user):
    if not has_capability(user, "attendance"):
        raise PermissionDenied
    return scope_of(user)


async def attendance_events(request):
    user = await request.auser()
    scope = await sync_to_async(_scope_if_allowed)(user)
    broker = live.broker()
    queue = await broker.subscribe()

    async def stream():
        try:
            yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                visible = live.for_scope(event, scope)
                if visible is not None:
                    yield f"event: attendance\ndata: {json.dumps(visible, ensure_ascii=False)}\n\n"
        finally:
            await broker.unsubscribe(queue)

    response = StreamingHttpResponse(stream(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
