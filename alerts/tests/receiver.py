"""Webhook receivers for tests, on 127.0.0.1 in threads: one that records
every request and answers what the test tells it to, and one that answers too
slowly."""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.answers: list[Answer] = []
        # Seconds to wait before answering, to make overlapping runs overlap.
        self.delay = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        ReceivedRequest(self.path, dict(self.headers), body)
                    )
                    answer = receiver.answers.pop(0) if receiver.answers else Answer()
                time.sleep(receiver.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                payload = answer.body.encode()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/digest"

    def answer_next(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class TricklingReceiver:
    """A receiver on 127.0.0.1 that reads the request, then sends a complete
    200 answer one byte every `interval` seconds: every read gets a byte well
    within any per-read timeout, and only a deadline for the whole request
    stops the sender from waiting until the last byte.

    Each connection is served by a thread that stops at the last byte, when
    the sender hangs up, or when the receiver is closed.
    """

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def __init__(self, *, interval: float = 0.5) -> None:
        self.interval = interval
        self.requests = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        # The accept loop looks at _stop this often.
        self._listener.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/hooks/digest"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(
                target=self._trickle, args=(connection,), daemon=True
            )
            self._threads.append(worker)
            worker.start()

    def _read_request(self, connection: socket.socket) -> None:
        received = b""
        while b"\r\n\r\n" not in received and len(received) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                return
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(4096)
            if not chunk:
                return
            body += chunk

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                self._read_request(connection)
                self.requests += 1
                for index in range(len(self.ANSWER)):
                    if self._stop.wait(self.interval):
                        return
                    connection.sendall(self.ANSWER[index : index + 1])
            except OSError:
                # The sender hung up: what the test wants it to do.
                return

    def __enter__(self) -> "TricklingReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        for worker in self._threads:
            worker.join(timeout=5)
        self._listener.close()
