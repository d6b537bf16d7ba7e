"""A real SMTP server on loopback that keeps what it receives (aiosmtpd).

In-process (a thread with its own event loop):

    with SmtpSink() as sink:
        relay = SmtpRelay(host=sink.host, port=sink.port)
        ...
        sink.messages      # [ReceivedMessage(mail_from, rcpt_tos, data), ...]
        sink.parsed()      # the same as email.message.EmailMessage objects

Knobs for the hard cases: `reply_delay` (seconds the sink waits before answering the final
dot, to hold a worker inside an SMTP transaction), `refuse` (recipients answered 550),
`defer_first` (how many messages are answered 451 before accepting).

As a separate process (benchmarks): ``python tests/doubles/smtp_sink.py --port 2525``
counts messages and prints the count when stopped with SIGTERM/SIGINT; with
``--count-file F`` it also rewrites F with the count every half second.
"""
from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import signal
import socket
import threading
import time
from typing import NamedTuple

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class ReceivedMessage(NamedTuple):
    mail_from: str
    rcpt_tos: list
    data: bytes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.sink.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink.lock:
            if sink.defer_first > 0:
                sink.defer_first -= 1
                sink.deferred += 1
                return "451 4.3.0 Try again later"
            sink.messages.append(ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            count = len(sink.messages)
        if sink.reply_delay:
            await asyncio.sleep(sink.reply_delay)
        return f"250 2.0.0 Ok: queued as {count}"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (a free port) keeping every accepted message in memory."""

    def __init__(self, *, port: int | None = None, reply_delay: float = 0.0, refuse=(), defer_first: int = 0):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.reply_delay = reply_delay
        self.refuse = {address.lower() for address in refuse}
        self.defer_first = defer_first
        self.deferred = 0
        self.messages: list[ReceivedMessage] = []
        self.lock = threading.Lock()
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10,
            data_size_limit=10 * 1024 * 1024,
        )

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def parsed(self) -> list:
        with self.lock:
            received = list(self.messages)
        return [email.message_from_bytes(message.data, policy=email.policy.default) for message in received]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return True
            time.sleep(0.02)
        return len(self.messages) >= count


class _CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 2.0.0 Ok"


def main() -> None:  # pragma: no cover - used by bench/
    parser = argparse.ArgumentParser(description="Counting SMTP sink (aiosmtpd) for benchmarks.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count-file", default="")
    args = parser.parse_args()
    handler = _CountingHandler()

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.local", data_size_limit=10 * 1024 * 1024),
            host="127.0.0.1", port=args.port,
        )
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass
            if args.count_file:
                with open(args.count_file, "w") as handle:
                    handle.write(str(handler.count))
        server.close()
        print(handler.count, flush=True)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
