from django.conf import settings
from django.http import JsonResponse


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES.

    Django only enforces DATA_UPLOAD_MAX_MEMORY_SIZE when `request.body` is
    read, and DRF's parsers read the stream instead, so the limit is checked
    here, before any parsing, against the declared Content-Length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                {"detail": "The Content-Length header is not a number."}, status=400
            )
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return JsonResponse(
                {
                    "detail": f"The request body is {length} bytes; the limit is "
                    f"{limit} bytes. Send a smaller request."
                },
                status=413,
            )
        return self.get_response(request)
