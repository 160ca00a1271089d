"""Minimal server-sent-events readers for tests and bench/live.py: in-process (Quart test client) and over TCP."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field


@dataclass
class Message:
    event: str = "message"
    id: str | None = None
    data: str = ""
    received_at: float = 0.0

    def json(self):
        return json.loads(self.data)


@dataclass
class Parser:
    """Incremental text/event-stream parser (comments are counted, not returned)."""

    buffer: str = ""
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    def feed(self, chunk: bytes) -> list[Message]:
        self.buffer += chunk.decode()
        messages = []
        while "\n\n" in self.buffer:
            block, self.buffer = self.buffer.split("\n\n", 1)
            message, data = Message(received_at=time.perf_counter()), []
            for line in block.split("\n"):
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    message.event = value
                elif name == "id":
                    message.id = value
                elif name == "data":
                    data.append(value)
                elif name == "retry":
                    self.retry = int(value)
            if data:
                message.data = "\n".join(data)
                messages.append(message)
        return messages


class InProcessStream:
    """Reads a stream from app.test_client().request(path) without a server."""

    def __init__(self, app, path: str, headers: dict | None = None) -> None:
        self._cm = app.test_client().request(path, headers=headers or {})
        self.parser = Parser()
        self.pending: list[Message] = []
        self.conn = None

    async def __aenter__(self) -> "InProcessStream":
        self.conn = await self._cm.__aenter__()
        await self.conn.send_complete()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.conn.disconnect()
        await self._cm.__aexit__(None, None, None)

    @property
    def status_code(self) -> int | None:
        return self.conn.status_code

    @property
    def headers(self):
        return self.conn.headers

    async def read_chunk(self, timeout: float = 5.0) -> bytes:
        return await asyncio.wait_for(self.conn.receive(), timeout)

    async def next_message(self, timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while not self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no SSE message in time")
            self.pending.extend(self.parser.feed(await self.read_chunk(remaining)))
        return self.pending.pop(0)


class TcpStream:
    """An SSE client over a raw HTTP/1.1 connection (cheap enough to hold thousands in one process)."""

    def __init__(self, host: str, port: int, path: str, headers: dict | None = None) -> None:
        self.host, self.port, self.path, self.extra = host, port, path, headers or {}
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.parser = Parser()
        self.pending: list[Message] = []
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self._chunk_left = 0

    async def open(self, timeout: float = 10.0) -> "TcpStream":
        self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in self.extra.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        status_line, *header_lines = head.decode("latin1").split("\r\n")
        self.status = int(status_line.split()[1])
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers[name.strip().lower()] = value.strip()
        return self

    @property
    def worker(self) -> str | None:
        return self.headers.get("x-stream-worker")

    async def body(self, timeout: float = 5.0) -> bytes:
        """The whole (non-stream) body of an error response."""
        length = int(self.headers.get("content-length", "0"))
        return await asyncio.wait_for(self.reader.readexactly(length), timeout)

    async def _read_chunk(self) -> bytes:
        # Transfer-Encoding: chunked
        size_line = await self.reader.readuntil(b"\r\n")
        size = int(size_line.strip().split(b";")[0], 16)
        if size == 0:
            raise EOFError("stream ended")
        data = await self.reader.readexactly(size + 2)
        return data[:-2]

    async def next_message(self, timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while not self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no SSE message in time")
            chunk = await asyncio.wait_for(self._read_chunk(), remaining)
            self.pending.extend(self.parser.feed(chunk))
        return self.pending.pop(0)

    async def message_with_id(self, event_id: int, timeout: float = 5.0) -> Message:
        """Skip messages until the one carrying `event_id`."""
        deadline = time.monotonic() + timeout
        while True:
            message = await self.next_message(max(deadline - time.monotonic(), 0.001))
            if message.id == str(event_id):
                return message

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
