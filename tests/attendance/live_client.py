"""An event-stream client that talks ASGI to the application directly, as a browser's EventSource would hold
a connection to uvicorn: it reads the response as it is streamed and can leave (``http.disconnect``)."""

import asyncio
import json
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from cms.attendance.models import ClassDay
from cms.attendance.services import ClassReport, submit_attendance, today
from tests.conftest import sign_in

STREAM_PATH = "/live/attendance/"
WAIT_SECONDS = 5


def session_cookie(user) -> str:
    """The session cookie of ``user`` signed in with its second factor passed (see tests/conftest.py)."""
    client = sign_in(Client(), user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@dataclass
class Stream:
    """One open stream: ``status``, ``headers`` and the SSE blocks received so far (``blocks``)."""

    app: object
    cookie: str = ""
    query: str = ""  # e.g. "since=1764230400000000&date=2026-11-27"
    last_event_id: str | None = None  # the Last-Event-ID header, as a reconnecting EventSource sends it
    status: int | None = None
    headers: dict = field(default_factory=dict)
    blocks: list[str] = field(default_factory=list)
    _incoming: asyncio.Queue = field(default_factory=asyncio.Queue)
    _buffer: str = ""
    _taken: int = 0
    _started: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task | None = None

    async def open(self) -> "Stream":
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": STREAM_PATH,
            "raw_path": STREAM_PATH.encode(),
            "root_path": "",
            "query_string": self.query.encode(),
            "headers": [(b"host", b"testserver"), (b"accept", b"text/event-stream")]
            + ([(b"cookie", self.cookie.encode())] if self.cookie else [])
            + ([(b"last-event-id", self.last_event_id.encode())] if self.last_event_id is not None else []),
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await self._incoming.put({"type": "http.request", "body": b"", "more_body": False})
        self._task = asyncio.create_task(self.app(scope, self._receive, self._send))
        await asyncio.wait_for(self._started.wait(), WAIT_SECONDS)
        if self.status == 200:  # subscribed once the first block (": connected") has arrived
            await self.wait_for(lambda block: "connected" in block)
        return self

    async def _receive(self) -> dict:
        return await self._incoming.get()

    async def _send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            self._started.set()
        elif message["type"] == "http.response.body":
            self._buffer += message.get("body", b"").decode()
            *complete, self._buffer = self._buffer.split("\n\n")
            self.blocks += complete
            self._arrived.set()

    async def wait_for(self, condition, timeout: float = WAIT_SECONDS) -> str:
        """The first block received so far or within ``timeout`` seconds that meets ``condition``."""
        async with asyncio.timeout(timeout):
            seen = 0
            while True:
                for block in self.blocks[seen:]:
                    if condition(block):
                        return block
                seen = len(self.blocks)
                self._arrived.clear()
                await self._arrived.wait()

    def events(self, kind: str = "attendance") -> list[dict]:
        """The data of the events of ``kind`` received so far."""
        return [data for _id, data in self.identified_events(kind)]

    def identified_events(self, kind: str = "attendance") -> list[tuple[str | None, dict]]:
        """(SSE id or None, data) of the events of ``kind`` received so far."""
        found = []
        for block in self.blocks:
            lines = block.splitlines()
            if f"event: {kind}" in lines:
                ids = [line[len("id: ") :] for line in lines if line.startswith("id: ")]
                data = json.loads("".join(line[len("data: ") :] for line in lines if line.startswith("data: ")))
                found.append((ids[-1] if ids else None, data))
        return found

    def last_id(self) -> str | None:
        """The id a browser's EventSource would send back on reconnecting (that of the last event with one)."""
        ids = [line[len("id: ") :] for block in self.blocks for line in block.splitlines() if line.startswith("id: ")]
        return ids[-1] if ids else None

    async def next_event(self, timeout: float = WAIT_SECONDS) -> dict:
        """The first event not taken yet by this method, received already or within ``timeout`` seconds."""
        await self.wait_for(lambda _block: len(self.events()) > self._taken, timeout)
        self._taken += 1
        return self.events()[self._taken - 1]

    async def close(self) -> None:
        """Leave, as a closed browser tab does; the application must end the response."""
        await self._incoming.put({"type": "http.disconnect"})
        await asyncio.wait_for(self._task, WAIT_SECONDS)


def report(class_name: str = "1-А", *, enrolled: int = 25, ill: int = 2) -> ClassReport:
    return ClassReport(class_name=class_name, enrolled=enrolled, present=enrolled - ill, absent_illness=ill)


@sync_to_async
def submit(school, user, *reports: ClassReport):
    return submit_attendance(school=school, date=today(), reports=list(reports or [report()]), user=user, source="form")


@sync_to_async
def class_days(school) -> int:
    return ClassDay.objects.filter(school=school).count()


WATCHERS = ("don", "own_ruo", "other_ruo", "school_a", "school_c")


async def deliveries(app, world, cookies: dict[str, str]) -> dict[str, list[dict]]:
    """Open a stream for each of WATCHERS, submit school A's attendance, and collect what each received."""
    streams = {actor: await Stream(app, cookies[actor]).open() for actor in WATCHERS}
    await submit(world.school_a, world.users["school_a"], report(enrolled=25, ill=2))
    for actor in ("don", "own_ruo", "school_a"):
        await streams[actor].next_event()
    # Every stream was sent the event at once; a watcher that should not see it has had time to get it.
    await asyncio.sleep(0.3)
    for stream in streams.values():
        await stream.close()
    return {actor: stream.events() for actor, stream in streams.items()}


def assert_scoped_deliveries(received: dict[str, list[dict]], world) -> None:
    """DON: the school, district and city; the school's own district office: the school and district;
    school A: itself; the other district's office and school C: nothing."""
    assert received["other_ruo"] == []
    assert received["school_c"] == []
    assert [set(event) for event in received["don"]] == [{"date", "school", "district", "city"}]
    assert [set(event) for event in received["own_ruo"]] == [{"date", "school", "district"}]
    assert [set(event) for event in received["school_a"]] == [{"date", "school"}]
    (don,) = received["don"]
    assert don["date"] == today().isoformat()
    assert don["school"]["id"] == world.school_a.pk
    assert (don["school"]["enrolled"], don["school"]["present"], don["school"]["absent_illness"]) == (25, 23, 2)
    assert don["district"]["id"] == world.district.pk
    assert (don["district"]["present"], don["district"]["schools_reported"]) == (23, 1)
    assert (don["city"]["present"], don["city"]["schools_reported"]) == (23, 1)
    assert received["own_ruo"][0] == {key: don[key] for key in ("date", "school", "district")}
    assert received["school_a"][0] == {"date": don["date"], "school": don["school"]}
