"""The ASGI application served by a real uvicorn in a background thread of the test process, for tests that
need what only a server shows: an event stream read by a browser, the threads a stream holds.

The server runs against the test database, so a test using it commits (``transaction=True``); events
published by ``submit_attendance`` in the test reach it through the in-process broker.
"""

import socket
import threading
import time

import uvicorn

START_SECONDS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedUvicorn:
    """``with ThreadedUvicorn(app) as server:`` serves ``app`` at ``server.url`` until the block ends."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            loop="asyncio",
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def __enter__(self) -> "ThreadedUvicorn":
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(START_SECONDS)
