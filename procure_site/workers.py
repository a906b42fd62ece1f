"""gunicorn workers whose own error answers are JSON, like the API's.

gunicorn refuses some requests before Django sees them (a request line over
`limit_request_line`, an invalid Content-Length, malformed headers) and
answers them with an HTML page. These workers let gunicorn decide the status
as usual, then send `{"detail": ...}` with that status instead of the page.
gunicorn.conf.py picks the sync or the threaded one, as gunicorn itself
would from GUNICORN_THREADS.

What gunicorn cannot answer at all (a client that closes the connection, a
request so malformed that no status line can be sent) stays unanswered;
README's Errors section says so.
"""

import json
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from procure_site.error_codes import ErrorCode

DETAILS = {
    400: "The request could not be read: its request line, a header or its "
    "Content-Length is malformed. Check the request and send it again.",
    403: "The request is forbidden by the server.",
    414: "The request line is too long. Send a shorter address or query string.",
    417: "The server does not support that Expect header. Send the request without it.",
    431: "The request headers are too large or too many. Send fewer or smaller "
    "headers.",
    501: "The server does not support that Transfer-Encoding. Send the body "
    "with a Content-Length instead.",
}
SERVER_ERROR = "Something went wrong on our side. Please try again later."
CODES = {
    400: ErrorCode.INVALID_REQUEST,
    403: ErrorCode.PERMISSION_DENIED,
    414: ErrorCode.REQUEST_LINE_TOO_LONG,
    417: ErrorCode.EXPECTATION_FAILED,
    431: ErrorCode.HEADERS_TOO_LARGE,
    501: ErrorCode.NOT_IMPLEMENTED,
}


class _CapturedError:
    """Stands in for the client socket while gunicorn writes its error page,
    keeping the bytes instead of sending them; every other use goes to the
    real socket."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def error_response(page: bytes) -> bytes:
    """The JSON response to send instead of gunicorn's HTML error `page`."""
    status_line = page.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        status = 400
    reason = parts[2] if len(parts) > 2 else "Bad Request"
    detail = DETAILS.get(status, SERVER_ERROR if status >= 500 else DETAILS[400])
    code = CODES.get(
        status, ErrorCode.SERVER_ERROR if status >= 500 else ErrorCode.INVALID_REQUEST
    )
    body = json.dumps({"detail": detail, "code": code.value}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


class _JsonErrors:
    def handle_error(self, req: Any, client: Any, addr: Any, exc: Any) -> None:
        captured = _CapturedError(client)
        super().handle_error(req, captured, addr, exc)
        if not captured.data:
            return
        try:
            util.write_nonblock(client, error_response(captured.data))
        except Exception:  # as gunicorn does: the client may be gone
            self.log.debug("Failed to send error message.")  # type: ignore[attr-defined]


class JsonErrorSyncWorker(_JsonErrors, SyncWorker):
    """gunicorn's sync worker, answering its own errors in JSON."""


class JsonErrorThreadWorker(_JsonErrors, ThreadWorker):
    """gunicorn's threaded worker, answering its own errors in JSON."""
