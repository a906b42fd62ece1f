from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers

from procure_site.error_codes import ErrorCode
from procure_site.exceptions import error_body
from procure_site.parsers import has_unsafe_characters

UNSAFE_URL = (
    "The address contains a NUL character or an unpaired surrogate. Remove it "
    "and send the request again."
)


CHUNKED_BODY = (
    "Send the request body with a Content-Length header: a chunked body "
    "(Transfer-Encoding: chunked) is not read."
)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES.

    Django only enforces DATA_UPLOAD_MAX_MEMORY_SIZE when `request.body` is
    read, and DRF's parsers read the stream instead, so the limit is checked
    here, before any parsing, against the declared Content-Length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Django reads as many bytes as Content-Length says, so a chunked
        # body, which has none, would reach the views as an empty one.
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return JsonResponse(
                error_body(CHUNKED_BODY, ErrorCode.LENGTH_REQUIRED), status=411
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                error_body(
                    "The Content-Length header is not a number.",
                    ErrorCode.INVALID_REQUEST,
                ),
                status=400,
            )
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return JsonResponse(
                error_body(
                    f"The request body is {length} bytes; the limit is "
                    f"{limit} bytes. Send a smaller request.",
                    ErrorCode.PAYLOAD_TOO_LARGE,
                ),
                status=413,
            )
        return self.get_response(request)


class UnsafeTextMiddleware:
    """Refuses a request whose path or query string holds a NUL character or
    a lone surrogate, before any view, path converter or query reads it.

    Request bodies get the same check in procure_site.parsers; together they
    keep such text away from models, the database and the renderers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path]
        for key, values in request.GET.lists():
            texts.append(key)
            texts.extend(values)
        if any(has_unsafe_characters(text) for text in texts):
            return JsonResponse(
                error_body(UNSAFE_URL, ErrorCode.UNSAFE_INPUT), status=400
            )
        return self.get_response(request)


class ApiCacheControlMiddleware:
    """Keeps API answers out of every cache unless a view says otherwise.

    API responses carry tokens, people's emails and the organization's
    numbers, and depend on who asks: each gets `Cache-Control: no-store`
    when its view set no Cache-Control of its own (monitored-hosts does, to
    be revalidated with its ETag), and `Vary: Authorization, Cookie`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/"):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "no-store"
            patch_vary_headers(response, ["Authorization", "Cookie"])
        return response
